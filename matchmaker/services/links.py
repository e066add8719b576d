"""Links: supply relationships that exist between a supplier and a buyer firm, and the requests
one firm makes for the other side to confirm a link or a change to one.

A link is a fact the chain map, the breaks, the reports and the matcher rely on, so one firm
alone cannot make one with another firm or change one: a firm user's new link or change is a
`LinkRequest` that takes effect only when the other side confirms it. Links made by an admin,
by a data-package import (admins and the server's operator) or from an accepted pairing (both
sides accepted it) exist at once. Deactivating a link (the relationship ended) needs one side.
"""
import functools
from collections.abc import Mapping
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from matchmaker import rules
from matchmaker.errors import Conflict, Forbidden, Invalid, Message
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Link, LinkRequest, Product, User
from matchmaker.models.base import utcnow
from matchmaker.models.link import LINK_REQUEST_KINDS, LINK_REQUEST_STATUSES
from matchmaker.services import postings
from matchmaker.services.auth import can_read_firm
from matchmaker.services.support import common, goods, signals
from matchmaker.services import notifications

AWAITING = "awaiting_confirmation"
# requests one firm may have awaiting an answer at once (a bound on what it can put before others)
MAX_AWAITING = 100


def can_read_link(actor: User, link: Link) -> bool:
    """A link is visible to whoever may read its supplier or its buyer."""
    return can_read_firm(actor, link.supplier) or can_read_firm(actor, link.buyer)


def can_write_link(actor: User, link_or_firms: Link | tuple[Firm, Firm]) -> bool:
    """Admins, and users of the supplier or the buyer firm."""
    if actor.role == "admin":
        return True
    firms = link_or_firms if isinstance(link_or_firms, tuple) else (link_or_firms.supplier, link_or_firms.buyer)
    return actor.role == "firm" and actor.firm_id is not None and any(f.id == actor.firm_id for f in firms)


def _validate(data: dict, errors: dict, row: Optional[Link]) -> None:
    """The rules of a link (`rules.check_link`), then its category and product (row is None when creating)."""
    rules.check_link(data, errors, row is None)
    goods.resolve_goods(data, errors, row)


def _build(data: dict) -> dict:
    """Model attributes from validated fields (only those given)."""
    return common.row_values(data, ("ref", "supplier", "buyer", "version"), {"terms": list, "active": True})


def create_link(actor: User, data: Mapping[str, Any]) -> Link | LinkRequest:
    """Record a supply relationship. An admin's link exists at once; a firm user's firm must be its
    supplier or buyer, and what it gets is a LinkRequest the other firm must confirm."""
    if actor.role not in ("firm", "admin"):
        raise Forbidden("task-force staff may read but not change links")
    data = dict(data)
    data.pop("version", None)
    if actor.role == "firm":
        return _ask_for_new_link(actor, data)
    errors = {}
    firms = {}
    for side in ("supplier", "buyer"):
        firms[side] = common.firm_by_ref(data.get(side))
        if firms[side] is None:
            errors.setdefault(side, []).append("required" if not data.get(side) else "unknown firm")
    if rules.supplies_itself(firms["supplier"], firms["buyer"]):
        rules.add(errors, "buyer", "a firm cannot supply itself")
    _validate(data, errors, None)
    rules.raise_if(errors, "invalid link")
    ref = data.get("ref") or postings.new_ref(Link, "L")
    if common.ref_taken(Link, ref):
        raise Conflict("a link with ref %(ref)s exists", {"ref": ["already exists"]}, ref=ref)
    row = Link(ref=ref, supplier_id=firms["supplier"].id, buyer_id=firms["buyer"].id, **_build(data))
    db.session.add(row)
    common.commit()
    return row


