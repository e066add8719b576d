"""Weekly report and chain-break schemas (the report file of spec/chain-breaks.md, and the workflow)."""
from marshmallow import fields

from matchmaker.models.report import BREAK_STATUSES
from matchmaker.schemas.common import Day, Choice, InputSchema, OutputSchema, Text
from matchmaker.schemas.ledger import CommitmentSchema

KINDS = ("supplier_down", "supplier_strained", "uncovered_need", "chain_gap", "single_source", "upstream_break")
LEVELS = ("county", "city", "province")
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "risk_zone", "other")


class StakeSchema(OutputSchema):
    """A product at stake in a break: its code (null: goods named by category only), unit, quantity."""

    product = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    quantity = fields.Float()


class ReportBreakSchema(OutputSchema):
    """A break as in the report file (pending_proposals only on uncovered_need and chain_gap)."""

    kind = fields.String(metadata={"enum": list(KINDS)})
    buyer = fields.String()
    supplier = fields.String(allow_none=True)
    category = fields.String()
    quantity = fields.Float()
    factors = fields.List(fields.String())
    level = fields.String(metadata={"enum": list(LEVELS)})
    owner_region = fields.String()
    weeks_open = fields.Integer()
    status = fields.String(metadata={"enum": list(BREAK_STATUSES)})
    tier = fields.Integer()
    path = fields.List(fields.String())
    regions = fields.List(fields.String(), metadata={
        "description": "the county codes of the firms on its path, sorted: staff of any of them see it"})
    severity = fields.Float()
    pending_proposals = fields.Integer()
    # issue 10 (not in spec/chain-breaks.md: breaks stay per category; these name the goods)
    unit = fields.String(allow_none=True, metadata={
        "description": "the unit of quantity; null when the goods at stake are counted in different units"})
    products = fields.List(fields.Nested(StakeSchema), metadata={
        "description": "what is at stake, product by product (product null: goods named by category only)"})


class HistorySchema(OutputSchema):
    at = fields.DateTime()
    week = fields.String()
    action = fields.String()
    by = fields.String()
    note = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)


class BreakSchema(ReportBreakSchema):
    """A stored break with its id, names, assignee and (for one break) history."""

    id = fields.Integer()
    week = fields.String()
    buyer_name = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    buyer_region = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    base_level = fields.String(metadata={"enum": list(LEVELS)})
    manual_steps = fields.Integer(metadata={"description": "levels it was escalated by hand"})
    history = fields.List(fields.Nested(HistorySchema))
    can_act = fields.Boolean()
    can_reopen = fields.Boolean()


class ScorecardSchema(OutputSchema):
    """A leading firm's article-10 scorecard (docs/article10.md), over its links from SMEs."""

    firm = fields.String()
    county = fields.String(allow_none=True)
    smes = fields.Integer(metadata={"description": "SMEs it buys from (its active links from SMEs)"})
    orders = fields.Integer(metadata={"description": "orders it placed on its links from SMEs"})
    ordered_quantity = fields.Float()
    deliveries = fields.Integer(metadata={"description": "deliveries it received from SMEs"})
    delivered_quantity = fields.Float()
    delivered_amount = fields.Float(metadata={"description": "CNY"})
    paid_on_time = fields.Integer(metadata={"description": "deliveries paid in full by their pay_first or 60-day due date"})
    paid_late = fields.Integer(metadata={"description": "deliveries paid after it, or unpaid past it"})
    on_time_share = fields.Float(allow_none=True, metadata={"description": "paid_on_time / (paid_on_time + paid_late)"})
    mean_days_to_pay = fields.Float(allow_none=True, metadata={
        "description": "mean days from a delivery to the day it was paid in full"})
    overdue = fields.Integer(metadata={"description": "its overdue commitments on links from SMEs now"})
    overdue_unpaid = fields.Float(metadata={"description": "CNY those overdue items leave unpaid"})
    supplied = fields.Integer(metadata={"description": "deliveries it made to the SMEs it buys from (supply first)"})
    supplied_quantity = fields.Float()
    help_given = fields.Integer(dump_default=0, metadata={
        "description": "SMEs it has given help to (help matches both sides accepted by the report's day)"})
    unit = fields.String(allow_none=True, metadata={
        "description": "the unit its quantities are counted in; null when its links are in different units"})


