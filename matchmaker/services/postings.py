"""What needs and offers share: the write steps (rights, rules, refs, versions, signals) and listing.

Use the public modules ``services.needs`` and ``services.offers``; this one holds their common
steps.  Each write checks the values once, with the record's rules (`matchmaker.rules`) passed
in as `validate`.
"""
import functools
import secrets
from typing import Callable, Optional, TypeVar

import sqlalchemy as sa

from matchmaker import rules
from matchmaker.errors import Conflict, Forbidden, Invalid
from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Need, Offer, Product, User
from matchmaker.services.auth import can_read_firm, require_write
from matchmaker.services.support import common, signals

#: A need or an offer: the functions here return rows of the model they are given.
Posting = TypeVar("Posting", Need, Offer)


def resolve_firm_for_write(actor: User, firm_ref: Optional[str]) -> Firm:
    """The firm a new posting is for: firm users default to (and may only use) their own firm."""
    if actor.role == "firm":
        own = actor.firm
        if own is None:
            raise Forbidden("your account belongs to no firm")
        if firm_ref not in (None, "", own.ref):
            raise Forbidden("you may only post for your own firm")
        return own
    if actor.role != "admin":
        raise Forbidden("task-force staff may read but not change postings")
    if not firm_ref:
        raise Invalid("firm is required", {"firm": ["required"]})
    firm = common.firm_by_ref(firm_ref)
    if firm is None:
        raise Invalid("unknown firm", {"firm": ["unknown firm"]})
    return firm


def check_ref_choice(actor: User, data: dict, errors: dict) -> None:
    """Only admins, who see every record, choose a new record's ref. For anyone else a ref taken
    by a record they cannot see would answer 409 where a free one answers 201, telling them it
    exists; so their records get refs from the service, and any ref they send is refused the
    same way, taken or not."""
    if actor.role != "admin" and data.get("ref") not in (None, ""):
        rules.add(errors, "ref", "assigned by the service; leave it out")


def new_ref(model: type, prefix: str) -> str:
    """A fresh ref the service assigns when the caller gives none."""
    while True:
        ref = f"{prefix}-{secrets.token_hex(5).upper()}"
        if not common.ref_taken(model, ref):
            return ref


def create(model: type[Posting], what: str, prefix: str, actor: User, data: dict, validate: Callable,
           build: Callable) -> Posting:
    """Create a posting: authorise, validate all fields, reject a duplicate ref, commit."""
    data = dict(data)
    firm = resolve_firm_for_write(actor, data.pop("firm", None))
    errors = {}
    check_ref_choice(actor, data, errors)
    validate(data, errors, None)
    rules.raise_if(errors, f"invalid {what}")
    ref = data.get("ref") or new_ref(model, prefix)
    if common.ref_taken(model, ref):
        raise Conflict(f"a {what} with ref %(ref)s exists", {"ref": ["already exists"]}, ref=ref)
    row = model(ref=ref, firm_id=firm.id, **build(data))
    db.session.add(row)
    common.commit()
    return row


def get_readable(model: type[Posting], what: str, actor: User, row_id: int) -> Posting:
    """The posting, if the actor may read it; NotFound otherwise (out of scope looks like absent)."""
    return common.readable_row(model, row_id, what, lambda row: can_read_firm(actor, row.firm))


def get_readable_by_ref(model: type[Posting], what: str, actor: User, ref: str) -> Posting:
    """The posting with this ref, if the actor may read it; NotFound otherwise."""
    return common.readable_row_by_ref(model, ref, what, lambda row: can_read_firm(actor, row.firm))