def _ask_for_new_link(actor, data):
    """A firm user's new link: a request to the other side, the same answer whether or not a firm
    with that ref exists or the caller may see it (the other ref is not looked up)."""
    own = actor.firm
    if own is None or own.ref not in (data.get("supplier"), data.get("buyer")):
        raise Forbidden("your firm must be the supplier or the buyer")
    errors = {}
    postings.check_ref_choice(actor, data, errors)
    side = "buyer" if data.get("supplier") == own.ref else "supplier"
    other = data.get(side)
    if rules.supplies_itself(own.ref, other):
        rules.add(errors, "buyer", "a firm cannot supply itself")
    else:
        rules.check_text(data, side, errors, rules.MAX_LENGTH[side], required=True)
    _validate(data, errors, None)
    rules.raise_if(errors, "invalid link")
    values = _build(data)
    waiting = db.session.scalar(sa.select(sa.func.count(LinkRequest.id)).where(
        LinkRequest.firm_id == own.id, LinkRequest.status == AWAITING))
    if waiting >= MAX_AWAITING:
        raise Conflict("your firm has too many requests awaiting an answer; withdraw some first",
                       {"supplier": ["too many requests awaiting"], "buyer": ["too many requests awaiting"]})
    duplicate = db.session.scalar(sa.select(LinkRequest.id).where(
        LinkRequest.firm_id == own.id, LinkRequest.kind == "new", LinkRequest.status == AWAITING,
        LinkRequest.supplier_ref == data["supplier"], LinkRequest.buyer_ref == data["buyer"],
        LinkRequest.category_code == values["category_code"]))
    if duplicate is not None:
        raise Conflict("your firm asked for this link already; the request awaits confirmation",
                       {"supplier": ["already asked"], "buyer": ["already asked"]})
    req = LinkRequest(kind="new", firm_id=own.id, awaiting_ref=other, supplier_ref=data["supplier"],
                      buyer_ref=data["buyer"], category_code=values["category_code"],
                      product_code=values.get("product_code"), quantity_per_week=values["quantity_per_week"],
                      terms=values.get("terms", []),
                      active=values.get("active", True), status=AWAITING)
    db.session.add(req)
    common.commit()
    return req


def get_link(actor: User, link_id: int) -> Link:
    """The link with this id, if the actor may read it (else NotFound)."""
    return common.readable_row(Link, link_id, "link", lambda row: can_read_link(actor, row))


def get_link_by_ref(actor: User, ref: str) -> Link:
    """The link with this ref, if the actor may read it (else NotFound)."""
    return common.readable_row_by_ref(Link, ref, "link", lambda row: can_read_link(actor, row))


def update_link(actor: User, link_id: int, data: Mapping[str, Any]) -> Link | LinkRequest:
    """Edit a link's category, weekly quantity, terms or active flag. An admin's edit, and a side's
    deactivation, take effect at once (returns the Link); any other edit by a side is a change
    request the other side must confirm (returns the LinkRequest)."""
    data = dict(data)
    row = get_link(actor, link_id)
    if not can_write_link(actor, row):
        raise Forbidden("your firm must be the supplier or the buyer")
    common.check_version(row, data)
    data.pop("version", None)
    for key, current in (("ref", row.ref), ("supplier", row.supplier.ref), ("buyer", row.buyer.ref)):
        if key in data and data[key] not in (None, current):
            raise Invalid(f"the {key} of a link cannot be changed", {key: ["cannot be changed"]})
        data.pop(key, None)
    errors = {}
    _validate(data, errors, row)
    rules.raise_if(errors, "invalid link")
    changes = {attr: value for attr, value in _build(data).items() if getattr(row, attr) != value}
    if not changes:
        return row
    if actor.role != "admin" and changes != {"active": False}:
        return _ask_for_change(actor, row, changes)
    _apply(actor, row, changes)
    common.commit()
    return row


def _apply(actor, row, changes, keep=None):
    """Make changes to a link (flushed, not committed); requests awaiting to change it are
    superseded (all but `keep`, the one being confirmed)."""
    was_active = row.active
    for attr, value in changes.items():
        setattr(row, attr, value)
    _supersede(row.id, keep)
    common.flush()
    if was_active and not row.active:
        signals.link_deactivated.send("link", link=row, actor=actor)


def _supersede(link_id, keep=None):
    """Mark the change requests awaiting for a link superseded (a newer change replaced them)."""
    stmt = sa.select(LinkRequest).where(LinkRequest.link_id == link_id, LinkRequest.kind == "change",
                                        LinkRequest.status == AWAITING)
    now = utcnow()
    for req in db.session.scalars(stmt):
        if req is not keep:
            req.status, req.decided_at = "superseded", now


