"""The data package's ledger sections (orders, deliveries, payments; spec/article10.md) in the
database: what validation needs to know of what is stored, writing them (upsert by ref, in bulk,
after the links they refer to) and reading them back for export.

`services.packages` calls these with its own bulk helpers, so the one import transaction and its
counts cover the ledger like every other section.
"""
from collections.abc import Callable

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Link
from matchmaker.models.base import utcnow
from matchmaker.models.ledger import Delivery, Order, Payment
from matchmaker.packages.validate import Stored
from matchmaker.rules import LEDGER_SECTIONS

__all__ = ["LEDGER_SECTIONS", "MODELS", "load_stored", "ledger_writer", "stored_entries"]

MODELS = {"orders": Order, "deliveries": Delivery, "payments": Payment}


def load_stored(stored: Stored) -> None:
    """Fill the ledger part of a `packages.validate.Stored`: link refs, each stored delivery's link,
    the stored payments that name a delivery (one query each)."""
    stored.link_refs = set(db.session.scalars(sa.select(Link.ref)))
    d, lk = Delivery.__table__.c, Link.__table__.c
    stored.delivery_links = dict(db.session.execute(sa.select(d.ref, lk.ref).join_from(
        Delivery.__table__, Link.__table__, d.link_id == lk.id)).all())
    p = Payment.__table__.c
    rows = db.session.execute(sa.select(d.ref, p.ref, lk.ref)
                              .join_from(Payment.__table__, Delivery.__table__, p.delivery_id == d.id)
                              .join(Link.__table__, p.link_id == lk.id)).all()
    for delivery, payment, link in rows:
        stored.payments_naming.setdefault(delivery, []).append((payment, link))


def _ids(model, refs) -> dict:
    """ref -> id of the stored rows of a model with these refs."""
    refs = list(set(refs))
    out = {}
    for i in range(0, len(refs), 2000):
        out.update(db.session.execute(sa.select(model.ref, model.id).where(model.ref.in_(refs[i:i + 2000]))).all())
    return out


def _row(section, rec, link_ids, delivery_ids):
    row = dict(ref=rec["ref"], link_id=link_ids[rec["link"]], date=rec["date"])
    if section != "payments":
        row["quantity"] = rec["quantity"]
    if section != "orders":
        row["amount"] = rec["amount"]
    if section == "payments":
        row["delivery_id"] = delivery_ids[rec["delivery"]] if rec["delivery"] is not None else None
    return row


def ledger_writer(section: str, split: Callable) -> Callable:
    """The writer of a ledger section for `services.packages`: (package, writer) -> (created,
    replaced, unchanged). Entries refer to links (and payments to deliveries) written before them."""
    model = MODELS[section]

    def write(package, w):
        records = [rec for _, rec in package.get(section, ())]
        link_ids = _ids(Link, [r["link"] for r in records])
        delivery_ids = _ids(Delivery, [r["delivery"] for r in records if r.get("delivery")]) \
            if section == "payments" else {}
        table = model.__table__
        rows = [_row(section, r, link_ids, delivery_ids) for r in records]
        new, changed, unchanged = split(table, "ref", rows)
        w.update(table, "id", changed, {"version": table.c.version + 1})
        w.insert(table, [dict(r, created_at=utcnow(), version=1) for r in new])
        w.tick(unchanged)
        return len(new), len(changed), unchanged

    return write


def stored_entries() -> dict:
    """The stored ledger as data-package sections {section: [record]}, each in id order."""
    link_refs = dict(db.session.execute(sa.select(Link.id, Link.ref)).all())
    delivery_refs = dict(db.session.execute(sa.select(Delivery.id, Delivery.ref)).all())
    o, d, p = Order.__table__, Delivery.__table__, Payment.__table__
    return {
        "orders": [dict(ref=r.ref, link=link_refs[r.link_id], date=r.date, quantity=r.quantity)
                   for r in db.session.execute(sa.select(o.c.ref, o.c.link_id, o.c.date, o.c.quantity)
                                               .order_by(o.c.id))],
        "deliveries": [dict(ref=r.ref, link=link_refs[r.link_id], date=r.date, quantity=r.quantity, amount=r.amount)
                       for r in db.session.execute(sa.select(d.c.ref, d.c.link_id, d.c.date, d.c.quantity,
                                                             d.c.amount).order_by(d.c.id))],
        "payments": [dict(ref=r.ref, link=link_refs[r.link_id], date=r.date, amount=r.amount,
                          delivery=delivery_refs.get(r.delivery_id))
                     for r in db.session.execute(sa.select(p.c.ref, p.c.link_id, p.c.date, p.c.amount,
                                                           p.c.delivery_id).order_by(p.c.id))],
    }
