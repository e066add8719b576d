"""The break rows of a weekly report run (:mod:`.write`): what a break continues of the previous
report's row, its row built from the detected break, the rows inserted in bulk and put in the
report file's order, and the previous report's breaks that turned out resolved.

A province has ~10^5 breaks: a run's rows are held by column (:class:`BreakColumns`, in
:data:`BREAK_COLUMNS`), each built in one pass, their JSON texts joined directly where the refs
allow, inserted by driver-level bulk SQL (COPY on PostgreSQL); stored rows are read by the
driver's own cursor.
"""

import functools
import json
from collections.abc import Iterable, Iterator
from itertools import compress, islice, repeat
from operator import add, countOf, eq, getitem, itemgetter

import sqlalchemy as sa

from graphs import EDGE_KINDS, LEVELS, break_stakes, idle_level, path_regions, severity, stake_unit
from matchmaker.infra.copy import can_copy, copy_rows
from matchmaker.infra.extensions import db
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.reports.paged import FILE_BREAK_FIELDS
from matchmaker.services.reports.read import BREAKS_WITH_PROPOSALS, KIND_RANK
from matchmaker.services.support import network as net

__all__ = ["BREAK_COLUMNS", "BreakColumns", "rows_by_key", "break_rows", "file_rows", "open_count", "insert_breaks",
           "resolved_breaks"]



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
    return dict(zip(map(itemgetter(0), rows), rows))


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


class _Memo(dict):
    """A dict that computes a missing value by its function (a cache read by map, no call per hit)."""

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, key):
        value = self[key] = self._compute(key)
        return value


def _workflow(keys: list[str], week: str, prev_rows: dict, same_rows: dict) -> tuple[list, ...]:
    """What each break continues of the previous report's row and of this week's own earlier run:
    the columns weeks_open, status, assignee_id, manual_steps, note, acted, idle_weeks of the
    report's rows (in the order of keys), and the automatic ``reopened`` events."""
    if not same_rows:
        return _carried_over(keys, week, prev_rows)
    weeks, statuses, assignees, steps_, notes, acts, idles, events = [], [], [], [], [], [], [], []
    get_prev, get_same = prev_rows.get, same_rows.get
    for key in keys:
        prev = get_prev(key)
        same = get_same(key) if same_rows else None
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
                events.append({"key": key, "week": week, "action": "reopened", "level": None})
            elif status == "resolved":
                status = "open"
            idle = prev[_IDLE] + 1
        else:
            weeks_open, status, assignee, steps, note, acted, idle = 1, "open", None, 0, None, False, 1
        weeks.append(weeks_open)
        statuses.append(status)
        assignees.append(assignee)
        steps_.append(steps)
        notes.append(note)
        acts.append(acted)
        idles.append(idle)
    return weeks, statuses, assignees, steps_, notes, acts, idles, events


#: A break new this week, as a stored row of _STORED (weeks_open and idle_weeks 0: this week makes them 1)
_NEW = (None, 0, "open", None, 0, None, 0, False, None)
#: What a stored status becomes the next week: a break staff closed whose condition still holds is
#: reopened, a resolved one open again; any other stays
_NEXT_STATUS = {"closed": "reopened", "resolved": "open"}


def _carried_over(keys: list[str], week: str, prev_rows: dict) -> tuple[list, ...]:
    """_workflow's columns when the week has no earlier run of its own (the usual case), each made in
    one pass by map: weeks_open and idle_weeks continue the previous row's (+1), the assignee and
    the steps by hand stay, no note, not acted on; a closed break comes back ``reopened``."""
    rows = list(map(prev_rows.get, keys, repeat(_NEW)))
    n = len(rows)
    stored = list(map(itemgetter(_STATUS_), rows))
    statuses = list(map(_NEXT_STATUS.get, stored, stored))
    events = [{"key": key, "week": week, "action": "reopened", "level": None}
              for key in compress(keys, map(eq, stored, repeat("closed")))]
    return (list(map(add, map(itemgetter(_WEEKS), rows), repeat(1))), statuses,
            list(map(itemgetter(_ASSIGNEE), rows)), list(map(itemgetter(_STEPS), rows)), [None] * n, [False] * n,
            list(map(add, map(itemgetter(_IDLE), rows), repeat(1))), events)


