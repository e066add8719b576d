"""A run's proposals written in bulk (the store phase of :mod:`.runs`).

COPY on PostgreSQL with psycopg; on SQLite one prepared statement of many rows, run once per
chunk, in which what every row of a run shares (its run, status, time and the two empty
acceptances when none is carried over) is bound once per statement rather than once per row.
Timestamps go through the column's own bind processor and reasons are JSON text, each distinct
list of reasons encoded once, so the rows read back exactly like ORM-written ones.
"""
import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import chain, repeat
from operator import attrgetter

import sqlalchemy as sa

from matchmaker.infra.copy import FOREIGN_KEY_VIOLATION, can_copy, copy_rows
from matchmaker.infra.extensions import db
from matchmaker.models import Need, Offer
from matchmaker.models.pairing import Pairing
from matchmaker.packages.runfile import ReasonsJSON
from matchmaker.services.support.errors import Conflict
from matchmaker.services.support.network import EPSILON

__all__ = ["insert_proposals"]

_NEED, _OFFER, _QUANTITY, _UNIT_COST, _DISTANCE, _REASONS = map(
    attrgetter, ("need", "offer", "quantity", "unit_cost", "distance_km", "reasons"))
PROPOSAL_COLUMNS = ("run_id", "need_id", "offer_id", "quantity", "unit_cost", "distance_km", "reasons",
                    "status", "created_at", "buyer_accepted_at", "supplier_accepted_at")
#: the columns of a row that differ from row to row when no acceptance is carried over
_OWN = ("need_id", "offer_id", "quantity", "unit_cost", "distance_km", "reasons")

#: proposals per INSERT on SQLite (bigger chunks gain little more)
SQLITE_ROWS_PER_INSERT = 500


def insert_proposals(run_id: int, pairings: Sequence, need_ids: Mapping[str, int], offer_ids: Mapping[str, int],
                     carried: Mapping[tuple[int, int], tuple], now: datetime,
                     firm_of: tuple[Mapping[int, int], Mapping[int, int]], *,
                     check_references: bool = False) -> Counter:
    """Insert a run's proposals (in their order: the same ids as a statement per row). Returns how
    many of them are proposed (not carried over as accepted) to each firm, buyer or supplier (firm
    id -> count), counted from ``firm_of``: (need id -> its buyer's firm id, offer id -> its
    supplier's). ``carried``: (need id, offer id) -> (quantity, buyer_accepted_at,
    supplier_accepted_at) of open proposals of earlier runs one side has accepted.

    ``check_references``: the database does not enforce foreign keys in this transaction (see
    :func:`matchmaker.infra.sqlite.foreign_keys_off_until_released`), so the needs and offers are
    looked up here, once each: Conflict when one was deleted since the run read it."""
    if not pairings:
        return Counter()
    conn = db.session.connection()
    dialect = conn.dialect
    as_time = _processor(dialect, "created_at")
    created = as_time(now)
    if dialect.name == "sqlite" and isinstance(created, datetime):
        # what sqlite3's default datetime adapter would store for every row, computed once
        created = created.isoformat(" ")
    count = len(pairings)
    nids = list(map(need_ids.__getitem__, map(_NEED, pairings)))
    oids = list(map(offer_ids.__getitem__, map(_OFFER, pairings)))
    if check_references:
        _require_postings(conn, nids, oids)
    accepted = _carried_over(nids, oids, pairings, carried, as_time) if carried else {}
    per_firm = _per_firm(nids, oids, accepted, firm_of)
    reasons = ReasonsJSON().many(map(_REASONS, pairings))
    own = (nids, oids, map(_QUANTITY, pairings), map(_UNIT_COST, pairings), map(_DISTANCE, pairings), reasons)
    if dialect.name == "sqlite" and not accepted:
        _insert_sqlite_shared(conn, count, own, (run_id, "proposed", created))
        return per_firm
    status, buyer_at, supplier_at = ["proposed"] * count, [None] * count, [None] * count
    for k, (b, s) in accepted.items():
        status[k], buyer_at[k], supplier_at[k] = "accepted", b, s
    # the rows, in PROPOSAL_COLUMNS' order, zipped from columns (one pass, no Python call per row)
    rows = zip(repeat(run_id), *own, status, repeat(created), buyer_at, supplier_at)
    if can_copy(conn):
        # COPY: one stream instead of a statement per row; its foreign keys refuse a deleted posting
        try:
            copy_rows(conn, Pairing.__table__.name, PROPOSAL_COLUMNS, rows)
        except sa.exc.IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != FOREIGN_KEY_VIOLATION:
                raise  # another refusal (NOT NULL, unique ...) is a fault, as on SQLite, not a deleted posting
            raise Conflict("a need or an offer of this run was deleted while it ran; run it again") from None
        return per_firm
    _insert_rows(conn, count, rows)
    return per_firm


