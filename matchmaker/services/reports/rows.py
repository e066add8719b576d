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
from operator import add, countOf, getitem, itemgetter

import sqlalchemy as sa

from graphs import EDGE_KINDS, LEVELS, break_stakes, idle_level, path_regions, severity, stake_unit
from matchmaker.infra.copy import can_copy, copy_rows
from matchmaker.infra.extensions import db
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.reports.paged import FILE_BREAK_FIELDS
from matchmaker.services.reports.read import BREAKS_WITH_PROPOSALS, KIND_RANK
from matchmaker.services.support import network as net

__all__ = ["BREAK_COLUMNS", "BreakColumns", "StoredBreaks", "rows_by_key", "break_rows", "file_rows", "open_count",
           "insert_breaks", "resolved_breaks"]



#: What a break of the next run continues of a stored break, in this order (plain tuples of the driver)
_STORED = ("key", "weeks_open", "status", "assignee_id", "manual_steps", "note", "idle_weeks", "acted")
_WEEKS, _STATUS_, _ASSIGNEE, _STEPS, _NOTE, _IDLE, _ACTED = range(1, len(_STORED))
#: What every stored break continues, its run alone (``key, weeks_open, idle_weeks``)
_RUN = ("key", "weeks_open", "idle_weeks")
#: The workflow columns of a stored break no staff touched: open, no assignee, no steps by hand, no note,
#: not acted on (a break new in its week, or carried over so)
_UNTOUCHED = {"status": "open", "assignee_id": None, "manual_steps": 0, "note": None, "acted": False}


class StoredBreaks:
    """What a report run continues of a stored report's breaks (:func:`rows_by_key`): ``runs`` holds
    every break's ``(key, weeks_open, idle_weeks)`` by key, ``touched`` the whole row of
    :data:`_STORED` of the few whose workflow columns are not those of :data:`_UNTOUCHED` (staff
    acted on them, or their status is not ``open``). :meth:`get` gives any break's whole row."""

    __slots__ = ("report_id", "runs", "touched")

    def __init__(self, report_id: int | None = None, runs: dict[str, tuple] | None = None,
                 touched: dict[str, tuple] | None = None) -> None:
        self.report_id, self.runs, self.touched = report_id, runs or {}, touched or {}

    def __len__(self) -> int:
        return len(self.runs)

    def __iter__(self) -> Iterator[str]:
        return iter(self.runs)

    def get(self, key: str, default: tuple | None = None) -> tuple | None:
        """The break's row of :data:`_STORED` fields, or default."""
        row = self.touched.get(key)
        if row is not None:
            return row
        run = self.runs.get(key)
        if run is None:
            return default
        return (key, run[1], "open", None, 0, None, run[2], False)


def rows_by_key(report_id: int) -> StoredBreaks:
    """What a break of the next run continues of a stored report's breaks (its run, workflow and idle
    weeks), in two queries: every break's key, weeks open and idle weeks, and the whole row of
    :data:`_STORED` fields of the few breaks whose workflow columns are not untouched (the rest of a
    row is read only for the few breaks that turn out resolved: :func:`resolved_breaks`). ~10^5 rows:
    read by the driver's own cursor in one fetchall each, as its plain tuples (no Row objects), in the
    session's transaction; three columns a row rather than nine (issue 14: ~0.15 s of a province's run)."""
    conn = db.session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    table, where = quote(Break.__tablename__), f"{quote('report_id')} = {mark}"
    # the untouched columns' values as the driver binds them (acted as a boolean: 0 on SQLite, false on PostgreSQL)
    untouched = " AND ".join(f"{quote(c)} IS NULL" if v is None else f"{quote(c)} = {mark}"
                             for c, v in _UNTOUCHED.items())
    params = [v for v in _UNTOUCHED.values() if v is not None]
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(map(quote, _RUN))} FROM {table} WHERE {where}", (report_id,))
        runs = cursor.fetchall()
        cursor.execute(f"SELECT {', '.join(map(quote, _STORED))} FROM {table} WHERE {where} AND NOT ({untouched})",
                       (report_id, *params))
        touched = cursor.fetchall()
    finally:
        cursor.close()
    first = itemgetter(0)
    return StoredBreaks(report_id, dict(zip(map(first, runs), runs)), dict(zip(map(first, touched), touched)))


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


