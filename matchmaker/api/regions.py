"""Regions API: GB/T 2260 administrative divisions with their risk level (read-only, public)."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, PUBLIC, errors, page_args
from matchmaker.schemas.reference import RegionQueryArgsSchema, RegionSchema
from matchmaker.services import regions

blp = Blueprint("regions", __name__, description="Regions (public reference data)")
URL_PREFIX = "/regions"


@blp.route("")
class Regions(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(RegionQueryArgsSchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    @blp.paginate(page_size=100, max_page_size=5000)
    def get(self, args, pagination_parameters):
        """List regions (filter by level, parent, within, risk, name)"""
        items, pagination_parameters.item_count = regions.list_regions(args, *page_args(pagination_parameters))
        return items


@blp.route("/<string:code>")
class RegionByCode(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.response(200, RegionSchema)
    @errors(blp, 404)
    def get(self, code):
        """Get a region by its code"""
        return regions.get_region(code)
