"""Offer schemas (package fields: firm = firm ref, category = category code).

The bodies check shape; `services.offers` checks the values (and that availability does not end
before it starts) by `rules.check_offer`, once."""
from marshmallow import fields

from matchmaker.rules import HELP_KINDS, MAX_RADIUS_KM, STATUSES
from matchmaker.schemas.common import (ChoiceList, Day, Days, InputSchema, OutputSchema, Quantity, RecordChoice,
                                       RecordProduct, RecordRef, RecordText, Version, posting_firm_ref)
from matchmaker.schemas.need import PostingQueryArgsSchema


class OfferSchema(OutputSchema):
    """An offer as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    firm = fields.Function(posting_firm_ref, metadata={"description": "firm ref"})
    category = fields.String(attribute="category_code")
    product = fields.String(attribute="product_code", allow_none=True,
                            metadata={"description": "product code, or null"})
    quantity = fields.Float()
    unit = fields.String(metadata={"description": "the unit of its quantities: its product's, else its category's"})
    available_from = Day()
    available_until = Day(allow_none=True)
    lead_time_days = fields.Integer()
    unit_price = fields.Float(allow_none=True)
    delivery_radius_km = fields.Float(allow_none=True, metadata={"description": "null: no limit"})
    help_wanted = fields.List(fields.String(metadata={"enum": list(HELP_KINDS)}))
    status = fields.String(metadata={"enum": list(STATUSES)})
    note = fields.String(allow_none=True)
    committed_quantity = fields.Float()
    open_quantity = fields.Float()
    version = fields.Integer()


class OfferUpdateSchema(InputSchema):
    """Fields of an offer that can change (all optional)."""

    category = RecordText("category", allow_none=True)
    product = RecordProduct()
    quantity = Quantity()
    available_from = Day()
    available_until = Day(allow_none=True)
    lead_time_days = Days(allow_none=True)
    unit_price = Quantity(allow_none=True)
    delivery_radius_km = Quantity(maximum=MAX_RADIUS_KM, allow_none=True)
    help_wanted = ChoiceList(HELP_KINDS)
    status = RecordChoice(STATUSES)
    note = RecordText("note", allow_none=True)
    version = Version()


class OfferCreateSchema(OfferUpdateSchema):
    """A new offer; firm defaults to the caller's own firm."""

    ref = RecordRef(metadata={"description": "admins only (anyone else: 422, taken or not); "
                                             "assigned by the service when left out"})
    firm = RecordRef("firm", metadata={"description": "firm ref; firm users may only give their own"})
    category = RecordText("category", allow_none=True, metadata={
        "description": "category code; may be left out when a product is given (then the product's)"})
    quantity = Quantity(required=True, metadata={"description": "in the offer's unit"})
    available_from = Day(required=True)

    class Meta:
        exclude = ("version",)


class OfferQueryArgsSchema(PostingQueryArgsSchema):
    """Filters of the offer list."""
