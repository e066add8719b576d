"""The weekly chain-break report (周调度, article 10): compute, store, export, and the break workflow.

How a report is written (``write_weekly_report``), in ONE transaction:

1. the week's guard row (``report_guard``) is upserted first, which locks it: a second run of
   the same week (another process, the scheduler and the CLI at once) waits until the first
   commits, then sees its report; so there is never more than one report per week;
2. the stored rows are loaded through :mod:`matchmaker.services.support.network` and the breaks are
   detected by :func:`graphs.chain_breaks`;
3. each break is matched by its key (kind, buyer, category, supplier) with the previous stored
   report (the latest earlier week): ``weeks_open`` continues its run, the workflow carries
   over (assigned stays assigned, a break closed by staff whose condition still holds comes
   back ``reopened``), the level is the base level raised by ``floor((weeks_open - 1) / 2)``
   plus any hand escalation, at most province;
4. re-running a week replaces its rows (keeping that week's own workflow changes);
5. everything commits at once; any error rolls everything back, leaving the previous state.

Severity is :func:`graphs.severity` (kind weight x log quantity x 2 for a leading buyer /
tier x (1 + (weeks_open - 1) / 2)).

A stored report covers every region; staff see the breaks whose owner region or buyer's county
lies in their jurisdiction (their region and below) and act on those whose owner region does.
"""
import functools
import gc
import io
import json
import re
from collections import Counter, namedtuple
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from graphs import KINDS, LEVELS, build_supply_graph, chain_breaks, escalated_level, severity
from graphs import what_if as graph_what_if
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Region, User
from matchmaker.models.report import (
    OPEN_STATUSES,
    Break,
    BreakEvent,
    ReportGuard,
    WeeklyReport,
    break_key,
)
from matchmaker.services.support import network as net
from matchmaker.services.auth import in_scope, scope_prefix
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
KIND_RANK = {k: i for i, k in enumerate(KINDS)}


# --- weeks ------------------------------------------------------------------------------------

def week_of(day):
    """ISO week label of a date, e.g. 2020-W12."""
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def week_monday(week):
    """The Monday of an ISO week label; Invalid when the label is malformed."""
    m = WEEK_RE.match(week or "")
    if not m:
        raise Invalid(f"week must look like 2020-W12, not {week!r}", {"week": ["format YYYY-Www"]})
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise Invalid(f"no such ISO week: {week}", {"week": ["no such ISO week"]}) from None


def _tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Shanghai")


def today():
    """Today for the service (see matchmaker.infra.clock)."""
    from matchmaker.infra.clock import today as _clock_today

    return _clock_today()


def resolve_week(week=None, as_of=None):
    """(week label, as_of date): the week's Monday unless as_of is given; the current week by default."""
    if isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of)
        except ValueError:
            raise Invalid(f"as_of must be a date YYYY-MM-DD, not {as_of!r}", {"as_of": ["not a date"]}) from None
    if week:
        monday = week_monday(week)
        return week, as_of or monday
    if as_of:
        return week_of(as_of), as_of
    day = today()
    return week_of(day), day - timedelta(days=day.weekday())


# --- writing the report -----------------------------------------------------------------------

from matchmaker.infra.faults import pause_point  # noqa: E402


def _lock_week(week):
    """Upsert the week's guard row; the upsert holds its row lock until the transaction ends."""
    dialect = db.engine.dialect.name
    values = {"week": week, "locked_at": datetime.now(timezone.utc), "runs": 1}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: lock by a plain read-modify-write
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


def _settings():
    cfg = current_app.config
    return int(cfg.get("BREAK_HORIZON_DAYS", 56)), int(cfg.get("BREAK_MAX_ROUTES", 4))


def detect_breaks(as_of, network=None, allowed=None):
    """The breaks of the stored network as of a date (graphs.chain_breaks over network rows)."""
    network = network or net.load_network()
    if allowed is None:
        allowed = net.needs_with_allowed_offer(as_of)
    horizon, routes = _settings()
    G = build_supply_graph(network.firms, network.links)
    return chain_breaks(G, network.chain, network.needs, as_of=as_of, needs_with_allowed_offer=allowed,
                        horizon_days=horizon, max_routes=routes)


