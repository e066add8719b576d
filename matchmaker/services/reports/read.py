"""Reading stored weekly reports, scoped to the reader: the report file, break lists, summaries.

A stored report covers every region; staff see the breaks that concern a firm of their
jurisdiction (their region and below): one of the break's ``regions``, the counties of the firms on
its path, is in it (chain-breaks.md, "Who sees it"); they act on those whose owner region is
(:mod:`.workflow`). The firms asking for help are seen by the staff of their county and above. ``actor=None`` means the whole report
(the CLI and the scheduler). Rows come out as plain dicts: the report file's objects
(:func:`break_dict`) and, for lists, with names and the assignee added (:func:`break_row`).
"""
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

from graphs import KINDS, LEVELS
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, User
from matchmaker.models.report import OPEN_STATUSES, Break, BreakEvent, WeeklyReport
from matchmaker.services.auth import in_scope, scope_prefix
from matchmaker.services.reports.commitments import scoped_commitments, scoped_leading_firms
from matchmaker.services.reports.weeks import week_monday
from matchmaker.services.support.errors import Forbidden, NotFound

__all__ = [
    "KIND_RANK", "BREAKS_WITH_PROPOSALS", "visible", "require_reader", "report_exists", "get_report",
    "report_version", "reader_scope", "latest_report_id", "adjacent_weeks", "load_break", "list_reports", "break_scope",
    "break_dict", "break_row", "firm_names", "user_names", "firm_industry_and_park", "scoped_resolved",
    "scoped_blocked_firms", "scoped_closed",
    "summarize", "open_counts", "monitoring_rows", "pairing_totals", "breaks_per_week", "report_parts",
    "report_file", "report_data", "list_breaks", "escalated_to_us", "scoped_breaks",
]

KIND_RANK = {k: i for i, k in enumerate(KINDS)}
BREAKS_WITH_PROPOSALS = ("uncovered_need", "chain_gap")  # the kinds whose rows count pending proposals


# --- who reads what ---------------------------------------------------------------------------

def visible(actor: User | None, regions: Iterable[str] | None, owner_region: str | None = None,
            buyer_region: str | None = None) -> bool:
    """Whether the actor sees a break: one of its ``regions`` (the counties of its path's firms) is in
    their jurisdiction (a break stored without regions: its owner region or buyer's county)."""
    if actor is None:
        return True
    regions = list(regions or ()) or [r for r in (owner_region, buyer_region) if r]
    return any(in_scope(actor, r) for r in regions)


def require_reader(actor: User | None) -> None:
    """Forbidden unless the actor reads reports (task-force staff and admins; None is the system)."""
    if actor is not None and scope_prefix(actor) is None:
        raise Forbidden("reports are for task-force staff")


def _scope_prefix(actor: User | None) -> str:
    """The region-code prefix of the actor's reports ('' for the whole report; '-' matches nothing)."""
    if actor is None:
        return ""
    prefix = scope_prefix(actor)
    return "-" if prefix is None else prefix


def _in_scope_clause(prefix: str):
    """The stored breaks one of whose regions starts with the prefix (the JSON text of the sorted
    county codes holds '"<code>'; codes are digits, nothing to escape)."""
    if prefix == "":
        return sa.true()
    return sa.cast(Break.regions, sa.Text).like(f'%"{prefix}%')


def break_scope(actor: User | None) -> sa.ColumnElement[bool]:
    """The SQL condition of the stored breaks the actor sees (true for None: the whole report)."""
    return sa.true() if actor is None else _in_scope_clause(_scope_prefix(actor))


# --- stored reports ---------------------------------------------------------------------------

def report_exists(week: str) -> bool:
    """Whether a week has a stored report."""
    return db.session.scalar(sa.select(WeeklyReport.id).where(WeeklyReport.week == week)) is not None


def get_report(week: str | None = None) -> WeeklyReport:
    """The stored report of a week (the latest when week is None); NotFound when there is none."""
    if week:
        week_monday(week)
        report = db.session.scalar(sa.select(WeeklyReport).where(WeeklyReport.week == week))
    else:
        report = db.session.scalar(sa.select(WeeklyReport).order_by(WeeklyReport.week.desc()).limit(1))
    if report is None:
        raise NotFound("no weekly report for %(week)s", week=week) if week else NotFound("no weekly report has been written yet")
    return report


