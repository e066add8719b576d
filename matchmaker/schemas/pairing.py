"""Pairing (proposal), matching-run and best-partner schemas."""
from marshmallow import fields, validate

from matchmaker.models.pairing import PAIRING_STATUSES, SIDES
from matchmaker.schemas.common import Choice, Day, InputSchema, OutputSchema, UtcDateTime, listed


class PairingSchema(OutputSchema):
    """A proposal as the API shows it: refs of the need, offer and both firms, and its answers."""

    id = fields.Integer()
    run_id = fields.Integer()
    need = fields.Function(listed("need_ref", lambda p: p.need.ref), metadata={"description": "need ref"})
    offer = fields.Function(listed("offer_ref", lambda p: p.offer.ref), metadata={"description": "offer ref"})
    buyer = fields.Function(listed("buyer_ref", lambda p: p.need.firm.ref), metadata={"description": "buyer firm ref"})
    supplier = fields.Function(listed("supplier_ref", lambda p: p.offer.firm.ref),
                               metadata={"description": "supplier firm ref"})
    category = fields.Function(listed("need_category", lambda p: p.need.category_code))
    offer_category = fields.Function(listed("offer_category", lambda p: p.offer.category_code))
    product = fields.Function(listed("need_product", lambda p: p.need.product_code), allow_none=True,
                              metadata={"description": "the need's product, or null"})
    offer_product = fields.Function(listed("offer_product", lambda p: p.offer.product_code), allow_none=True,
                                    metadata={"description": "the offer's product, or null"})
    quantity = fields.Float()
    unit = fields.Function(listed("unit", lambda p: p.need.unit),
                           metadata={"description": "the unit of quantity (both sides')"})
    unit_cost = fields.Float()
    distance_km = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())
    status = fields.String(metadata={"enum": list(PAIRING_STATUSES)})
    buyer_accepted_at = UtcDateTime(allow_none=True)
    supplier_accepted_at = UtcDateTime(allow_none=True)
    declined_by = fields.String(allow_none=True)
    declined_at = UtcDateTime(allow_none=True)
    activated_at = UtcDateTime(allow_none=True)
    lapsed_at = UtcDateTime(allow_none=True)
    link = fields.Function(listed("link_ref", lambda p: p.link.ref if p.link is not None else None), allow_none=True,
                           metadata={"description": "ref of the link made when both sides accepted"})
    created_at = UtcDateTime()


class PairingQueryArgsSchema(InputSchema):
    """Filters of my proposals."""

    side = Choice(SIDES, metadata={"description": "buyer: proposals for my needs; supplier: for my offers"})
    status = Choice(PAIRING_STATUSES)


class AnswerSchema(InputSchema):
    """Body of accept/decline: admins say which side they answer for; firm users may leave it out."""

    side = Choice(SIDES)


class RunSchema(OutputSchema):
    """A stored matching run."""

    id = fields.Integer()
    as_of = Day()
    weights = fields.Dict()
    timings = fields.Dict()
    objective = fields.Dict()
    needs_count = fields.Integer(allow_none=True)
    offers_count = fields.Integer(allow_none=True)
    candidates_count = fields.Integer(allow_none=True)
    pairings_count = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    started_by = fields.String(allow_none=True)


class RunWithPairingsSchema(OutputSchema):
    """A run with the proposals it made (those you may read)."""

    run = fields.Nested(RunSchema)
    pairings = fields.List(fields.Nested(PairingSchema))


class RunStartSchema(InputSchema):
    """Start a run, optionally as of another date."""

    as_of = Day()


class BestPartnersArgsSchema(InputSchema):
    """How many partners."""

    n = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    as_of = Day(metadata={"description": "judge the rules as of this date (default: today)"})


class PartnerSchema(OutputSchema):
    """An allowed partner of a posting, cheapest first."""

    kind = fields.String(metadata={"enum": ["need", "offer"]})
    id = fields.Integer()
    ref = fields.String()
    product = fields.String(allow_none=True, metadata={"description": "the partner's product, or null"})
    unit = fields.String(allow_none=True, metadata={"description": "the unit of open_quantity"})
    unit_cost = fields.Float()
    distance_km = fields.Float()
    open_quantity = fields.Float()
    reasons = fields.List(fields.String())
