"""The shipped product catalogue (matchmaker/data/products.csv, issue 10), the HS 2022
subheadings it refers to, the HS-chapter/category agreement table, and their loaders."""
import csv
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

from matchmaker.infra.reference import (
    DATA_DIR,
    GOODS_CATEGORIES,
    UTILITY_CATEGORIES,
    load_categories,
    load_hs_chapter_categories,
    load_hs_subheadings,
    load_products,
)

ROOT = Path(__file__).resolve().parent.parent
MIN_PRODUCTS = 600
UNITS = {"t", "kg", "head", "kL", "L", "m3", "m2", "m", "km", "piece", "set", "pair", "box",
         "kWh", "MWh", "GJ", "10k CNY"}
# name_zh -> (category, HS subheading) of the products the demo's firms trade (issue 10)
DEMO_PRODUCTS = {
    "生鲜乳": ("IO003", "040120"),
    "灭菌乳": ("IO020", "040120"),
    "无菌纸盒": ("IO037", "481920"),
    "配合饲料": ("IO013", "230990"),
    "大豆": ("IO001", "120190"),
    "豆粕": ("IO014", "230400"),
    "一级大豆油": ("IO014", "150790"),
    "大豆原油": ("IO014", "150710"),
    "玉米": ("IO001", "100590"),
    "原油": ("IO007", "270900"),
    "石脑油": ("IO041", "271012"),
    "催化裂化催化剂": ("IO048", "381519"),
    "炼焦精煤": ("IO006", "270112"),
    "深沟球轴承": ("IO073", "848210"),
    "载重汽车轮胎": ("IO052", "401120"),
    "6-氨基青霉烷酸": ("IO050", "294110"),
    "杨木胶合板": ("IO035", "441233"),
}


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def products():
    return load_products()


@pytest.fixture(scope="module")
def hs():
    return {r["code"]: r for r in load_hs_subheadings()}


def test_files_are_utf8_without_bom_with_the_agreed_headers():
    for name, header in (
        ("products.csv", b"code,name_zh,name_en,unit,category,hs,aliases\n"),
        ("hs_subheadings.csv", b"code,description,chapter\n"),
        ("hs_chapter_categories.csv", b"chapter,description,categories\n"),
    ):
        data = (DATA_DIR / name).read_bytes()
        assert data.startswith(header), name
        data.decode("utf-8")


def test_catalogue_size_and_codes(products):
    codes = [p["code"] for p in products]
    assert len(products) >= MIN_PRODUCTS
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    for p in products:
        assert re.fullmatch(r"P\d{3}\d{3}", p["code"]), p["code"]
        assert p["code"][1:4] == p["category"][2:], p["code"]  # P + the category's digits
        assert p["code"][4:] != "000"


def test_every_category_exists(products):
    categories = {c["code"] for c in load_categories()}
    assert {p["category"] for p in products} <= categories
    assert GOODS_CATEGORIES | UTILITY_CATEGORIES <= categories


def test_every_goods_and_utility_category_has_products(products):
    counts = Counter(p["category"] for p in products)
    assert [c for c in sorted(GOODS_CATEGORIES | UTILITY_CATEGORIES) if not counts[c]] == []
    # the demo's industries in depth (issue 10)
    for category, least in (("IO003", 15), ("IO013", 8), ("IO014", 10), ("IO020", 10), ("IO035", 15),
                            ("IO041", 12), ("IO043", 30), ("IO048", 15), ("IO050", 15), ("IO073", 10),
                            ("IO080", 20)):
        assert counts[category] >= least, category


def test_goods_categories_are_sections_a_b_c_and_the_rest_is_services():
    names = {c["code"]: c["name_en"] for c in load_categories()}
    assert not GOODS_CATEGORIES & UTILITY_CATEGORIES
    assert len(GOODS_CATEGORIES) == 96 and UTILITY_CATEGORIES == {"IO100", "IO101", "IO102"}
    for service in ("IO005", "IO011", "IO099", "IO103", "IO153"):
        assert service not in GOODS_CATEGORIES, names[service]


