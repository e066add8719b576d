"""Help API (article 10's 帮营销、帮技术、帮管理): leading firms' help offers, the help matched to SMEs."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint
from matchmaker.infra.security import current_actor
from matchmaker.schemas.help import (HelpAnswerSchema, HelpMatchArgsSchema, HelpMatchSchema, HelpOfferInputSchema,
                                     HelpOfferSchema, HelpRunSchema)
from matchmaker.services import help as help_service

blp = json_blueprint(Blueprint(
    "help", __name__,
    description="Help offers of leading firms and the help matched to SMEs that want it (帮扶对接)."))
URL_PREFIX = ""


@blp.route("/help-offers")
class HelpOffers(MethodView):
    @blp.response(200, HelpOfferSchema(many=True))
    @errors(blp, 401)
    def get(self):
        """List help offers (a firm: its own; staff: of firms in their region; admins: all)"""
        return help_service.list_help_offers(current_actor())

    @blp.arguments(HelpOfferInputSchema)
    @blp.response(201, HelpOfferSchema)
    @errors(blp, 401, 403, 415, 422)
    def post(self, data):
        """Post a help offer of a leading firm; the SMEs that want that help are matched at once"""
        return help_service.create_help_offer(current_actor(), data)


@blp.route("/help-offers/<int:offer_id>/close")
class HelpOfferClose(MethodView):
    @blp.response(200, HelpOfferSchema)
    @errors(blp, 401, 404)
    def post(self, offer_id):
        """Close a help offer; its matches not yet accepted by both sides lapse"""
        return help_service.close_help_offer(current_actor(), offer_id)


@blp.route("/help-matches")
class HelpMatches(MethodView):
    @blp.arguments(HelpMatchArgsSchema, location="query")
    @blp.response(200, HelpMatchSchema(many=True))
    @errors(blp, 401)
    def get(self, args):
        """List help matches (a firm: those it gives or gets; staff: their region; admins: all)"""
        return help_service.list_help_matches(current_actor(), args.get("status"))

    @blp.response(201, HelpRunSchema)
    @errors(blp, 401, 403)
    def post(self):
        """Match the open wants of help with the open help offers now"""
        return {"proposed": help_service.match_help_now(current_actor())}


@blp.route("/help-matches/<int:match_id>/accept")
class HelpMatchAccept(MethodView):
    @blp.arguments(HelpAnswerSchema, required=False)
    @blp.response(200, HelpMatchSchema)
    @errors(blp, 401, 403, 404, 409, 415, 422)
    def post(self, data, match_id):
        """Accept a help match for your side; when both sides have, the help is given"""
        return help_service.answer_help_match(current_actor(), match_id, True, (data or {}).get("side"))


@blp.route("/help-matches/<int:match_id>/decline")
class HelpMatchDecline(MethodView):
    @blp.arguments(HelpAnswerSchema, required=False)
    @blp.response(200, HelpMatchSchema)
    @errors(blp, 401, 403, 404, 409, 415, 422)
    def post(self, data, match_id):
        """Decline a help match for your side; the pair is never matched again"""
        return help_service.answer_help_match(current_actor(), match_id, False, (data or {}).get("side"))
