"""Link requests API: the links and link changes one side asked for, and the other side's answer."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.link import LinkRequestQueryArgsSchema, LinkRequestSchema
from matchmaker.infra.security import current_actor
from matchmaker.services import links

blp = json_blueprint(Blueprint(
    "link_requests", __name__,
    description="Links and link changes a firm asked for (POST or PATCH /links). They take effect only when "
                "the other side confirms. Visible to both sides (the asked side by its ref), staff of "
                "either side's region and admins; else 404."))
URL_PREFIX = "/link-requests"


@blp.route("")
class LinkRequests(MethodView):
    @blp.arguments(LinkRequestQueryArgsSchema, location="query")
    @blp.response(200, LinkRequestSchema(many=True))
    @errors(blp, 401)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List the link requests you may read, newest first (filter by status, kind, direction, link, firm)"""
        items, pagination_parameters.item_count = links.list_link_requests(current_actor(), args,
                                                                           *page_args(pagination_parameters))
        return items


@blp.route("/<int:request_id>")
class LinkRequestById(MethodView):
    @blp.response(200, LinkRequestSchema)
    @errors(blp, 401, 404)
    def get(self, request_id):
        """Get a link request"""
        return links.get_link_request(current_actor(), request_id)


@blp.route("/<int:request_id>/confirm")
class LinkRequestConfirm(MethodView):
    @blp.response(200, LinkRequestSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, request_id):
        """Confirm a request awaiting your firm: the link is made, or the change applied"""
        return links.confirm_link_request(current_actor(), request_id)


@blp.route("/<int:request_id>/decline")
class LinkRequestDecline(MethodView):
    @blp.response(200, LinkRequestSchema)
    @errors(blp, 401, 403, 404, 409)
    def post(self, request_id):
        """Decline a request awaiting your firm: nothing changes"""
        return links.decline_link_request(current_actor(), request_id)


@blp.route("/<int:request_id>/withdraw")
class LinkRequestWithdraw(MethodView):
    @blp.response(200, LinkRequestSchema)
    @errors(blp, 401, 403, 404, 409)
    def post(self, request_id):
        """Withdraw a request your firm made"""
        return links.withdraw_link_request(current_actor(), request_id)
