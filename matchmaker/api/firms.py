"""Firms API: the registry and each firm's resumption status. Out-of-scope firms answer 404, as if absent."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.schemas.firm import (ContactSchema, FirmCreateSchema, FirmQueryArgsSchema, FirmSchema,
                                     FirmStatusSchema, FirmUpdateSchema)
from matchmaker.infra.security import current_actor
from matchmaker.services import firms

blp = json_blueprint(Blueprint(
    "firms", __name__,
    description="Firms: leading firms and SMEs. Firm users see their own firm, staff their region and below."))
URL_PREFIX = "/firms"


@blp.route("")
class Firms(MethodView):
    @blp.arguments(FirmQueryArgsSchema, location="query")
    @blp.response(200, FirmSchema(many=True))
    @errors(blp, 401, 403)
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """List the firms you may read (filter by region, kind, operating, park, industry, blocker, category)"""
        items, pagination_parameters.item_count = firms.list_firm_rows(current_actor(), args,
                                                                       *page_args(pagination_parameters))
        return items

    @blp.arguments(FirmCreateSchema)
    @blp.response(201, FirmSchema)
    @errors(blp, 400, 401, 403, 409, 415)
    def post(self, data):
        """Register a firm (administrators)"""
        return firms.create_firm(current_actor(), data)


@blp.route("/<int:firm_id>")
class FirmById(MethodView):
    @blp.response(200, FirmSchema)
    @errors(blp, 401, 404)
    def get(self, firm_id):
        """Get a firm"""
        return firms.get_firm(current_actor(), firm_id)

    @blp.arguments(FirmUpdateSchema)
    @blp.response(200, FirmSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def patch(self, data, firm_id):
        """Edit a firm (its own users: status fields only; administrators: everything)"""
        return firms.update_firm(current_actor(), firm_id, data)


@blp.route("/<int:firm_id>/status")
class FirmStatus(MethodView):
    @blp.arguments(FirmStatusSchema)
    @blp.response(200, FirmSchema)
    @errors(blp, 400, 401, 403, 404, 409, 415)
    def put(self, data, firm_id):
        """Report a firm's resumption status: operating, capacity, workers back, blockers, park"""
        return firms.update_firm_status(current_actor(), firm_id, data)


@blp.route("/<int:firm_id>/contact")
class FirmContact(MethodView):
    @blp.response(200, ContactSchema)
    @errors(blp, 401, 404)
    def get(self, firm_id):
        """Whom to call at a firm: for the firms linked with it and the task force of its region (else 404)"""
        return firms.contact_of(current_actor(), firm_id)
