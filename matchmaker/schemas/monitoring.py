"""Schemas of the risk-zone and monitoring API (article 2 and article 13)."""
from marshmallow import fields

from matchmaker.rules import RISKS
from matchmaker.schemas.common import Choice, Day, InputSchema, OutputSchema, Text

_SHARE = {"description": "a share, 0..1 (None when nothing is counted)"}


class RiskSetSchema(InputSchema):
    """A county's new risk level, from a date (default: the service's today), with a reason."""

    risk = Choice(RISKS, required=True)
    effective_from = Day(allow_none=True)
    reason = Text(max_length=2000, allow_none=True)


class RiskChangeSchema(OutputSchema):
    risk = fields.String(metadata={"enum": list(RISKS)})
    effective_from = fields.Date()
    set_by = fields.String(allow_none=True, metadata={"description": "e-mail of who set it; import; baseline"})
    set_at = fields.DateTime()
    reason = fields.String(allow_none=True)
    baseline = fields.Boolean(metadata={"description": "the level before the first recorded change"})


class RiskHistorySchema(OutputSchema):
    code = fields.String()
    name = fields.String()
    risk = fields.String(metadata={"enum": list(RISKS), "description": "the level in force today"})
    can_set = fields.Boolean()
    history = fields.List(fields.Nested(RiskChangeSchema))


class StoppedBuyerSchema(OutputSchema):
    ref = fields.String()
    name = fields.String()
    county = fields.String()
    category = fields.String()
    quantity = fields.Float()
    unit = fields.String(allow_none=True)


class StoppedSupplierSchema(OutputSchema):
    ref = fields.String()
    name = fields.String()
    quantity = fields.Float(metadata={"description": "the weekly quantity it fails, in the categories' units"})
    buyers = fields.List(fields.Nested(StoppedBuyerSchema))


class RiskStopsSchema(OutputSchema):
    week = fields.String(allow_none=True)
    county = fields.String()
    name = fields.String()
    risk = fields.String(metadata={"description": "the level in force on the report's day"})
    suppliers = fields.List(fields.Nested(StoppedSupplierSchema))


class WeekArgsSchema(InputSchema):
    week = Text(max_length=8)


class MonitoringArgsSchema(WeekArgsSchema):
    region = Text(max_length=12, metadata={"description": "one region of your jurisdiction (default: all of it)"})


class _Figures(OutputSchema):
    firms = fields.Integer()
    share_operating = fields.Float(allow_none=True, metadata=_SHARE)
    share_operating_weighted = fields.Float(allow_none=True, metadata=_SHARE)
    share_workers_back = fields.Float(allow_none=True, metadata=_SHARE)
    share_workers_back_weighted = fields.Float(allow_none=True, metadata=_SHARE)


class MonitoringRowSchema(_Figures):
    key = fields.String(metadata={"description": "division (C14), chain key, or county code"})
    name = fields.String()
    name_en = fields.String(metadata={"description": "chains: the English name"})
    operating = fields.Integer()
    headcount = fields.Integer()
    firms_with_headcount = fields.Integer()
    previous = fields.Nested(_Figures, allow_none=True, metadata={"description": "the previous stored week"})
    change = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                         metadata={"description": "this week less the previous, per share"})


class ChainSchema(OutputSchema):
    key = fields.String()
    zh = fields.String()
    en = fields.String()
    categories = fields.List(fields.String())


class MonitoringSchema(OutputSchema):
    week = fields.String(allow_none=True)
    previous_week = fields.String(allow_none=True)
    weeks = fields.List(fields.String())
    region = fields.String(allow_none=True)
    total = fields.Nested(MonitoringRowSchema)
    by_division = fields.List(fields.Nested(MonitoringRowSchema))
    by_chain = fields.List(fields.Nested(MonitoringRowSchema))
    by_county = fields.List(fields.Nested(MonitoringRowSchema))
    chains = fields.List(fields.Nested(ChainSchema))
