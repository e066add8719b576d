"""Links: supply relationships that exist between a supplier and a buyer firm."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link
from matchmaker.models.need import TERMS
from matchmaker.services.support import common, signals
from matchmaker.services import postings
from matchmaker.services.auth import can_read_firm
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound

FIELDS = ("ref", "supplier", "buyer", "category", "quantity_per_week", "active", "terms", "version")


def can_read_link(actor, link):
    """A link is visible to whoever may read its supplier or its buyer."""
    return can_read_firm(actor, link.supplier) or can_read_firm(actor, link.buyer)


def can_write_link(actor, link_or_firms):
    """Admins, and users of the supplier or the buyer firm."""
    if actor.role == "admin":
        return True
    firms = link_or_firms if isinstance(link_or_firms, tuple) else (link_or_firms.supplier, link_or_firms.buyer)
    return actor.role == "firm" and actor.firm_id is not None and any(f.id == actor.firm_id for f in firms)


def _validate(data, errors, row):
    """The data-package rules for a link (row is None when creating)."""
    creating = row is None
    postings.check_fields(data, FIELDS, errors)
    common.check_text(data, "ref", errors, 64)
    if creating or "category" in data:
        common.category_or_error(data.get("category"), errors)
    common.check_number(data, "quantity_per_week", errors, positive=True,
                        required=creating or "quantity_per_week" in data)
    if data.get("active") is not None and not isinstance(data["active"], bool):
        errors.setdefault("active", []).append("must be true or false")
    common.check_choices(data, "terms", errors, TERMS, many=True)


def _build(data):
    """Model attributes from validated fields (only those given)."""
    out = {}
    for key, value in data.items():
        if key in ("ref", "supplier", "buyer", "version"):
            continue
        if key == "category":
            key = "category_code"
        if key == "terms" and value is None:
            value = []
        if key == "active" and value is None:
            value = True
        out[key] = value
    return out


def create_link(actor, data):
    """Record an existing supply relationship; a firm user's firm must be its supplier or buyer."""
    if actor.role not in ("firm", "admin"):
        raise Forbidden("task-force staff may read but not change links")
    data = dict(data)
    data.pop("version", None)
    if actor.role == "firm":
        own = actor.firm.ref if actor.firm is not None else None
        if own is None or own not in (data.get("supplier"), data.get("buyer")):
            raise Forbidden("your firm must be the supplier or the buyer")
    errors = {}
    firms = {}
    for side in ("supplier", "buyer"):
        firms[side] = common.firm_by_ref(data.get(side))
        if firms[side] is None:
            errors.setdefault(side, []).append("required" if not data.get(side) else "unknown firm")
    if firms["supplier"] is not None and firms["supplier"] is firms["buyer"]:
        errors.setdefault("buyer", []).append("a firm cannot supply itself")
    _validate(data, errors, None)
    common.raise_if(errors, "invalid link")
    ref = data.get("ref") or postings.new_ref(Link, "L")
    if common.ref_taken(Link, ref):
        raise Conflict(f"a link with ref {ref} exists", {"ref": ["already exists"]})
    row = Link(ref=ref, supplier_id=firms["supplier"].id, buyer_id=firms["buyer"].id, **_build(data))
    db.session.add(row)
    common.commit()
    return row


def get_link(actor, link_id):
    """The link with this id, if the actor may read it (else NotFound)."""
    row = common.get_row(Link, link_id, "link")
    if not can_read_link(actor, row):
        raise NotFound(f"link {link_id} not found")
    return row


def get_link_by_ref(actor, ref):
    """The link with this ref, if the actor may read it (else NotFound)."""
    row = db.session.scalar(sa.select(Link).where(Link.ref == ref)) if ref and len(ref) <= 64 else None
    if row is None or not can_read_link(actor, row):
        raise NotFound(f"link {ref!s:.64} not found")
    return row


def update_link(actor, link_id, data):
    """Edit a link's category, weekly quantity, terms or active flag; returns the Link."""
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
    common.raise_if(errors, "invalid link")
    was_active = row.active
    changed = False
    for attr, value in _build(data).items():
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed = True
    if changed:
        common.flush()
        if was_active and not row.active:
            signals.link_deactivated.send("link", link=row, actor=actor)
        common.commit()
    return row


def deactivate_link(actor, link_id, version=None):
    """Mark a link inactive (the relationship ended); idempotent."""
    data = {"active": False}
    if version is not None:
        data["version"] = version
    return update_link(actor, link_id, data)


def list_links(actor, filters=None, page=1, page_size=50):
    """(links, total) the actor may read; filters: category, region (supplier or buyer in it),
    kind (of either firm), status (active | inactive), firm (supplier or buyer ref)."""
    filters = filters or {}
    supplier, buyer = aliased(Firm), aliased(Firm)
    stmt = (
        sa.select(Link)
        .join(supplier, Link.supplier_id == supplier.id)
        .join(buyer, Link.buyer_id == buyer.id)
        .where(sa.or_(common.firm_scope(actor, supplier), common.firm_scope(actor, buyer)))
    )
    if filters.get("category"):
        stmt = stmt.where(Link.category_code == filters["category"])
    if filters.get("region"):
        prefix = common.region_filter_prefix(filters["region"])
        stmt = stmt.where(sa.or_(supplier.region_code.startswith(prefix), buyer.region_code.startswith(prefix)))
    if filters.get("kind"):
        stmt = stmt.where(sa.or_(supplier.kind == filters["kind"], buyer.kind == filters["kind"]))
    status = filters.get("status")
    if status is not None:
        if status not in ("active", "inactive"):
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
    return common.page_of(stmt.order_by(Link.id), page, page_size)