class BreakColumns:
    """The break rows of a report run by column (:data:`BREAK_COLUMNS`): each a sequence of the
    rows' values, or one value the same in every row (``same``); ``len()`` is the number of rows.
    Rows are zipped from it only where a whole row is needed (the inserted columns, the file's)."""

    __slots__ = ("n", "columns", "same")

    def __init__(self, n: int, columns: dict, same: dict | None = None):
        self.n, self.columns, self.same = n, columns, same or {}

    def __len__(self):
        return self.n

    def column(self, name: str) -> Iterable:
        """The values of one column, row by row."""
        return repeat(self.same[name], self.n) if name in self.same else self.columns[name]

    def rows(self, names: tuple = BREAK_COLUMNS) -> Iterator[tuple]:
        """The rows as tuples of the named columns."""
        return zip(*map(self.column, names))


def break_rows(report: WeeklyReport, detected: list, network: net.Network, prev_rows: dict,
               same_rows: dict) -> tuple[BreakColumns, list[dict], set[str]]:
    """The report's break rows (BREAK_COLUMNS, JSON encoded), the automatic events, the keys.
    Each names the products at stake and the unit of its quantity (graphs.break_stakes).

    ~2 x 10^5 breaks at a province's scale, so the rows are built by column, each in one pass by
    map or a comprehension: the detected breaks transposed, the workflow carried over
    (:func:`_workflow`; one value for every row when there is nothing to carry), graphs.path_regions
    and the JSON texts of the lists inlined, and what repeats (levels, severities, factors, the stakes
    of a supply edge by the identity of the tuple the network holds) read from caches by value."""
    same = {"report_id": report.id}
    if not detected:
        return BreakColumns(0, {c: () for c in BREAK_COLUMNS}), [], set()
    info = network.info
    edges = network.stakes or {}
    (kinds, buyers, categories, suppliers, quantities, factors, tiers, paths, bases, _, pendings, owner_regions,
     _) = zip(*detected)
    # models.break_key, as columns: kind|buyer|category|supplier ("" for none)
    keys = list(map("{}|{}|{}|{}".format, kinds, buyers, categories, map({None: ""}.get, suppliers, suppliers)))
    columns, events = {}, []
    if prev_rows or same_rows:
        (weeks_open, columns["status"], columns["assignee_id"], steps, columns["note"], columns["acted"], idles,
         events) = _workflow(keys, report.week, prev_rows, same_rows)
        levels = list(map(_level, bases, idles, steps))
        columns.update(weeks_open=weeks_open, manual_steps=[s or 0 for s in steps], idle_weeks=idles)
    else:  # a first report: every break opens
        same.update(weeks_open=1, status="open", assignee_id=None, manual_steps=0, note=None, acted=False,
                    idle_weeks=1)
        levels = list(map(_Memo(lambda base: _level(base, 1, 0)).__getitem__, bases))
        weeks_open = repeat(1, len(detected))
    # the owner region moves with the level: the buyer's county, city or province (graphs.owner_region)
    level_index = {lv: i for i, lv in enumerate(LEVELS)}
    county_of = {ref: firm.county for ref, firm in info.items()}
    county = county_of.get
    # refs and county codes written as JSON by joining them (no escaping needed: checked once)
    if _plain_refs(info):
        path_json = list(map('["{}"]'.format, map('", "'.join, paths)))
    else:
        path_json = list(map(_json_list, paths))
    if all(county_of.values()) and _plain_refs(set(county_of.values())):
        # graphs.path_regions, inlined: the counties of the path's firms, sorted, each once (every
        # firm has a county: none to leave out)
        regions = ['["' + '", "'.join(sorted(set(map(county, p)))) + '"]' for p in paths]
    else:
        regions = [_json_list(path_regions(p, county_of)) for p in paths]
    leading = {ref for ref, firm in info.items() if firm.kind == "leading"}
    severities = _Memo(lambda k: severity(k[0], k[1], leading_buyer=k[2], tier=k[3], weeks_open=k[4]))
    with_proposals = frozenset(BREAKS_WITH_PROPOSALS)
    columns.update(
        key=keys, kind=kinds, buyer=buyers, supplier=suppliers, category=categories,
        quantity=list(map(float, quantities)), factors=list(map(_Memo(lambda f: json.dumps(list(f))).__getitem__,
                                                                factors)),
        tier=tiers, path=path_json, base_level=bases, level=levels,
        owner_region=list(map(getitem, owner_regions, map(level_index.__getitem__, levels))),
        buyer_region=list(map(itemgetter(0), owner_regions)),
        severity=list(map(severities.__getitem__, zip(kinds, quantities, map(leading.__contains__, buyers), tiers,
                                                      weeks_open))),
        pending_proposals=[p if k in with_proposals else None for k, p in zip(kinds, pendings)], regions=regions)
    columns["unit"], columns["products"] = _stake_columns(detected, kinds, suppliers, buyers, categories, edges,
                                                          network.needs)
    return BreakColumns(len(detected), columns, same), events, set(keys)


