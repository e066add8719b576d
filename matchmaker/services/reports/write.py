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
tier x (1 + (weeks_open - 1) / 2)). A province has ~10^5 breaks, so rows are built as plain
tuples and inserted by driver-level bulk SQL.
"""
import functools
import gc
import importlib
import json
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from operator import attrgetter, countOf, itemgetter

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from graphs import (EDGE_KINDS, LEVELS, blocked_firms, break_stakes, chain_breaks_of, idle_level, path_regions,
                    severity, stake_unit)
from matchmaker.infra.clock import now as service_now
from matchmaker.infra.extensions import db
from matchmaker.infra.faults import pause_point
from matchmaker.infra.reference import industry_section
from matchmaker.infra.settings import setting
from matchmaker.models import Category, Firm, Link, Need, Product, User
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.models.report import OPEN_STATUSES, Break, BreakEvent, ReportGuard, WeeklyReport
from matchmaker.services.reports.commitments import commitment_parts
from matchmaker.services.reports.export import json_report_parts, write_json_report
from matchmaker.services.reports.paged import FILE_BREAK_FIELDS
from matchmaker.services.reports.read import BREAKS_WITH_PROPOSALS, KIND_RANK, report_data
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
    rows, events, keys = _break_rows(report, detected, network, prev_rows, same_rows)
    asking = _blocked_firms(network.firms, detected, previous)
    resolved = _resolved(prev_rows, keys)
    events.extend({"key": r.pop("key"), "week": week, "action": "resolved", "level": r.pop("level")}
                  for r in resolved)
    payload = {"resolved": resolved, "blocked_firms": asking, "monitoring": _monitoring(network.info),
               "pairings": _pairings(week)}
    monitoring.add_snapshot(payload["monitoring"], network.info)  # by division and chain, weighted
    clock.lap("rows")
    payload.update(commitment_parts(as_of, previous))
    clock.lap("commitments")
    _insert_breaks(rows)
    if events:
        db.session.execute(sa.insert(BreakEvent.__table__), [
            {"actor_id": None, "actor": None, "assignee_id": None, "note": None,
             "at": service_now(), **e} for e in events])
    clock.lap("insert")
    payload["stats"] = {"firms": len(network.firms), "links": len(network.links), "breaks": len(rows),
                        "open_breaks": _open_count(rows), "resolved": len(resolved),
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
        write_json_report(out, file_parts, _file_rows(rows))
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


#: What a break of the next run continues of a stored break, in this order (plain tuples of the driver)
_STORED = ("key", "weeks_open", "status", "assignee_id", "manual_steps", "note", "idle_weeks", "acted", "id")
_WEEKS, _STATUS_, _ASSIGNEE, _STEPS, _NOTE, _IDLE, _ACTED, _ID = range(1, len(_STORED))


def _rows_by_key(report_id):
    """key -> the row of _STORED fields of a stored report's breaks: what a break of the next run
    continues (its run, workflow and idle weeks), in one query; the rest of a row is read only for
    the few breaks that turn out resolved (:func:`_resolved`). ~10^5 rows: read by the driver's own
    cursor in one fetchall, as its plain tuples (no Row objects), in the session's transaction."""
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT {', '.join(quote(c) for c in _STORED)} FROM {quote(Break.__tablename__)} "
           f"WHERE {quote('report_id')} = {mark}")
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, (report_id,))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return {r[0]: r for r in rows}


@functools.lru_cache(maxsize=1024)
def _level(base, idle_weeks, manual_steps):
    """The level of a break: its base level raised by its idle weeks and by hand, at most province."""
    auto = idle_level(base, idle_weeks)
    return LEVELS[min(LEVELS.index(auto) + (manual_steps or 0), len(LEVELS) - 1)]


