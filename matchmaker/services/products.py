"""Products: the catalogue of what is traded inside a category (spec/products.md); read-only here.

Products enter through reference data (`services.reference_data`) and data packages
(`services.packages`); postings and links name them (`services.support.goods`).
"""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Product
from matchmaker.rules import MAX_PRODUCT_CODE, is_storable_text
from matchmaker.services.support.errors import NotFound


def get_product(code: str) -> Product:
    """The product with this code, or NotFound."""
    row = db.session.get(Product, code) if code and is_storable_text(code, MAX_PRODUCT_CODE) else None
    if row is None:
        raise NotFound(f"product {code!s:.40} not found")
    return row


def product_names() -> dict:
    """{code: (name_zh, name_en, unit)} of every product in one light query (labels on pages)."""
    rows = db.session.execute(sa.select(Product.code, Product.name_zh, Product.name_en, Product.unit))
    return {r.code: (r.name_zh, r.name_en, r.unit) for r in rows}
