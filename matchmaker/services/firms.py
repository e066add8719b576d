"""Firms: the registry of leading firms and SMEs, and their resumption status (article 13)."""
import re

import sqlalchemy as sa

from matchmaker.infra import reference
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Need, Offer, Region
from matchmaker.models.firm import KINDS, REPORTABLE_BLOCKERS
from matchmaker.packages import creditcode
from matchmaker.services.support import common
from matchmaker.services.auth import can_read_firm, require_write
from matchmaker.services.support.errors import Conflict, Forbidden, NotFound

# What a firm user reports about its own firm; everything else is registry data only admins change.
STATUS_FIELDS = ("operating", "capacity_utilization", "workers_back", "blockers", "park", "contact_email")
REGISTRY_FIELDS = ("ref", "name", "kind", "region", "industry", "credit_code")
FIELDS = REGISTRY_FIELDS + STATUS_FIELDS

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def credit_code_valid(code) -> bool:
    """Whether a unified social credit code passes its GB 32100-2015 check digit (any case)."""
    return isinstance(code, str) and creditcode.is_valid(code.upper())


def _validate(data, errors, row):
    """The data-package rules for a firm (row is None when creating)."""
    creating = row is None
    for key in data:
        if key not in FIELDS and key != "version":
            errors.setdefault(key, []).append("unknown field")
    common.check_text(data, "ref", errors, 64, required=creating)
    common.check_text(data, "name", errors, 200, required=creating or "name" in data)
    common.check_choices(data, "kind", errors, KINDS, required=creating or "kind" in data)
    if creating or "region" in data:
        code = common.normalise_region_code(data.get("region"))
        region = db.session.get(Region, code) if code else None
        if region is None:
            errors.setdefault("region", []).append("unknown region")
        elif region.level != "county":
            errors.setdefault("region", []).append("a firm's region must be a county")
        else:
            data["region"] = region.code
    if data.get("industry") not in (None, ""):
        canonical = reference.normalize_industry(data["industry"]) if isinstance(data["industry"], str) else None
        if canonical is None:
            errors.setdefault("industry", []).append("a GB/T 4754-2017 code such as C1441, or its section letter")
        else:
            data["industry"] = canonical
    common.check_text(data, "park", errors, 200)
    if data.get("credit_code") not in (None, ""):
        if not isinstance(data["credit_code"], str) or not credit_code_valid(data["credit_code"]):
            errors.setdefault("credit_code", []).append("not a valid unified social credit code (check digit)")
        else:
            data["credit_code"] = data["credit_code"].upper()
    if "operating" in data and data["operating"] is not None and not isinstance(data["operating"], bool):
        errors.setdefault("operating", []).append("must be true or false")
    common.check_number(data, "capacity_utilization", errors, ratio=True)
    common.check_number(data, "workers_back", errors, ratio=True)
    if data.get("blockers") is not None and "risk_zone" in (data["blockers"] or []):
        errors.setdefault("blockers", []).append("risk_zone is derived from the county's risk, never reported")
    else:
        common.check_choices(data, "blockers", errors, REPORTABLE_BLOCKERS, many=True)
    if data.get("contact_email") not in (None, ""):
        common.check_text(data, "contact_email", errors, 200)
        if isinstance(data["contact_email"], str) and not _EMAIL.match(data["contact_email"]):
            errors.setdefault("contact_email", []).append("not an e-mail address")


def _assign(row, data):
    """Set model attributes from validated fields; returns the names that changed."""
    changed = set()
    for key, value in data.items():
        if key == "version":
            continue
        attr = "region_code" if key == "region" else key
        if value == "" and key in ("industry", "park", "credit_code", "contact_email"):
            value = None
        if key == "blockers" and value is None:
            value = []
        if key == "operating" and value is None:
            value = True
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.add(attr)
    return changed


