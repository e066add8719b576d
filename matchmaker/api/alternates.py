"""Alternates API: a break's alternate suppliers, and one click to turn one into a proposal."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint
from matchmaker.infra.security import current_actor
from matchmaker.schemas.help import AlternateChoiceSchema, BreakAlternatesSchema
from matchmaker.schemas.pairing import PairingSchema
from matchmaker.services import alternates

blp = json_blueprint(Blueprint(
    "alternates", __name__,
    description="Alternate suppliers with spare capacity per break, allocated over all the week's breaks."))
URL_PREFIX = ""


@blp.route("/breaks/<int:break_id>/alternates")
class BreakAlternates(MethodView):
    @blp.response(200, BreakAlternatesSchema)
    @errors(blp, 401, 404)
    def get(self, break_id):
        """A break's alternate suppliers (staff who see the break, and its buyer)"""
        return alternates.break_alternates(current_actor(), break_id)

    @blp.arguments(AlternateChoiceSchema)
    @blp.response(201, PairingSchema)
    @errors(blp, 401, 403, 404, 409, 415, 422)
    def post(self, data, break_id):
        """Propose one of the break's alternates to both sides (staff of its region, its buyer)"""
        return alternates.propose_alternate(current_actor(), break_id, data["offer"])