_BREAK_COLUMNS = ("report_id", "key", "kind", "buyer", "supplier", "category", "quantity", "factors", "tier",
                  "path", "base_level", "level", "owner_region", "buyer_region", "weeks_open", "severity",
                  "status", "assignee_id", "manual_steps", "pending_proposals", "note", "regions", "idle_weeks",
                  "acted", "unit", "products")


def _json_list(items, _dumps=json.dumps):
    """JSON text of a list of refs (plain refs joined directly: a province has ~10^6 of them)."""
    for x in items:
        if not (x.isascii() and x.isprintable()) or '"' in x or "\\" in x:
            return _dumps(list(items))
    return '["' + '", "'.join(items) + '"]' if items else "[]"


def _plain_refs(refs):
    """Whether every ref is its own JSON string body (printable ASCII, no quote or backslash): then a
    list of them is written by joining them (paths: ~10^5 lists of ~10^6 refs at a province's scale)."""
    return all(x.isascii() and x.isprintable() and '"' not in x and "\\" not in x for x in refs)


def _stakes_json(stakes, _dumps=json.dumps):
    """JSON text of a break's products at stake (graphs.Stake records)."""
    return _dumps([{"product": p, "unit": u, "quantity": round(q, 6)} for p, u, q in stakes], ensure_ascii=False)


def _break_rows(report, detected, network, prev_rows, same_rows):
    """The report's break rows as tuples in _BREAK_COLUMNS order, the automatic events, the keys.
    Each names the products at stake and the unit of its quantity (graphs.break_stakes).

    ~2 x 10^5 breaks at a province's scale, so the loop is flat: graphs.path_regions, the JSON
    texts of the lists and the level and severity of a break are computed inline or looked up in
    caches of what repeats (the stakes of a supply edge by the identity of the tuple the network
    holds; factors, levels and severities by value)."""
    info = network.info
    edges = network.stakes or {}
    needs = {n.ref: n for n in network.needs}
    rows, events, keys = [], [], set()
    report_id, week = report.id, report.week
    with_proposals = frozenset(BREAKS_WITH_PROPOSALS)
    leading = {ref for ref, firm in info.items() if firm.kind == "leading"}
    level_index = {lv: i for i, lv in enumerate(LEVELS)}
    add_key, append, reopen = keys.add, rows.append, events.append
    get_prev, get_same = prev_rows.get, same_rows.get
    county_of = {ref: firm.county for ref, firm in info.items()}
    county = county_of.get
    # refs and county codes written as JSON by joining them (no escaping needed: checked once)
    plain_paths = _plain_refs(info)
    every_county = all(county_of.values())  # no firm without a county: no None or "" to leave out
    plain_regions = _plain_refs({c for c in county_of.values() if c})
    edge_kinds, get_edge = EDGE_KINDS, edges.get
    by_edge = {}  # id of an edge's stakes tuple (held by the network) -> (unit, products JSON)
    stakes_json = {}  # stakes tuple -> (unit, products JSON), for the needs' stakes built per break
    factors_json, levels, severities = {}, {}, {}
    for brk in detected:
        kind, buyer, category, supplier, quantity, factors, tier, path, base, _, pending, regions, _ = brk
        key = f"{kind}|{buyer}|{category}|{supplier or ''}"  # models.break_key, inlined (~10^5 breaks)
        add_key(key)
        if prev_rows or same_rows:
            prev = get_prev(key)
            same = get_same(key) if same_rows else None
        else:
            prev = same = None
        if same is not None:  # a re-run of the week keeps that week's workflow
            weeks_open = prev[_WEEKS] + 1 if prev is not None else 1
            status, assignee, steps, note = same[_STATUS_], same[_ASSIGNEE], same[_STEPS], same[_NOTE]
            acted = bool(same[_ACTED])
            idle = (prev[_IDLE] if prev is not None else 0) + (0 if acted else 1)
        elif prev is not None:
            weeks_open, note, acted = prev[_WEEKS] + 1, None, False
            assignee, steps = prev[_ASSIGNEE], prev[_STEPS]
            status = prev[_STATUS_]
            if status == "closed":
                status = "reopened"
                reopen({"key": key, "week": week, "action": "reopened", "level": None})
            elif status == "resolved":
                status = "open"
            idle = prev[_IDLE] + 1
        else:
            weeks_open, status, assignee, steps, note, acted, idle = 1, "open", None, 0, None, False, 1
        # a week in which staff acted on the break does not count toward its automatic escalation
        lkey = (base, idle, steps)
        level = levels.get(lkey)
        if level is None:
            level = levels[lkey] = _level(base, idle, steps)
        # graphs.path_regions, inlined: the counties of the path's firms, sorted, each once
        if len(path) == 2:
            a, b = county(path[0]), county(path[1])
            regs = ((a,) if a == b else ((a, b) if a < b else (b, a))) if a and b else path_regions(path, county_of)
        elif every_county:
            regs = sorted(set(map(county, path)))
        else:
            regs = path_regions(path, county_of)
        rj = ('["' + '", "'.join(regs) + '"]' if regs else "[]") if plain_regions else _json_list(regs)
        # graphs.break_stakes, inlined (~10^5 breaks)
        if kind in edge_kinds:
            stakes = get_edge((supplier, buyer, category), ())
            stake = by_edge.get(id(stakes))
            if stake is None:
                stake = stakes_json.get(stakes)
                if stake is None:
                    stake = stakes_json[stakes] = (stake_unit(stakes), _stakes_json(stakes))
                by_edge[id(stakes)] = stake
        else:
            stakes = break_stakes(brk, edges, needs)
            stake = stakes_json.get(stakes)
            if stake is None:
                stake = stakes_json[stakes] = (stake_unit(stakes), _stakes_json(stakes))
        fj = factors_json.get(factors)
        if fj is None:
            fj = factors_json[factors] = json.dumps(list(factors))
        skey = (kind, quantity, buyer in leading, tier, weeks_open)
        sev = severities.get(skey)
        if sev is None:
            sev = severities[skey] = severity(kind, quantity, leading_buyer=skey[2], tier=tier, weeks_open=weeks_open)
        append((
            report_id, key, kind, buyer, supplier, category, float(quantity), fj, tier,
            '["' + '", "'.join(path) + '"]' if plain_paths else _json_list(path),
            base, level, regions[level_index[level]], regions[0], weeks_open, sev,
            status, assignee, steps or 0, pending if kind in with_proposals else None, note, rj, idle, acted, *stake,
        ))
    return rows, events, keys


