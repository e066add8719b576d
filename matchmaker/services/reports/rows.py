"""The break rows of a weekly report run (:mod:`.write`): what a break continues of the previous
report's row, its row built from the detected break, the rows inserted in bulk and put in the
report file's order, and the previous report's breaks that turned out resolved.

A province has ~10^5 breaks: rows are plain tuples in :data:`BREAK_COLUMNS` order, their JSON
texts joined directly where the refs allow, inserted by driver-level bulk SQL; stored rows are
read by the driver's own cursor.
"""

import functools
import json
from collections.abc import Iterator
from operator import countOf, itemgetter

import sqlalchemy as sa

from graphs import EDGE_KINDS, LEVELS, break_stakes, idle_level, path_regions, severity, stake_unit
from matchmaker.infra.extensions import db
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.reports.paged import FILE_BREAK_FIELDS
from matchmaker.services.reports.read import BREAKS_WITH_PROPOSALS, KIND_RANK
from matchmaker.services.support import network as net

__all__ = ["BREAK_COLUMNS", "rows_by_key", "break_rows", "file_rows", "open_count", "insert_breaks", "resolved_breaks"]



#: What a break of the next run continues of a stored break, in this order (plain tuples of the driver)
_STORED = ("key", "weeks_open", "status", "assignee_id", "manual_steps", "note", "idle_weeks", "acted", "id")
_WEEKS, _STATUS_, _ASSIGNEE, _STEPS, _NOTE, _IDLE, _ACTED, _ID = range(1, len(_STORED))


def rows_by_key(report_id: int) -> dict[str, tuple]:
    """key -> the row of _STORED fields of a stored report's breaks: what a break of the next run
    continues (its run, workflow and idle weeks), in one query; the rest of a row is read only for
    the few breaks that turn out resolved (:func:`resolved_breaks`). ~10^5 rows: read by the driver's own
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


BREAK_COLUMNS = ("report_id", "key", "kind", "buyer", "supplier", "category", "quantity", "factors", "tier",
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


def break_rows(report: WeeklyReport, detected: list, network: net.Network, prev_rows: dict,
               same_rows: dict) -> tuple[list[tuple], list[dict], set[str]]:
    """The report's break rows as tuples in BREAK_COLUMNS order, the automatic events, the keys.
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


_STATUS = BREAK_COLUMNS.index("status")
_FILE_FIELDS = itemgetter(*(BREAK_COLUMNS.index(f) for f in FILE_BREAK_FIELDS))


def file_rows(rows: list[tuple]) -> Iterator[tuple]:
    """The open break rows in the report file's order (severity, highest first, then kind, buyer,
    category, supplier: paged.open_break_rows' order; the report's keys are unique, so no two rows
    tie), as tuples of paged.FILE_BREAK_FIELDS: what the report file's breaks are written from.

    Sorted by plain itemgetter keys (~10^5 rows): kind by kind in the report's order of kinds, each
    by buyer, category, supplier, then all by severity, highest first (a stable sort keeps the rest
    of the order among equal severities)."""
    status, sev, kind, buyer, category, supplier = (BREAK_COLUMNS.index(c) for c in (
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


def open_count(rows: list[tuple]) -> int:
    """How many of the report's break rows are open (the report file's breaks)."""
    status = _STATUS
    return sum(1 for r in rows if r[status] in OPEN_STATUSES)


#: Columns that are often the same in every row of a run (a first week: no workflow carried over)
#: and are None, an int or a bool by construction
_CONSTANT_CANDIDATES = ("report_id", "assignee_id", "manual_steps", "note", "acted", "idle_weeks", "weeks_open",
                        "pending_proposals", "tier")


def insert_breaks(rows: list[tuple], chunk: int = 20000) -> None:
    """Insert the report's break rows (tuples in BREAK_COLUMNS order, JSON encoded) in bulk: one
    driver-level executemany per chunk, inside the session's transaction (a province has ~10^5
    breaks; per-row ORM or Core processing would cost seconds). On SQLite a column whose value is
    the same None, int or bool in every row is written in the statement as its literal (as the
    driver binds it: NULL, the integer, 1 or 0), not bound 10^5 times (~40 ms a column)."""
    if not rows:
        return
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = [mark] * len(BREAK_COLUMNS)
    if conn.dialect.name == "sqlite":
        first = rows[0]
        for i, name in enumerate(BREAK_COLUMNS):
            v = first[i]
            if name in _CONSTANT_CANDIDATES and (v is None or type(v) in (int, bool)) \
                    and countOf(map(itemgetter(i), rows), v) == len(rows):
                values[i] = "NULL" if v is None else str(int(v))
    sql = (f"INSERT INTO {quote(Break.__tablename__)} ({', '.join(quote(c) for c in BREAK_COLUMNS)}) "
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


def resolved_breaks(prev_rows: dict, keys: set, chunk: int = 500) -> list[dict]:
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
