"""A stored report's agenda (:func:`graphs.dispatch_agenda` over its rows), cut per region.

The agenda is computed from the report's open breaks, the firms, the active links and the
report's overdue commitments (and its ``blocked_firms`` when the report has them), once per
stored report run and agenda action (kept in this process while both are unchanged). An item's
level counts its idle weeks: the weeks of its run in which staff acted on it through the agenda
(:class:`AgendaEvent`) or, for an item of breaks, on its breaks do not count (spec: automatic
escalation counts idle weeks only). A region's agenda is
the items it owns (``owner_region`` is its code), the items of its firms owned elsewhere (read
only: "concerning us"), and the matching-in-progress and fragility entries of its firms.
"""
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa

import graphs
from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.rules import DEPARTMENTS
from matchmaker.models import Firm, Region, User, WeeklyReport
from matchmaker.models.agenda import AgendaEntry, AgendaEvent
from matchmaker.models.region import region_prefix
from matchmaker.models.report import OPEN_STATUSES, Break, BreakEvent
from matchmaker.services.auth import in_scope
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import NotFound

__all__ = ["DEFAULT_DEPARTMENTS", "DEPARTMENTS", "department_table", "departments_for", "next_meeting",
           "report_agenda", "agenda_region", "region_items", "previous_report", "entries_of", "firm_names"]


#: Factor -> responsible departments, from the seed's wording (防疫物资 → 卫健/工信, 用工返岗 → 人社,
#: 物资运输 → 交通运输, 原材料供应 → 工信/商务, 经营资金 → 金融/财政, 订单与市场 → 商务/工信,
#: 高风险地区 → 防控指挥部); AGENDA_DEPARTMENTS in the configuration replaces it.
DEFAULT_DEPARTMENTS = {
    "ppe": ["health", "industry"], "labour": ["hr"], "transport": ["transport"],
    "materials": ["industry", "commerce"], "funds": ["finance", "fiscal"], "orders": ["commerce", "industry"],
    "risk_zone": ["command"], "other": ["industry"],
}

_CACHE: "OrderedDict[tuple, graphs.Agenda]" = OrderedDict()
_CACHE_LOCK = threading.Lock()


def department_table() -> dict[str, list[str]]:
    """The factor -> departments table in force: AGENDA_DEPARTMENTS (a mapping, or its JSON text)
    over the defaults."""
    table = setting("AGENDA_DEPARTMENTS", None)
    if isinstance(table, str):
        table = json.loads(table)
    return {**DEFAULT_DEPARTMENTS, **{f: list(d) for f, d in (table or {}).items()}}


def departments_for(factors: Iterable[str]) -> list[str]:
    """The departments responsible for an item's factors, each once, in factor order."""
    table = department_table()
    return list(dict.fromkeys(d for f in factors for d in table.get(f, ())))


def next_meeting(as_of: date) -> date:
    """The default due date of an agenda item: the next weekly meeting, a week after the report's day."""
    return as_of + timedelta(days=7)


def _json_list(text: str | None, _loads=json.loads) -> list:
    """A stored JSON list of refs or codes; the plain ones (as the report writes them) split directly."""
    if not text:
        return []
    if not isinstance(text, str):  # a driver that decodes JSON itself (psycopg)
        return list(text)
    if text.startswith('["') and text.endswith('"]') and "\\" not in text:
        return text[2:-2].split('", "')
    return _loads(text)


def _breaks(report_id: int) -> list[dict]:
    """The report's open breaks as mappings (JSON columns read as text and decoded here: ~2 x 10^5
    rows at a province's scale, most of them with the same few factor lists; psycopg decodes them
    itself)."""
    t = Break.__table__
    cols = ("kind", "buyer", "supplier", "category", "quantity", "factors", "tier", "path", "weeks_open",
            "pending_proposals", "manual_steps", "idle_weeks", "acted")
    text = {"factors", "path"}
    rows = db.session.connection().execute(
        sa.select(*(sa.type_coerce(t.c[c], sa.Text) if c in text else t.c[c] for c in cols))
        .where(t.c.report_id == report_id, t.c.status.in_(OPEN_STATUSES)))
    factors = functools.lru_cache(maxsize=4096)(lambda x: tuple(_json_list(x)))
    out = []
    for r in rows:
        d = dict(zip(cols, r))
        f = d["factors"]
        d["factors"], d["path"] = factors(f) if isinstance(f, str) or f is None else tuple(f), _json_list(d["path"])
        # the idle weeks as the report was written: an action this week lowers the level from the
        # next report on, as for the break itself, not in the middle of this week's meeting
        d["idle_weeks"] = (d["idle_weeks"] or 0) + (1 if d.pop("acted") else 0)
        out.append(d)
    return out


