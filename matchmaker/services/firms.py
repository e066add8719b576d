"""Firms: the registry of leading firms and SMEs, and their resumption status (article 13)."""
from collections.abc import Iterable
from collections import namedtuple
from typing import Optional

import sqlalchemy as sa

from graphs import firm_is_live
from matchmaker import rules
from matchmaker.errors import Conflict, Forbidden
from matchmaker.infra import clock, reference
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Offer, Region, User
from matchmaker.services.auth import can_read_firm, in_scope, require_write
from matchmaker.services.support import common


def _validate(data: dict, errors: dict, row: Optional[Firm]) -> None:
    """The rules of a firm (`rules.check_firm`), then its region and industry codes, looked up in
    the reference data (row is None when creating)."""
    creating = row is None
    rules.check_firm(data, errors, creating)
    if creating or "region" in data:
        code = rules.normalise_region_code(data.get("region"))
        region = db.session.get(Region, code) if code else None
        if region is None:
            rules.add(errors, "region", "unknown region")
        elif region.level != rules.FIRM_REGION_LEVEL:
            rules.add(errors, "region", "a firm's region must be a county")
        else:
            data["region"] = region.code
    if data.get("industry") not in (None, ""):
        canonical = reference.normalize_industry(data["industry"]) if isinstance(data["industry"], str) else None
        if canonical is None:
            rules.add(errors, "industry", "a GB/T 4754-2017 code such as C1441, or its section letter")
        else:
            data["industry"] = canonical


def _assign(row, data):
    """Set model attributes from validated fields; returns the names that changed."""
    changed = set()
    for key, value in data.items():
        if key == "version":
            continue
        attr = "region_code" if key == "region" else key
        if value == "" and key in ("industry", "park", "credit_code", "contact_email", "contact_person",
                                   "contact_phone"):
            value = None
        if key == "blockers" and value is None:
            value = []
        if key == "operating" and value is None:
            value = True
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.add(attr)
    return changed


def _check_unique(data: dict, exclude_id: Optional[int] = None) -> None:
    """Conflict when the ref or credit code belongs to another firm."""
    if data.get("ref") and common.ref_taken(Firm, data["ref"], exclude_id):
        raise Conflict("a firm with ref %(ref)s exists", {"ref": ["already exists"]}, ref=data["ref"])
    if data.get("credit_code"):
        stmt = sa.select(Firm.ref).where(Firm.credit_code == data["credit_code"])
        if exclude_id is not None:
            stmt = stmt.where(Firm.id != exclude_id)
        other = db.session.scalar(stmt)
        if other is not None:
            raise Conflict("the credit code is registered to another firm",
                           {"credit_code": ["already registered to another firm"]})


def create_firm(actor: User, data: dict) -> Firm:
    """Register a firm (admins only); returns the Firm."""
    if actor.role != "admin":
        raise Forbidden("only administrators register firms")
    data = dict(data)
    data.pop("version", None)
    errors = {}
    _validate(data, errors, None)
    rules.raise_if(errors, "invalid firm")
    _check_unique(data)
    row = Firm(blockers=[], operating=True)
    _assign(row, data)
    db.session.add(row)
    common.commit()
    return row


def get_firm(actor: User, firm_id: int) -> Firm:
    """The firm with this id, if the actor may read it (else NotFound)."""
    return common.readable_row(Firm, firm_id, "firm", lambda row: can_read_firm(actor, row))


def get_firm_by_ref(actor: User, ref: str) -> Firm:
    """The firm with this ref, if the actor may read it (else NotFound)."""
    return common.readable_row_by_ref(Firm, ref, "firm", lambda row: can_read_firm(actor, row))