def write_weekly_report(week=None, as_of=None, *, only_if_missing=False):
    """Compute and store the weekly report of a week in one transaction; returns (report, written).

    `written` is False when `only_if_missing` is set and the week already has a report (the
    scheduler's case: one report per week, whatever the number of processes)."""
    week, as_of = resolve_week(week, as_of)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # ~10^6 short-lived containers: the cyclic collector would cost a third of the run
    try:
        _lock_week(week)
        report = db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
        if report is not None and only_if_missing:
            db.session.rollback()
            return db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week)), False
        clock = _Clock()
        network = net.load_network()
        clock.lap("load")
        allowed = net.needs_with_allowed_offer(as_of)
        clock.lap("allowed_offers")
        detected = detect_breaks(as_of, network, allowed)
        clock.lap("detect")
        previous = db.session.scalar(
            sa.select(WeeklyReport).where(WeeklyReport.week < week).order_by(WeeklyReport.week.desc()).limit(1))
        prev_rows = _rows_by_key(previous.id) if previous is not None else {}
        same_rows = _rows_by_key(report.id) if report is not None else {}
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
        rows, events, keys = _break_rows(report, detected, network.info, prev_rows, same_rows)
        resolved = _resolved(prev_rows, keys)
        events.extend({"key": r.pop("key"), "week": week, "action": "resolved", "level": r.pop("level")}
                      for r in resolved)
        payload = {"resolved": resolved, "monitoring": _monitoring(network.info), "pairings": _pairings(as_of, week)}
        clock.lap("rows")
        _insert_breaks(rows)
        if events:
            db.session.execute(sa.insert(BreakEvent.__table__), [
                {"actor_id": None, "actor": None, "assignee_id": None, "note": None,
                 "at": datetime.now(timezone.utc), **e} for e in events])
        clock.lap("insert")
        payload["stats"] = {"firms": len(network.firms), "links": len(network.links), "breaks": len(rows),
                            "seconds": clock.laps, "cpu_seconds": clock.cpu_laps}
        # the large JSON parts go in by a plain UPDATE: the audit log records the report row, not its payload
        db.session.execute(sa.update(WeeklyReport.__table__).where(WeeklyReport.__table__.c.id == report.id)
                           .values(**payload))
        pause_point("report.before_commit")  # fault tests kill or race a process here
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    return report, True


class _Clock:
    """Wall-clock and CPU seconds per stage of a report run (kept in the report's stats)."""

    def __init__(self):
        import time

        self._now, self._cpu = time.perf_counter, time.process_time
        self._t, self._c = self._now(), self._cpu()
        self.laps, self.cpu_laps = {}, {}

    def lap(self, name):
        t, c = self._now(), self._cpu()
        self.laps[name] = round(t - self._t, 3)
        self.cpu_laps[name] = round(c - self._c, 3)
        self._t, self._c = t, c


_StoredBreak = namedtuple("_StoredBreak", "key kind buyer supplier category weeks_open status assignee_id "
                                          "manual_steps note owner_region buyer_region level")


def _rows_by_key(report_id):
    """key -> _StoredBreak of a stored report's breaks (plain tuples: ~10^5 of them are read field by field)."""
    t = Break.__table__  # table columns: a Core select, no ORM row processing for ~10^5 rows
    cols = [t.c[f] for f in _StoredBreak._fields]
    rows = db.session.connection().execute(sa.select(*cols).where(t.c.report_id == report_id)).all()  # one fetchall
    make = _StoredBreak._make
    return {r[0]: make(r) for r in rows}


_LEVEL_CACHE = {}


def _level(base, weeks_open, manual_steps):
    key = (base, weeks_open, manual_steps or 0)
    level = _LEVEL_CACHE.get(key)
    if level is None:
        auto = escalated_level(base, weeks_open)
        level = _LEVEL_CACHE[key] = LEVELS[min(LEVELS.index(auto) + key[2], len(LEVELS) - 1)]
    return level


_BREAK_COLUMNS = ("report_id", "key", "kind", "buyer", "supplier", "category", "quantity", "factors", "tier",
                  "path", "base_level", "level", "owner_region", "buyer_region", "weeks_open", "severity",
                  "status", "assignee_id", "manual_steps", "pending_proposals", "note")


@functools.lru_cache(maxsize=65536)
def _severity(kind, quantity, leading, tier, weeks_open):
    return severity(kind, quantity, leading_buyer=leading, tier=tier, weeks_open=weeks_open)


def _json_list(items, _dumps=json.dumps):
    """JSON text of a list of refs (plain refs joined directly: a province has ~10^6 of them)."""
    for x in items:
        if not (x.isascii() and x.isprintable()) or '"' in x or "\\" in x:
            return _dumps(list(items))
    return '["' + '", "'.join(items) + '"]' if items else "[]"