def _acted(report: WeeklyReport) -> tuple[list[str], dict[str, set[str]]]:
    """The stored reports' weeks from this one's back in time, and item key -> the weeks among
    them in which staff acted on the item through the agenda."""
    weeks = list(db.session.scalars(sa.select(WeeklyReport.week).where(WeeklyReport.week <= report.week)
                                    .order_by(WeeklyReport.week.desc()).limit(_RUN_WEEKS)))
    acted: dict[str, set[str]] = {}
    for key, week in db.session.execute(sa.select(AgendaEvent.key, AgendaEvent.week).distinct()
                                        .where(AgendaEvent.week.in_(weeks))):
        acted.setdefault(key, set()).add(week)
    return weeks, acted


#: How many stored weeks back an item's run is followed for its idle weeks (two years).
_RUN_WEEKS = 104


def report_agenda(report: WeeklyReport) -> graphs.Agenda:
    """The agenda of a stored report (every region), kept while the report's run and the agenda's
    actions are unchanged."""
    actions = db.session.execute(sa.select(  # counts too: PostgreSQL's ids are not in commit order
        *(sa.select(f(e.id)).scalar_subquery() for e in (AgendaEvent, BreakEvent) for f in (sa.func.max, sa.func.count))
    )).one()
    key = (id(db.engine), report.id, report.runs, report.computed_at, *actions)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    records, info = net.load_firms()
    weeks, acted = _acted(report)
    agenda = graphs.dispatch_agenda(_breaks(report.id), records, net.load_links(info), report.commitments or [],
                                    getattr(report, "blocked_firms", None), acted=acted, weeks=weeks)
    with _CACHE_LOCK:
        _CACHE[key] = agenda
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return agenda


def previous_report(report: WeeklyReport) -> WeeklyReport | None:
    """The stored report of the latest week before this one."""
    return db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week < report.week)
                             .order_by(WeeklyReport.week.desc()).limit(1))


def agenda_region(actor: User | None, code: str | None = None) -> Region:
    """The region whose agenda is read: the given code (in the actor's jurisdiction), else the
    actor's own region (an administrator's: the province)."""
    if code is None and actor is not None and actor.role == "staff":
        code = actor.region_code
    if code is None:
        code = db.session.scalar(sa.select(Region.code).where(Region.level == "province").order_by(Region.code))
    region = db.session.get(Region, code) if code else None
    if region is None or (actor is not None and not in_scope(actor, region.code)):
        raise NotFound("region not found")
    return region


def region_items(agenda: graphs.Agenda, region: Region) -> dict[str, list]:
    """A region's part of an agenda: `owned` (its items), `below` (owned by regions under it),
    `concerning` (its firms' items owned elsewhere), `matching` and `fragility` of its firms."""
    prefix = region_prefix(region.code, region.level)
    owned, below, concerning = [], [], []
    for item in agenda.items:
        owner = item.owner_region or ""
        if owner == region.code:
            owned.append(item)
        elif owner.startswith(prefix):
            below.append(item)
        elif any(c.startswith(prefix) for c in item.regions):
            concerning.append(item)
    return {"owned": owned, "below": below, "concerning": concerning,
            "matching": [m for m in agenda.matching if (m.county or "").startswith(prefix)],
            "fragility": [f for f in agenda.fragility if (f.county or "").startswith(prefix)]}


def entries_of(week: str, keys: Iterable[str]) -> dict[str, AgendaEntry]:
    """key -> the stored entry of a week's agenda items."""
    keys = list(keys)
    if not keys:
        return {}
    out = {}
    for i in range(0, len(keys), 500):
        out.update((e.key, e) for e in db.session.scalars(
            sa.select(AgendaEntry).where(AgendaEntry.week == week, AgendaEntry.key.in_(keys[i:i + 500]))))
    return out


def firm_names(refs: Iterable[str | None]) -> dict[str, str]:
    """ref -> name of the given firms."""
    refs = {r for r in refs if r}
    if not refs:
        return {}
    return dict(db.session.execute(sa.select(Firm.ref, Firm.name).where(Firm.ref.in_(refs))).all())
