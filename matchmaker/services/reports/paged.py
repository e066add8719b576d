"""A stored report read a page at a time: its open breaks by severity and its counts, in SQL.

A province's report holds ~10^5 breaks; the report API gives them a page at a time, and the report
file is written a row at a time. Both read the open breaks the reader sees in the report's own
order (:func:`open_break_rows`: severity, highest first, then kind, buyer, category, supplier,
as :func:`~matchmaker.services.reports.read.report_data` sorts them) as plain rows, never ORM
objects, and count them by kind, factor and level in the database (:func:`open_summary`, the same
counts as :func:`~matchmaker.services.reports.read.summarize` over the whole list).
"""
import json
from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa

from graphs import KINDS, LEVELS
from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.reports.read import (break_dict, break_scope, get_report, report_file, report_parts,
                                              require_reader)

__all__ = ["FILE_BREAK_FIELDS", "open_break_rows", "open_break_count", "open_summary", "report_page"]

#: The fields of a break in the report file, in its order (``pending_proposals`` on kinds 3 and 4 only;
#: ``unit`` and ``products``: the goods at stake, issue 10).
FILE_BREAK_FIELDS = ("kind", "buyer", "supplier", "category", "quantity", "factors", "level", "owner_region",
                     "weeks_open", "status", "tier", "path", "regions", "severity", "pending_proposals", "unit",
                     "products")
_JSON_FIELDS = ("factors", "path", "regions", "products")


def _open_breaks(actor: User | None, report: WeeklyReport):
    return sa.and_(Break.report_id == report.id, Break.status.in_(OPEN_STATUSES), break_scope(actor))


def _text(column):
    """A JSON column read as its text (decoded only where needed)."""
    return sa.cast(column, sa.Text)


def _order():
    """The report's order of breaks: severity (highest first), kind (report order), buyer, category,
    supplier; texts compared by code point, as Python compares them (PostgreSQL: collation "C")."""
    binary = db.engine.dialect.name == "postgresql"

    def text(column):
        return column.collate("C") if binary else column

    kind_rank = sa.case({k: i for i, k in enumerate(KINDS)}, value=Break.kind, else_=len(KINDS))
    return (Break.severity.desc(), kind_rank, text(Break.buyer), text(Break.category),
            text(sa.func.coalesce(Break.supplier, "")))


def open_break_rows(actor: User | None, report: WeeklyReport, offset: int = 0, limit: int | None = None,
                    json_text: bool = False) -> Iterator[sa.Row]:
    """The open breaks of a report the actor sees, in the report's order, as rows of
    :data:`FILE_BREAK_FIELDS` (what :func:`~matchmaker.services.reports.read.break_dict` reads),
    streamed; ``factors``, ``path``, ``regions`` and ``products`` as lists, or as their JSON text with
    ``json_text``."""
    table = Break.__table__
    columns = [_text(table.c[f]).label(f) if json_text and f in _JSON_FIELDS else table.c[f]
               for f in FILE_BREAK_FIELDS]
    stmt = sa.select(*columns).where(_open_breaks(actor, report)).order_by(*_order())
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    # the option on the statement, not on the session's connection (there it would stay, and make
    # every later statement of the transaction a server-side cursor on PostgreSQL)
    yield from db.session.connection().execute(stmt.execution_options(yield_per=5000))


def open_break_count(actor: User | None, report: WeeklyReport) -> int:
    """How many open breaks of a report the actor sees."""
    return int(db.session.scalar(sa.select(sa.func.count(Break.id)).where(_open_breaks(actor, report))) or 0)


def open_summary(actor: User | None, report: WeeklyReport) -> dict:
    """The counts of the open breaks the actor sees, by kind, by factor and by level (as summarize)."""
    by_kind, by_factor, by_level = Counter(), Counter(), Counter()
    rows = db.session.execute(
        sa.select(Break.kind, Break.level, _text(Break.factors), sa.func.count(Break.id))
        .where(_open_breaks(actor, report)).group_by(Break.kind, Break.level, _text(Break.factors)))
    for kind, level, factors, n in rows:
        by_kind[kind] += n
        by_level[level] += n
        for f in json.loads(factors) if factors else ():
            by_factor[f] += n
    return {"by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
            "by_factor": dict(sorted(by_factor.items())),
            "by_level": {lv: by_level[lv] for lv in LEVELS if by_level[lv]}}


def report_page(actor: User | None, week: str | None, page: int, page_size: int) -> tuple[dict, int]:
    """(the report file of a week for the actor with one page of its open breaks, their total):
    every other part (resolved, counts, monitoring, pairings, commitments, ...) is whole."""
    require_reader(actor)
    report = get_report(week)
    page, page_size = max(int(page or 1), 1), max(int(page_size or 1), 1)
    total = open_break_count(actor, report)
    offset = (page - 1) * page_size
    breaks = [break_dict(r) for r in open_break_rows(actor, report, offset, page_size)] if offset < total else []
    return report_file(report, breaks, open_summary(actor, report), report_parts(actor, report)), total