def update_firm(actor: User, firm_id: int, data: dict) -> Firm:
    """Edit a firm: its own users change its status fields, admins everything; returns the Firm."""
    data = dict(data)
    row = get_firm(actor, firm_id)
    require_write(actor, row)
    common.check_version(row, data)
    data.pop("version", None)
    if actor.role != "admin":
        registry = sorted(k for k in data if k in rules.REGISTRY_FIELDS)
        if registry:
            raise Forbidden("only administrators change registry data: %(fields)s",
                            {k: ["only administrators may change this"] for k in registry}, fields=", ".join(registry))
    errors = {}
    _validate(data, errors, row)
    rules.raise_if(errors, "invalid firm")
    _check_unique(data, exclude_id=row.id)
    if _assign(row, data):
        common.commit()
    return row


def _check_status_fields(data: dict) -> None:
    unknown = sorted(k for k in data if k not in rules.STATUS_FIELDS and k != "version")
    if unknown:
        rules.raise_if({k: ["not a status field"] for k in unknown}, "invalid status")


def update_firm_status(actor: User, firm_id: int, data: dict) -> Firm:
    """Report a firm's resumption status (operating, capacity, workers back, blockers, park); the
    firm's own report replaces a status staff entered for it."""
    _check_status_fields(data)
    row = update_firm(actor, firm_id, data)
    if actor.role == "firm" and row.status_by is not None:
        row.status_by, row.status_at = None, None
        common.commit()
    return row


STAFF_STATUS_FIELDS = ("operating", "capacity_utilization", "workers_back", "blockers")


def record_status_by_staff(actor: User, firm_id: int, data: dict) -> Firm:
    """Task-force staff record a firm's status after a phone call (operating, blockers, workers back,
    capacity): marked as entered by staff (``status_by``: who, ``status_at``: when, in the service's
    clock) and audited like every write; the firm's next own report replaces the mark. Staff of the
    firm's county and above (admins too); a firm out of their jurisdiction is not found."""
    if actor is None or actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff record a firm's status for it")
    row = get_firm(actor, firm_id)
    if actor.role == "staff" and not in_scope(actor, row.region_code):
        raise Forbidden("the firm is not in your region")
    data = {k: v for k, v in dict(data).items() if k != "version"}
    unknown = sorted(k for k in data if k not in STAFF_STATUS_FIELDS)
    if unknown:
        rules.raise_if({k: ["staff record operating, capacity, workers back and blockers"] for k in unknown},
                       "invalid status")
    errors = {}
    _validate(data, errors, row)
    rules.raise_if(errors, "invalid status")
    _assign(row, data)
    row.status_by = actor.name or actor.email
    row.status_at = clock.now()
    common.commit()
    return row


def may_see_contact(actor: User, firm: Firm) -> bool:
    """Whether the actor sees the firm's contact person and phone: its own users; the users of a
    firm that has a link with it (either way, once the link formed); task-force staff whose region
    holds it; admins. Nobody else."""
    if actor.role == "firm":
        if actor.firm_id is None:
            return False
        if actor.firm_id == firm.id:
            return True
        pair = sa.or_(sa.and_(Link.supplier_id == actor.firm_id, Link.buyer_id == firm.id),
                      sa.and_(Link.supplier_id == firm.id, Link.buyer_id == actor.firm_id))
        return db.session.scalar(sa.select(sa.exists().where(pair))) or False
    return in_scope(actor, firm.region_code)


def contact_of(actor: User, firm_id: int) -> Firm:
    """The firm, for its contact details, if the actor may see them (`may_see_contact`); else
    NotFound, exactly as an absent firm (so who is linked to whom cannot be probed)."""
    return common.readable_row(Firm, firm_id, "firm", lambda row: may_see_contact(actor, row))


def visible_contacts(actor: User, refs: Iterable[str | None]) -> dict:
    """{firm ref: Firm} of those of `refs` whose contact details the actor may see (for the pages)."""
    refs = {ref for ref in refs or () if ref}
    rows = db.session.scalars(sa.select(Firm).where(Firm.ref.in_(refs))).all() if refs else []
    return {row.ref: row for row in rows if may_see_contact(actor, row)}


def reportable_blockers() -> tuple:
    """The blockers a firm may report on its status (a high-risk zone is set by the task force)."""
    return rules.REPORTABLE_BLOCKERS