def test_names_units_and_aliases(products):
    for p in products:
        assert p["name_zh"].strip() == p["name_zh"] and re.search(r"[\u4e00-\u9fff]", p["name_zh"]), p
        assert p["name_en"].strip() == p["name_en"] and re.search(r"[A-Za-z]", p["name_en"]), p
        assert p["name_en"].isascii(), p
        assert p["unit"] in UNITS, p
        assert isinstance(p["aliases"], tuple)
        assert len(set(p["aliases"])) == len(p["aliases"]), p["code"]
        assert all(a.strip() == a and a for a in p["aliases"]), p["code"]
        assert p["name_zh"] not in p["aliases"] and p["name_en"] not in p["aliases"], p["code"]


def test_names_are_unique(products):
    for field in ("name_zh", "name_en"):
        counts = Counter(p[field] for p in products)
        assert [n for n, k in counts.items() if k > 1] == [], field


def test_no_alias_is_another_products_name(products):
    names = {}
    for p in products:
        names[p["name_zh"]] = names[p["name_en"].lower()] = p["code"]
    clashes = [(p["code"], a) for p in products for a in p["aliases"] if names.get(a.lower(), p["code"]) != p["code"]]
    assert clashes == []


def test_hs_subheadings_shipped(hs):
    assert len(hs) == 5613  # every level-6 code of HS 2022
    assert all(re.fullmatch(r"\d{6}", c) and r["chapter"] == c[:2] and r["description"] for c, r in hs.items())
    assert hs["040120"]["description"].startswith("Dairy produce; milk and cream")


def test_every_hs_code_exists_and_goods_have_one(products, hs):
    for p in products:
        if p["category"] in GOODS_CATEGORIES:
            assert p["hs"] in hs, p["code"]
        elif p["category"] in UTILITY_CATEGORIES:
            assert p["hs"] is None or p["hs"] in hs, p["code"]
        else:
            assert p["hs"] is None, p["code"]  # services have no HS subheading


def test_hs_chapter_agrees_with_category(products):
    table = load_hs_chapter_categories()
    for p in products:
        if p["hs"]:
            assert p["category"] in table.get(p["hs"][:2], ()), (p["code"], p["hs"], p["category"])


def test_chapter_table_is_well_formed(hs):
    table = load_hs_chapter_categories()
    chapters = {r["chapter"] for r in hs.values()}
    assert set(table) <= chapters and len(table) >= 90
    for chapter, cats in table.items():
        assert cats and set(cats) <= GOODS_CATEGORIES | UTILITY_CATEGORIES, chapter
    # the nomenclature's own structure, spot-checked
    assert table["04"] == ("IO003", "IO020") and table["47"] == ("IO037", "IO098")
    assert "IO080" in table["87"] and "IO079" in table["87"] and "IO050" in table["30"]


def test_demo_products_present(products):
    by_name = {p["name_zh"]: p for p in products}
    for name, (category, hs_code) in DEMO_PRODUCTS.items():
        assert name in by_name, name
        assert (by_name[name]["category"], by_name[name]["hs"]) == (category, hs_code), name
    assert by_name["生猪"]["unit"] == "head"
    assert by_name["电力"]["unit"] == "kWh" and by_name["电力"]["hs"] == "271600"


def test_loader_matches_the_file(products):
    rows = _rows("products.csv")
    assert len(rows) == len(products)
    for row, p in zip(rows, products):
        assert p["aliases"] == tuple(a for a in row["aliases"].split(";") if a)
        assert p["hs"] == (row["hs"] or None)
        assert {k: p[k] for k in ("code", "name_zh", "name_en", "unit", "category")} == \
            {k: row[k] for k in ("code", "name_zh", "name_en", "unit", "category")}
    assert load_products() is products  # cached


def test_shipped_file_is_what_the_sources_build(products):
    spec = importlib.util.spec_from_file_location(
        "build_product_catalogue", ROOT / "scripts" / "build_product_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.read_sources()
    assert [{k: r[k] for k in module.PRODUCT_FIELDS} for r in built] == _rows("products.csv")
