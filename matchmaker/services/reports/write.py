"""Writing the weekly chain-break report (周调度, article 10): detection and the one transaction.

How a report is written (:func:`write_weekly_report`), in ONE transaction:

1. the week's guard row (``report_guard``) is upserted first, which locks it: a second run of
   the same week (another process, the scheduler and the CLI at once) waits until the first
   commits, then sees its report; so there is never more than one report per week;
2. the stored rows are loaded once through :mod:`matchmaker.services.support.network` (each table
   read once: the chain's needs are the matcher's too) and the breaks are detected by
   :func:`graphs.chain_breaks`;
3. each break is matched by its key (kind, buyer, category, supplier) with the previous stored
   report (the latest earlier week): ``weeks_open`` continues its run, the workflow carries
   over (assigned stays assigned, a break closed by staff whose condition still holds comes
   back ``reopened``), the level is the base level raised by ``floor((idle_weeks - 1) / 2)``
   plus any hand escalation, at most province, where ``idle_weeks`` counts the weeks of the run
   in which staff did not act on the break (:func:`graphs.idle_level`); its ``regions`` are the
   counties of its path's firms (:func:`graphs.path_regions`), and the firms asking for help are
   listed with their weeks open (:func:`graphs.blocked_firms`);
4. re-running a week replaces its rows (keeping that week's own workflow changes);
5. everything commits at once; any error rolls everything back, leaving the previous state.

Severity is :func:`graphs.severity` (kind weight x log quantity x 2 for a leading buyer /
tier x (1 + (weeks_open - 1) / 2)). A province has ~10^5 breaks: their rows are built by column,
inserted and put in the file's order by :mod:`.rows`.
"""
import gc
import importlib
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy.orm import load_only
from sqlalchemy.orm.attributes import set_committed_value

from graphs import blocked_firms, chain_breaks_of
from matchmaker.infra.clock import now as service_now
from matchmaker.infra.extensions import db
from matchmaker.infra.faults import pause_point
from matchmaker.infra.reference import industry_section
from matchmaker.infra.settings import setting
from matchmaker.models import Category, Firm, Link, Need, Product, User
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.models.report import Break, BreakEvent, ReportGuard, WeeklyReport
from matchmaker.services.reports.commitments import commitment_parts
from matchmaker.services.reports.export import json_report_parts, write_json_report
from matchmaker.services.reports.read import report_data
from matchmaker.services.reports.rows import (StoredBreaks, break_rows, file_rows, insert_breaks, open_count,
                                            resolved_breaks, rows_by_key)
from matchmaker.services.reports.weeks import resolve_week, week_monday
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Forbidden
from matchmaker.services import monitoring, notifications, risk_zones

__all__ = ["detection_options", "detect_breaks", "write_weekly_report", "run_report", "close_connections"]


def detection_options() -> dict[str, int]:
    """The settings of break detection: how far ahead needs count, how many routes propagation keeps."""
    return {"horizon_days": int(setting("BREAK_HORIZON_DAYS", 56)),
            "max_routes": int(setting("BREAK_MAX_ROUTES", 4))}


def detect_breaks(as_of: date, network: net.Network | None = None, allowed: set | None = None) -> list:
    """The breaks of the stored network as of a date (graphs.chain_breaks over network rows)."""
    network = network or net.load_network(as_of)
    if allowed is None:
        allowed = net.needs_with_allowed_offer(as_of, network)
    # the supply graph's nodes and adjacency as plain dicts: no networkx graph to build (nor to
    # free: its cached views made a reference cycle the report run's disabled collector kept)
    return chain_breaks_of(network.firms, network.links, network.chain, network.needs, as_of=as_of,
                           needs_with_allowed_offer=allowed, **detection_options())


def run_report(actor: User | None, week: str | None = None, as_of: date | str | None = None) -> dict:
    """Compute and store a week's report on request (admins); returns the whole report file."""
    if actor is None or actor.role != "admin":
        raise Forbidden("only administrators run the weekly report by hand")
    report, _ = write_weekly_report(week, as_of)
    return report_data(None, report.week)


def close_connections() -> None:
    """End the session and close the engine's pooled connections (a process about to end that will
    not tear down its heap: the database sees its connections closed, not dropped)."""
    db.session.remove()
    db.engine.dispose()


_UPSERTS = ("postgresql", "sqlite")  # the dialects with INSERT .. ON CONFLICT, imported when used


def _lock_week(week):
    """Upsert the week's guard row; the upsert holds its row lock until the transaction ends."""
    values = {"week": week, "locked_at": datetime.now(timezone.utc), "runs": 1}
    name = db.engine.dialect.name
    insert = importlib.import_module("sqlalchemy.dialects." + name).insert if name in _UPSERTS else None
    if insert is None:  # pragma: no cover - other databases: lock by a plain read-modify-write
        row = db.session.get(ReportGuard, week, with_for_update=True)
        if row is None:
            db.session.add(ReportGuard(**values))
        else:
            row.runs += 1
        db.session.flush()
        return
    stmt = insert(ReportGuard).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReportGuard.week],
        set_={"locked_at": stmt.excluded.locked_at, "runs": ReportGuard.runs + 1})
    db.session.execute(stmt)


