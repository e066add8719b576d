"""Offers API: capacity firms offer (create, read, update, close; lists filtered and paginated)."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.common import VersionArgsSchema
from matchmaker.schemas.offer import OfferCreateSchema, OfferQueryArgsSchema, OfferSchema, OfferUpdateSchema
from matchmaker.infra.security import current_actor
from matchmaker.services import offers

blp = json_blueprint(Blueprint(
    "offers", __name__,
    description="Offers (capacity a firm offers). Out-of-scope offers answer 404, as if absent."))
URL_PREFIX = "/offers"


@blp.route("")
class Offers(MethodView):
    @blp.arguments(OfferQueryArgsSchema, location="query")
    @blp.response(200, OfferSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List the offers you may read (filter by category, region, firm kind, status, firm)"""
        items, pagination_parameters.item_count = offers.list_offers(current_actor(), args,
                                                                   *page_args(pagination_parameters))
        return items

    @blp.arguments(OfferCreateSchema)
    @blp.response(201, OfferSchema)
    @errors(blp, 400, 401, 403, 409, 415)
    def post(self, data):
        """Post an offer (firm users: for their own firm; admins: for any firm)"""
        return offers.create_offer(current_actor(), data)


@blp.route("/<int:offer_id>")
class OfferById(MethodView):
    @blp.response(200, OfferSchema)
    @errors(blp, 401, 404)
    def get(self, offer_id):
        """Get an offer"""
        return offers.get_offer(current_actor(), offer_id)

    @blp.arguments(OfferUpdateSchema)
    @blp.response(200, OfferSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def patch(self, data, offer_id):
        """Edit an offer (send `version` to be told, with 409, if someone changed it since you read it)"""
        return offers.update_offer(current_actor(), offer_id, data)


@blp.route("/<int:offer_id>/close")
class OfferClose(MethodView):
    @blp.arguments(VersionArgsSchema, required=False)
    @blp.response(200, OfferSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def post(self, data, offer_id):
        """Close an offer (its open proposals lapse)"""
        return offers.close_offer(current_actor(), offer_id, data.get("version"))
