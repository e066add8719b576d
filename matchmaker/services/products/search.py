"""Finding a product in the stored catalogue: the type-ahead behind the product picker and
``GET /api/v1/products?q=`` (read-only reference data, like the categories).

The search runs over an in-memory :class:`~matchmaker.services.products.index.ProductIndex`
built once per process from the stored products (with their categories' names) and rebuilt
when the catalogue changes.  Each search first reads a cheap fingerprint of the catalogue (one
small query: how many products, their first and last codes, a checksum of their texts, and
the latest data-package import, which is how an admin adds or corrects products); the index is
reloaded when the fingerprint moved, and at the latest every :data:`INDEX_TTL_SECONDS`, so a change made by another process
(a worker, ``matchmaker import``, ``matchmaker reference load``) reaches this one too.
"""
from __future__ import annotations

import re
import threading
import time

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import AuditEntry, Category, Product
from matchmaker.services.products.index import ProductIndex, normalise_query
from matchmaker.services.support.errors import NotFound

__all__ = ["INDEX_TTL_SECONDS", "find_product", "get_product", "invalidate_index", "search_products"]

#: The index is reloaded at least this often (a change the fingerprint cannot see).
INDEX_TTL_SECONDS = 300.0

# The picker's label of a chosen product ends with its code in brackets: "生鲜乳 · Raw milk (P003001)".
_LABELLED = re.compile(r"\(([^()\s]{1,40})\)$")
_lock = threading.Lock()
_cache: dict = {}  # engine url -> (fingerprint, loaded at, rows, index)


def invalidate_index() -> None:
    """Forget the built indexes (the next search reloads the catalogue)."""
    with _lock:
        _cache.clear()


def search_products(filters: dict | None = None, page: int = 1, page_size: int = 50) -> tuple[list[dict], int]:
    """(products, total): the products matching ``filters["q"]`` best first (every product in
    code order when there is no query), one page of them.

    Each product: ``code``, ``name_zh``, ``name_en``, ``unit``, ``hs`` (or None), ``aliases``,
    ``category`` (its code) and ``category_ref`` (``code``, ``name``, ``name_en``)."""
    found = _index().search((filters or {}).get("q") or "")
    page = max(int(page or 1), 1)
    start = (page - 1) * page_size
    return found[start:start + page_size], len(found)


def get_product(code: object) -> dict:
    """One product by its code (same shape as a search result), or NotFound."""
    record = _index().get(code) if isinstance(code, str) else None
    if record is None:
        raise NotFound("product %(id)s not found", id=f"{code!s:.40}")
    return record


def find_product(text: object) -> tuple[dict | None, list[dict]]:
    """The product a person meant by what they typed in a form's product field, and, when it is
    not clear which, the best candidates (at most five) to suggest.

    Clear: a product code (in any case), the picker's label ending in ``(code)``, or a text that is
    exactly the name or an alias of one product only (case, width and blanks aside).  Empty text
    is (None, []).
    """
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        return None, []
    index = _index()
    labelled = _LABELLED.search(text)
    for code in (text, text.upper(), labelled.group(1) if labelled else None):
        if code and index.get(code) is not None:
            return index.get(code), []
    found = index.search(text)
    q = normalise_query(text)
    named = [r for r in found
             if q in {normalise_query(n) for n in (r["code"], r["name_zh"], r["name_en"], *r["aliases"])}]
    if len(named) == 1:
        return named[0], []
    return None, (named or found)[:5]


def _index() -> ProductIndex:
    """This process's index of the stored catalogue, reloaded when the catalogue changed."""
    key = db.engine.url.render_as_string(hide_password=True)
    fingerprint = _fingerprint()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == fingerprint and time.monotonic() - hit[1] < INDEX_TTL_SECONDS:
            return hit[3]
        rows = _load()
        # Same products as before (the fingerprint moved for another section's import): keep the index.
        index = hit[3] if hit is not None and hit[2] == rows else ProductIndex(rows)
        _cache[key] = (fingerprint, time.monotonic(), rows, index)
        return index


def _fingerprint() -> tuple:
    """How many products, their first and last codes, a checksum of their texts, and the latest
    package import: one small query."""
    p = Product.__table__.c
    texts = (sa.func.length(p.code) + 3 * sa.func.length(p.name_zh) + 7 * sa.func.length(p.name_en)
             + 11 * sa.func.length(p.unit) + 13 * sa.func.length(p.category_code)
             + 17 * sa.func.coalesce(sa.func.length(p.hs), 0))
    product = Product.__table__
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(product).scalar_subquery(),
        sa.select(sa.func.min(p.code)).scalar_subquery(),
        sa.select(sa.func.max(p.code)).scalar_subquery(),
        sa.select(sa.func.sum(texts)).scalar_subquery(),
        sa.select(sa.func.max(AuditEntry.id)).where(AuditEntry.entity == "package").scalar_subquery(),
    )).one())


def _load() -> list[dict]:
    """Every stored product with its category's names, in code order (plain records)."""
    p, c = Product.__table__.c, Category.__table__.c
    rows = db.session.execute(
        sa.select(p.code, p.name_zh, p.name_en, p.unit, p.category_code, p.hs, p.aliases,
                  c.name.label("category_name"), c.name_en.label("category_name_en"))
        .join_from(Product.__table__, Category.__table__, p.category_code == c.code)
        .order_by(p.code))
    return [
        {"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "unit": r.unit, "hs": r.hs or None,
         "aliases": tuple(r.aliases or ()), "category": r.category_code,
         "category_ref": {"code": r.category_code, "name": r.category_name, "name_en": r.category_name_en}}
        for r in rows
    ]
