"""What a person's home and a firm's breaks page read of the latest report: the headline counts, the
breaks assigned to a staff member or escalated to their region, and a firm's own breaks (as buyer or
as supplier)."""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, User
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.auth import in_scope
from matchmaker.services.reports.read import (scoped_breaks, break_row, firm_names, get_report, latest_report_id,
                                              open_counts, require_reader, scoped_closed, scoped_resolved,
                                              user_names)
from matchmaker.services.support.errors import Forbidden, NotFound

__all__ = ["report_summary", "breaks_assigned_to", "breaks_escalated_to", "latest_firm_breaks"]


def report_summary(actor: User | None) -> dict | None:
    """The latest report's headline for a staff home page: week, as_of, open / new / continuing / resolved."""
    require_reader(actor)
    try:
        report = get_report()
    except NotFound:
        return None
    rows = scoped_breaks(actor, report)
    return {"week": report.week, "as_of": report.as_of,
            **open_counts((b.weeks_open for b in rows), len(scoped_resolved(actor, report)),
                          len(scoped_closed(actor, report)))}


def _open_breaks_by_severity(report_id: int, condition) -> list[Break]:
    rows = db.session.scalars(sa.select(Break).where(Break.report_id == report_id, condition,
                                                     Break.status.in_(OPEN_STATUSES))).all()
    rows.sort(key=lambda b: -b.severity)
    return rows


def breaks_escalated_to(actor: User) -> list[dict]:
    """Open breaks of the latest report escalated to the actor's region (its home's signal), by severity."""
    require_reader(actor)
    rid = latest_report_id()
    if rid is None:
        return []
    condition = Break.level != Break.base_level
    if actor.role != "admin":
        condition = sa.and_(condition, Break.owner_region == (actor.region_code or "-"))
    rows = _open_breaks_by_severity(rid, condition)
    names = firm_names({b.buyer for b in rows} | {b.supplier for b in rows})
    return [break_row(b, names, user_names({b.assignee_id for b in rows})) for b in rows]


def breaks_assigned_to(actor: User) -> list[dict]:
    """Open breaks of the latest report assigned to the actor, by severity."""
    rid = latest_report_id()
    if rid is None:
        return []
    rows = _open_breaks_by_severity(rid, Break.assignee_id == actor.id)
    names = firm_names({b.buyer for b in rows} | {b.supplier for b in rows})
    return [break_row(b, names, {actor.id: actor.name}) for b in rows]


def latest_firm_breaks(actor: User | None, firm_id: int) -> dict:
    """The latest report's open breaks where the firm is the buyer (its own supply) or the supplier
    (a buyer's supply it strains or breaks), by severity."""
    firm = db.session.get(Firm, firm_id)
    if firm is None:
        raise NotFound("firm not found")
    if actor is not None and actor.role == "firm" and actor.firm_id != firm.id:
        raise Forbidden("not your firm")
    if actor is not None and actor.role == "staff" and not in_scope(actor, firm.region_code):
        raise NotFound("firm not found")
    rid = latest_report_id()
    if rid is None:
        return {"week": None, "breaks": []}
    report = db.session.get(WeeklyReport, rid)
    rows = _open_breaks_by_severity(rid, sa.or_(Break.buyer == firm.ref, Break.supplier == firm.ref))
    names = firm_names({b.supplier for b in rows} | {b.buyer for b in rows} | {firm.ref})
    return {"week": report.week, "breaks": [break_row(b, names, {}) for b in rows]}

