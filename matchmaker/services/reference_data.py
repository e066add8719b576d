"""Reference data into the database: every region of China and the product categories.

`ensure_reference_data()` inserts the shipped regions and categories that are not stored yet,
in bulk, and leaves stored rows alone (a risk level or a name set by a task force or by a data
package survives), so it is idempotent and cheap to call before every import.
"""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Category, Region, category_input, category_substitute
from matchmaker.infra.reference import load_categories, load_regions
from matchmaker.rules import LEVEL_RANK

_CHUNK = 1000


def ensure_reference_data(commit: bool = True) -> dict:
    """Insert the shipped regions and categories missing from the database; returns counts added."""
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
    if commit:
        db.session.commit()
    return {"regions": len(rows), "categories": len(new_categories)}
