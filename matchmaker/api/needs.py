"""Needs API: what firms need (create, read, update, close; lists filtered and paginated)."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.common import VersionArgsSchema
from matchmaker.schemas.need import NeedCreateSchema, NeedQueryArgsSchema, NeedSchema, NeedUpdateSchema
from matchmaker.infra.security import current_actor
from matchmaker.services import needs

blp = json_blueprint(Blueprint(
    "needs", __name__,
    description="Needs (what a firm needs). Out-of-scope needs answer 404, as if absent."))
URL_PREFIX = "/needs"


@blp.route("")
class Needs(MethodView):
    @blp.arguments(NeedQueryArgsSchema, location="query")
    @blp.response(200, NeedSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List the needs you may read (filter by category, region, firm kind, status, firm)"""
        items, pagination_parameters.item_count = needs.list_needs(current_actor(), args,
                                                                   *page_args(pagination_parameters))
        return items

    @blp.arguments(NeedCreateSchema)
    @blp.response(201, NeedSchema)
    @errors(blp, 400, 401, 403, 409, 415)
    def post(self, data):
        """Post a need (firm users: for their own firm; admins: for any firm)"""
        return needs.create_need(current_actor(), data)


@blp.route("/<int:need_id>")
class NeedById(MethodView):
    @blp.response(200, NeedSchema)
    @errors(blp, 401, 404)
    def get(self, need_id):
        """Get a need"""
        return needs.get_need(current_actor(), need_id)

    @blp.arguments(NeedUpdateSchema)
    @blp.response(200, NeedSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def patch(self, data, need_id):
        """Edit a need (send `version` to be told, with 409, if someone changed it since you read it)"""
        return needs.update_need(current_actor(), need_id, data)


@blp.route("/<int:need_id>/close")
class NeedClose(MethodView):
    @blp.arguments(VersionArgsSchema, required=False)
    @blp.response(200, NeedSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def post(self, data, need_id):
        """Close a need (its open proposals lapse)"""
        return needs.close_need(current_actor(), need_id, data.get("version"))
