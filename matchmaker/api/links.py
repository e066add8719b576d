"""Links API: existing supply relationships (create, read, update, deactivate; lists filtered and paginated).

A firm user's new link or change is not applied: it answers 202 with the link request the other
side must confirm (see `api/link_requests.py`)."""
from flask import make_response
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.common import VersionArgsSchema
from matchmaker.schemas.link import (LinkCreateSchema, LinkQueryArgsSchema, LinkRequestSchema, LinkSchema,
                                     LinkUpdateSchema)
from matchmaker.infra.security import current_actor
from matchmaker.services import links

blp = json_blueprint(Blueprint(
    "links", __name__,
    description="Links (supplier -> buyer). Visible to whoever may read the supplier or the buyer; else 404. "
                "A firm's new link or change awaits the other side's confirmation (202, a link request)."))
URL_PREFIX = "/links"
ASKED = "A link request: the other side must confirm it before it takes effect"


def _link_or_request(result):
    """A Link as it is (serialised by the operation's schema); a LinkRequest as 202."""
    if links.is_request(result):
        return make_response(LinkRequestSchema().dump(result), 202)
    return result


@blp.route("")
class Links(MethodView):
    @blp.arguments(LinkQueryArgsSchema, location="query")
    @blp.response(200, LinkSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List the links you may read (filter by category, region, firm kind, status, firm)"""
        items, pagination_parameters.item_count = links.list_link_rows(current_actor(), args,
                                                                       *page_args(pagination_parameters))
        return items

    @blp.arguments(LinkCreateSchema)
    @blp.response(201, LinkSchema)
    @blp.alt_response(202, schema=LinkRequestSchema, description=ASKED)
    @errors(blp, 400, 401, 403, 409, 415)
    def post(self, data):
        """Record a link (admins); firm users ask the other side, whose confirmation makes it (202)"""
        return _link_or_request(links.create_link(current_actor(), data))


@blp.route("/<int:link_id>")
class LinkById(MethodView):
    @blp.response(200, LinkSchema)
    @errors(blp, 401, 404)
    def get(self, link_id):
        """Get a link"""
        return links.get_link(current_actor(), link_id)

    @blp.arguments(LinkUpdateSchema)
    @blp.response(200, LinkSchema)
    @blp.alt_response(202, schema=LinkRequestSchema, description=ASKED)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def patch(self, data, link_id):
        """Edit a link (a firm's change awaits the other side: 202; send `version` to get 409 if it changed)"""
        return _link_or_request(links.update_link(current_actor(), link_id, data))


@blp.route("/<int:link_id>/deactivate")
class LinkDeactivate(MethodView):
    @blp.arguments(VersionArgsSchema, required=False)
    @blp.response(200, LinkSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def post(self, data, link_id):
        """Deactivate a link (the relationship ended; either side may)"""
        return links.deactivate_link(current_actor(), link_id, data.get("version"))