def _check_unique(data, exclude_id=None):
    """Conflict when the ref or credit code belongs to another firm."""
    if data.get("ref") and common.ref_taken(Firm, data["ref"], exclude_id):
        raise Conflict(f"a firm with ref {data['ref']} exists", {"ref": ["already exists"]})
    if data.get("credit_code"):
        stmt = sa.select(Firm.ref).where(Firm.credit_code == data["credit_code"])
        if exclude_id is not None:
            stmt = stmt.where(Firm.id != exclude_id)
        other = db.session.scalar(stmt)
        if other is not None:
            raise Conflict("the credit code is registered to another firm",
                           {"credit_code": ["already registered to another firm"]})


def create_firm(actor, data):
    """Register a firm (admins only); returns the Firm."""
    if actor.role != "admin":
        raise Forbidden("only administrators register firms")
    data = dict(data)
    data.pop("version", None)
    errors = {}
    _validate(data, errors, None)
    common.raise_if(errors, "invalid firm")
    _check_unique(data)
    row = Firm(blockers=[], operating=True)
    _assign(row, data)
    db.session.add(row)
    common.commit()
    return row


def get_firm(actor, firm_id):
    """The firm with this id, if the actor may read it (else NotFound)."""
    row = common.get_row(Firm, firm_id, "firm")
    if not can_read_firm(actor, row):
        raise NotFound(f"firm {firm_id} not found")
    return row


def get_firm_by_ref(actor, ref):
    """The firm with this ref, if the actor may read it (else NotFound)."""
    row = common.firm_by_ref(ref)
    if row is None or not can_read_firm(actor, row):
        raise NotFound(f"firm {ref!s:.64} not found")
    return row


def update_firm(actor, firm_id, data):
    """Edit a firm: its own users change its status fields, admins everything; returns the Firm."""
    data = dict(data)
    row = get_firm(actor, firm_id)
    require_write(actor, row)
    common.check_version(row, data)
    data.pop("version", None)
    if actor.role != "admin":
        registry = sorted(k for k in data if k in REGISTRY_FIELDS)
        if registry:
            raise Forbidden("only administrators change registry data: " + ", ".join(registry),
                            {k: ["only administrators may change this"] for k in registry})
    errors = {}
    _validate(data, errors, row)
    common.raise_if(errors, "invalid firm")
    _check_unique(data, exclude_id=row.id)
    if _assign(row, data):
        common.commit()
    return row


def update_firm_status(actor, firm_id, data):
    """Report a firm's resumption status (operating, capacity, workers back, blockers, park)."""
    unknown = sorted(k for k in data if k not in STATUS_FIELDS and k != "version")
    if unknown:
        common.raise_if({k: ["not a status field"] for k in unknown}, "invalid status")
    return update_firm(actor, firm_id, data)


def reportable_blockers() -> tuple:
    """The blockers a firm may report on its status (a high-risk zone is set by the task force)."""
    return REPORTABLE_BLOCKERS


def list_firms(actor, filters=None, page=1, page_size=50):
    """(firms, total) the actor may read; filters: region, kind, operating, status (operating|stopped),
    park, industry, blocker, category (firms with an open need or offer in it)."""
    filters = filters or {}
    stmt = sa.select(Firm).where(common.firm_scope(actor))
    if filters.get("region"):
        stmt = stmt.where(Firm.region_code.startswith(common.region_filter_prefix(filters["region"])))
    if filters.get("kind"):
        stmt = stmt.where(Firm.kind == filters["kind"])
    if filters.get("operating") is not None:
        stmt = stmt.where(Firm.operating.is_(bool(filters["operating"])))
    if filters.get("status"):
        if filters["status"] not in ("operating", "stopped"):
            common.raise_if({"status": ["one of: operating, stopped"]})
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
        if filters["blocker"] not in REPORTABLE_BLOCKERS:
            common.raise_if({"blocker": ["one of: " + ", ".join(REPORTABLE_BLOCKERS)]})
        stmt = stmt.where(sa.cast(Firm.blockers, sa.Text).like(f'%"{filters["blocker"]}"%'))
    return common.page_of(stmt.order_by(Firm.id), page, page_size)
