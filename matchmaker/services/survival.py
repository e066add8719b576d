"""Time to survive and time to recover (issue 13, item 6): days of stock, expected restart, critical breaks.

Buyers state days of stock on a need (``need.days_of_stock``, with the need) or on a link
(:func:`set_link_days_of_stock`: the buyer's own figure, no confirmation by the supplier);
suppliers their expected restart (``firm.expected_restart``, with their status). For the open
breaks of a stored report, :func:`survival_by_break` says when each buyer runs out, when supply
recovers and whether the break is critical (:func:`graphs.survival.survival`, counted from
today); the pages and the agenda put critical items first (:func:`graphs.survival.critical_first`).
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from graphs.survival import Survival, critical_first, survival
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, User
from matchmaker.models.report import OPEN_STATUSES, Break, break_key
from matchmaker.rules import check_int, raise_if
from matchmaker.services.reports.read import get_report
from matchmaker.services.support import common
from matchmaker.services.support.errors import Forbidden, NotFound

__all__ = ["survival_by_break", "with_survival", "set_link_days_of_stock"]


def _supply_stock() -> dict[tuple, int]:
    """(supplier ref, buyer ref, category) -> the smallest days of stock stated on its active links."""
    s, b = aliased(Firm), aliased(Firm)
    out: dict[tuple, int] = {}
    for sup, buy, cat, days in db.session.execute(
            sa.select(s.ref, b.ref, Link.category_code, Link.days_of_stock).join(s, Link.supplier_id == s.id)
            .join(b, Link.buyer_id == b.id).where(Link.active.is_(True), Link.days_of_stock.is_not(None))):
        key = (sup, buy, cat)
        out[key] = min(days, out.get(key, days))
    return out


def _need_stock(today: date) -> dict[tuple, tuple[int, date]]:
    """(buyer ref, category) -> (smallest days of stock, earliest due date) of its open needs not past
    due that state days of stock."""
    out: dict[tuple, tuple[int, date]] = {}
    for buy, cat, days, due in db.session.execute(
            sa.select(Firm.ref, Need.category_code, Need.days_of_stock, Need.needed_by)
            .join(Firm, Need.firm_id == Firm.id)
            .where(Need.status == "open", Need.days_of_stock.is_not(None), Need.needed_by >= today)):
        old = out.get((buy, cat))
        out[(buy, cat)] = (min(days, old[0]), min(due, old[1])) if old else (days, due)
    return out


def _restarts() -> dict[str, date]:
    """Firm ref -> its expected restart, for the firms that stated one."""
    return dict(db.session.execute(sa.select(Firm.ref, Firm.expected_restart)
                                   .where(Firm.expected_restart.is_not(None))).all())


def _survivals(rows, today: date) -> dict[str, Survival]:
    """Break key -> Survival of rows with key, kind, buyer, supplier, category (those with a days of
    stock or a restart date to go by)."""
    supply, needs, restarts = _supply_stock(), _need_stock(today), _restarts()
    out = {}
    for key, kind, buyer, supplier, category in rows:
        if kind in ("supplier_down", "supplier_strained"):
            days, restart = supply.get((supplier, buyer, category)), restarts.get(supplier)
            if days is not None or restart is not None:
                out[key] = survival(kind, today, days_of_stock=days, restart=restart)
        elif kind in ("uncovered_need", "chain_gap") and (buyer, category) in needs:
            days, due = needs[(buyer, category)]
            out[key] = survival(kind, today, days_of_stock=days, due=due)
    return out


def survival_by_break(week: str | None = None) -> dict[str, Survival]:
    """Break key -> :class:`graphs.survival.Survival` of every open break of a stored week's report
    (default: the latest) that has a buyer's days of stock or a supplier's restart to go by, counted
    from today; the agenda sorts by it (``graphs.critical_first``)."""
    report = get_report(week)
    b = Break.__table__.c
    rows = db.session.execute(sa.select(b.key, b.kind, b.buyer, b.supplier, b.category).where(
        b.report_id == report.id, b.status.in_(OPEN_STATUSES))).all()
    return _survivals(rows, clock.today())


def with_survival(breaks: list[dict]) -> list[dict]:
    """Break rows as pages show them (dicts with kind, buyer, supplier, category), each given its
    ``survival`` (a dict: ``runs_out``, ``recovers``, ``days_left``, ``critical``; None when nothing
    is known), critical first, then by days until the buyer runs out, else in the given order."""
    keys = [break_key(d["kind"], d["buyer"], d["category"], d.get("supplier")) for d in breaks]
    found = _survivals([(k, d["kind"], d["buyer"], d.get("supplier"), d["category"]) for k, d in zip(keys, breaks)],
                       clock.today())
    rows = [dict(d, survival=found[k]._asdict() if k in found else None) for k, d in zip(keys, breaks)]
    return critical_first(rows, lambda d: Survival(**d["survival"]) if d["survival"] else None)


def set_link_days_of_stock(actor: User, link_id: int, days: int | None) -> Link:
    """The buyer states its days of stock of what a link supplies (its own figure: no request to the
    supplier); None clears it. The buyer's users and admins."""
    row = db.session.get(Link, link_id)
    if row is None or not (actor.role == "admin" or (actor.role == "firm" and actor.firm_id == row.buyer_id)):
        if row is not None and actor.role == "firm" and actor.firm_id == row.supplier_id:
            raise Forbidden("only the buyer states its days of stock")
        raise NotFound(f"link {link_id} not found")
    errors: dict = {}
    check_int({"days_of_stock": days}, "days_of_stock", errors)
    raise_if(errors, "invalid days of stock")
    row.days_of_stock = days
    common.commit()
    return row