def _stake_columns(detected, kinds, suppliers, buyers, categories, edges, needs) -> tuple[list, list]:
    """The unit and products (JSON) columns of the breaks (graphs.break_stakes, inlined for the
    supply-edge kinds: the stakes tuple the network holds for the edge, its JSON cached by the
    tuple's identity, then by value)."""
    by_value = _Memo(lambda stakes: (stake_unit(stakes), _stakes_json(stakes)))
    get_edge = edges.get
    held = list(map(get_edge, zip(suppliers, buyers, categories), repeat(())))
    by_id = {i: by_value[s] for i, s in dict(zip(map(id, held), held)).items()}
    pairs = list(map(by_id.__getitem__, map(id, held)))
    if not EDGE_KINDS.issuperset(kinds):
        need_of = {nd.ref: nd for nd in needs}
        for i, kind in enumerate(kinds):
            if kind not in EDGE_KINDS:
                pairs[i] = by_value[break_stakes(detected[i], edges, need_of)]
    return list(map(itemgetter(0), pairs)), list(map(itemgetter(1), pairs))


def file_rows(breaks: BreakColumns) -> Iterator[tuple]:
    """The open break rows in the report file's order (severity, highest first, then kind, buyer,
    category, supplier: paged.open_break_rows' order; the report's keys are unique, so no two rows
    tie), as tuples of paged.FILE_BREAK_FIELDS: what the report file's breaks are written from.

    Sorted by plain itemgetter keys (~10^5 rows): kind by kind in the report's order of kinds, each
    by buyer, category, supplier, then all by severity, highest first (a stable sort keeps the rest
    of the order among equal severities)."""
    status, sev, kind, buyer, category, supplier = (FILE_BREAK_FIELDS.index(c) for c in (
        "status", "severity", "kind", "buyer", "category", "supplier"))
    by_kind = {}
    for r in breaks.rows(FILE_BREAK_FIELDS):
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
    return iter(opened)


def open_count(breaks: BreakColumns) -> int:
    """How many of the report's break rows are open (the report file's breaks)."""
    return sum(map(OPEN_STATUSES.__contains__, breaks.column("status")))


#: Columns that are often the same in every row of a run (a first week: no workflow carried over)
#: and are None, an int or a bool by construction
_CONSTANT_CANDIDATES = ("report_id", "assignee_id", "manual_steps", "note", "acted", "idle_weeks", "weeks_open",
                        "pending_proposals", "tier")


def insert_breaks(breaks: BreakColumns, chunk: int = 20000) -> None:
    """Insert the report's break rows (BREAK_COLUMNS, JSON encoded) in bulk: COPY on PostgreSQL
    (psycopg), else one driver-level executemany per chunk, inside the session's transaction (a
    province has ~10^5 breaks; per-row ORM or Core processing would cost seconds). On SQLite a
    column whose value is the same None, int or bool in every row is written in the statement as
    its literal (as the driver binds it: NULL, the integer, 1 or 0; a text the same in every row
    by construction, e.g. a first report's status, as a quoted text), not bound 10^5 times (~30 ms
    a column), and the rows are zipped from the bound columns alone."""
    n = len(breaks)
    if not n:
        return
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    if can_copy(conn):
        # COPY: one stream instead of a statement per row (the JSON columns go in as their text)
        copy_rows(conn, Break.__tablename__, BREAK_COLUMNS, breaks.rows())
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = [mark] * len(BREAK_COLUMNS)
    if conn.dialect.name == "sqlite":
        for i, name in enumerate(BREAK_COLUMNS):
            if name in breaks.same:
                v, every = breaks.same[name], True
            elif name in _CONSTANT_CANDIDATES:
                column = breaks.columns[name]
                v = column[0]
                every = countOf(column, v) == n
            else:
                continue
            if every and (v is None or type(v) in (int, bool)):
                values[i] = "NULL" if v is None else str(int(v))
            elif every and type(v) is str and name in breaks.same:  # a first report's status: text as bound
                values[i] = "'" + v.replace("'", "''") + "'"
    sql = (f"INSERT INTO {quote(Break.__tablename__)} ({', '.join(quote(c) for c in BREAK_COLUMNS)}) "
           f"VALUES ({', '.join(values)})")
    rows = breaks.rows(tuple(c for c, v in zip(BREAK_COLUMNS, values) if v == mark))
    while part := list(islice(rows, chunk)):
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