def _workflow(keys: list[str], week: str, prev_rows: StoredBreaks, same_rows: StoredBreaks) -> tuple[list, ...]:
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


#: A break new this week, its run as in StoredBreaks.runs (weeks_open and idle_weeks 0: this week makes them 1)
_NEW_RUN = (None, 0, 0)
#: What a stored status becomes the next week: a break staff closed whose condition still holds is
#: reopened, a resolved one open again; any other stays
_NEXT_STATUS = {"closed": "reopened", "resolved": "open"}


def _carried_over(keys: list[str], week: str, prev_rows: StoredBreaks) -> tuple[list, ...]:
    """_workflow's columns when the week has no earlier run of its own (the usual case): weeks_open and
    idle_weeks continue the previous row's (+1), each made in one pass by map; a break staff did not
    touch stays open with no assignee and no steps by hand, and only the few they touched are
    looked at one by one: the assignee and the steps by hand stay, a closed break comes back
    ``reopened``, a resolved one ``open``. No note, not acted on."""
    runs = list(map(prev_rows.runs.get, keys, repeat(_NEW_RUN)))
    n = len(keys)
    statuses, assignees, steps, events = ["open"] * n, [None] * n, [0] * n, []
    touched = prev_rows.touched
    if touched:
        for i in compress(range(n), map(touched.__contains__, keys)):
            key = keys[i]
            row = touched[key]
            stored = row[_STATUS_]
            statuses[i] = _NEXT_STATUS.get(stored, stored)
            assignees[i], steps[i] = row[_ASSIGNEE], row[_STEPS]
            if stored == "closed":
                events.append({"key": key, "week": week, "action": "reopened", "level": None})
    return (list(map(add, map(itemgetter(1), runs), repeat(1))), statuses, assignees, steps, [None] * n,
            [False] * n, list(map(add, map(itemgetter(2), runs), repeat(1))), events)


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


def break_rows(report: WeeklyReport, detected: list, network: net.Network, prev_rows: StoredBreaks,
               same_rows: StoredBreaks) -> tuple[BreakColumns, list[dict], set[str]]:
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
#: Text columns often the same in every row of a run: the status (every break open when staff touched none)
_CONSTANT_TEXTS = ("status",)


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
            elif name in _CONSTANT_CANDIDATES or name in _CONSTANT_TEXTS:
                column = breaks.columns[name]
                v = column[0]
                every = countOf(column, v) == n
            else:
                continue
            if every and (v is None or type(v) in (int, bool)):
                values[i] = "NULL" if v is None else str(int(v))
            elif every and type(v) is str and (name in breaks.same or name in _CONSTANT_TEXTS):
                # a first report's status, or a later one's when every break is open: text as bound
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


def resolved_breaks(prev_rows: StoredBreaks, keys: set, chunk: int = 500) -> list[dict]:
    """The previous report's breaks whose condition no longer holds, as the report's ``resolved`` part
    (their rows read by key, a few hundred at a time)."""
    gone = [k for k in prev_rows.runs if k not in keys]
    t = Break.__table__
    # regions read raw (the JSON text SQLite stores, or the list psycopg decodes)
    cols = (t.c.key, t.c.kind, t.c.buyer, t.c.supplier, t.c.category, t.c.owner_region, t.c.buyer_region,
            sa.type_coerce(t.c.regions, sa.String), t.c.level)
    conn = db.session.connection()
    out = []
    for i in range(0, len(gone), chunk):
        for key, kind, buyer, supplier, category, owner, buyer_region, regions, level in conn.execute(
                sa.select(*cols).where(t.c.report_id == prev_rows.report_id, t.c.key.in_(gone[i:i + chunk]))):
            out.append({"kind": kind, "buyer": buyer, "supplier": supplier, "category": category,
                        "owner_region": owner, "buyer_region": buyer_region, "regions": _decoded(regions),
                        "key": key, "level": level})
    out.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["buyer"], r["category"], r["supplier"] or ""))
    return out