def _ask_for_change(actor, row, changes):
    """A side's change to a link: a request to the other side (an earlier one awaiting is replaced)."""
    other = row.buyer.ref if row.supplier_id == actor.firm_id else row.supplier.ref
    _supersede(row.id)
    req = LinkRequest(kind="change", firm_id=actor.firm_id, awaiting_ref=other, supplier_ref=row.supplier.ref,
                      buyer_ref=row.buyer.ref, link_id=row.id, link_version=row.version,
                      category_code=changes.get("category_code"), product_code=changes.get("product_code"),
                      product_cleared=True if ("product_code" in changes and changes["product_code"] is None)
                      else None,
                      quantity_per_week=changes.get("quantity_per_week"), terms=changes.get("terms"),
                      active=changes.get("active"), status=AWAITING)
    db.session.add(req)
    common.commit()
    return req


def deactivate_link(actor: User, link_id: int, version: int | None = None) -> Link | LinkRequest:
    """Mark a link inactive (the relationship ended; either side may); idempotent."""
    data = {"active": False}
    if version is not None:
        data["version"] = version
    return update_link(actor, link_id, data)


_SUPPLIER, _BUYER = aliased(Firm, name="supplier"), aliased(Firm, name="buyer")


@functools.cache
def _listed_links() -> sa.Select:
    """The select of listed links (built once): the two firms come from the joins the scope and
    filters need, not from two more eager ones, with what a list shows of them (id, ref, name)."""
    supplier, buyer = _SUPPLIER, _BUYER
    return (sa.select(Link)
            .join(supplier, Link.supplier_id == supplier.id)
            .join(buyer, Link.buyer_id == buyer.id)
            .options(contains_eager(Link.supplier.of_type(supplier)).load_only(supplier.id, supplier.ref, supplier.name),
                     contains_eager(Link.buyer.of_type(buyer)).load_only(buyer.id, buyer.ref, buyer.name)))


@functools.cache
def _link_rows() -> sa.Select:
    """The select of listed links as rows (built once): the link's columns, ``supplier_ref`` and
    ``buyer_ref`` from the joins the scope and filters need, and ``unit`` (as ``Link.unit``)."""
    unit = sa.func.coalesce(Product.unit, Category.unit)  # rules.posting_unit: the product's, else the category's
    return (sa.select(*Link.__table__.c, _SUPPLIER.ref.label("supplier_ref"), _BUYER.ref.label("buyer_ref"),
                      unit.label("unit"))
            .join(_SUPPLIER, Link.supplier_id == _SUPPLIER.id)
            .join(_BUYER, Link.buyer_id == _BUYER.id)
            .join(Category, Link.category_code == Category.code)
            .outerjoin(Product, Link.product_code == Product.code))


def list_links(actor: User, filters: Mapping[str, Any] | None = None, page: int = 1,
               page_size: int = 50) -> tuple[list[Link], int]:
    """(links, total) the actor may read; filters: category, region (supplier or buyer in it),
    kind (of either firm), status (active | inactive), firm (supplier or buyer ref)."""
    return common.page_of(_readable(_listed_links(), actor, filters), page, page_size)