def _require_postings(conn, nids, oids):
    """Conflict unless every need and offer id is stored (what the foreign keys would check),
    each looked up once, in one statement a table."""
    for model, ids in ((Need, nids), (Offer, oids)):
        wanted = sorted(set(ids))
        found = conn.exec_driver_sql(
            "SELECT count(*) FROM %s WHERE id IN (SELECT value FROM json_each(?))" % model.__table__.name,
            (json.dumps(wanted),)).scalar()
        if found != len(wanted):
            raise Conflict("a need or an offer of this run was deleted while it ran; run it again")


def _processor(dialect, name):
    proc = Pairing.__table__.c[name].type.bind_processor(dialect)
    return proc or (lambda v: v)


def _carried_over(nids, oids, pairings, carried, as_time) -> dict:
    """Row -> (buyer_accepted_at, supplier_accepted_at) of the proposals that carry an earlier
    acceptance over: the same pair, accepted by one side, for no more quantity."""
    out = {}
    for k, (n, o, p) in enumerate(zip(nids, oids, pairings)):
        old = carried.get((n, o))
        if old is not None and p.quantity <= old[0] + EPSILON:
            out[k] = (as_time(old[1]), as_time(old[2]))
    return out


def _per_firm(nids, oids, accepted, firm_of) -> Counter:
    """Firm id -> the proposals to it (rows not in ``accepted``), as buyer or supplier."""
    if accepted:
        nids = [n for k, n in enumerate(nids) if k not in accepted]
        oids = [o for k, o in enumerate(oids) if k not in accepted]
    # each proposal's two firms looked up and counted in one pass (map and Counter, in C)
    buyer_of, supplier_of = firm_of
    return Counter(chain(map(buyer_of.__getitem__, nids), map(supplier_of.__getitem__, oids)))


def _insert_sqlite_shared(conn, count, own, shared):
    """SQLite, no acceptance carried over: each row binds its own values, the statement binds what
    they share once (``?1``..``?3``: run, status, time; NULL for the acceptances)."""
    table = Pairing.__table__.name
    # own values are numbered after the shared ones, row after row
    width, first = len(_OWN), len(shared) + 1
    many = rows_per_statement(conn, width, len(shared))

    def statement(n):
        values = ", ".join("(?1, %s, ?2, ?3, NULL, NULL)" % ", ".join(
            "?%d" % (first + r * width + c) for c in range(width)) for r in range(n))
        return "INSERT INTO %s (%s) VALUES %s" % (table, ", ".join(PROPOSAL_COLUMNS), values)

    flat = list(chain.from_iterable(zip(*own)))
    full = (count - count % many) * width
    if full:
        chunk = many * width
        # tuples of one chunk's values each, cut by zip from one iterator (in C)
        conn.exec_driver_sql(statement(many), [shared + t for t in zip(*[iter(flat[:full])] * chunk)])
    if count % many:
        conn.exec_driver_sql(statement(count % many), shared + tuple(flat[full:]))


def _insert_rows(conn, count, rows):
    """Whole rows (PROPOSAL_COLUMNS) with driver-level executemany, many rows a statement on SQLite."""
    dialect = conn.dialect
    marks = {"qmark": "?", "numeric": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if marks is None:  # pragma: no cover - every supported driver is covered above
        db.session.execute(sa.insert(Pairing), [dict(zip(PROPOSAL_COLUMNS, r)) for r in rows])
        return
    values = [marks] * len(PROPOSAL_COLUMNS)
    if dialect.name == "postgresql":
        values[PROPOSAL_COLUMNS.index("reasons")] = "CAST(%s AS JSON)" % marks
    sql = "INSERT INTO %s (%s) VALUES " % (Pairing.__table__.name, ", ".join(PROPOSAL_COLUMNS))
    one = "(%s)" % ", ".join(values)
    many = rows_per_statement(conn, len(PROPOSAL_COLUMNS))
    if many > 1 and count >= many:
        width = len(PROPOSAL_COLUMNS)
        flat = list(chain.from_iterable(rows))
        full, chunk = (count - count % many) * width, many * width
        conn.exec_driver_sql(sql + ", ".join([one] * many), list(zip(*[iter(flat[:full])] * chunk)))
        rows = [tuple(flat[k:k + width]) for k in range(full, len(flat), width)]
    else:
        rows = list(rows)
    if rows:
        conn.exec_driver_sql(sql + one, rows)


def rows_per_statement(conn: sa.Connection, width: int, shared: int = 0) -> int:
    """How many proposals of ``width`` own values one INSERT of the SQLite driver takes (within its
    limit on bound parameters, ``shared`` of them bound once); 1 on other databases."""
    if conn.dialect.name != "sqlite":
        return 1
    raw = conn.connection.dbapi_connection
    try:
        limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # pragma: no cover - Python before 3.11 or another driver: the old default
        limit = 999
    return max(1, min(SQLITE_ROWS_PER_INSERT, (limit - shared) // width))
