"""Firm schemas: package fields (region = county code) plus id, version and computed fields.

The bodies check shape; `services.firms` checks the values by `rules.check_firm` (and looks the
region and industry codes up), once."""
from marshmallow import fields

from matchmaker.rules import FACTORS, FIRM_STATES, KINDS, MAX_LENGTH, REPORTABLE_BLOCKERS
from matchmaker.schemas.common import (Choice, ChoiceList, Day, InputSchema, OutputSchema, Ratio, RecordChoice,
                                       RecordRef, RecordText, RegionCode, Text, Version, listed)


class FirmSchema(OutputSchema):
    """A firm as the API shows it."""

    id = fields.Integer()
    ref = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    region = fields.String(attribute="region_code")
    industry = fields.String(allow_none=True)
    park = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True)
    operating = fields.Boolean()
    capacity_utilization = fields.Float(allow_none=True)
    workers_back = fields.Float(allow_none=True)
    blockers = fields.List(fields.String(metadata={"enum": list(FACTORS)}))
    contact_email = fields.String(allow_none=True)
    headcount = fields.Integer(allow_none=True, metadata={"description": "the workforce (weights monitoring)"})
    expected_restart = Day(allow_none=True, metadata={"description": "when it expects to supply again, if it said"})
    risk = fields.Function(listed("risk", lambda firm: firm.region.risk),
                           metadata={"description": "the county's risk level"})
    live = fields.Boolean(metadata={"description": "operating, and its county is not high-risk"})
    version = fields.Integer()


class FirmStatusSchema(InputSchema):
    """What a firm's own users report: its resumption status."""

    operating = fields.Boolean()
    capacity_utilization = Ratio(allow_none=True)
    workers_back = Ratio(allow_none=True)
    blockers = ChoiceList(REPORTABLE_BLOCKERS)
    park = RecordText("park", allow_none=True)
    contact_email = RecordText("contact_email", allow_none=True)
    expected_restart = Day(allow_none=True, metadata={"description": "when it expects to supply again"})
    contact_person = RecordText("contact_person", allow_none=True)
    contact_phone = RecordText("contact_phone", allow_none=True)
    version = Version()


class FirmUpdateSchema(FirmStatusSchema):
    """Status fields, plus the registry fields only administrators may change."""

    name = RecordText("name", min_length=1)
    kind = RecordChoice(KINDS)
    region = RegionCode()
    industry = RecordText("industry", allow_none=True)
    credit_code = RecordText("credit_code", allow_none=True)


class FirmCreateSchema(FirmUpdateSchema):
    """A new firm (administrators)."""

    ref = RecordRef(required=True)
    name = RecordText("name", min_length=1, required=True)
    kind = RecordChoice(KINDS, required=True)
    region = RegionCode(required=True)

    class Meta:
        exclude = ("version",)


class ContactSchema(OutputSchema):
    """Whom to call at a firm: shown to the firms it has a link with and the task force of its region."""

    firm = fields.String(attribute="ref")
    name = fields.String()
    contact_person = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)


class FirmQueryArgsSchema(InputSchema):
    """Filters of the firm list."""

    region = RegionCode(metadata={"description": "a region code; a city or province includes its counties"})
    kind = Choice(KINDS)
    operating = fields.Boolean()
    status = Choice(FIRM_STATES, metadata={"description": "same as operating=true/false"})
    park = Text(max_length=MAX_LENGTH["park"])
    industry = Text(max_length=MAX_LENGTH["industry"])
    blocker = Choice(REPORTABLE_BLOCKERS)
    category = Text(max_length=MAX_LENGTH["category"],
                    metadata={"description": "firms with an open need or offer in it"})