def write_weekly_report(week: str | None = None, as_of: date | str | None = None, *,
                        only_if_missing: bool = False, out: str | None = None,
                        then: Callable[[WeeklyReport], None] | None = None) -> tuple[WeeklyReport, bool]:
    """Compute and store the weekly report of a week in one transaction; returns (report, written).

    `written` is False when `only_if_missing` is set and the week already has a report (the
    scheduler's case: one report per week, whatever the number of processes). With `out` (a .json
    path) the whole report file is also written there once the report is committed, the same bytes
    as :func:`~matchmaker.services.reports.export.export_report` writes, its breaks from the rows
    just stored rather than read back (issue 14). `then` is called with the report once it is
    committed (and its file written), while the run's ~10^6 objects are still held: a process that
    ends there (the CLI's) does not spend time freeing them."""
    if out is not None and not str(out).lower().endswith(".json"):
        raise ValueError("write_weekly_report writes .json report files (export_report writes .xlsx)")
    week, as_of = resolve_week(week, as_of)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # ~10^6 short-lived containers: the cyclic collector would cost a third of the run
    try:
        # the run's ~10^6 objects are freed when _write_report returns, before the collector is on
        # again (alive then, the first young collection would walk them all: ~0.5 s at a province)
        return _write_report(week, as_of, only_if_missing, out, then)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if gc_was_enabled:
            gc.enable()


#: What a report run reads of the previous report (its breaks apart): the firms asking for help and
#: the commitments continue from it
_CONTINUED = (WeeklyReport.id, WeeklyReport.week, WeeklyReport.blocked_firms, WeeklyReport.commitments)


def _write_report(week, as_of, only_if_missing, out, then):
    """write_weekly_report's transaction (the collector off); returns (report, written)."""
    _lock_week(week)
    report = db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
    if report is not None and only_if_missing:
        db.session.rollback()
        return db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week)), False
    clock = _Clock()
    # every table once, the matcher's postings included; each county's risk as in force on as_of
    network = net.load_network(as_of, risks=risk_zones.risk_overrides(as_of))
    clock.lap("load")
    allowed = net.needs_with_allowed_offer(as_of, network)
    clock.lap("allowed_offers")
    detected = detect_breaks(as_of, network, allowed)
    clock.lap("detect")
    # the previous report: only what a run continues of it (its monitoring, leading firms and resolved
    # breaks, ~2 MB of JSON at a province's scale, are not parsed for nothing; read if ever asked for)
    previous = db.session.scalar(
        sa.select(WeeklyReport).options(load_only(*_CONTINUED)).where(WeeklyReport.week < week)
        .order_by(WeeklyReport.week.desc()).limit(1))
    prev_rows = rows_by_key(previous.id) if previous is not None else StoredBreaks()
    same_rows = rows_by_key(report.id) if report is not None else StoredBreaks()
    clock.lap("previous")
    if report is None:
        report = WeeklyReport(week=week, as_of=as_of, runs=1)
        db.session.add(report)
    else:
        db.session.execute(sa.delete(Break).where(Break.report_id == report.id))
        db.session.execute(sa.delete(BreakEvent).where(
            BreakEvent.week == week, BreakEvent.actor_id.is_(None),
            BreakEvent.action.in_(("reopened", "resolved"))))
        report.runs = (report.runs or 0) + 1
        report.as_of = as_of
    report.previous_week = previous.week if previous is not None else None
    report.computed_at = datetime.now(timezone.utc)
    db.session.flush()
    breaks, events, keys = break_rows(report, detected, network, prev_rows, same_rows)
    asking = _blocked_firms(network.firms, detected, previous)
    resolved = resolved_breaks(prev_rows, keys)
    events.extend({"key": r.pop("key"), "week": week, "action": "resolved", "level": r.pop("level")}
                  for r in resolved)
    payload = {"resolved": resolved, "blocked_firms": asking, "monitoring": _monitoring(network.info),
               "pairings": _pairings(week)}
    monitoring.add_snapshot(payload["monitoring"], network.info)  # by division and chain, weighted
    clock.lap("rows")
    payload.update(commitment_parts(as_of, previous))
    clock.lap("commitments")
    insert_breaks(breaks)
    if events:
        db.session.execute(sa.insert(BreakEvent.__table__), [
            {"actor_id": None, "actor": None, "assignee_id": None, "note": None,
             "at": service_now(), **e} for e in events])
    clock.lap("insert")
    payload["stats"] = {"firms": len(network.firms), "links": len(network.links), "breaks": len(breaks),
                        "open_breaks": open_count(breaks), "resolved": len(resolved),
                        "seconds": clock.laps, "cpu_seconds": clock.cpu_laps}
    # the large JSON parts go in by a plain UPDATE: the audit log records the report row, not its payload
    db.session.execute(sa.update(WeeklyReport.__table__).where(WeeklyReport.__table__.c.id == report.id)
                       .values(**payload))
    notifications.report_ready(week, report.id)  # the report and its news commit together
    if out is not None:  # the file's other parts read in this transaction: one snapshot with its rows
        db.session.expire(report)  # its payload went in by the plain UPDATE above
        file_parts = json_report_parts(report)
    pause_point("report.before_commit")  # fault tests kill or race a process here
    db.session.commit()
    # what was just computed stays readable on the (expired) report without reading it back
    for name, value in (("week", week), ("as_of", as_of), ("stats", payload["stats"])):
        set_committed_value(report, name, value)
    if out is not None:
        write_json_report(out, file_parts, file_rows(breaks))
    if then is not None:
        then(report)
    return report, True