def list_firms(actor: User, filters: Optional[dict] = None, page: int = 1,
               page_size: int = 50) -> tuple[list[Firm], int]:
    """(firms, total) the actor may read; filters: region, kind, operating, status (operating|stopped),
    park, industry, blocker, category (firms with an open need or offer in it)."""
    return common.page_of(_filtered(sa.select(Firm), actor, filters or {}), page, page_size)


def list_firm_rows(actor: User, filters: Optional[dict] = None, page: int = 1,
                   page_size: int = 50) -> tuple[list[tuple], int]:
    """The firms of :func:`list_firms` as plain records, not ORM objects (a list is read, never
    changed): the firm's columns and its county's ``risk`` in one select kept per reader's scope
    and filters, and ``live`` (:func:`graphs.firm_is_live`, as ``Firm.live``)."""
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    if filters.get("region"):  # (the prefix in the key: a region's level could change)
        filters["region_prefix"] = common.region_filter_prefix(filters["region"])
    key = ("firms", common.scope_key(actor), tuple(sorted(filters.items())))
    stmt = common.kept_statement(key, lambda: _filtered(
        sa.select(*Firm.__table__.c, Region.risk.label("risk")).join(Region, Firm.region_code == Region.code),
        actor, filters))
    rows, total = common.rows_page_of(stmt, page, page_size)
    if not rows:
        return [], total
    listed = _listed_firm(rows[0]._fields)
    return [listed(*row, firm_is_live(row.operating, row.risk)) for row in rows], total


_LISTED_FIRMS: dict = {}


def _listed_firm(columns: tuple) -> type:
    """The record of a listed firm: a named tuple of a list's columns and ``live``, made once per
    columns (a list's output schema dumps named tuples as rows, by position)."""
    if columns not in _LISTED_FIRMS:
        _LISTED_FIRMS[columns] = namedtuple("ListedFirm", (*columns, "live"))
    return _LISTED_FIRMS[columns]


def _filtered(stmt: sa.Select, actor: User, filters: dict) -> sa.Select:
    """A select of firms narrowed to those the actor may read and to the filters, by id."""
    stmt = stmt.where(common.firm_scope(actor))
    if filters.get("region"):
        prefix = filters.get("region_prefix") or common.region_filter_prefix(filters["region"])
        stmt = stmt.where(Firm.region_code.startswith(prefix))
    if filters.get("kind"):
        stmt = stmt.where(Firm.kind == filters["kind"])
    if filters.get("operating") is not None:
        stmt = stmt.where(Firm.operating.is_(bool(filters["operating"])))
    if filters.get("status"):
        if filters["status"] not in rules.FIRM_STATES:
            rules.raise_if({"status": ["one of: operating, stopped"]})
        stmt = stmt.where(Firm.operating.is_(filters["status"] == "operating"))
    if filters.get("park"):
        stmt = stmt.where(Firm.park == filters["park"])
    if filters.get("industry"):
        stmt = stmt.where(Firm.industry.startswith(filters["industry"], autoescape=True))
    if filters.get("category"):
        code = filters["category"]
        in_needs = sa.select(Need.firm_id).where(Need.category_code == code, Need.status == "open")
        in_offers = sa.select(Offer.firm_id).where(Offer.category_code == code, Offer.status == "open")
        stmt = stmt.where(sa.or_(Firm.id.in_(in_needs), Firm.id.in_(in_offers)))
    if filters.get("blocker"):
        # JSON lists: match the quoted code in the stored text (works on SQLite and PostgreSQL).
        if filters["blocker"] not in rules.REPORTABLE_BLOCKERS:
            rules.raise_if({"blocker": ["one of: " + ", ".join(rules.REPORTABLE_BLOCKERS)]})
        stmt = stmt.where(sa.cast(Firm.blockers, sa.Text).like(f'%"{filters["blocker"]}"%'))
    return stmt.order_by(Firm.id)