def update(model: type[Posting], what: str, actor: User, row_id: int, data: dict, validate: Callable,
           build: Callable) -> Posting:
    """Edit a posting: read scope (404), write right (403), version (409), rules (422), commit."""
    data = dict(data)
    row = get_readable(model, what, actor, row_id)
    require_write(actor, row.firm)
    common.check_version(row, data)
    data.pop("version", None)
    if "firm" in data and data["firm"] not in (None, row.firm.ref):
        raise Invalid("a posting cannot move to another firm", {"firm": ["cannot be changed"]})
    data.pop("firm", None)
    if "ref" in data and data["ref"] not in (None, row.ref):
        raise Invalid("the ref of a posting cannot be changed", {"ref": ["cannot be changed"]})
    data.pop("ref", None)
    errors = {}
    validate(data, errors, row)
    if "quantity" in data and data["quantity"] is not None and not errors.get("quantity"):
        if data["quantity"] < (row.committed_quantity or 0.0):
            errors.setdefault("quantity", []).append(
                f"below the quantity already committed to accepted pairings ({row.committed_quantity:g})"
            )
    rules.raise_if(errors, f"invalid {what}")
    was_open = row.status == "open"
    changed = set()
    for attr, value in build(data).items():
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.add(attr)
    if not changed:
        return row
    common.flush()
    if was_open and row.status == "closed":
        signals.posting_closed.send(what, posting=row, actor=actor)
    else:
        signals.posting_changed.send(what, posting=row, actor=actor, changed=changed)
    common.commit()
    return row


def close(model: type[Posting], what: str, actor: User, row_id: int, version: Optional[int] = None) -> Posting:
    """Close a posting (idempotent); listeners lapse what depended on it."""
    row = get_readable(model, what, actor, row_id)
    require_write(actor, row.firm)
    common.check_version(row, {"version": version})
    if row.status == "closed":
        return row
    row.status = "closed"
    common.flush()
    signals.posting_closed.send(what, posting=row, actor=actor)
    common.commit()
    return row


def list_rows(model: type, actor: User, filters: Optional[dict], page: int, page_size: int) -> tuple[list, int]:
    """One page of postings the actor may read, filtered by category, region, kind, status, firm.

    The items are rows, not ORM objects (a list is read, never changed): the posting's columns,
    ``firm_ref`` (its firm's ref), ``open_quantity`` and ``unit`` (as the model's properties),
    read in one select with the firm the scope and filters join anyway."""
    filters = filters or {}
    wanted = {k: filters.get(k) or None for k in ("category", "kind", "status", "firm")}
    wanted["region"] = common.region_filter_prefix(filters["region"]) if filters.get("region") else None
    if wanted["status"] and wanted["status"] not in rules.STATUSES:
        raise Invalid("unknown status", {"status": ["one of: open, closed"]})
    key = ("postings", model, common.scope_key(actor), tuple(wanted.items()))
    return common.rows_page_of(common.kept_statement(key, lambda: _filtered(model, actor, **wanted)), page, page_size)


def _filtered(model: type, actor: User, category, kind, status, firm, region) -> sa.Select:
    """The select of the postings the actor may read with these filters (values, or None), by id."""
    stmt = _listed(model).where(common.firm_scope(actor))
    if category:
        stmt = stmt.where(model.category_code == category)
    if region:
        stmt = stmt.where(Firm.region_code.startswith(region))
    if kind:
        stmt = stmt.where(Firm.kind == kind)
    if status:
        stmt = stmt.where(model.status == status)
    if firm:
        stmt = stmt.where(Firm.ref == firm)
    return stmt.order_by(model.id)


@functools.cache
def _listed(model: type) -> sa.Select:
    """The select of a listed posting (built once: a statement costs more to build than to run)."""
    unit = sa.func.coalesce(Product.unit, Category.unit)  # rules.posting_unit: the product's, else the category's
    return (sa.select(*model.__table__.c, Firm.ref.label("firm_ref"), open_quantity_of(model).label("open_quantity"),
                      unit.label("unit"))
            .join(Firm, model.firm_id == Firm.id)
            .join(Category, model.category_code == Category.code)
            .outerjoin(Product, model.product_code == Product.code))


def open_quantity_of(model: type) -> sa.ColumnElement[float]:
    """SQL of a posting's open quantity, as its ``open_quantity`` property computes it:
    ``max(0, quantity - committed_quantity)``."""
    left = model.quantity - sa.func.coalesce(model.committed_quantity, 0.0)
    return sa.case((left > 0.0, left), else_=0.0)
