"""Categories: what is traded, with the product chain (inputs) and substitutes; read-only."""
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from matchmaker.infra.extensions import db
from matchmaker.models import Category
from matchmaker.models.category import category_input, category_substitute
from matchmaker.services.support.common import kept_statement, page_of, rows_connection, rows_page_of
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


class ListedCategory:
    """A category as a list shows it: its columns and the codes of its inputs and substitutes."""

    __slots__ = ("code", "name", "name_en", "unit", "inputs", "substitutes")

    def __init__(self, code, name, name_en, unit):
        self.code, self.name, self.name_en, self.unit = code, name, name_en, unit
        self.inputs, self.substitutes = [], []


def list_category_rows(filters: Mapping[str, Any] | None = None, page: int = 1,
                       page_size: int = 50) -> tuple[list[ListedCategory], int]:
    """The categories of :func:`list_categories` as plain records (a list is read, never changed):
    the page's columns in one select, their inputs and substitutes (codes, by code) in one more
    (a statement built once, the page's codes bound)."""
    filters = filters or {}
    inputs_of = [c.code for c in get_category(filters["input_of"]).inputs] if filters.get("input_of") else None
    key = ("categories", filters.get("q") or None, tuple(inputs_of) if inputs_of is not None else None)
    stmt = kept_statement(key, lambda: _filtered(sa.select(Category.code, Category.name, Category.name_en,
                                                           Category.unit), filters.get("q"), inputs_of))
    rows, total = rows_page_of(stmt, page, page_size)
    listed = {r.code: ListedCategory(*r) for r in rows}
    if listed:
        for code, other, part in rows_connection().execute(_CHAIN, {"codes": list(listed)}):
            (listed[code].inputs if part == "i" else listed[code].substitutes).append(other)
    return list(listed.values()), total


def _chain() -> sa.Select:
    """(category, input or substitute, 'i' or 's') of the categories given as `codes`, by the
    other's code: one statement built once (a new one each time costs its cache key's walk)."""
    i, s_ = category_input.c, category_substitute.c
    codes = sa.bindparam("codes", expanding=True)
    chain = sa.union_all(
        sa.select(i.category_code, i.input_code.label("other"), sa.literal("i").label("part"))
        .where(i.category_code.in_(codes)),
        sa.select(s_.category_code, s_.substitute_code, sa.literal("s")).where(s_.category_code.in_(codes)))
    return sa.select(chain.subquery()).order_by("other")


#: The inputs and substitutes of a page of categories (:func:`_chain`).
_CHAIN = _chain()


def _filtered(stmt: sa.Select, q: str | None, inputs_of: list[str] | None) -> sa.Select:
    if q:
        stmt = stmt.where(sa.or_(Category.code.contains(q, autoescape=True), Category.name.contains(q, autoescape=True),
                                 Category.name_en.contains(q, autoescape=True)))
    if inputs_of is not None:
        stmt = stmt.where(Category.code.in_(inputs_of))
    return stmt.order_by(Category.code)


def category_names() -> dict[str, tuple[str, str | None, str | None]]:
    """{code: (name, name_en, unit)} of every category in one light query (labels on pages)."""
    rows = db.session.execute(sa.select(Category.code, Category.name, Category.name_en, Category.unit))
    return {r.code: (r.name, r.name_en, r.unit) for r in rows}