def _break_rows(report, detected, info, prev_rows, same_rows):
    """The report's break rows as tuples in _BREAK_COLUMNS order, the automatic events, the keys."""
    rows, events, keys = [], [], set()
    factors_json = {}
    report_id, week = report.id, report.week
    kind_breaks = ("uncovered_need", "chain_gap")
    leading = {ref for ref, firm in info.items() if firm.kind == "leading"}
    level_index = {lv: i for i, lv in enumerate(LEVELS)}
    add_key, append = keys.add, rows.append
    get_prev, get_same = prev_rows.get, same_rows.get
    levels = {}
    for kind, buyer, category, supplier, quantity, factors, tier, path, base, _, pending, regions, _ in detected:
        key = break_key(kind, buyer, category, supplier)
        add_key(key)
        prev = get_prev(key)
        same = get_same(key) if same_rows else None
        weeks_open = prev.weeks_open + 1 if prev is not None else 1
        status, assignee, steps, note = "open", None, 0, None
        if same is not None:  # a re-run of the week keeps that week's workflow
            status, assignee, steps, note = same.status, same.assignee_id, same.manual_steps, same.note
        elif prev is not None:
            assignee, steps = prev.assignee_id, prev.manual_steps
            status = {"closed": "reopened", "resolved": "open"}.get(prev.status, prev.status)
            if prev.status == "closed":
                events.append({"key": key, "week": week, "action": "reopened", "level": None})
        lkey = (base, weeks_open, steps)
        level = levels.get(lkey)
        if level is None:
            level = levels[lkey] = _level(base, weeks_open, steps)
        fj = factors_json.get(factors)
        if fj is None:
            fj = factors_json[factors] = json.dumps(list(factors))
        append((
            report_id, key, kind, buyer, supplier, category, float(quantity), fj, tier,
            _json_list(path), base, level, regions[level_index[level]], regions[0], weeks_open,
            _severity(kind, quantity, buyer in leading, tier, weeks_open),
            status, assignee, steps or 0, pending if kind in kind_breaks else None, note,
        ))
    return rows, events, keys


def _insert_breaks(rows, chunk=20000):
    """Insert the report's break rows (tuples in _BREAK_COLUMNS order, JSON encoded) in bulk: one
    driver-level executemany per chunk, inside the session's transaction (a province has ~10^5
    breaks; per-row ORM or Core processing would cost seconds)."""
    if not rows:
        return
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(Break.__tablename__)} ({', '.join(quote(c) for c in _BREAK_COLUMNS)}) "
           f"VALUES ({', '.join([mark] * len(_BREAK_COLUMNS))})")
    for i in range(0, len(rows), chunk):
        conn.exec_driver_sql(sql, rows[i:i + chunk])


def _resolved(prev_rows, keys):
    out = [{"kind": r.kind, "buyer": r.buyer, "supplier": r.supplier, "category": r.category,
            "owner_region": r.owner_region, "buyer_region": r.buyer_region, "key": k, "level": r.level}
           for k, r in prev_rows.items() if k not in keys]
    out.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["buyer"], r["category"], r["supplier"] or ""))
    return out


def _monitoring(info):
    """Per county: [firms, operating, capacity sum, capacity n, workers sum, workers n] by
    GB/T 4754 section and by park (article 13)."""
    from matchmaker.infra.reference import industry_section

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


def _week_window(as_of, week):
    monday = week_monday(week)
    tz = _tz()
    start = datetime.combine(monday, time(0), tzinfo=tz).astimezone(timezone.utc)
    return start, start + timedelta(days=7)


def _pairings(as_of, week):
    """Pairings proposed (made by a run) and accepted (both sides: active) that week, per buyer county."""
    try:
        from matchmaker.models import Need
        from matchmaker.models.pairing import Pairing
    except ImportError:  # pragma: no cover - no matcher: nothing to count
        return {}
    start, end = _week_window(as_of, week)
    out = {}
    for column, slot in ((Pairing.created_at, 0), (Pairing.activated_at, 2)):
        rows = db.session.execute(
            sa.select(Firm.region_code, sa.func.count(Pairing.id), sa.func.coalesce(sa.func.sum(Pairing.quantity), 0.0))
            .join(Need, Pairing.need_id == Need.id).join(Firm, Need.firm_id == Firm.id)
            .where(column >= start, column < end).group_by(Firm.region_code)).all()
        for county, n, qty in rows:
            acc = out.setdefault(county, [0, 0.0, 0, 0.0])
            acc[slot] += int(n)
            acc[slot + 1] += float(qty or 0.0)
    return out


def run_report(actor, week=None, as_of=None):
    """Compute and store a week's report on request (admins); returns the whole report file."""
    if actor is None or actor.role != "admin":
        raise Forbidden("only administrators run the weekly report by hand")
    report, _ = write_weekly_report(week, as_of)
    return report_data(None, report.week)


# --- reading the report -----------------------------------------------------------------------

def _visible(actor, owner_region, buyer_region):
    if actor is None:
        return True
    return in_scope(actor, owner_region) or in_scope(actor, buyer_region)


def _require_reader(actor):
    if actor is not None and scope_prefix(actor) is None:
        raise Forbidden("reports are for task-force staff")


def report_exists(week):
    """Whether a week has a stored report."""
    return db.session.scalar(sa.select(WeeklyReport.id).where(WeeklyReport.week == week)) is not None