_STATUS = _BREAK_COLUMNS.index("status")
_FILE_FIELDS = itemgetter(*(_BREAK_COLUMNS.index(f) for f in FILE_BREAK_FIELDS))


def _file_rows(rows):
    """The open break rows in the report file's order (severity, highest first, then kind, buyer,
    category, supplier: paged.open_break_rows' order; the report's keys are unique, so no two rows
    tie), as tuples of paged.FILE_BREAK_FIELDS: what the report file's breaks are written from.

    Sorted by plain itemgetter keys (~10^5 rows): kind by kind in the report's order of kinds, each
    by buyer, category, supplier, then all by severity, highest first (a stable sort keeps the rest
    of the order among equal severities)."""
    status, sev, kind, buyer, category, supplier = (_BREAK_COLUMNS.index(c) for c in (
        "status", "severity", "kind", "buyer", "category", "supplier"))
    by_kind = {}
    for r in rows:
        if r[status] in OPEN_STATUSES:
            part = by_kind.get(r[kind])
            if part is None:
                part = by_kind[r[kind]] = []
            part.append(r)
    opened = []
    rank, other = KIND_RANK.get, len(KIND_RANK)
    for k in sorted(by_kind, key=lambda k: rank(k, other)):
        part = by_kind[k]
        try:
            part.sort(key=itemgetter(buyer, category, supplier))
        except TypeError:  # one buyer and category with and without a supplier in one kind: None as ""
            part.sort(key=lambda r: (r[buyer], r[category], r[supplier] or ""))
        opened += part
    opened.sort(key=itemgetter(sev), reverse=True)
    return map(_FILE_FIELDS, opened)


