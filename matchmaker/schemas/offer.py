"""Offer schemas (package fields: firm = firm ref, category = category code)."""
from marshmallow import ValidationError, fields, validates_schema

from matchmaker.models.need import STATUSES
from matchmaker.models.offer import HELP_KINDS
from matchmaker.schemas.common import (CategoryCode, Choice, ChoiceList, Days, InputSchema, OutputSchema, Quantity,
                                       Ref, Text, Version)
from matchmaker.schemas.need import PostingQueryArgsSchema


class OfferSchema(OutputSchema):
    """An offer as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    firm = fields.Function(lambda row: row.firm.ref, metadata={"description": "firm ref"})
    category = fields.String(attribute="category_code")
    quantity = fields.Float()
    available_from = fields.Date()
    available_until = fields.Date(allow_none=True)
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

    category = CategoryCode()
    quantity = Quantity()
    available_from = fields.Date()
    available_until = fields.Date(allow_none=True)
    lead_time_days = Days(allow_none=True)
    unit_price = Quantity(allow_none=True)
    delivery_radius_km = Quantity(maximum=50000, allow_none=True)
    help_wanted = ChoiceList(HELP_KINDS)
    status = Choice(STATUSES)
    note = Text(max_length=4000, allow_none=True)
    version = Version()

    @validates_schema
    def _until_not_before_from(self, data, **kwargs):
        start, until = data.get("available_from"), data.get("available_until")
        if start and until and until < start:
            raise ValidationError("must not be before available_from", "available_until")


class OfferCreateSchema(OfferUpdateSchema):
    """A new offer; firm defaults to the caller's own firm."""

    ref = Ref(metadata={"description": "assigned by the service when left out"})
    firm = Ref(metadata={"description": "firm ref; firm users may only give their own"})
    category = CategoryCode(required=True)
    quantity = Quantity(required=True)
    available_from = fields.Date(required=True)

    class Meta:
        exclude = ("version",)


class OfferQueryArgsSchema(PostingQueryArgsSchema):
    """Filters of the offer list."""
