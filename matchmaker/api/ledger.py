"""Ledger API: the orders, deliveries and payments of article 10 on a link (spec/article10.md).

The buyer records orders and payments, the supplier deliveries, and the buyer confirms a delivery;
both sides of the link, staff of either side's region and admins read them. An entry on a link you
may not read answers 404 (or, in a body, "unknown link"), as if absent."""
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.common import errors, json_blueprint, page_args
from matchmaker.infra.security import current_actor
from matchmaker.schemas.ledger import (DeliveryCreateSchema, DeliverySchema, EntryQueryArgsSchema, LinkLedgerSchema,
                                       OrderCreateSchema, OrderSchema, PaymentCreateSchema, PaymentSchema)
from matchmaker.services import ledger

blp = json_blueprint(Blueprint(
    "ledger", __name__,
    description="Article-10 ledger: orders (the buyer), deliveries (the supplier; the buyer confirms them) and "
                "payments (the buyer) on a link, and a link's ledger settled as of today."))
URL_PREFIX = ""


def _entries(section, schema, create_schema, what):
    """The list-and-record and the one-entry views of a section."""

    class Entries(MethodView):
        @blp.arguments(EntryQueryArgsSchema, location="query")
        @blp.response(200, schema(many=True))
        @errors(blp, 401)
        @blp.paginate(page_size=50, max_page_size=500)
        def get(self, args, pagination_parameters):
            items, pagination_parameters.item_count = ledger.list_entries(
                current_actor(), section, args, *page_args(pagination_parameters))
            return items

        @blp.arguments(create_schema)
        @blp.response(201, schema)
        @errors(blp, 400, 401, 403, 409, 415)
        def post(self, data):
            return ledger.record_entry(current_actor(), section, data)

    class EntryById(MethodView):
        @blp.response(200, schema)
        @errors(blp, 401, 404)
        def get(self, entry_id):
            return ledger.get_entry(current_actor(), section, entry_id)

    Entries.get.__doc__ = f"List the {section} on the links you may read (filter by link and dates), by date"
    Entries.post.__doc__ = f"Record {what} (the link's {ledger.recorder_side(section)}; dated today or earlier)"
    EntryById.get.__doc__ = f"Get {what}"
    Entries.__name__, EntryById.__name__ = f"{section.title()}", f"{section.title()}ById"
    blp.route(f"/{section}")(Entries)
    blp.route(f"/{section}/<int:entry_id>")(EntryById)


_entries("orders", OrderSchema, OrderCreateSchema, "an order")
_entries("deliveries", DeliverySchema, DeliveryCreateSchema, "a delivery")
_entries("payments", PaymentSchema, PaymentCreateSchema, "a payment")


@blp.route("/deliveries/<int:entry_id>/confirm")
class DeliveryConfirm(MethodView):
    @blp.response(200, DeliverySchema)
    @errors(blp, 401, 403, 404)
    def post(self, entry_id):
        """Confirm you received a delivery (the link's buyer; confirming twice changes nothing)"""
        return ledger.confirm_delivery(current_actor(), entry_id)


@blp.route("/links/<int:link_id>/ledger")
class LinkLedger(MethodView):
    @blp.response(200, LinkLedgerSchema)
    @errors(blp, 401, 404)
    def get(self, link_id):
        """A link's ledger settled as of today: what each delivery still owes, its due date, what is overdue"""
        return ledger.link_ledger(current_actor(), link_id)