def get_report(week=None):
    """The stored report of a week (the latest when week is None); NotFound when there is none."""
    if week:
        week_monday(week)
        report = db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
    else:
        report = db.session.scalar(sa.select(WeeklyReport).order_by(WeeklyReport.week.desc()).limit(1))
    if report is None:
        raise NotFound(f"no weekly report for {week}" if week else "no weekly report has been written yet")
    return report


def list_reports(actor):
    """Stored reports, newest first, with the open breaks each holds for the actor's region."""
    _require_reader(actor)
    prefix = scope_prefix(actor) if actor is not None else ""
    reports = db.session.scalars(sa.select(WeeklyReport).order_by(WeeklyReport.week.desc())).all()
    counts = dict(db.session.execute(
        sa.select(Break.report_id, sa.func.count(Break.id))
        .where(Break.status.in_(OPEN_STATUSES),
               sa.or_(Break.owner_region.startswith(prefix), Break.buyer_region.startswith(prefix)))
        .group_by(Break.report_id)).all())
    return [{"week": r.week, "as_of": r.as_of.isoformat(), "previous_week": r.previous_week,
             "open_breaks": int(counts.get(r.id, 0)), "resolved": len(_scoped_resolved(actor, r)),
             "computed_at": r.computed_at.isoformat() if r.computed_at else None} for r in reports]


def _break_rows_for(actor, report, open_only=True):
    stmt = sa.select(Break).where(Break.report_id == report.id)
    if open_only:
        stmt = stmt.where(Break.status.in_(OPEN_STATUSES))
    if actor is not None:
        prefix = scope_prefix(actor)
        prefix = "-" if prefix is None else prefix  # "-" matches no region
        stmt = stmt.where(sa.or_(Break.owner_region.startswith(prefix), Break.buyer_region.startswith(prefix)))
    rows = db.session.scalars(stmt).all()
    rows.sort(key=lambda b: (-b.severity, KIND_RANK.get(b.kind, 9), b.buyer, b.category, b.supplier or ""))
    return rows


def break_dict(b):
    """A stored break as the report file's JSON object."""
    d = {"kind": b.kind, "buyer": b.buyer, "supplier": b.supplier, "category": b.category,
         "quantity": b.quantity, "factors": list(b.factors or []), "level": b.level,
         "owner_region": b.owner_region, "weeks_open": b.weeks_open, "status": b.status,
         "tier": b.tier, "path": list(b.path or []), "severity": b.severity}
    if b.kind in ("uncovered_need", "chain_gap"):
        d["pending_proposals"] = b.pending_proposals or 0
    return d


def _scoped_resolved(actor, report):
    return [{"kind": r["kind"], "buyer": r["buyer"], "supplier": r["supplier"], "category": r["category"]}
            for r in (report.resolved or []) if _visible(actor, r.get("owner_region"), r.get("buyer_region"))]


def _summary(breaks):
    by_kind, by_factor, by_level = Counter(), Counter(), Counter()
    for b in breaks:
        by_kind[b["kind"]] += 1
        by_level[b["level"]] += 1
        for f in b["factors"]:
            by_factor[f] += 1
    return {"by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
            "by_factor": dict(sorted(by_factor.items())),
            "by_level": {lv: by_level[lv] for lv in LEVELS if by_level[lv]}}


def _scoped_counties(actor, mapping):
    if actor is None:
        return list(mapping.items())
    prefix = scope_prefix(actor)
    if prefix is None:
        return []
    return [(c, v) for c, v in mapping.items() if (c or "").startswith(prefix)]


def _monitoring_rows(actor, report):
    ind, park = {}, {}
    for _county, parts in _scoped_counties(actor, report.monitoring or {}):
        for target, part in ((ind, parts.get("industry", {})), (park, parts.get("park", {}))):
            for name, acc in part.items():
                t = target.setdefault(name, [0, 0, 0.0, 0, 0.0, 0])
                for i in range(6):
                    t[i] += acc[i]

    def row(acc):
        return {"firms": acc[0], "share_operating": round(acc[1] / acc[0], 4) if acc[0] else None,
                "mean_capacity_utilization": round(acc[2] / acc[3], 4) if acc[3] else None,
                "mean_workers_back": round(acc[4] / acc[5], 4) if acc[5] else None}

    return {"by_industry": [{"industry": k, **row(v)} for k, v in sorted(ind.items())],
            "by_park": [{"park": k, **row(v)} for k, v in sorted(park.items())]}


def _pairing_totals(actor, report):
    tot = [0, 0.0, 0, 0.0]
    for _county, acc in _scoped_counties(actor, report.pairings or {}):
        for i in range(4):
            tot[i] += acc[i]
    return {"proposed": int(tot[0]), "proposed_quantity": round(tot[1], 6),
            "accepted": int(tot[2]), "accepted_quantity": round(tot[3], 6)}


