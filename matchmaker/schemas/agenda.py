"""Schemas of the dispatch-meeting agenda API (issue 12): a region's agenda of a week, its one-page
summary, an item's log, and the meeting's decisions and outcomes."""
from marshmallow import fields

from matchmaker.models.agenda import DECISION_OUTCOMES
from matchmaker.rules import AGENDA_SORTS, DECISION_MAX, DEPARTMENTS
from matchmaker.schemas.common import Choice, Day, InputSchema, OutputSchema, RegionCode, Text
from matchmaker.schemas.report import ClosedSchema

_KEY = {"description": "the item's key, stable from week to week: supplier|F0174, chain_gap|F0012, "
                       "uncovered|F0003, firm|F0201, risk_zone|231221, commitment|F0005|F0073"}


class AgendaArgsSchema(InputSchema):
    week = Text(max_length=8, metadata={"description": "a stored week, e.g. 2020-W12 (default: the latest)"})
    region = RegionCode(metadata={"description": "a region of the caller's jurisdiction (default: their own)"})
    sort = Choice(AGENDA_SORTS, metadata={"description": "stake (default) or runs_out: critical items first, then "
                                                  "the days until a buyer it fails runs out"})


class ItemLogArgsSchema(InputSchema):
    key = Text(max_length=300, required=True, metadata=_KEY)


class HitSchema(OutputSchema):
    kind = fields.String()
    buyer = fields.String()
    buyer_name = fields.String(allow_none=True)
    supplier = fields.String(allow_none=True)
    category = fields.String()
    quantity = fields.Float()
    unit = fields.String(allow_none=True)
    share = fields.Float(metadata={"description": "of the buyer's whole weekly supply in the category, 0..1"})
    tier = fields.Integer()
    path = fields.List(fields.String())
    weeks_open = fields.Integer()


class RunsOutSchema(OutputSchema):
    runs_out = fields.Date(allow_none=True)
    recovers = fields.Date(allow_none=True)
    days_left = fields.Integer(allow_none=True)
    critical = fields.Boolean()


class MemberSchema(OutputSchema):
    firm = fields.String()
    name = fields.String(allow_none=True)


class DecisionSchema(OutputSchema):
    week = fields.String()
    key = fields.String(metadata=_KEY)
    decision = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    departments = fields.List(fields.String())
    assignee_name = fields.String(allow_none=True)
    due = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"enum": list(DECISION_OUTCOMES)})
    outcome_note = fields.String(allow_none=True)


class LastDecisionSchema(DecisionSchema):
    still_open = fields.Boolean(metadata={"description": "the item is on this week's agenda again"})
    firm_name = fields.String(allow_none=True)