class ResolvedSchema(OutputSchema):
    kind = fields.String()
    buyer = fields.String()
    supplier = fields.String(allow_none=True)
    category = fields.String()


class ClosedSchema(ResolvedSchema):
    """A break closed by staff (销号) in this report, with its closing note."""

    note = fields.String(allow_none=True)


class BlockedFirmSchema(OutputSchema):
    """A firm asking for help: not live or reporting blockers, linked or not (spec/chain-breaks.md)."""

    firm = fields.String()
    county = fields.String(allow_none=True)
    operating = fields.Boolean()
    factors = fields.List(fields.String())
    weeks_open = fields.Integer()
    breaks = fields.Integer(metadata={"description": "this report's breaks with the firm on their path, not as buyer"})


class ReportSchema(OutputSchema):
    """The weekly report of the caller's region (the whole report file for admins)."""

    week = fields.String(metadata={"example": "2020-W12"})
    as_of = fields.String(metadata={"example": "2020-03-16"})
    breaks = fields.List(fields.Nested(ReportBreakSchema))
    resolved = fields.List(fields.Nested(ResolvedSchema))
    closed = fields.List(fields.Nested(ClosedSchema), metadata={
        "description": "breaks closed by staff (销号) in this report, with their note: not open, not resolved"})
    blocked_firms = fields.List(fields.Nested(BlockedFirmSchema))
    summary = fields.Dict()
    monitoring = fields.Dict()
    pairings = fields.Dict()
    commitments = fields.List(fields.Nested(CommitmentSchema), metadata={
        "description": "article-10 commitments overdue as of as_of (spec/article10.md), most days overdue first"})
    leading_firms = fields.List(fields.Nested(ScorecardSchema), metadata={
        "description": "the article-10 scorecard of every leading firm with a link from an SME"})


class ReportListItemSchema(OutputSchema):
    week = fields.String()
    as_of = fields.String()
    previous_week = fields.String(allow_none=True)
    open_breaks = fields.Integer()
    resolved = fields.Integer()
    computed_at = fields.String(allow_none=True)


class BreakQueryArgsSchema(InputSchema):
    """Filters of a report's breaks."""

    kind = Choice(KINDS)
    factor = Choice(FACTORS)
    level = Choice(LEVELS)
    status = Choice(BREAK_STATUSES)
    buyer = Text(64)
    supplier = Text(64)
    category = Text(32)
    owner_region = Text(6)
    escalated = fields.Boolean(metadata={"description": "only the breaks escalated to your own region"})


class AssignSchema(InputSchema):
    assignee_id = fields.Integer(required=True, strict=True)
    note = Text(2000, allow_none=True)


class NoteSchema(InputSchema):
    note = Text(2000, allow_none=True)


class CloseSchema(InputSchema):
    note = Text(2000, required=True, min_length=1)


class WhatIfSchema(InputSchema):
    stopped_firms = fields.List(Text(64), load_default=list)
    high_risk_counties = fields.List(Text(6), load_default=list)
    as_of = Day(load_default=None)


class WhatIfResultSchema(OutputSchema):
    as_of = fields.String()
    stopped_firms = fields.List(fields.String())
    high_risk_counties = fields.List(fields.String())
    new = fields.List(fields.Nested(BreakSchema))
    resolved = fields.List(fields.Nested(BreakSchema))


class RunReportSchema(InputSchema):
    week = Text(8, load_default=None, metadata={"example": "2020-W12"})
    as_of = Day(load_default=None)