def report_data(actor=None, week=None):
    """The report of a week as the spec's report file (the actor's region and below; all when None)."""
    _require_reader(actor)
    report = get_report(week)
    breaks = [break_dict(b) for b in _break_rows_for(actor, report)]
    return {
        "week": report.week,
        "as_of": report.as_of.isoformat(),
        "breaks": breaks,
        "resolved": _scoped_resolved(actor, report),
        "summary": _summary(breaks),
        "monitoring": _monitoring_rows(actor, report),
        "pairings": _pairing_totals(actor, report),
    }


# --- exports ----------------------------------------------------------------------------------

KIND_ZH = {"supplier_down": "供应商停产", "supplier_strained": "供应商受阻", "uncovered_need": "需求未覆盖",
           "chain_gap": "链条缺口", "single_source": "单一来源", "upstream_break": "上游断链"}
LEVEL_ZH = {"county": "县级", "city": "市级", "province": "省级"}
STATUS_ZH = {"open": "待处理", "assigned": "已交办", "reopened": "重新打开", "closed": "已销号", "resolved": "已解决"}
FACTOR_ZH = {"ppe": "防疫物资", "labour": "用工", "transport": "物流运输", "materials": "原材料",
             "funds": "资金", "orders": "订单市场", "risk_zone": "风险区", "other": "其他"}


def write_report_file(data, path):
    """Write report data (report_data) to .json or .xlsx by the file's extension."""
    import json

    path = str(path)
    if path.lower().endswith(".json"):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
    elif path.lower().endswith(".xlsx"):
        with open(path, "wb") as fh:
            fh.write(report_workbook(data).getvalue())
    else:
        raise Invalid("the report file must end in .json or .xlsx", {"out": ["use .json or .xlsx"]})


def report_workbook(data):
    """The report as an .xlsx workbook (one sheet per part, Chinese headers, frozen header row)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets = [
        ("断链清单", ["严重度", "类型", "需方", "供方", "品类", "数量", "因素", "层级", "责任区域", "持续周数",
                  "状态", "层次", "路径", "待确认撮合"],
         [[b["severity"], KIND_ZH[b["kind"]], b["buyer"], b["supplier"] or "", b["category"], b["quantity"],
           "、".join(FACTOR_ZH.get(f, f) for f in b["factors"]), LEVEL_ZH[b["level"]], b["owner_region"],
           b["weeks_open"], STATUS_ZH.get(b["status"], b["status"]), b["tier"], " ← ".join(b["path"]),
           b.get("pending_proposals", "")] for b in data["breaks"]]),
        ("已解决", ["类型", "需方", "供方", "品类"],
         [[KIND_ZH[r["kind"]], r["buyer"], r["supplier"] or "", r["category"]] for r in data["resolved"]]),
        ("汇总", ["分类", "项目", "数量"],
         [["类型", KIND_ZH[k], n] for k, n in data["summary"]["by_kind"].items()]
         + [["因素", FACTOR_ZH.get(k, k), n] for k, n in data["summary"]["by_factor"].items()]
         + [["层级", LEVEL_ZH[k], n] for k, n in data["summary"]["by_level"].items()]),
        ("按行业复工", ["行业门类", "企业数", "开工率", "平均产能利用率", "平均返岗率"],
         [[r["industry"], r["firms"], r["share_operating"], r["mean_capacity_utilization"], r["mean_workers_back"]]
          for r in data["monitoring"]["by_industry"]]),
        ("按园区复工", ["园区", "企业数", "开工率", "平均产能利用率", "平均返岗率"],
         [[r["park"], r["firms"], r["share_operating"], r["mean_capacity_utilization"], r["mean_workers_back"]]
          for r in data["monitoring"]["by_park"]]),
        ("本周撮合", ["提出对接数", "提出数量", "达成对接数", "达成数量"],
         [[data["pairings"]["proposed"], data["pairings"]["proposed_quantity"],
           data["pairings"]["accepted"], data["pairings"]["accepted_quantity"]]] if data.get("pairings") else []),
    ]
    first = True
    for title, headers, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
        for i, h in enumerate(headers, start=1):
            width = max([_width(h)] + [_width(r[i - 1]) for r in rows[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def _width(value):
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def report_xlsx(actor, week=None):
    """(.xlsx bytes, file name) of a week's report for the actor's region."""
    data = report_data(actor, week)
    return report_workbook(data), f"weekly-report-{data['week']}.xlsx"


# --- the break workflow -----------------------------------------------------------------------

def _latest_report_id():
    return db.session.scalar(sa.select(WeeklyReport.id).order_by(WeeklyReport.week.desc()).limit(1))


def _load_break(actor, break_id, lock=False):
    stmt = sa.select(Break).where(Break.id == break_id)
    if lock:
        stmt = stmt.with_for_update()
    b = db.session.scalar(stmt)
    if b is None or (actor is not None and not _visible(actor, b.owner_region, b.buyer_region)):
        raise NotFound(f"break {break_id} not found")
    return b


def _for_action(actor, break_id):
    if actor is None or actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff act on breaks")
    b = _load_break(actor, break_id, lock=True)
    if not in_scope(actor, b.owner_region):
        raise Forbidden("only staff of the owner region or above act on this break")
    if b.report_id != _latest_report_id():
        raise Conflict("only breaks of the latest weekly report can be changed")
    if b.status not in OPEN_STATUSES:
        raise Conflict(f"the break is {b.status}")
    return b


def _event(b, actor, action, note=None, assignee_id=None):
    db.session.add(BreakEvent(key=b.key, week=b.report.week, action=action, actor_id=actor.id,
                              actor=actor.name or actor.email, assignee_id=assignee_id, level=b.level, note=note))


def assign_break(actor, break_id, assignee_id, note=None):
    """Assign an open break to a staff member of the actor's jurisdiction."""
    b = _for_action(actor, break_id)
    user = db.session.get(User, assignee_id) if assignee_id is not None else None
    if (user is None or not user.active or user.role not in ("staff", "admin")
            or (user.role == "staff" and not in_scope(actor, user.region_code or ""))):
        raise Invalid("choose an active staff member of your region", {"assignee_id": ["not a staff member you can assign"]})
    b.assignee_id = user.id
    b.status = "assigned"
    _event(b, actor, "assigned", note, user.id)
    db.session.commit()
    return b


