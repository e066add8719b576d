"""Help offers, help matches (article 10's help to SMEs) and break alternates, as the API shows them."""
from marshmallow import fields, validate

from matchmaker.models.help import HELP_MATCH_STATUSES, HELP_OFFER_KINDS
from matchmaker.schemas.common import Choice, Day, InputSchema, OutputSchema


class HelpOfferSchema(OutputSchema):
    """A help offer: which firm helps, with what, how many SMEs, where."""

    id = fields.Integer()
    ref = fields.String()
    firm = fields.Function(lambda h: h.firm.ref, metadata={"description": "the helping firm's ref"})
    kind = fields.String(metadata={"enum": list(HELP_OFFER_KINDS)})
    capacity = fields.Integer(metadata={"description": "how many SMEs it can help"})
    reach = fields.List(fields.String(), metadata={"description": "six-digit region codes it reaches"})
    note = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()


class HelpOfferInputSchema(InputSchema):
    """Post a help offer (a leading firm's user for its firm; admins name the firm)."""

    firm = fields.String(validate=validate.Length(max=64), metadata={"description": "admins only: the firm's ref"})
    kind = Choice(HELP_OFFER_KINDS, required=True)
    capacity = fields.Integer(required=True, metadata={"description": "how many SMEs, 1 to 10000"})
    reach = fields.List(fields.String(validate=validate.Length(equal=6)), required=True,
                        validate=validate.Length(min=1, max=200))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)


class HelpMatchSchema(OutputSchema):
    """An SME matched to a help offer; active when both sides accepted (the help given on `given_on`)."""

    id = fields.Integer()
    help_offer = fields.Function(lambda m: m.help_offer.ref)
    provider = fields.Function(lambda m: m.help_offer.firm.ref, metadata={"description": "the helping firm's ref"})
    sme = fields.Function(lambda m: m.sme.ref, metadata={"description": "the SME's ref"})
    kind = fields.Function(lambda m: m.help_offer.kind)
    same_chain = fields.Boolean(metadata={"description": "the two firms already trade"})
    distance_km = fields.Float(allow_none=True)
    status = fields.String(metadata={"enum": list(HELP_MATCH_STATUSES)})
    provider_accepted_at = fields.DateTime(allow_none=True)
    sme_accepted_at = fields.DateTime(allow_none=True)
    declined_by = fields.String(allow_none=True)
    given_on = Day(allow_none=True)


class HelpMatchArgsSchema(InputSchema):
    """Filter of the help matches."""

    status = Choice(HELP_MATCH_STATUSES)


class HelpAnswerSchema(InputSchema):
    """Body of accept/decline: admins say which side they answer for."""

    side = Choice(("provider", "sme"))


class HelpRunSchema(OutputSchema):
    """What a help-matching run proposed."""

    proposed = fields.Integer()


class AlternateSchema(OutputSchema):
    """One alternate supplier of a break, allocated over all the week's breaks."""

    offer = fields.String()
    supplier = fields.String()
    supplier_name = fields.String(allow_none=True)
    need = fields.String(allow_none=True, metadata={"description": "the need it serves; null for a supplier's break"})
    quantity = fields.Float()
    unit = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    category = fields.String()
    unit_cost = fields.Float(metadata={"description": "the matcher's score, lower is better"})
    distance_km = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())


class BreakAlternatesSchema(OutputSchema):
    """A break's alternates, what it still asks, the proposals made from them."""

    kind = fields.String()
    as_of = Day(allow_none=True)
    sought = fields.Float()
    can_propose = fields.Boolean()
    alternates = fields.List(fields.Nested(AlternateSchema))
    proposed = fields.List(fields.Dict())


class AlternateChoiceSchema(InputSchema):
    """Body of a one-click proposal: the alternate's offer ref."""

    offer = fields.String(required=True, validate=validate.Length(min=1, max=64))