def report_version() -> tuple:
    """What changes whenever anything a report's page shows from the stored reports changes: a
    report written or re-run (the latest report id, the runs of all, the last computed_at) or a
    break's workflow (every change is a BreakEvent: the last event id, and their count: on PostgreSQL
    ids are drawn at insert, not in commit order, so an action committed after a later id would
    leave the maximum unchanged). One cheap query."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(WeeklyReport.id)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(WeeklyReport.runs), 0)).scalar_subquery(),
        sa.select(sa.func.max(WeeklyReport.computed_at)).scalar_subquery(),
        sa.select(sa.func.max(BreakEvent.id)).scalar_subquery(),
        sa.select(sa.func.count(BreakEvent.id)).scalar_subquery())).one())


def reader_scope(actor: User | None) -> tuple | None:
    """What a read of the stored reports depends on about its reader: their role and region (what
    :func:`break_scope`, :func:`~matchmaker.services.auth.scope_prefix` and :func:`escalated_to_us`
    read); None for the whole report. Views kept per reader are kept under it (with
    :func:`report_version`)."""
    return None if actor is None else (actor.role, actor.region_code)


def latest_report_id() -> int | None:
    """The id of the latest stored report (the only one whose breaks can still change)."""
    return db.session.scalar(sa.select(WeeklyReport.id).order_by(WeeklyReport.week.desc()).limit(1))


def adjacent_weeks(week: str) -> tuple[str | None, str | None]:
    """The stored weeks just before and just after a stored week (None at either end)."""
    weeks = db.session.scalars(sa.select(WeeklyReport.week).order_by(WeeklyReport.week)).all()
    i = weeks.index(week)
    return (weeks[i - 1] if i > 0 else None), (weeks[i + 1] if i + 1 < len(weeks) else None)


def load_break(actor: User | None, break_id: int, lock: bool = False) -> Break:
    """A stored break the actor sees (locked for update when asked); NotFound otherwise."""
    stmt = sa.select(Break).where(Break.id == break_id)
    if lock:
        stmt = stmt.with_for_update()
    b = db.session.scalar(stmt)
    if b is None or not visible(actor, b.regions, b.owner_region, b.buyer_region):
        raise NotFound("break %(id)s not found", id=break_id)
    return b


def list_reports(actor: User | None) -> list[dict]:
    """Stored reports, newest first, with the open breaks each holds for the actor's region."""
    require_reader(actor)
    prefix = scope_prefix(actor) if actor is not None else ""
    reports = db.session.scalars(sa.select(WeeklyReport).order_by(WeeklyReport.week.desc())).all()
    counts = dict(db.session.execute(
        sa.select(Break.report_id, sa.func.count(Break.id))
        .where(Break.status.in_(OPEN_STATUSES), _in_scope_clause(prefix))
        .group_by(Break.report_id)).all())
    return [{"week": r.week, "as_of": r.as_of.isoformat(), "previous_week": r.previous_week,
             "open_breaks": int(counts.get(r.id, 0)), "resolved": len(scoped_resolved(actor, r)),
             "computed_at": r.computed_at.isoformat() if r.computed_at else None} for r in reports]


def scoped_breaks(actor: User | None, report: WeeklyReport, open_only: bool = True) -> list[Break]:
    """The report's breaks the actor sees, by severity (then kind, buyer, category, supplier)."""
    stmt = sa.select(Break).where(Break.report_id == report.id)
    if open_only:
        stmt = stmt.where(Break.status.in_(OPEN_STATUSES))
    if actor is not None:
        stmt = stmt.where(break_scope(actor))
    rows = db.session.scalars(stmt).all()
    rows.sort(key=lambda b: (-b.severity, KIND_RANK.get(b.kind, 9), b.buyer, b.category, b.supplier or ""))
    return rows


# --- rows -------------------------------------------------------------------------------------

def break_dict(b: Break) -> dict:
    """A stored break as the report file's JSON object: the spec's fields, then two of issue 10
    (spec/chain-breaks.md has no field for them; breaks stay per category): ``unit``, the unit of
    ``quantity`` (null when the goods behind it are counted in different units), and
    ``products``, what is at stake product by product (``[{"product", "unit", "quantity"}]``;
    ``product`` null for goods named by category only)."""
    d = {"kind": b.kind, "buyer": b.buyer, "supplier": b.supplier, "category": b.category,
         "quantity": b.quantity, "factors": list(b.factors or []), "level": b.level,
         "owner_region": b.owner_region, "weeks_open": b.weeks_open, "status": b.status,
         "tier": b.tier, "path": list(b.path or []), "regions": list(b.regions or []), "severity": b.severity}
    if b.kind in BREAKS_WITH_PROPOSALS:
        d["pending_proposals"] = b.pending_proposals or 0
    d["unit"] = b.unit
    d["products"] = list(b.products or [])
    return d