def escalate_break(actor, break_id, note=None):
    """Raise an open break one level by hand (article 6: what the county cannot solve goes up)."""
    b = _for_action(actor, break_id)
    index = LEVELS.index(b.level)
    if index == len(LEVELS) - 1:
        raise Conflict("the break is already at province level")
    b.manual_steps = (b.manual_steps or 0) + 1
    b.level = LEVELS[index + 1]
    county = b.buyer_region
    b.owner_region = (county, county[:4] + "00", county[:2] + "0000")[index + 1]
    _event(b, actor, "escalated", note)
    db.session.commit()
    return b


def close_break(actor, break_id, note):
    """Close a break with a note (销号); it comes back reopened next week if its condition holds."""
    if not (note or "").strip():
        raise Invalid("closing a break needs a note", {"note": ["a note is required"]})
    b = _for_action(actor, break_id)
    b.status = "closed"
    b.note = note.strip()
    _event(b, actor, "closed", b.note)
    db.session.commit()
    return b


def break_history(key):
    """Every event of a break (across weeks), oldest first."""
    return db.session.scalars(sa.select(BreakEvent).where(BreakEvent.key == key)
                              .order_by(BreakEvent.at, BreakEvent.id)).all()


def _names(refs):
    refs = {r for r in refs if r}
    if not refs:
        return {}
    return dict(db.session.execute(sa.select(Firm.ref, Firm.name).where(Firm.ref.in_(refs))).all())


def _view_row(b, names, users):
    d = break_dict(b)
    d.update(id=b.id, buyer_name=names.get(b.buyer), supplier_name=names.get(b.supplier),
             assignee_id=b.assignee_id, assignee_name=users.get(b.assignee_id), note=b.note,
             buyer_region=b.buyer_region, week=b.report.week if b.report else None,
             sev_class="sev-high" if b.severity >= 6 else "sev-mid" if b.severity >= 3 else "sev-low")
    return d