class _Clock:
    """Wall-clock and CPU seconds per stage of a report run (kept in the report's stats)."""

    def __init__(self):
        self._now, self._cpu = time.perf_counter, time.process_time
        self._t, self._c = self._now(), self._cpu()
        self.laps, self.cpu_laps = {}, {}

    def lap(self, name):
        t, c = self._now(), self._cpu()
        self.laps[name] = round(t - self._t, 3)
        self.cpu_laps[name] = round(c - self._c, 3)
        self._t, self._c = t, c


_PATH = attrgetter("path")


def _blocked_firms(firms, detected, previous):
    """The firms asking for help (graphs.blocked_firms) as the report file's objects, their weeks open
    continued from the previous stored report's."""
    before = {f["firm"]: f["weeks_open"] for f in (previous.blocked_firms or [])} if previous is not None else {}
    return [f.as_dict() for f in blocked_firms(firms, map(_PATH, detected), before)]


def _monitoring(info):
    """Per county: [firms, operating, capacity sum, capacity n, workers sum, workers n] by
    GB/T 4754 section and by park (article 13)."""
    out = {}
    sections = {}
    for f in info.values():
        county = out.setdefault(f.county, {"industry": {}, "park": {}})
        code = f.industry
        if code:
            sec = sections.get(code)
            if sec is None:
                try:
                    sec = industry_section(code) or ""
                except Exception:  # noqa: BLE001 - an unknown code is simply not counted
                    sec = ""
                sections[code] = sec
            if sec:
                _tally(county["industry"].setdefault(sec, [0, 0, 0.0, 0, 0.0, 0]), f)
        if f.park:
            _tally(county["park"].setdefault(f.park, [0, 0, 0.0, 0, 0.0, 0]), f)
    return out


def _tally(acc, f):
    acc[0] += 1
    acc[1] += 1 if f.operating else 0
    if f.capacity_utilization is not None:
        acc[2] += f.capacity_utilization
        acc[3] += 1
    if f.workers_back is not None:
        acc[4] += f.workers_back
        acc[5] += 1


def _pairings(week):
    """Pairings proposed and accepted that week, per buyer county, by the service's day (not the real
    clock: a replayed week counts what was done on its days): proposed by runs as of a day of the
    week, accepted when the link made from them starts (``since``, the service's day of acceptance):
    [proposed, proposed quantity, accepted, accepted quantity, {unit: [proposed qty, accepted qty]}]
    (issue 10: a pairing's quantity is in its need's unit, its product's, else its category's)."""
    monday = week_monday(week)
    days = (monday, monday + timedelta(days=7))
    unit = sa.func.coalesce(Product.unit, Category.unit)
    base = (sa.select(Firm.region_code, unit, sa.func.count(Pairing.id),
                      sa.func.coalesce(sa.func.sum(Pairing.quantity), 0.0))
            .join(Need, Pairing.need_id == Need.id).join(Firm, Need.firm_id == Firm.id)
            .join(Category, Need.category_code == Category.code)
            .outerjoin(Product, Need.product_code == Product.code))
    queries = (
        (base.join(MatchRun, Pairing.run_id == MatchRun.id)
         .where(MatchRun.as_of >= days[0], MatchRun.as_of < days[1]), 0),
        (base.join(Link, Pairing.link_id == Link.id).where(Link.since >= days[0], Link.since < days[1]), 2),
    )
    out = {}
    for stmt, slot in queries:
        for county, u, n, qty in db.session.execute(stmt.group_by(Firm.region_code, unit)).all():
            acc = out.setdefault(county, [0, 0.0, 0, 0.0, {}])
            acc[slot] += int(n)
            acc[slot + 1] += float(qty or 0.0)
            acc[4].setdefault(u or "", [0.0, 0.0])[slot // 2] += float(qty or 0.0)
    return out
