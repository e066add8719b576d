"""The `products` section and product references in data packages (spec/products.md): upsert by
code; every bad reference reported by section, row and field; all or nothing; the three containers
carry `accepts` (a list field) and export writes everything back."""
import csv

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Link, Need, Offer, Product
from matchmaker.services.packages import export_package, import_package, stored_package
from tests.packages.conftest import counts, write_json


def test_products_and_references_are_imported(load, base):
    base["needs"][0].update(product="P1", category=None, accepts=["P2"])
    base["offers"][0].update(product="P2", category="C1")
    base["links"][0].update(product="P1")
    load(base)
    p1 = db.session.get(Product, "P1")
    assert (p1.name_en, p1.unit, p1.category_code, p1.hs, p1.aliases, p1.shipped) == (
        "raw milk", "t", "C1", "040120", ["原奶", "fresh milk"], False)
    need = db.session.scalar(sa.select(Need).where(Need.ref == "N1"))
    assert (need.category_code, need.product_code, need.accepts, need.unit) == ("C1", "P1", ["P2"], "t")
    offer = db.session.scalar(sa.select(Offer).where(Offer.ref == "O1"))
    assert (offer.product_code, offer.unit) == ("P2", "head")
    assert db.session.scalar(sa.select(Link.product_code).where(Link.ref == "L1")) == "P1"


@pytest.mark.parametrize("change,expected", [
    (lambda b: b["needs"][0].update(product="P9"), ("needs", 2, "product")),
    (lambda b: b["needs"][0].update(product="P1", category="C2"), ("needs", 2, "category")),
    (lambda b: b["needs"][0].update(accepts=["P2", "P9"]), ("needs", 2, "accepts")),
    (lambda b: b["offers"][0].update(product="P9"), ("offers", 2, "product")),
    (lambda b: b["offers"][0].update(product="P2", category="C2"), ("offers", 2, "category")),
    (lambda b: b["links"][0].update(product="no such"), ("links", 2, "product")),
    (lambda b: b["links"][0].update(product="P2", category="C2"), ("links", 2, "category")),
    (lambda b: b["needs"][0].update(category=None), ("needs", 2, "category")),
    (lambda b: b["products"][1].update(category="C9"), ("products", 3, "category")),
    (lambda b: b["products"][1].update(hs="999998"), ("products", 3, "hs")),
    (lambda b: b["products"][1].update(hs="0401"), ("products", 3, "hs")),
    (lambda b: b["products"][1].update(code="has space"), ("products", 3, "code")),
    (lambda b: b["products"][1].update(code="P" * 41), ("products", 3, "code")),
    (lambda b: b["products"][1].update(code="P1"), ("products", 3, "code")),
    (lambda b: b["products"][1].pop("unit"), ("products", 3, "unit")),
    (lambda b: b["products"][1].update(aliases=["x" * 201]), ("products", 3, "aliases")),
])
def test_every_bad_product_reference_is_reported_and_nothing_imported(problems, base, change, expected):
    change(base)
    assert expected in problems(base)


def test_all_problems_at_once_one_per_line(problems, base):
    base["needs"][0].update(product="P9", accepts=["P8"])
    base["offers"][0].update(product="P2", category="C2")
    found = problems(base, with_messages=True)
    lines = [str(p) for p in found]
    assert [(p.section, p.row, p.field) for p in found] == [
        ("needs", 2, "product"), ("needs", 2, "accepts"), ("offers", 2, "category")]
    assert all("\n" not in line for line in lines)
    assert "P9" in lines[0] and "C1" in lines[2]


def test_references_resolve_to_stored_products_and_products_upsert_by_code(load, base, tmp_path):
    load(base)
    later = {"products": [{"code": "P2", "name_zh": "仔猪", "name_en": "piglets", "unit": "head", "category": "C2"}],
             "needs": [{"ref": "N2", "firm": "F1", "product": "P1", "accepts": ["P2"], "quantity": 3,
                        "needed_by": "2020-04-01"}]}
    result = import_package(write_json(tmp_path, later, "later.json"), reference=False)
    assert (result.created, result.replaced) == ({"products": 0, "needs": 1}, {"products": 1, "needs": 0})
    assert db.session.get(Product, "P2").category_code == "C2"
    before = counts()
    bad = {"needs": [{"ref": "N3", "firm": "F1", "product": "P2", "category": "C1", "quantity": 3,
                      "needed_by": "2020-04-01"}]}
    with pytest.raises(Exception):
        import_package(write_json(tmp_path, bad, "bad.json"), reference=False)
    assert counts() == before


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out_dir"])
def test_export_writes_products_and_references_and_reimports_losslessly(load, base, tmp_path, name):
    base["needs"][0].update(product="P1", category=None, accepts=["P2"])
    base["offers"][0].update(product="P2")
    load(base)
    first = stored_package()
    export_package(tmp_path / name)
    if name == "out_dir":
        with open(tmp_path / name / "needs.csv", encoding="utf-8-sig", newline="") as fh:
            row = next(csv.DictReader(fh))
        assert (row["product"], row["accepts"]) == ("P1", "P2")
    result = import_package(tmp_path / name, reference=False)
    assert not any(result.replaced.values())
    assert stored_package() == first
    assert first["products"][0]["aliases"] == ["原奶", "fresh milk"]
    assert first["needs"][0]["accepts"] == ["P2"]


def test_csv_lists_split_on_semicolons(tmp_path, app, base):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "categories.csv").write_text("code,name,unit\nC1,原料,t\n", encoding="utf-8")
    (folder / "products.csv").write_text(
        "code,name_zh,name_en,unit,category,hs,aliases\n"
        "P1,生鲜乳,raw milk,t,C1,040120,原奶；fresh milk\nP2,生猪,live hogs,head,C1,,\n"
        "P3,羊奶,goat milk,t,C1,40120,\n", encoding="utf-8")
    import_package(folder, reference=False)
    assert db.session.get(Product, "P1").aliases == ["原奶", "fresh milk"]
    assert db.session.get(Product, "P3").hs == "040120"  # a number cell that lost its leading zero
