"""Time-to-survive API: a buyer's days of stock on a link, the critical breaks of a week."""
from flask.views import MethodView
from matchmaker.api.common import Blueprint, errors, json_blueprint
from matchmaker.infra.security import current_actor
from matchmaker.schemas.link import LinkDaysOfStockSchema, LinkSchema
from matchmaker.services import survival

blp = json_blueprint(Blueprint(
    "survival", __name__,
    description="Time to survive and time to recover: days of stock and expected restart (critical breaks)."))
URL_PREFIX = ""


@blp.route("/links/<int:link_id>/days-of-stock")
class LinkDaysOfStock(MethodView):
    @blp.arguments(LinkDaysOfStockSchema)
    @blp.response(200, LinkSchema)
    @errors(blp, 401, 403, 404, 415, 422)
    def put(self, data, link_id):
        """State the buyer's days of stock of what a link supplies (the buyer's users; no confirmation)"""
        return survival.set_link_days_of_stock(current_actor(), link_id, data["days_of_stock"])