def list_link_rows(actor: User, filters: Mapping[str, Any] | None = None, page: int = 1,
                   page_size: int = 50) -> tuple[list[sa.Row], int]:
    """The links of :func:`list_links` as rows, not ORM objects (a list is read, never changed), in
    one select (:func:`_link_rows`)."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    if filters.get("region"):  # (the prefix in the key: a region's level could change)
        filters["region_prefix"] = common.region_filter_prefix(filters["region"])
    key = ("links", common.scope_key(actor), tuple(sorted(filters.items())))
    stmt = common.kept_statement(key, lambda: _readable(_link_rows(), actor, filters))
    return common.rows_page_of(stmt, page, page_size)


def _readable(stmt: sa.Select, actor: User, filters: Mapping[str, Any] | None) -> sa.Select:
    """A select of links joined to their supplier and buyer, narrowed to what the actor may read
    and to the filters, by id."""
    filters = filters or {}
    supplier, buyer = _SUPPLIER, _BUYER
    stmt = stmt.where(sa.or_(common.firm_scope(actor, supplier), common.firm_scope(actor, buyer)))
    if filters.get("category"):
        stmt = stmt.where(Link.category_code == filters["category"])
    if filters.get("region"):
        prefix = filters.get("region_prefix") or common.region_filter_prefix(filters["region"])
        stmt = stmt.where(sa.or_(supplier.region_code.startswith(prefix), buyer.region_code.startswith(prefix)))
    if filters.get("kind"):
        stmt = stmt.where(sa.or_(supplier.kind == filters["kind"], buyer.kind == filters["kind"]))
    status = filters.get("status")
    if status is not None:
        if status not in rules.LINK_STATES:
            raise Invalid("unknown status", {"status": ["one of: active, inactive"]})
        stmt = stmt.where(Link.active.is_(status == "active"))
    if filters.get("active") is not None:
        stmt = stmt.where(Link.active.is_(bool(filters["active"])))
    if filters.get("firm"):
        stmt = stmt.where(sa.or_(supplier.ref == filters["firm"], buyer.ref == filters["firm"]))
    if filters.get("supplier"):
        stmt = stmt.where(supplier.ref == filters["supplier"])
    if filters.get("buyer"):
        stmt = stmt.where(buyer.ref == filters["buyer"])
    return stmt.order_by(Link.id)


# --- requests: what one side asks and the other confirms ---------------------------------------

def is_request(result: Link | LinkRequest) -> bool:
    """Whether a create or update answered with a request (for the other side) rather than a link."""
    return isinstance(result, LinkRequest)


def _awaited_firm(req):
    """The firm whose confirmation a request awaits, or None when no firm has that ref."""
    return common.firm_by_ref(req.awaiting_ref)


def can_read_link_request(actor: User, req: LinkRequest) -> bool:
    """The asking firm and the firm asked (by ref) see a request; staff when either is in their
    region; admins all."""
    if actor.role == "firm":
        return actor.firm is not None and (req.firm_id == actor.firm_id or req.awaiting_ref == actor.firm.ref)
    if can_read_firm(actor, req.firm):
        return True
    awaited = _awaited_firm(req)
    return awaited is not None and can_read_firm(actor, awaited)


def get_link_request(actor: User, request_id: int) -> LinkRequest:
    """The link request with this id, if the actor may read it (else NotFound)."""
    return common.readable_row(LinkRequest, request_id, "link request", lambda req: can_read_link_request(actor, req))


def is_awaited_side(actor: User, req: LinkRequest) -> bool:
    """Whether the actor answers for the firm a request awaits (a user of that firm)."""
    return actor.role == "firm" and actor.firm is not None and req.awaiting_ref == actor.firm.ref


def _decide(actor, request_id, decision):
    """(request, pending): the request, readable by the actor and allowed to take this decision;
    pending is False when it already has exactly this outcome (answering twice is harmless)."""
    req = get_link_request(actor, request_id)
    asking_side = actor.role == "firm" and req.firm_id == actor.firm_id
    if decision == "withdrawn":
        if not (asking_side or actor.role == "admin"):
            raise Forbidden("only the firm that asked may withdraw its request")
    elif not (is_awaited_side(actor, req) or actor.role == "admin"):
        raise Forbidden("the other side of the link must answer this request")
    if req.status == decision:
        return req, False
    if req.status != AWAITING:
        raise Conflict("this request was answered already", {"status": [req.status]})
    return req, True


def confirm_link_request(actor: User, request_id: int) -> LinkRequest:
    """The awaited side (or an admin) confirms: a new link is made, or the change is applied."""
    req, pending = _decide(actor, request_id, "confirmed")
    if not pending:
        return req
    if req.kind == "new":
        supplier, buyer = common.firm_by_ref(req.supplier_ref), common.firm_by_ref(req.buyer_ref)
        if supplier is None or buyer is None:  # only an admin gets here: firm users are one of the sides
            raise Invalid("no firm has this ref", {"awaiting": ["unknown firm; decline the request"]})
        link = Link(ref=postings.new_ref(Link, "L"), supplier_id=supplier.id, buyer_id=buyer.id,
                    category_code=req.category_code, product_code=req.product_code,
                    quantity_per_week=req.quantity_per_week,
                    terms=list(req.terms or []), active=True if req.active is None else req.active,
                    since=clock.today())
        db.session.add(link)
        common.flush()
        req.link_id = link.id
    else:
        link = req.link
        if link.version != req.link_version:
            raise Conflict("the link changed since this change was asked for; decline it and ask again",
                           {"version": [Message("the link is at version %(now)s, not %(asked)s", now=link.version,
                                                   asked=req.link_version)]})
        changes = {attr: getattr(req, attr) for attr in ("category_code", "product_code", "quantity_per_week",
                                                         "terms", "active") if getattr(req, attr) is not None}
        if req.product_cleared:  # the link trades by category only from now on
            changes["product_code"] = None
        _apply(actor, link, changes, keep=req)
    req.status, req.decided_at = "confirmed", utcnow()
    if req.kind == "new":
        notifications.link_formed(link)
    common.commit()
    return req


def decline_link_request(actor: User, request_id: int) -> LinkRequest:
    """The awaited side (or an admin) declines: nothing changes."""
    return _close_request(actor, request_id, "declined")


def withdraw_link_request(actor: User, request_id: int) -> LinkRequest:
    """The asking side (or an admin) takes its request back."""
    return _close_request(actor, request_id, "withdrawn")


def _close_request(actor, request_id, decision):
    req, pending = _decide(actor, request_id, decision)
    if not pending:
        return req
    req.status, req.decided_at = decision, utcnow()
    common.commit()
    return req


def list_link_requests(actor: User, filters: Mapping[str, Any] | None = None, page: int = 1,
                       page_size: int = 50) -> tuple[list[LinkRequest], int]:
    """(requests, total) the actor may read, newest first; filters: status, kind, direction
    (`incoming`: awaiting the actor's firm; `outgoing`: asked by it), link (id), firm (either side's ref)."""
    filters = filters or {}
    asking, awaited = aliased(Firm), aliased(Firm)
    stmt = (
        sa.select(LinkRequest)
        .join(asking, LinkRequest.firm_id == asking.id)
        .outerjoin(awaited, awaited.ref == LinkRequest.awaiting_ref)
        .where(sa.or_(common.firm_scope(actor, asking), common.firm_scope(actor, awaited)))
    )
    if filters.get("status"):
        if filters["status"] not in LINK_REQUEST_STATUSES:
            raise Invalid("unknown status", {"status": [Message("must be one of: %(choices)s",
                                                                   choices=", ".join(LINK_REQUEST_STATUSES))]})
        stmt = stmt.where(LinkRequest.status == filters["status"])
    if filters.get("kind"):
        if filters["kind"] not in LINK_REQUEST_KINDS:
            raise Invalid("unknown kind", {"kind": ["one of: new, change"]})
        stmt = stmt.where(LinkRequest.kind == filters["kind"])
    direction = filters.get("direction")
    if direction is not None:
        if direction not in ("incoming", "outgoing"):
            raise Invalid("unknown direction", {"direction": ["one of: incoming, outgoing"]})
        own = actor.firm if actor.role == "firm" else None
        if own is None:
            stmt = stmt.where(sa.false())
        elif direction == "incoming":
            stmt = stmt.where(LinkRequest.awaiting_ref == own.ref)
        else:
            stmt = stmt.where(LinkRequest.firm_id == own.id)
    if filters.get("link") is not None:
        stmt = stmt.where(LinkRequest.link_id == filters["link"])
    if filters.get("firm"):
        stmt = stmt.where(sa.or_(asking.ref == filters["firm"], LinkRequest.awaiting_ref == filters["firm"]))
    return common.page_of(stmt.order_by(LinkRequest.id.desc()), page, page_size)


def awaiting_count(actor: User) -> int:
    """How many requests await the actor's firm's answer (0 for users of no firm)."""
    if actor.role != "firm" or actor.firm is None:
        return 0
    return db.session.scalar(sa.select(sa.func.count(LinkRequest.id)).where(
        LinkRequest.awaiting_ref == actor.firm.ref, LinkRequest.status == AWAITING)) or 0
