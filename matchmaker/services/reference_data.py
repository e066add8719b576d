"""Reference data into the database: every region of China, the product categories and the
product catalogue.

`ensure_reference_data()` inserts the shipped regions and categories that are not stored yet,
in bulk, and leaves stored rows alone (a risk level or a name set by a task force or by a data
package survives). The shipped products are upserted by code: missing ones are inserted, and
stored ones that are still the catalogue's (`Product.shipped`) take the shipped values, so a
corrected catalogue reaches a running service; a product a data package added or changed is the
package's and is left alone. It is idempotent and cheap to call before every import.
"""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Product, Region, category_input, category_substitute
from matchmaker.infra.reference import load_categories, load_products, load_regions
from matchmaker.rules import LEVEL_RANK

_CHUNK = 1000


def ensure_reference_data(commit: bool = True) -> dict:
    """Insert the shipped regions and categories missing from the database and upsert the shipped
    products; returns the counts added (and ``products_updated``)."""
    stored_regions = set(db.session.scalars(sa.select(Region.code)))
    new_regions = [r for r in load_regions() if r["code"] not in stored_regions]
    new_regions.sort(key=lambda r: (LEVEL_RANK[r["level"]], r["code"]))  # parents before children
    rows = [
        dict(code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent"], lat=r["lat"],
             lon=r["lon"], risk=r["risk"] or "low", approx_location=bool(r["approx_location"]))
        for r in new_regions
    ]
    for i in range(0, len(rows), _CHUNK):
        db.session.execute(sa.insert(Region.__table__), rows[i:i + _CHUNK])

    stored_categories = set(db.session.scalars(sa.select(Category.code)))
    new_categories = [c for c in load_categories() if c["code"] not in stored_categories]
    if new_categories:
        db.session.execute(sa.insert(Category.__table__), [
            dict(code=c["code"], name=c["name"], name_en=c["name_en"] or None, unit=c["unit"])
            for c in new_categories
        ])
        known = stored_categories | {c["code"] for c in new_categories}
        inputs = [dict(category_code=c["code"], input_code=i)
                  for c in new_categories for i in c["inputs"] if i in known]
        substitutes = [dict(category_code=c["code"], substitute_code=s)
                       for c in new_categories for s in c["substitutes"] if s in known]
        if inputs:
            db.session.execute(sa.insert(category_input), inputs)
        if substitutes:
            db.session.execute(sa.insert(category_substitute), substitutes)
    added, updated = _upsert_products()
    if commit:
        db.session.commit()
    return {"regions": len(rows), "categories": len(new_categories), "products": added, "products_updated": updated}


_PRODUCT_COLUMNS = ("name_zh", "name_en", "unit", "category_code", "hs", "aliases")


def _upsert_products() -> tuple[int, int]:
    """Insert the shipped products that are missing; bring stored shipped ones to the shipped values."""
    t = Product.__table__
    stored = {row[0]: row[1:] for row in db.session.execute(
        sa.select(t.c.code, t.c.shipped, *(t.c[c] for c in _PRODUCT_COLUMNS)))}
    new, changed = [], []
    for p in load_products():
        values = dict(name_zh=p["name_zh"], name_en=p["name_en"], unit=p["unit"], category_code=p["category"],
                      hs=p["hs"], aliases=list(p["aliases"]))
        old = stored.get(p["code"])
        if old is None:
            new.append(dict(code=p["code"], shipped=True, **values))
        elif old[0] and tuple(values[c] for c in _PRODUCT_COLUMNS) != tuple(
                list(v) if c == "aliases" else v for c, v in zip(_PRODUCT_COLUMNS, old[1:])):
            changed.append(dict(k_code=p["code"], **values))
    for i in range(0, len(new), _CHUNK):
        db.session.execute(sa.insert(t), new[i:i + _CHUNK])
    if changed:
        db.session.execute(sa.update(t).where(t.c.code == sa.bindparam("k_code")), changed)
    return len(new), len(changed)