def _user_names(ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def get_break(actor, break_id):
    """One break with names and its history (visible to staff of its region and above)."""
    _require_reader(actor)
    b = _load_break(actor, break_id)
    d = _view_row(b, _names([b.buyer, b.supplier]), _user_names([b.assignee_id]))
    users = {}
    history = []
    for e in break_history(b.key):
        history.append({"at": e.at, "week": e.week, "action": e.action, "by": e.actor or "",
                        "note": e.note, "level": e.level, "assignee_id": e.assignee_id})
        users[e.assignee_id] = None
    d["history"] = history
    d["can_act"] = (actor is not None and actor.role in ("staff", "admin") and in_scope(actor, b.owner_region)
                    and b.status in OPEN_STATUSES and b.report_id == _latest_report_id())
    return d


BREAK_FILTERS = ("kind", "factor", "level", "status", "buyer", "supplier", "category", "owner_region")


def list_breaks(actor, week=None, filters=None, include_closed=False):
    """Breaks of a week's report (latest by default) in the actor's region, by severity, filtered."""
    _require_reader(actor)
    report = get_report(week)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    open_only = not include_closed and "status" not in filters
    rows = _break_rows_for(actor, report, open_only=open_only)
    out = []
    for b in rows:
        if "kind" in filters and b.kind != filters["kind"]:
            continue
        if "factor" in filters and filters["factor"] not in (b.factors or []):
            continue
        if "level" in filters and b.level != filters["level"]:
            continue
        if "status" in filters and b.status != filters["status"]:
            continue
        if any(k in filters and getattr(b, k) != filters[k] for k in ("buyer", "supplier", "category")):
            continue
        if "owner_region" in filters and not (b.owner_region or "").startswith(filters["owner_region"]):
            continue
        out.append(b)
    names = _names({b.buyer for b in out} | {b.supplier for b in out})
    users = _user_names({b.assignee_id for b in out})
    return [_view_row(b, names, users) for b in out]


# --- views for the web pages ------------------------------------------------------------------

def _firm_meta(refs):
    if not refs:
        return {}
    return {r: (ind, park) for r, ind, park in db.session.execute(
        sa.select(Firm.ref, Firm.industry, Firm.park).where(Firm.ref.in_(set(refs)))).all()}


def report_view(actor, week=None, filters=None):
    """The week's report for the task-force page: breaks by severity (filtered), counts, monitoring."""
    _require_reader(actor)
    try:
        report = get_report(week)
    except NotFound:
        return {"week": None, "breaks": [], "resolved": [], "summary": _summary([]), "counts": {},
                "industries": [], "parks": []}
    filters = dict(filters or {})
    state = filters.pop("state", None)
    industry = filters.pop("industry", None)
    park = filters.pop("park", None)
    rows = list_breaks(actor, report.week, filters)
    meta = _firm_meta({r["buyer"] for r in rows})
    from matchmaker.infra.reference import industry_section

    def sec(ref):
        code = (meta.get(ref) or (None, None))[0]
        try:
            return industry_section(code) if code else None
        except Exception:  # noqa: BLE001
            return None

    all_rows = rows
    if industry:
        rows = [r for r in rows if sec(r["buyer"]) == industry]
    if park:
        rows = [r for r in rows if (meta.get(r["buyer"]) or (None, None))[1] == park]
    if state == "new":
        rows = [r for r in rows if r["weeks_open"] == 1]
    elif state == "continuing":
        rows = [r for r in rows if r["weeks_open"] > 1]
    resolved = _scoped_resolved(actor, report)
    names = _names({r["buyer"] for r in resolved} | {r["supplier"] for r in resolved})
    for r in resolved:
        r["buyer_name"], r["supplier_name"], r["status"] = names.get(r["buyer"]), names.get(r["supplier"]), "resolved"
    region = db.session.get(Region, actor.region_code) if actor is not None and actor.region_code else None
    weeks = db.session.scalars(sa.select(WeeklyReport.week).order_by(WeeklyReport.week)).all()
    i = weeks.index(report.week)
    # The headline counts are over every open break; reuse the list when no SQL filter narrowed it.
    opened = all_rows if not filters else list_breaks(actor, report.week)
    return {
        "week": report.week, "as_of": report.as_of, "region_name": region.name if region else "",
        "previous_week": weeks[i - 1] if i > 0 else None, "next_week": weeks[i + 1] if i + 1 < len(weeks) else None,
        "breaks": rows, "resolved": resolved, "summary": _summary(opened),
        "counts": {"open": len(opened), "new": sum(1 for r in opened if r["weeks_open"] == 1),
                   "continuing": sum(1 for r in opened if r["weeks_open"] > 1), "resolved": len(resolved)},
        "monitoring": _monitoring_rows(actor, report), "pairings": _pairing_totals(actor, report),
        "industries": sorted({s for s in (sec(r["buyer"]) for r in all_rows) if s}),
        "parks": sorted({(meta.get(r["buyer"]) or (None, None))[1] for r in all_rows} - {None}),
    }


def report_summary(actor):
    """This week's headline for a staff home page: week, as_of, open / new / continuing / resolved."""
    view = report_view(actor)
    if not view["week"]:
        return None
    return {"week": view["week"], "as_of": view["as_of"], **view["counts"]}


def breaks_assigned_to(actor):
    """Open breaks of the latest report assigned to the actor."""
    rid = _latest_report_id()
    if rid is None:
        return []
    rows = db.session.scalars(sa.select(Break).where(Break.report_id == rid, Break.assignee_id == actor.id,
                                                     Break.status.in_(OPEN_STATUSES))).all()
    rows.sort(key=lambda b: -b.severity)
    names = _names({b.buyer for b in rows} | {b.supplier for b in rows})
    return [_view_row(b, names, {actor.id: actor.name}) for b in rows]


def latest_firm_breaks(actor, firm_id):
    """The latest report's open breaks where the firm is the buyer (its own supply), by severity."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound("firm not found")
    if actor is not None and actor.role == "firm" and actor.firm_id != firm.id:
        raise Forbidden("not your firm")
    if actor is not None and actor.role == "staff" and not in_scope(actor, firm.region_code):
        raise NotFound("firm not found")
    rid = _latest_report_id()
    if rid is None:
        return {"week": None, "breaks": []}
    report = db.session.get(WeeklyReport, rid)
    rows = db.session.scalars(sa.select(Break).where(Break.report_id == rid, Break.buyer == firm.ref,
                                                     Break.status.in_(OPEN_STATUSES))).all()
    rows.sort(key=lambda b: -b.severity)
    names = _names({b.supplier for b in rows} | {firm.ref})
    return {"week": report.week, "breaks": [_view_row(b, names, {}) for b in rows]}


firm_breaks = latest_firm_breaks


def charts_view(actor, week=None):
    """Monitoring by industry and park, and open breaks per stored week, for the charts page."""
    _require_reader(actor)
    try:
        report = get_report(week)
    except NotFound:
        return {"week": None}
    mon = _monitoring_rows(actor, report)
    prefix = scope_prefix(actor) if actor is not None else ""
    weekly = db.session.execute(
        sa.select(WeeklyReport.week, sa.func.count(Break.id)).join(Break, Break.report_id == WeeklyReport.id)
        .where(sa.or_(Break.owner_region.startswith(prefix), Break.buyer_region.startswith(prefix)))
        .group_by(WeeklyReport.week).order_by(WeeklyReport.week)).all()
    return {
        "week": report.week, "by_industry": mon["by_industry"], "by_park": mon["by_park"],
        "industry_operating": [(r["industry"], r["share_operating"] or 0) for r in mon["by_industry"]],
        "industry_workers": [(r["industry"], r["mean_workers_back"] or 0) for r in mon["by_industry"]],
        "park_operating": [(r["park"], r["share_operating"] or 0) for r in mon["by_park"]],
        "park_capacity": [(r["park"], r["mean_capacity_utilization"] or 0) for r in mon["by_park"]],
        "weekly": [(w, int(n)) for w, n in weekly],
    }


def what_if(actor, firms=(), counties=(), as_of=None):
    """The breaks that would appear (and go away) if these firms stopped or counties turned high-risk."""
    _require_reader(actor)
    firms, counties = list(firms or []), list(counties or [])
    if not firms and not counties:
        raise Invalid("pick at least one firm or county", {"stopped_firms": ["pick a firm or a county"]})
    network = net.load_network()
    errors = {}
    unknown = [f for f in firms if f not in network.info
               or (actor is not None and not in_scope(actor, network.info[f].county))]
    if unknown:
        errors["stopped_firms"] = [f"unknown firm {f}" for f in unknown]
    known_counties = set(db.session.scalars(sa.select(Region.code).where(Region.code.in_(counties),
                                                                          Region.level == "county")))
    bad = [c for c in counties if c not in known_counties or (actor is not None and not in_scope(actor, c))]
    if bad:
        errors["high_risk_counties"] = [f"unknown county {c}" for c in bad]
    if errors:
        raise Invalid("the scenario names unknown firms or counties", errors)
    as_of = as_of or today()
    horizon, routes = _settings()
    G = build_supply_graph(network.firms, network.links)
    allowed = net.needs_with_allowed_offer(as_of)
    res = graph_what_if(G, network.chain, network.needs, as_of=as_of, stopped_firms=firms,
                        high_risk_counties=counties, needs_with_allowed_offer=allowed,
                        horizon_days=horizon, max_routes=routes)
    names = {r: i.name for r, i in network.info.items()}

    def rows(items):
        out = []
        for b in items:
            if actor is not None and not (in_scope(actor, b.owner_region) or in_scope(actor, b.regions[0])):
                continue
            d = b.as_dict()
            d.update(buyer_name=names.get(b.buyer), supplier_name=names.get(b.supplier),
                     severity=severity(b.kind, b.quantity, tier=b.tier,
                                       leading_buyer=network.info[b.buyer].kind == "leading"))
            out.append(d)
        out.sort(key=lambda d: -d["severity"])
        return out

    return {"as_of": as_of.isoformat(), "stopped_firms": firms, "high_risk_counties": counties,
            "new": rows(res.new), "resolved": rows(res.resolved)}


def what_if_view(actor, firms=(), counties=()):
    """what_if plus the chain map of the buyers hit (for the what-if page)."""
    result = what_if(actor, firms, counties)
    try:
        from matchmaker.services import chainmap
    except ImportError:  # pragma: no cover
        result["graph"] = {"nodes": [], "edges": []}
        return result
    buyers = []
    for b in result["new"]:
        if b["buyer"] not in buyers:
            buyers.append(b["buyer"])
    result["graph"] = chainmap.network_map(actor, buyers[:20], breaks=result["new"], stopped=firms,
                                           high_risk_counties=counties)
    return result