def break_row(b: Break, names: dict, users: dict) -> dict:
    """A stored break for lists: the report file's object plus id, firm names, assignee, note, week."""
    d = break_dict(b)
    d.update(id=b.id, buyer_name=names.get(b.buyer), supplier_name=names.get(b.supplier),
             assignee_id=b.assignee_id, assignee_name=users.get(b.assignee_id), note=b.note,
             buyer_region=b.buyer_region, base_level=b.base_level, manual_steps=b.manual_steps or 0,
             week=b.report.week if b.report else None)
    return d


def firm_names(refs: Iterable[str | None]) -> dict[str, str]:
    """ref -> name of the given firms (unknown and empty refs left out)."""
    refs = {r for r in refs if r}
    if not refs:
        return {}
    return dict(db.session.execute(sa.select(Firm.ref, Firm.name).where(Firm.ref.in_(refs))).all())


def user_names(ids: Iterable[int | None]) -> dict[int, str]:
    """id -> name of the given users (unknown and empty ids left out)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def firm_industry_and_park(refs: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """ref -> (industry code, park) of the given firms."""
    refs = set(refs)
    if not refs:
        return {}
    return {r: (ind, park) for r, ind, park in db.session.execute(
        sa.select(Firm.ref, Firm.industry, Firm.park).where(Firm.ref.in_(refs))).all()}


# --- the parts of a report --------------------------------------------------------------------

def scoped_resolved(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The breaks resolved since the previous report that the actor sees (kind, buyer, supplier, category)."""
    return [{"kind": r["kind"], "buyer": r["buyer"], "supplier": r["supplier"], "category": r["category"]}
            for r in (report.resolved or [])
            if visible(actor, r.get("regions"), r.get("owner_region"), r.get("buyer_region"))]