def _open_count(rows):
    """How many of the report's break rows are open (the report file's breaks)."""
    status = _STATUS
    return sum(1 for r in rows if r[status] in OPEN_STATUSES)


#: Columns that are often the same in every row of a run (a first week: no workflow carried over)
#: and are None, an int or a bool by construction
_CONSTANT_CANDIDATES = ("report_id", "assignee_id", "manual_steps", "note", "acted", "idle_weeks", "weeks_open",
                        "pending_proposals", "tier")


def _insert_breaks(rows, chunk=20000):
    """Insert the report's break rows (tuples in _BREAK_COLUMNS order, JSON encoded) in bulk: one
    driver-level executemany per chunk, inside the session's transaction (a province has ~10^5
    breaks; per-row ORM or Core processing would cost seconds). On SQLite a column whose value is
    the same None, int or bool in every row is written in the statement as its literal (as the
    driver binds it: NULL, the integer, 1 or 0), not bound 10^5 times (~40 ms a column)."""
    if not rows:
        return
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = [mark] * len(_BREAK_COLUMNS)
    if conn.dialect.name == "sqlite":
        first = rows[0]
        for i, name in enumerate(_BREAK_COLUMNS):
            v = first[i]
            if name in _CONSTANT_CANDIDATES and (v is None or type(v) in (int, bool)) \
                    and countOf(map(itemgetter(i), rows), v) == len(rows):
                values[i] = "NULL" if v is None else str(int(v))
    sql = (f"INSERT INTO {quote(Break.__tablename__)} ({', '.join(quote(c) for c in _BREAK_COLUMNS)}) "
           f"VALUES ({', '.join(values)})")
    bound = [i for i, v in enumerate(values) if v == mark]
    project = None if len(bound) == len(values) else itemgetter(*bound)
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        if project is not None:
            part = list(map(project, part)) if len(bound) > 1 else [(project(r),) for r in part]
        conn.exec_driver_sql(sql, part)


def _decoded(value):
    """A JSON list column read raw: the text SQLite stores, or the list psycopg decoded."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


_PATH = attrgetter("path")


def _blocked_firms(firms, detected, previous):
    """The firms asking for help (graphs.blocked_firms) as the report file's objects, their weeks open
    continued from the previous stored report's."""
    before = {f["firm"]: f["weeks_open"] for f in (previous.blocked_firms or [])} if previous is not None else {}
    return [f.as_dict() for f in blocked_firms(firms, map(_PATH, detected), before)]


def _resolved(prev_rows, keys, chunk=500):
    """The previous report's breaks whose condition no longer holds, as the report's ``resolved`` part
    (their rows read by id, a few hundred at a time)."""
    ids = [r[_ID] for k, r in prev_rows.items() if k not in keys]
    t = Break.__table__
    # regions read raw (the JSON text SQLite stores, or the list psycopg decodes)
    cols = (t.c.key, t.c.kind, t.c.buyer, t.c.supplier, t.c.category, t.c.owner_region, t.c.buyer_region,
            sa.type_coerce(t.c.regions, sa.String), t.c.level)
    conn = db.session.connection()
    out = []
    for i in range(0, len(ids), chunk):
        for key, kind, buyer, supplier, category, owner, buyer_region, regions, level in conn.execute(
                sa.select(*cols).where(t.c.id.in_(ids[i:i + chunk]))):
            out.append({"kind": kind, "buyer": buyer, "supplier": supplier, "category": category,
                        "owner_region": owner, "buyer_region": buyer_region, "regions": _decoded(regions),
                        "key": key, "level": level})
    out.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["buyer"], r["category"], r["supplier"] or ""))
    return out


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