class AgendaItemSchema(OutputSchema):
    key = fields.String(metadata=_KEY)
    kind = fields.String(metadata={"enum": ["supplier_down", "supplier_strained", "chain_gap", "uncovered_need",
                                            "blocked_firm", "risk_zone", "commitment"]})
    firm = fields.String(metadata={"description": "the firm of the item (a risk zone's county code)"})
    firm_name = fields.String(allow_none=True)
    members = fields.List(fields.Nested(MemberSchema), metadata={"description": "a risk zone's firms"})
    county = fields.String(allow_none=True)
    owner_region = fields.String(allow_none=True)
    owner_region_name = fields.String(allow_none=True)
    level = fields.String(metadata={"enum": ["county", "city", "province"]})
    categories = fields.List(fields.String())
    factors = fields.List(fields.String())
    weeks_open = fields.Integer()
    stake = fields.Float(metadata={"description": "input-weeks at stake (docs/agenda.md)"})
    regions = fields.List(fields.String())
    state = fields.String(metadata={"enum": ["new", "continuing", "escalated"]})
    buyers = fields.List(fields.Nested(HitSchema), metadata={"description": "the buyers it fails directly"})
    cascade = fields.List(fields.Nested(HitSchema), metadata={"description": "the first firms below, by tier"})
    cascade_count = fields.Integer()
    commitments = fields.List(fields.Dict(), metadata={"description": "an overdue-commitment item's commitments "
                                                                      "(article10.md fields)"})
    default_departments = fields.List(fields.String())
    departments = fields.List(fields.String())
    assignee_id = fields.Integer(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    due = fields.Date(allow_none=True)
    decision = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    last_decision = fields.Nested(DecisionSchema, allow_none=True)
    runs_out = fields.Nested(RunsOutSchema, allow_none=True, metadata={"description": "with sort=runs_out"})


class AgendaRegionSchema(OutputSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class MatchingEntrySchema(OutputSchema):
    buyer = fields.String()
    buyer_name = fields.String(allow_none=True)
    category = fields.String()
    quantity = fields.Float()
    pending_proposals = fields.Integer()
    county = fields.String(allow_none=True)
    weeks_open = fields.Integer()


class FragilitySchema(OutputSchema):
    buyer = fields.String()
    buyer_name = fields.String(allow_none=True)
    supplier = fields.String()
    supplier_name = fields.String(allow_none=True)
    category = fields.String()
    quantity = fields.Float()
    county = fields.String(allow_none=True)
    weeks_open = fields.Integer()


class BelowRegionSchema(OutputSchema):
    code = fields.String()
    name = fields.String(allow_none=True)
    items = fields.Integer()


class ClosedBreakSchema(ClosedSchema):
    """A break closed by staff (销号) as the report lists it, with what the agenda shows beside it."""

    id = fields.Integer()
    buyer_name = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    quantity = fields.Float()
    unit = fields.String(allow_none=True)
    owner_region = fields.String()
    owned = fields.Boolean(metadata={"description": "owned by the region or a region under it"})


class AgendaSchema(OutputSchema):
    week = fields.String()
    as_of = fields.Date()
    previous_week = fields.String(allow_none=True)
    region = fields.Nested(AgendaRegionSchema)
    next_meeting = fields.Date()
    can_act = fields.Boolean(metadata={"description": "the caller may decide on this agenda (latest week, own region)"})
    sort = fields.String()
    items = fields.List(fields.Nested(AgendaItemSchema), metadata={"description": "to discuss, in order"})
    routine = fields.List(fields.Nested(AgendaItemSchema),
                          metadata={"description": "handed to their departments without discussion"})
    concerning = fields.List(fields.Nested(AgendaItemSchema),
                             metadata={"description": "items of the region's firms owned elsewhere (read only)"})
    below_count = fields.Integer()
    below_regions = fields.List(fields.Nested(BelowRegionSchema))
    matching = fields.List(fields.Nested(MatchingEntrySchema), metadata={"description": "matching in progress"})
    fragility = fields.List(fields.Nested(FragilitySchema), metadata={"description": "single-source warnings"})
    last_decisions = fields.List(fields.Nested(LastDecisionSchema))
    closed = fields.List(fields.Nested(ClosedBreakSchema), metadata={
        "description": "the week's breaks closed by staff (销号) that the region owns or that concern its firms"})


class CountRowSchema(OutputSchema):
    code = fields.String()
    now = fields.Integer()
    before = fields.Integer(allow_none=True)
    change = fields.Integer(allow_none=True)


class AgendaSummarySchema(OutputSchema):
    week = fields.String()
    as_of = fields.Date()
    previous_week = fields.String(allow_none=True)
    region = fields.Nested(AgendaRegionSchema)
    total = fields.Integer()
    total_before = fields.Integer(allow_none=True)
    new = fields.Integer()
    continuing = fields.Integer()
    escalated = fields.Integer()
    resolved = fields.Integer()
    closed = fields.Integer(metadata={"description": "breaks closed by staff this week (the agenda's closed list)"})
    sent_up = fields.Integer(metadata={"description": "items of the region's firms escalated this week above it"})
    by_level = fields.List(fields.Nested(CountRowSchema))
    by_factor = fields.List(fields.Nested(CountRowSchema))


class ItemEventSchema(OutputSchema):
    week = fields.String()
    action = fields.String()
    by = fields.String()
    note = fields.String(allow_none=True)
    at = fields.DateTime()


class DecisionInSchema(InputSchema):
    """The meeting's decision on an item of the latest week: who does what by when."""

    key = Text(max_length=300, required=True, metadata=_KEY)
    decision = Text(max_length=DECISION_MAX, required=True)
    departments = fields.List(Choice(DEPARTMENTS), load_default=list)
    assignee_id = fields.Integer(allow_none=True)
    due = Day(allow_none=True, metadata={"description": "default: the next meeting"})
    week = Text(max_length=8, metadata={"description": "the latest week (checked)"})


class OutcomeInSchema(InputSchema):
    """Whether an earlier week's decision was done, said at this week's meeting."""

    week = Text(max_length=8, required=True, metadata={"description": "the week of the decision"})
    key = Text(max_length=300, required=True, metadata=_KEY)
    outcome = Choice(DECISION_OUTCOMES, required=True)
    note = Text(max_length=2000, allow_none=True)
