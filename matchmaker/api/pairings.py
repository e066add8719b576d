"""Pairings API: my proposals, accept/decline, matching runs, best partners of a posting."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.pairing import (AnswerSchema, BestPartnersArgsSchema, PairingQueryArgsSchema,
                                        PairingSchema, PartnerSchema, RunSchema, RunStartSchema,
                                        RunWithPairingsSchema)
from matchmaker.infra.security import current_actor, partner_query_limits
from matchmaker.services import matching

blp = json_blueprint(Blueprint(
    "pairings", __name__,
    description="Proposed hand-in-hand pairings (手拉手撮合建议), matching runs and best partners."))
URL_PREFIX = ""


@blp.route("/pairings")
class Pairings(MethodView):
    @blp.arguments(PairingQueryArgsSchema, location="query")
    @blp.response(200, PairingSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List my proposals (as buyer, as supplier, or both; staff: their region; admins: all)"""
        items, pagination_parameters.item_count = matching.list_my_pairing_rows(
            current_actor(), args.get("side"), args.get("status"), *page_args(pagination_parameters))
        return items


@blp.route("/pairings/<int:pairing_id>")
class PairingById(MethodView):
    @blp.response(200, PairingSchema)
    @errors(blp, 401, 404)
    def get(self, pairing_id):
        """Get a proposal"""
        return matching.get_pairing(current_actor(), pairing_id)


@blp.route("/pairings/<int:pairing_id>/accept")
class PairingAccept(MethodView):
    @blp.arguments(AnswerSchema, required=False)
    @blp.response(200, PairingSchema)
    @errors(blp, 401, 403, 404, 409, 415)
    def post(self, data, pairing_id):
        """Accept a proposal for your side; when both sides have, it becomes an active link"""
        return matching.accept_pairing(current_actor(), pairing_id, (data or {}).get("side"))


@blp.route("/pairings/<int:pairing_id>/decline")
class PairingDecline(MethodView):
    @blp.arguments(AnswerSchema, required=False)
    @blp.response(200, PairingSchema)
    @errors(blp, 401, 403, 404, 409, 415)
    def post(self, data, pairing_id):
        """Decline a proposal for your side; the pair is never proposed again"""
        return matching.decline_pairing(current_actor(), pairing_id, (data or {}).get("side"))


@blp.route("/match-runs")
class Runs(MethodView):
    @blp.response(200, RunSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=20, max_page_size=100)
    def get(self, pagination_parameters):
        """List matching runs, newest first (staff and admins)"""
        items, pagination_parameters.item_count = matching.list_runs(current_actor(),
                                                                     *page_args(pagination_parameters))
        return items

    @blp.arguments(RunStartSchema, required=False)
    @blp.response(201, RunSchema)
    @errors(blp, 401, 403, 409, 415, 422, 503)
    def post(self, data):
        """Start a province-wide matching run now (province staff and admins; at most one a minute); earlier open proposals lapse; 503 when no task worker answers in time"""
        return matching.start_run(current_actor(), (data or {}).get("as_of"))


@blp.route("/match-runs/<int:run_id>")
class RunById(MethodView):
    @blp.response(200, RunWithPairingsSchema)
    @errors(blp, 401, 403, 404)
    def get(self, run_id):
        """Get a run with its proposals (those in your region)"""
        return matching.get_run(current_actor(), run_id)


@blp.route("/needs/<int:need_id>/best-partners")
class NeedBestPartners(MethodView):
    @blp.arguments(BestPartnersArgsSchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @errors(blp, 401, 404, 429)
    @partner_query_limits
    def get(self, args, need_id):
        """The top N offers allowed to serve a need, cheapest first, with reasons (no run needed)"""
        return matching.best_partners(current_actor(), "need", need_id, args["n"], args.get("as_of"))


@blp.route("/offers/<int:offer_id>/best-partners")
class OfferBestPartners(MethodView):
    @blp.arguments(BestPartnersArgsSchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @errors(blp, 401, 404, 429)
    @partner_query_limits
    def get(self, args, offer_id):
        """The top N needs an offer is allowed to serve, cheapest first, with reasons (no run needed)"""
        return matching.best_partners(current_actor(), "offer", offer_id, args["n"], args.get("as_of"))
