"""Link schemas (package fields: supplier and buyer = firm refs, category = category code)."""
from marshmallow import fields

from matchmaker.models.firm import KINDS
from matchmaker.models.need import TERMS
from matchmaker.schemas.common import (CategoryCode, Choice, ChoiceList, InputSchema, OutputSchema, Quantity, Ref,
                                       RegionCode, Version)


class LinkSchema(OutputSchema):
    """A link as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    supplier = fields.Function(lambda row: row.supplier.ref, metadata={"description": "supplier firm ref"})
    buyer = fields.Function(lambda row: row.buyer.ref, metadata={"description": "buyer firm ref"})
    category = fields.String(attribute="category_code")
    quantity_per_week = fields.Float()
    active = fields.Boolean()
    terms = fields.List(fields.String(metadata={"enum": list(TERMS)}))
    created_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class LinkUpdateSchema(InputSchema):
    """Fields of a link that can change (all optional)."""

    category = CategoryCode()
    quantity_per_week = Quantity()
    active = fields.Boolean()
    terms = ChoiceList(TERMS)
    version = Version()


class LinkCreateSchema(LinkUpdateSchema):
    """A new link; a firm user's firm must be its supplier or buyer."""

    ref = Ref(metadata={"description": "assigned by the service when left out"})
    supplier = Ref(required=True)
    buyer = Ref(required=True)
    category = CategoryCode(required=True)
    quantity_per_week = Quantity(required=True)

    class Meta:
        exclude = ("version",)


class LinkQueryArgsSchema(InputSchema):
    """Filters of the link list."""

    category = CategoryCode()
    region = RegionCode(metadata={"description": "supplier or buyer in it; a city or province includes its counties"})
    kind = Choice(KINDS, metadata={"description": "kind of the supplier or the buyer"})
    status = Choice(("active", "inactive"))
    firm = Ref(metadata={"description": "supplier or buyer ref"})
    supplier = Ref()
    buyer = Ref()