def scoped_closed(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's breaks closed by staff (销号) that the actor sees, with their closing note: they
    stay in their week's report as closed (kind, buyer, supplier, category, note), by kind, buyer,
    category, supplier."""
    stmt = sa.select(Break.kind, Break.buyer, Break.supplier, Break.category, Break.note).where(
        Break.report_id == report.id, Break.status == "closed")
    if actor is not None:
        stmt = stmt.where(break_scope(actor))
    rows = [{"kind": k, "buyer": b, "supplier": s_, "category": c, "note": n}
            for k, b, s_, c, n in db.session.execute(stmt)]
    rows.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["buyer"], r["category"], r["supplier"] or ""))
    return rows


def scoped_blocked_firms(actor: User | None, report: WeeklyReport) -> list[dict]:
    """The report's firms asking for help in the actor's jurisdiction (their county in it), by firm ref."""
    rows = report.blocked_firms or []
    if actor is None:
        return [dict(r) for r in rows]
    prefix = scope_prefix(actor)
    if prefix is None:
        return []
    return [dict(r) for r in rows if (r.get("county") or "").startswith(prefix)]


def summarize(breaks: Iterable[dict]) -> dict:
    """Counts of breaks (report-file dicts) by kind, by factor and by level."""
    by_kind, by_factor, by_level = Counter(), Counter(), Counter()
    for b in breaks:
        by_kind[b["kind"]] += 1
        by_level[b["level"]] += 1
        for f in b["factors"]:
            by_factor[f] += 1
    return {"by_kind": {k: by_kind[k] for k in KINDS if by_kind[k]},
            "by_factor": dict(sorted(by_factor.items())),
            "by_level": {lv: by_level[lv] for lv in LEVELS if by_level[lv]}}


def open_counts(weeks_open: Iterable[int], resolved: int, closed: int = 0) -> dict[str, int]:
    """The headline counts from the open breaks' weeks_open: open, new (first week), continuing,
    resolved (its condition no longer holds) and closed by staff (销号); ``done``: the two together."""
    weeks_open = list(weeks_open)
    return {"open": len(weeks_open), "new": sum(1 for w in weeks_open if w == 1),
            "continuing": sum(1 for w in weeks_open if w > 1), "resolved": resolved, "closed": closed,
            "done": resolved + closed}


def _scoped_counties(actor: User | None, mapping: dict) -> list[tuple]:
    if actor is None:
        return list(mapping.items())
    prefix = scope_prefix(actor)
    if prefix is None:
        return []
    return [(c, v) for c, v in mapping.items() if (c or "").startswith(prefix)]


def monitoring_rows(actor: User | None, report: WeeklyReport) -> dict[str, list[dict]]:
    """Resumption by GB/T 4754 section and by park over the actor's counties (article 13)."""
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


def pairing_totals(actor: User | None, report: WeeklyReport) -> dict:
    """Pairings proposed and accepted in the report's week over the actor's counties; ``by_unit``
    (issue 10) splits the quantities by unit, since the totals add up goods of different units:
    ``{unit: {"proposed_quantity", "accepted_quantity"}}`` (empty for reports stored before)."""
    tot = [0, 0.0, 0, 0.0]
    by_unit = {}
    for _county, acc in _scoped_counties(actor, report.pairings or {}):
        for i in range(4):
            tot[i] += acc[i]
        for unit, (proposed, accepted) in (acc[4] if len(acc) > 4 else {}).items():
            u = by_unit.setdefault(unit, [0.0, 0.0])
            u[0] += proposed
            u[1] += accepted
    return {"proposed": int(tot[0]), "proposed_quantity": round(tot[1], 6),
            "accepted": int(tot[2]), "accepted_quantity": round(tot[3], 6),
            "by_unit": {u: {"proposed_quantity": round(p, 6), "accepted_quantity": round(a, 6)}
                        for u, (p, a) in sorted(by_unit.items())}}


def breaks_per_week(actor: User | None) -> list[tuple[str, int]]:
    """(week, number of stored breaks the actor sees) for every stored week, oldest first."""
    prefix = scope_prefix(actor) if actor is not None else ""
    rows = db.session.execute(
        sa.select(WeeklyReport.week, sa.func.count(Break.id)).join(Break, Break.report_id == WeeklyReport.id)
        .where(_in_scope_clause(prefix)).group_by(WeeklyReport.week).order_by(WeeklyReport.week)).all()
    return [(w, int(n)) for w, n in rows]


# --- the report file and break lists ----------------------------------------------------------

def report_parts(actor: User | None, report: WeeklyReport) -> dict:
    """Every part of the report file but its breaks and their counts (summary), for the actor:
    resolved, monitoring, pairings, commitments, leading firms (the API's pages and the streamed
    files take them from here, as report_data does)."""
    return {
        "resolved": scoped_resolved(actor, report),
        "closed": scoped_closed(actor, report),
        "blocked_firms": scoped_blocked_firms(actor, report),
        "monitoring": monitoring_rows(actor, report),
        "pairings": pairing_totals(actor, report),
        "commitments": scoped_commitments(actor, report),
        "leading_firms": scoped_leading_firms(actor, report),
    }


def report_file(report: WeeklyReport, breaks: list[dict], summary: dict, parts: dict) -> dict:
    """The report file of a report from its breaks, their counts and its other parts (report_parts)."""
    rest = dict(parts)
    return {"week": report.week, "as_of": report.as_of.isoformat(), "breaks": breaks,
            "resolved": rest.pop("resolved"), "closed": rest.pop("closed"), "blocked_firms": rest.pop("blocked_firms"),
            "summary": summary, **rest}


def report_data(actor: User | None = None, week: str | None = None) -> dict:
    """The report of a week as the spec's report file (the actor's region and below; all when None)."""
    require_reader(actor)
    report = get_report(week)
    breaks = [break_dict(b) for b in scoped_breaks(actor, report)]
    return report_file(report, breaks, summarize(breaks), report_parts(actor, report))


def escalated_to_us(actor: User | None, b: Break) -> bool:
    """Whether a break was escalated to the actor's own region: above its base level (by hand or by
    idle weeks) and owned by the actor's region (any region for admins and the system)."""
    if b.level == b.base_level:
        return False
    if actor is None or actor.role == "admin":
        return True
    return actor.region_code is not None and b.owner_region == actor.region_code


def _matches(b: Break, filters: dict) -> bool:
    if "kind" in filters and b.kind != filters["kind"]:
        return False
    if "factor" in filters and filters["factor"] not in (b.factors or []):
        return False
    if "level" in filters and b.level != filters["level"]:
        return False
    if "status" in filters and b.status != filters["status"]:
        return False
    if any(k in filters and getattr(b, k) != filters[k] for k in ("buyer", "supplier", "category")):
        return False
    return "owner_region" not in filters or (b.owner_region or "").startswith(filters["owner_region"])


def list_breaks(actor: User | None, week: str | None = None, filters: dict | None = None,
                include_closed: bool = False) -> list[dict]:
    """Breaks of a week's report (latest by default) in the actor's region, by severity, filtered
    by kind, factor, level, status, buyer, supplier, category, owner region (a prefix) or
    ``escalated`` (escalated to the actor's region: :func:`escalated_to_us`)."""
    require_reader(actor)
    report = get_report(week)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    open_only = not include_closed and "status" not in filters
    escalated = filters.pop("escalated", None)
    out = [b for b in scoped_breaks(actor, report, open_only=open_only) if _matches(b, filters)
           and (not escalated or escalated_to_us(actor, b))]
    names = firm_names({b.buyer for b in out} | {b.supplier for b in out})
    users = user_names({b.assignee_id for b in out})
    return [break_row(b, names, users) for b in out]
