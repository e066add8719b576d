"""Audit log API: staff read the writes made in their region (and below), admins all of them."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from matchmaker.api.common import Blueprint
from matchmaker.infra.security import current_actor
from matchmaker.services.support import audit

blp = Blueprint("audit", __name__, description="Audit log of every write (staff: own region; admins: all)")
URL_PREFIX = "/audit"


class AuditQueryArgsSchema(Schema):
    entity = fields.String(validate=validate.Length(min=1, max=40),
                           metadata={"description": "table name, e.g. firm, need, offer, link"})
    region = fields.String(validate=validate.Regexp(r"^\d{6}$"),
                           metadata={"description": "region code; a city or province includes its counties"})


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    action = fields.String(required=True)
    entity = fields.String(required=True)
    entity_id = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


@blp.route("")
class AuditEntries(MethodView):
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args, pagination_parameters):
        """List audit entries, newest first (staff: own region and below; admins: all)."""
        items, pagination_parameters.item_count = audit.list_entries(
            current_actor(), page=pagination_parameters.page, page_size=pagination_parameters.page_size, **args)
        return items
