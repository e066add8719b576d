"""Categories: what is traded, with the product chain (inputs) and substitutes; read-only."""
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from matchmaker.infra.extensions import db
from matchmaker.models import Category
from matchmaker.services.support.common import page_of
from matchmaker.services.support.errors import NotFound


def get_category(code: str) -> Category:
    """The category with this code, or NotFound."""
    row = db.session.get(Category, code) if isinstance(code, str) and 0 < len(code) <= 32 else None
    if row is None:
        raise NotFound("category %(id)s not found", id=f"{code!s:.32}")
    return row


def list_categories(filters: Mapping[str, Any] | None = None, page: int = 1,
                    page_size: int = 50) -> tuple[list[Category], int]:
    """(categories, total) ordered by code; filters: q (code or name contains), input_of (a code)."""
    filters = filters or {}
    stmt = sa.select(Category).options(selectinload(Category.inputs), selectinload(Category.substitutes))
    if filters.get("q"):
        q = filters["q"]
        stmt = stmt.where(sa.or_(Category.code.contains(q, autoescape=True),
                                 Category.name.contains(q, autoescape=True),
                                 Category.name_en.contains(q, autoescape=True)))
    if filters.get("input_of"):
        stmt = stmt.where(Category.code.in_([c.code for c in get_category(filters["input_of"]).inputs]))
    return page_of(stmt.order_by(Category.code), page, page_size)


def category_names() -> dict[str, tuple[str, str | None, str | None]]:
    """{code: (name, name_en, unit)} of every category in one light query (labels on pages)."""
    rows = db.session.execute(sa.select(Category.code, Category.name, Category.name_en, Category.unit))
    return {r.code: (r.name, r.name_en, r.unit) for r in rows}
