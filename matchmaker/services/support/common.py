"""Helpers shared by the registry services: look-ups that never leak, region filters, paging, versions."""
import math
import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Firm, Region
from matchmaker.models.region import region_prefix
from matchmaker.services.auth import scope_prefix
from matchmaker.services.support.errors import Conflict, Invalid, NotFound

# Primary keys are 32-bit on PostgreSQL; a larger id cannot exist (and must not reach the driver).
MAX_ID = 2**31 - 1
# Bounds that keep every stored number meaningful and inside what both databases hold.
MAX_QUANTITY = 1e12
MAX_DAYS = 36500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def get_row(model, row_id, what):
    """The row with this primary key, or NotFound (ids out of range are simply not found)."""
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        raise NotFound(f"{what} {row_id} not found")
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} {row_id} not found")
    return row


def normalise_region_code(code):
    """Six-digit GB/T 2260 code from the short (23, 2301) or 12-digit forms; None if not a code."""
    code = str(code or "").strip()
    if not code.isdigit() or not code.isascii():
        return None
    if len(code) == 2:
        return code + "0000"
    if len(code) == 4:
        return code + "00"
    if len(code) == 12:
        return code[:6]
    return code if len(code) == 6 else None


def region_filter_prefix(code, field="region"):
    """Code prefix of a region filter: a city or province covers its counties; Invalid if unknown."""
    six = normalise_region_code(code)
    region = db.session.get(Region, six) if six else None
    if region is None:
        raise Invalid("unknown region", {field: ["unknown region"]})
    return region_prefix(region.code, region.level)


def firm_scope(actor, firm_cls=Firm):
    """SQL condition selecting the firms an actor may read (see services.auth.scope_prefix)."""
    if actor.role == "firm":
        return firm_cls.id == actor.firm_id if actor.firm_id is not None else sa.false()
    prefix = scope_prefix(actor)
    if prefix is None:
        return sa.false()
    if prefix == "":
        return sa.true()
    return firm_cls.region_code.startswith(prefix)


def flush():
    """Flush pending changes; a concurrent edit of the same row becomes Conflict (see commit)."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the record was changed by someone else at the same time; reload and try again",
                       {"version": ["changed concurrently"]}) from None


def commit():
    """Commit the use case; a concurrent edit of the same row (version_id_col), or a unique ref taken
    by a concurrent create, becomes Conflict."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the record was changed by someone else at the same time; reload and try again",
                       {"version": ["changed concurrently"]}) from None
    except IntegrityError:
        db.session.rollback()
        raise Conflict("the change conflicts with stored data (a ref or credit code already taken)") from None


def page_of(stmt, page, page_size):
    """(items, total) of one page of a select; pages past the end are empty (no huge OFFSET)."""
    page = max(int(page or 1), 1)
    page_size = max(int(page_size or 50), 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    offset = (page - 1) * page_size
    if offset >= total:
        return [], total
    items = db.session.scalars(stmt.offset(offset).limit(page_size)).unique().all()
    return list(items), total


def check_version(row, data):
    """Conflict when the caller's `version` (optional) is not the stored one: someone else changed it."""
    version = data.get("version")
    if version is not None and version != row.version:
        raise Conflict(
            "the record was changed by someone else; reload and try again",
            {"version": [f"stored version is {row.version}, not {version}"]},
        )


def category_or_error(code, errors, field="category"):
    """The category with this code, or None with a message added to `errors`."""
    row = db.session.get(Category, code) if isinstance(code, str) and code and len(code) <= 32 else None
    if row is None:
        errors.setdefault(field, []).append("unknown category")
    return row


def firm_by_ref(ref):
    """The firm with this ref, or None."""
    if not isinstance(ref, str) or not ref or len(ref) > 64:
        return None
    return db.session.scalar(sa.select(Firm).where(Firm.ref == ref))


def ref_taken(model, ref, exclude_id=None):
    """Whether another row of `model` already has this ref."""
    stmt = sa.select(model.id).where(model.ref == ref)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt) is not None


# --- value checks (the data-package rules) ---------------------------------------------------

def check_text(data, field, errors, max_len, required=False):
    """A text field: no control characters or lone surrogates, at most max_len characters."""
    if field not in data:
        if required:
            errors.setdefault(field, []).append("required")
        return
    value = data[field]
    if value is None or value == "":
        if required:
            errors.setdefault(field, []).append("required")
        return
    if not isinstance(value, str):
        errors.setdefault(field, []).append("must be text")
        return
    if _CONTROL.search(value):
        errors.setdefault(field, []).append("contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.setdefault(field, []).append("is not valid Unicode text")
    if len(value) > max_len:
        errors.setdefault(field, []).append(f"at most {max_len} characters")


def check_number(data, field, errors, positive=False, ratio=False, required=False, maximum=MAX_QUANTITY):
    """A number: finite; > 0 when positive; within 0..1 when ratio."""
    if data.get(field) is None:
        if required:
            errors.setdefault(field, []).append("required")
        return
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.setdefault(field, []).append("must be a number")
        return
    try:
        value = float(value)
    except OverflowError:
        errors.setdefault(field, []).append("number too large")
        return
    if not math.isfinite(value):
        errors.setdefault(field, []).append("must be a finite number")
    elif ratio and not 0 <= value <= 1:
        errors.setdefault(field, []).append("must be within 0..1")
    elif positive and value <= 0:
        errors.setdefault(field, []).append("must be greater than 0")
    elif not ratio and value < 0:
        errors.setdefault(field, []).append("must not be negative")
    elif value > maximum:
        errors.setdefault(field, []).append(f"must be at most {maximum:g}")


def check_int(data, field, errors, minimum=0, maximum=MAX_DAYS):
    """A whole number within [minimum, maximum]."""
    if data.get(field) is None:
        return
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field, []).append("must be a whole number")
    elif not minimum <= value <= maximum:
        errors.setdefault(field, []).append(f"must be within {minimum}..{maximum}")


def check_date(data, field, errors, required=False):
    """A date (a datetime.date; ISO text is parsed by the caller's schema)."""
    value = data.get(field)
    if value is None:
        if required:
            errors.setdefault(field, []).append("required")
        return
    if isinstance(value, str):
        try:
            data[field] = date.fromisoformat(value)
            return
        except ValueError:
            errors.setdefault(field, []).append("not a date (YYYY-MM-DD)")
            return
    if isinstance(value, datetime):
        data[field] = value.date()
    elif not isinstance(value, date):
        errors.setdefault(field, []).append("not a date (YYYY-MM-DD)")


def check_choices(data, field, errors, choices, many=False, required=False):
    """One value (or, with many, a list of distinct values) out of `choices`."""
    value = data.get(field)
    if value is None:
        if required:
            errors.setdefault(field, []).append("required")
        return
    values = value if many else [value]
    if many and not isinstance(value, (list, tuple)):
        errors.setdefault(field, []).append("must be a list")
        return
    bad = [v for v in values if v not in choices]
    if bad:
        errors.setdefault(field, []).append("must be one of: " + ", ".join(choices))
    elif many:
        data[field] = list(dict.fromkeys(values))


def raise_if(errors, message="invalid input"):
    """Raise Invalid naming every field when there are errors."""
    if errors:
        raise Invalid(message, errors)
