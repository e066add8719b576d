"""A link's ledger as of a day (today by default): every entry, what each delivery still owes and
by when (graphs.commitments), and the link's overdue commitments, for the pages and the API."""
from datetime import date

import sqlalchemy as sa

import graphs
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.models import User
from matchmaker.models.ledger import Delivery, Order, Payment
from matchmaker.services import links
from matchmaker.services.ledger.entries import can_record
from matchmaker.services.support import network as net

__all__ = ["commitment_periods", "link_ledger", "commitment_dict"]


def commitment_periods() -> dict[str, int]:
    """The periods of article 10 (settings ORDER_DAYS, default 7, and PAY_DAYS, default 15)."""
    return {"order_days": int(setting("ORDER_DAYS", 7)), "pay_days": int(setting("PAY_DAYS", 15))}


def commitment_dict(c: graphs.Commitment) -> dict:
    """An overdue commitment as the weekly report's `commitments` object (spec/article10.md)."""
    return {"term": c.term, "link": c.link, "buyer": c.buyer, "supplier": c.supplier, "delivery": c.delivery,
            "due": c.due.isoformat(), "days_overdue": c.days_overdue, "unpaid": c.unpaid,
            "owner_region": c.owner_region}


def _rows(model, link_id):
    return db.session.scalars(sa.select(model).where(model.link_id == link_id)
                              .order_by(model.date, model.ref)).unique().all()


def link_ledger(actor: User, link_id: int, as_of: date | None = None) -> dict:
    """The ledger of a link the actor may read, settled as of `as_of` (default today): `orders`,
    `deliveries` (each with `applied`, `unpaid`, `paid_on`, `term` and `due` of its payment, and
    `days_overdue`), `payments`, `commitments` (overdue as of that day), totals, and what the actor
    may do (`may`: record orders / deliveries / payments, confirm deliveries)."""
    link = links.get_link(actor, link_id)
    as_of = as_of or clock.today()
    periods = commitment_periods()
    ledger = net.load_ledger(None, [link.id])
    record = net.ledger_link_record(link)
    settlement = graphs.settle(ledger.deliveries, ledger.payments, as_of)
    overdue = graphs.overdue_commitments([record], ledger.orders, ledger.deliveries, ledger.payments, as_of,
                                         settlement=settlement, **periods)
    late = {c.delivery: c for c in overdue if c.delivery}
    deliveries = []
    for row in _rows(Delivery, link.id):
        s = settlement.get(row.ref)
        rule = graphs.payment_due(record, row.date, periods["pay_days"])
        deliveries.append({
            "entry": row, "counted": s is not None, "applied": round(s.applied, 2) if s else 0.0,
            "unpaid": s.unpaid if s else row.amount, "paid_on": s.paid_on if s else None,
            "term": rule[0] if rule else None, "due": rule[1] if rule else None,
            "days_overdue": late[row.ref].days_overdue if row.ref in late else 0})
    orders, payments = _rows(Order, link.id), _rows(Payment, link.id)
    return {
        "link": link, "as_of": as_of, "periods": periods,
        "orders": orders, "deliveries": deliveries, "payments": payments,
        "commitments": [commitment_dict(c) for c in overdue],
        "totals": {"ordered": round(sum(o.quantity for o in orders), 6),
                   "delivered": round(sum(d["entry"].quantity for d in deliveries), 6),
                   "owed": round(sum(d["entry"].amount for d in deliveries if d["counted"]), 2),
                   "paid": round(sum(p.amount for p in payments if p.date <= as_of), 2),
                   "unpaid": round(sum(d["unpaid"] for d in deliveries if d["counted"]), 2)},
        "may": {"orders": can_record(actor, link, "orders"), "deliveries": can_record(actor, link, "deliveries"),
                "payments": can_record(actor, link, "payments"),
                "confirm": actor.role == "admin" or (actor.role == "firm" and actor.firm_id == link.buyer_id)},
    }
