"""Dispatch-meeting agenda API (issue 12), for task-force staff: a region's agenda of a week, its
one-page summary and an item's log; the meeting's decisions and the outcomes of last week's."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint
from matchmaker.infra.security import current_actor
from matchmaker.schemas.agenda import (AgendaArgsSchema, AgendaSchema, AgendaSummarySchema, DecisionInSchema,
                                       DecisionSchema, ItemEventSchema, ItemLogArgsSchema, OutcomeInSchema)
from matchmaker.services import agenda

blp = json_blueprint(Blueprint(
    "agenda_api", __name__,
    description="The weekly dispatch meeting's agenda (周调度): one item per problem, owners, departments, "
                "due dates and decisions."))
URL_PREFIX = ""


@blp.route("/agenda")
class Agenda(MethodView):
    @blp.arguments(AgendaArgsSchema, location="query")
    @blp.response(200, AgendaSchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, args):
        """A region's agenda of a stored week: the items it owns (to discuss, then routine), its
        firms' items owned elsewhere, matching in progress, fragility, last week's decisions"""
        return agenda.region_agenda(current_actor(), args.get("week"), args.get("region"),
                                    sort=args.get("sort") or "stake")


@blp.route("/agenda/summary")
class AgendaSummary(MethodView):
    @blp.arguments(AgendaArgsSchema, location="query")
    @blp.response(200, AgendaSummarySchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, args):
        """The one-page summary: new, continuing, escalated and resolved items, by level and by
        factor, against the previous stored week"""
        return agenda.agenda_summary(current_actor(), args.get("week"), args.get("region"))


@blp.route("/agenda/log")
class AgendaLog(MethodView):
    @blp.arguments(ItemLogArgsSchema, location="query")
    @blp.response(200, ItemEventSchema(many=True))
    @errors(blp, 401, 403, 422)
    def get(self, args):
        """An item's action log across weeks, oldest first"""
        return agenda.item_log(current_actor(), args["key"])


@blp.route("/agenda/decisions")
class AgendaDecisions(MethodView):
    @blp.arguments(DecisionInSchema)
    @blp.response(201, DecisionSchema)
    @errors(blp, 401, 403, 404, 409, 415, 422)
    def post(self, data):
        """Record the meeting's decision on an item of the latest week (staff of its owner region
        or above): who does what by when"""
        return agenda.decision_of(agenda.record_decision(
            current_actor(), data["key"], data["decision"], data.get("departments"), data.get("assignee_id"),
            data.get("due"), data.get("week")))


@blp.route("/agenda/outcomes")
class AgendaOutcomes(MethodView):
    @blp.arguments(OutcomeInSchema)
    @blp.response(200, DecisionSchema)
    @errors(blp, 401, 403, 404, 415, 422)
    def post(self, data):
        """Say at this week's meeting whether an earlier week's decision was done"""
        return agenda.decision_of(agenda.record_outcome(current_actor(), data["week"], data["key"], data["outcome"],
                                                        data.get("note")))
