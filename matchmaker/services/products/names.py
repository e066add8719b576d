"""Products: the names and units of every stored product in one light query (labels on pages).

Products enter through reference data (`services.reference_data`) and data packages
(`services.packages`); postings and links name them (`services.support.goods`).
"""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Product


def product_names() -> dict:
    """{code: (name_zh, name_en, unit)} of every product in one light query (labels on pages)."""
    rows = db.session.execute(sa.select(Product.code, Product.name_zh, Product.name_en, Product.unit))
    return {r.code: (r.name_zh, r.name_en, r.unit) for r in rows}
