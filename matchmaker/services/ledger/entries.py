"""Recording and reading the article-10 ledger on a link (spec/article10.md): the buyer records
its orders and payments, the supplier its deliveries, and the buyer confirms a delivery it
received. Both sides of the link, staff of either side's region and admins read them.

An entry refers to its link by ref; a link the actor may not read answers exactly like one that
does not exist. An entry records what happened, so the pages and the API refuse one dated after
today (a data package may carry any date). Refs are the service's (admins may choose one).
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from matchmaker import rules
from matchmaker.errors import Conflict, Forbidden, NotFound
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, User
from matchmaker.models.base import utcnow
from matchmaker.models.ledger import Delivery, Order, Payment
from matchmaker.services import links, postings
from matchmaker.services.support import common

__all__ = ["MODELS", "SECTIONS", "record_entry", "record_order", "record_delivery", "record_payment",
           "confirm_delivery", "get_entry", "list_entries", "recorder_side", "can_record"]

MODELS = {"orders": Order, "deliveries": Delivery, "payments": Payment}
SECTIONS = tuple(MODELS)
_PREFIX = {"orders": "PO", "deliveries": "D", "payments": "PAY"}
_WHAT = {"orders": "order", "deliveries": "delivery", "payments": "payment"}
_Supplier, _Buyer = aliased(Firm), aliased(Firm)


def recorder_side(section: str) -> str:
    """The side of the link that records entries of a section: `buyer` or `supplier`."""
    return rules.RECORDED_BY[section]


def can_record(actor: User, link: Link, section: str) -> bool:
    """Admins, and users of the firm on the side of the link that records this kind of entry."""
    if actor.role == "admin":
        return True
    side_id = link.buyer_id if recorder_side(section) == "buyer" else link.supplier_id
    return actor.role == "firm" and actor.firm_id is not None and actor.firm_id == side_id


def _link_or_error(actor: User, ref, errors: dict) -> Link | None:
    """The readable link with this ref; an unknown and an unreadable link get the same message."""
    if errors.get("link"):
        return None
    try:
        return links.get_link_by_ref(actor, ref)
    except NotFound:
        rules.add(errors, "link", "unknown link")
        return None


def record_entry(actor: User, section: str, data: dict) -> Order | Delivery | Payment:
    """Record an order, delivery or payment (section `orders`, `deliveries` or `payments`) on the
    link named by `data["link"]`; returns the stored entry."""
    if actor.role not in ("firm", "admin"):
        raise Forbidden("task-force staff may read but not record the ledger")
    data = dict(data)
    errors = {}
    postings.check_ref_choice(actor, data, errors)
    rules.check_entry(section, data, errors)
    link = _link_or_error(actor, data.get("link"), errors)
    if link is not None and not can_record(actor, link, section):
        raise Forbidden(f"only the {recorder_side(section)} of the link records its {section}")
    if isinstance(data.get("date"), date) and not errors.get("date") and \
            rules.recorded_in_the_future(data["date"], clock.today()):
        rules.add(errors, "date", "must not be after today")
    delivery = None
    if section == "payments" and data.get("delivery") and link is not None and not errors.get("delivery"):
        delivery = db.session.scalar(sa.select(Delivery).where(Delivery.ref == data["delivery"],
                                                               Delivery.link_id == link.id))
        if delivery is None:
            rules.add(errors, "delivery", "not a delivery of this link")
    rules.raise_if(errors, f"invalid {_WHAT[section]}")
    model = MODELS[section]
    ref = data.get("ref") or postings.new_ref(model, _PREFIX[section])
    if common.ref_taken(model, ref):
        raise Conflict("an entry with ref %(ref)s exists", {"ref": ["already exists"]}, ref=ref)
    values = {k: data[k] for k in ("date", "quantity", "amount") if k in data}
    row = model(ref=ref, link=link, **values)
    if delivery is not None:
        row.delivery = delivery
    db.session.add(row)
    common.commit()
    return row


def record_order(actor: User, data: dict) -> Order:
    """The buyer records an order it placed on the link."""
    return record_entry(actor, "orders", data)


def record_delivery(actor: User, data: dict) -> Delivery:
    """The supplier records a delivery it made on the link (quantity, and amount owed in CNY)."""
    return record_entry(actor, "deliveries", data)


def record_payment(actor: User, data: dict) -> Payment:
    """The buyer records a payment it made on the link (for a named delivery, or the oldest owed)."""
    return record_entry(actor, "payments", data)


def get_entry(actor: User, section: str, entry_id: int) -> Order | Delivery | Payment:
    """One entry of a section, if the actor may read its link (else NotFound)."""
    row = common.get_row(MODELS[section], entry_id, _WHAT[section])
    if not links.can_read_link(actor, row.link):
        raise NotFound(f"{_WHAT[section]} %(id)s not found", id=entry_id)
    return row


def confirm_delivery(actor: User, delivery_id: int) -> Delivery:
    """The buyer confirms it received a delivery (confirming twice changes nothing)."""
    row = get_entry(actor, "deliveries", delivery_id)
    if not (actor.role == "admin" or (actor.role == "firm" and actor.firm_id == row.link.buyer_id)):
        raise Forbidden("only the buyer confirms a delivery")
    if row.confirmed_at is None:
        row.confirmed_at = utcnow()
        row.confirmed_by = actor.email
        common.commit()
    return row


def list_entries(actor: User, section: str, filters: dict | None = None, page: int = 1,
                 page_size: int = 50) -> tuple[list[Order | Delivery | Payment], int]:
    """(entries, total) of a section the actor may read, oldest first (by date, then ref);
    filters: link (its ref), since / until (dates, inclusive)."""
    filters = filters or {}
    model = MODELS[section]
    link_ids = (sa.select(Link.id).join(_Supplier, Link.supplier_id == _Supplier.id)
                .join(_Buyer, Link.buyer_id == _Buyer.id)
                .where(sa.or_(common.firm_scope(actor, _Supplier), common.firm_scope(actor, _Buyer))))
    stmt = sa.select(model).where(model.link_id.in_(link_ids))
    if filters.get("link"):
        stmt = stmt.where(model.link_id.in_(sa.select(Link.id).where(Link.ref == filters["link"])))
    if filters.get("since"):
        stmt = stmt.where(model.date >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(model.date <= filters["until"])
    return common.page_of(stmt.order_by(model.date, model.ref), page, page_size)
