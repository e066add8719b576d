"""Link schemas (package fields: supplier and buyer = firm refs, category = category code).

The bodies check shape; `services.links` checks the values by `rules.check_link`, once."""
from marshmallow import fields, validate

from matchmaker.models.link import LINK_REQUEST_KINDS, LINK_REQUEST_STATUSES
from matchmaker.rules import KINDS, LINK_STATES, MAX_ID, TERMS
from matchmaker.schemas.common import (CategoryCode, Choice, ChoiceList, InputSchema, OutputSchema, Quantity,
                                       RecordProduct, RecordRef, RecordText, Ref, RegionCode, UtcDateTime, Version,
                                       listed)


class LinkSchema(OutputSchema):
    """A link as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    supplier = fields.Function(listed("supplier_ref", lambda row: row.supplier.ref),
                               metadata={"description": "supplier firm ref"})
    buyer = fields.Function(listed("buyer_ref", lambda row: row.buyer.ref), metadata={"description": "buyer firm ref"})
    category = fields.String(attribute="category_code")
    product = fields.String(attribute="product_code", allow_none=True,
                            metadata={"description": "product code, or null"})
    quantity_per_week = fields.Float()
    unit = fields.String(metadata={"description": "the unit of quantity_per_week: its product's, else its category's"})
    active = fields.Boolean()
    terms = fields.List(fields.String(metadata={"enum": list(TERMS)}))
    since = fields.Date(metadata={"description": "the day the link started (a pairing's: the day the second "
                                                 "side accepted; an import's: given, else the day of the import)"})
    days_of_stock = fields.Integer(allow_none=True, metadata={"description": "the buyer's days of stock, if it said"})
    created_at = UtcDateTime(allow_none=True)
    version = fields.Integer()


class LinkUpdateSchema(InputSchema):
    """Fields of a link that can change (all optional)."""

    category = RecordText("category", allow_none=True)
    product = RecordProduct()
    quantity_per_week = Quantity()
    active = fields.Boolean()
    terms = ChoiceList(TERMS)
    version = Version()


class LinkCreateSchema(LinkUpdateSchema):
    """A new link; a firm user's firm must be its supplier or buyer, and the other side must confirm it."""

    ref = RecordRef(metadata={"description": "admins only (anyone else: 422, taken or not); "
                                             "assigned by the service when left out"})
    supplier = RecordRef("supplier", required=True)
    buyer = RecordRef("buyer", required=True)
    category = RecordText("category", allow_none=True, metadata={
        "description": "category code; may be left out when a product is given (then the product's)"})
    quantity_per_week = Quantity(required=True)

    class Meta:
        exclude = ("version",)


class LinkQueryArgsSchema(InputSchema):
    """Filters of the link list."""

    category = CategoryCode()
    region = RegionCode(metadata={"description": "supplier or buyer in it; a city or province includes its counties"})
    kind = Choice(KINDS, metadata={"description": "kind of the supplier or the buyer"})
    status = Choice(LINK_STATES)
    firm = Ref(metadata={"description": "supplier or buyer ref"})
    supplier = Ref()
    buyer = Ref()


class LinkRequestSchema(OutputSchema):
    """A link, or a change to one, that one side asked for and the other side must confirm."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(LINK_REQUEST_KINDS),
                                   "description": "new: a new link; change: a change to link `link_id`"})
    status = fields.String(metadata={"enum": list(LINK_REQUEST_STATUSES)})
    requested_by = fields.String(metadata={"description": "ref of the firm that asks"})
    awaiting = fields.String(attribute="awaiting_ref",
                             metadata={"description": "ref of the firm that must confirm (as the asking firm gave it)"})
    supplier = fields.String(attribute="supplier_ref", metadata={"description": "supplier firm ref"})
    buyer = fields.String(attribute="buyer_ref", metadata={"description": "buyer firm ref"})
    link_id = fields.Integer(allow_none=True, metadata={
        "description": "change: the link to change; new: the link made when it was confirmed"})
    link = fields.Function(lambda r: r.link.ref if r.link is not None else None, allow_none=True,
                           metadata={"description": "ref of that link"})
    category = fields.String(attribute="category_code", allow_none=True)
    product = fields.String(attribute="product_code", allow_none=True)
    product_cleared = fields.Boolean(allow_none=True, metadata={
        "description": "change: true when it takes the product off the link (then by category only)"})
    quantity_per_week = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the unit of quantity_per_week"})
    terms = fields.List(fields.String(metadata={"enum": list(TERMS)}), allow_none=True)
    active = fields.Boolean(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class LinkRequestQueryArgsSchema(InputSchema):
    """Filters of the link-request list."""

    status = Choice(LINK_REQUEST_STATUSES)
    kind = Choice(LINK_REQUEST_KINDS)
    direction = Choice(("incoming", "outgoing"), metadata={
        "description": "incoming: awaiting your firm's answer; outgoing: asked by your firm"})
    link = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID),
                          metadata={"description": "id of the link a change is for"})
    firm = Ref(metadata={"description": "ref of the asking or the awaited firm"})


class LinkDaysOfStockSchema(InputSchema):
    """Body of a buyer's days of stock on a link (null clears it)."""

    days_of_stock = fields.Integer(required=True, allow_none=True)
