"""Ledger schemas: orders, deliveries and payments on a link (spec/article10.md), and a link's
ledger settled as of a day.

The bodies check shape; `services.ledger` checks the values by `rules.check_entry`, once."""
from marshmallow import fields

from matchmaker.schemas.common import Day, InputSchema, OutputSchema, Quantity, RecordRef, Ref

_REF = {"description": "admins only (anyone else: 422, taken or not); assigned by the service when left out"}
_LINK = {"description": "ref of the link"}
_UNIT = {"description": "the unit of quantity: the link's (its product's, else its category's)"}


class EntrySchema(OutputSchema):
    """What every entry shows."""

    id = fields.Integer()
    ref = fields.String()
    link = fields.Function(lambda row: row.link.ref, metadata=_LINK)
    date = Day()
    created_at = fields.DateTime(allow_none=True)


class OrderSchema(EntrySchema):
    """An order the buyer placed on the link."""

    quantity = fields.Float(metadata={"description": "in the link's unit (`unit`)"})
    unit = fields.Function(lambda row: row.link.unit, metadata=_UNIT)


class DeliverySchema(EntrySchema):
    """A delivery the supplier made on the link."""

    quantity = fields.Float(metadata={"description": "in the link's unit (`unit`)"})
    unit = fields.Function(lambda row: row.link.unit, metadata=_UNIT)
    amount = fields.Float(metadata={"description": "CNY owed for it"})
    confirmed_at = fields.DateTime(allow_none=True, metadata={"description": "when the buyer confirmed it"})


class PaymentSchema(EntrySchema):
    """A payment the buyer made on the link."""

    amount = fields.Float(metadata={"description": "CNY"})
    delivery = fields.Function(lambda row: row.delivery.ref if row.delivery is not None else None, allow_none=True,
                               metadata={"description": "ref of the delivery it pays; null: the oldest owed"})


class OrderCreateSchema(InputSchema):
    """A new order (the buyer of the link records it)."""

    ref = RecordRef(metadata=_REF)
    link = RecordRef("link", required=True, metadata=_LINK)
    date = Day(required=True, metadata={"description": "not after today"})
    quantity = Quantity(required=True)


class DeliveryCreateSchema(OrderCreateSchema):
    """A new delivery (the supplier of the link records it)."""

    amount = Quantity(required=True, metadata={"description": "CNY owed for it, > 0"})


class PaymentCreateSchema(InputSchema):
    """A new payment (the buyer of the link records it)."""

    ref = RecordRef(metadata=_REF)
    link = RecordRef("link", required=True, metadata=_LINK)
    date = Day(required=True, metadata={"description": "not after today"})
    amount = Quantity(required=True, metadata={"description": "CNY, > 0"})
    delivery = RecordRef("delivery", allow_none=True, metadata={
        "description": "ref of a delivery of the same link; left out: the oldest deliveries not yet fully paid"})


class EntryQueryArgsSchema(InputSchema):
    """Filters of the entry lists."""

    link = Ref(metadata={"description": "ref of the link"})
    since = Day(metadata={"description": "dated on or after"})
    until = Day(metadata={"description": "dated on or before"})


class CommitmentSchema(OutputSchema):
    """An overdue commitment, as the weekly report's `commitments` lists it."""

    term = fields.String(metadata={"enum": ["order_first", "pay_first", "payment_60d"]})
    link = fields.String()
    buyer = fields.String()
    supplier = fields.String()
    delivery = fields.String(allow_none=True)
    due = fields.String(metadata={"description": "YYYY-MM-DD"})
    days_overdue = fields.Integer()
    unpaid = fields.Float(metadata={"description": "CNY still owed on the delivery (0 for order_first)"})
    owner_region = fields.String(metadata={"description": "the buyer's county"})


class SettledDeliverySchema(OutputSchema):
    """A delivery with what is paid of it as of the ledger's day."""

    delivery = fields.Nested(DeliverySchema, attribute="entry")
    applied = fields.Float(metadata={"description": "CNY of the payments applied to it"})
    unpaid = fields.Float(metadata={"description": "CNY it still owes (0 within 0.005)"})
    paid_on = Day(allow_none=True, metadata={"description": "the day it was paid in full"})
    term = fields.String(allow_none=True, metadata={
        "description": "pay_first, payment_60d (leading buyer, SME supplier) or null: no payment term"})
    due = Day(allow_none=True)
    days_overdue = fields.Integer()


class LinkLedgerSchema(OutputSchema):
    """A link's ledger settled as of a day."""

    link = fields.Function(lambda d: d["link"].ref)
    as_of = Day()
    orders = fields.List(fields.Nested(OrderSchema))
    deliveries = fields.List(fields.Nested(SettledDeliverySchema))
    payments = fields.List(fields.Nested(PaymentSchema))
    commitments = fields.List(fields.Nested(CommitmentSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "ordered and delivered quantity; owed, paid and unpaid CNY"})

