"""Need schemas (package fields: firm = firm ref, category = category code).

The bodies check shape; `services.needs` checks the values by `rules.check_need`, once."""
from marshmallow import fields

from matchmaker.rules import KINDS, STATUSES, TERMS
from matchmaker.schemas.common import (CategoryCode, Choice, ChoiceList, Day, InputSchema, OutputSchema, Quantity,
                                       RecordChoice, RecordProduct, RecordProductList, RecordRef, RecordText, Ref,
                                       RegionCode, Version, posting_firm_ref)


class NeedSchema(OutputSchema):
    """A need as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    firm = fields.Function(posting_firm_ref, metadata={"description": "firm ref"})
    category = fields.String(attribute="category_code")
    product = fields.String(attribute="product_code", allow_none=True,
                            metadata={"description": "product code, or null"})
    accepts = fields.List(fields.String(), metadata={"description": "codes of other products the buyer also takes"})
    quantity = fields.Float()
    unit = fields.String(metadata={"description": "the unit of its quantities: its product's, else its category's"})
    needed_by = Day()
    max_unit_price = fields.Float(allow_none=True)
    terms = fields.List(fields.String(metadata={"enum": list(TERMS)}))
    status = fields.String(metadata={"enum": list(STATUSES)})
    note = fields.String(allow_none=True)
    days_of_stock = fields.Integer(allow_none=True, metadata={"description": "the buyer's days of stock, if it said"})
    committed_quantity = fields.Float(metadata={"description": "committed by accepted pairings"})
    open_quantity = fields.Float(metadata={"description": "quantity - committed_quantity"})
    version = fields.Integer()


class NeedUpdateSchema(InputSchema):
    """Fields of a need that can change (all optional)."""

    category = RecordText("category", allow_none=True)
    product = RecordProduct()
    accepts = RecordProductList()
    quantity = Quantity()
    needed_by = Day()
    max_unit_price = Quantity(allow_none=True)
    terms = ChoiceList(TERMS)
    status = RecordChoice(STATUSES)
    note = RecordText("note", allow_none=True)
    days_of_stock = fields.Integer(allow_none=True, metadata={"description": "days the buyer lasts without the goods"})
    version = Version()


class NeedCreateSchema(NeedUpdateSchema):
    """A new need; firm defaults to the caller's own firm."""

    ref = RecordRef(metadata={"description": "admins only (anyone else: 422, taken or not); "
                                             "assigned by the service when left out"})
    firm = RecordRef("firm", metadata={"description": "firm ref; firm users may only give their own"})
    category = RecordText("category", allow_none=True, metadata={
        "description": "category code; may be left out when a product is given (then the product's)"})
    quantity = Quantity(required=True, metadata={"description": "in the need's unit"})
    needed_by = Day(required=True)

    class Meta:
        exclude = ("version",)


class PostingQueryArgsSchema(InputSchema):
    """Filters of the need and offer lists."""

    category = CategoryCode()
    region = RegionCode(metadata={"description": "region of the firm; a city or province includes its counties"})
    kind = Choice(KINDS, metadata={"description": "kind of the posting's firm"})
    status = Choice(STATUSES)
    firm = Ref()


class NeedQueryArgsSchema(PostingQueryArgsSchema):
    """Filters of the need list."""

