"""Finding a product (issue 10, item 5): the index ranks exact codes, then prefixes of names,
aliases, pinyin and codes, then substrings; the service searches the stored catalogue and
reloads its index when the catalogue changes (an import's products section, another process)."""
import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Product
from matchmaker.services import products
from matchmaker.services.products.index import ProductIndex, normalise_query, pinyin_keys
from matchmaker.services.packages import import_package
from matchmaker.services.reference_data import ensure_reference_data
from matchmaker.services.support.errors import NotFound
from tests.packages.conftest import write_json


def _p(code, zh, en, category="IO003", hs=None, aliases=(), unit="t"):
    return {"code": code, "name_zh": zh, "name_en": en, "unit": unit, "category": category, "hs": hs,
            "aliases": aliases}


RECORDS = [
    _p("P003001", "生鲜乳", "Raw milk", hs="040120", aliases=("原奶", "fresh milk")),
    _p("P003002", "生猪", "Live hogs", hs="010391", aliases=("肥猪",), unit="head"),
    _p("P020001", "灭菌乳", "UHT milk", "IO020", "040120", ("纯牛奶", "常温奶")),
    _p("P020002", "全脂乳粉", "Whole milk powder", "IO020", "040221", ("奶粉",)),
    _p("P071006", "乳脂分离机", "Cream separators", "IO071", "842111", ("牛奶分离机",), unit="set"),
    _p("P052001", "载重汽车轮胎", "Truck and bus tyres", "IO052", "401120", ("卡车轮胎",), unit="piece"),
    _p("P073001", "深沟球轴承", "Deep groove ball bearings", "IO073", "848210", ("轴承",), unit="set"),
    _p("P073002", "圆锥滚子轴承", "Tapered roller bearings", "IO073", "848220", (), unit="set"),
    _p("X-1", "奶牛", "Dairy cows", hs="010229", unit="head"),
]


@pytest.fixture(scope="module")
def index():
    return ProductIndex(RECORDS)


def codes(found):
    return [r["code"] for r in found]


def test_queries_are_normalised_and_pinyin_is_lower_case_without_tones():
    assert normalise_query(" ＭＩＬＫ\u3000 Powder ") == "milk powder"
    assert pinyin_keys("奶牛") == ("nainiu", "nn")
    assert pinyin_keys("长江轴承") == ("changjiangzhoucheng", "cjzc")  # phrase-aware: chang, not zhang
    assert pinyin_keys("ABS树脂") == ("absshuzhi", "abssz")
    assert pinyin_keys("Raw milk") is None


def test_an_exact_code_ranks_first_whatever_else_matches(index):
    assert codes(index.search("P003001")) == ["P003001"]
    assert codes(index.search("p020001")) == ["P020001"]  # codes in any case
    # an exact HS subheading, then the products whose code merely starts with the text
    assert codes(index.search("040120")) == ["P003001", "P020001"]
    # an exact category code: every product of the category, in catalogue order
    assert codes(index.search("IO073")) == ["P073001", "P073002"]


def test_prefixes_of_codes(index):
    assert codes(index.search("P0730")) == ["P073001", "P073002"]
    assert codes(index.search("0401")) == ["P003001", "P020001"]  # an HS heading
    assert codes(index.search("8482")) == ["P073001", "P073002"]


def test_chinese_names_prefix_before_substring(index):
    # 轴承: an exact alias of P073001 first, then the name that merely contains it
    assert codes(index.search("轴承")) == ["P073001", "P073002"]
    # 牛奶: the alias that starts with it (牛奶分离机) before those that contain it (纯牛奶)
    assert codes(index.search("牛奶")) == ["P071006", "P020001"]
    assert codes(index.search("乳")) == ["P071006", "P003001", "P020001", "P020002"]


def test_pinyin_initials_and_full_pinyin(index):
    assert codes(index.search("nn")) == ["X-1", "P071006"]  # 奶牛 exactly, then 牛奶分离机
    assert codes(index.search("sxr")) == ["P003001"]
    assert codes(index.search("shengxian")) == ["P003001"]
    assert codes(index.search("Sheng Xian Ru")) == ["P003001"]  # blanks and case do not matter
    assert codes(index.search("zc")) == ["P073001"]  # the alias 轴承
    assert index.search("xianru") == []  # pinyin matches from the start only


def test_english_words_match_from_their_start(index):
    assert codes(index.search("milk")) == ["P003001", "P020001", "P020002"]
    assert codes(index.search("tyre")) == ["P052001"]
    assert codes(index.search("bearing")) == ["P073002", "P073001"]  # shorter name first
    assert codes(index.search("ilk")) == ["P003001", "P020001", "P020002"]  # substrings, after prefixes
    assert codes(index.search("milk powder")) == ["P020002"]


def test_several_words_each_match_somewhere(index):
    assert codes(index.search("milk 全脂")) == ["P020002"]
    assert codes(index.search("bus truck")) == ["P052001"]
    assert index.search("milk tyre") == []


def test_empty_query_lists_everything_in_order_and_nonsense_finds_nothing(index):
    assert codes(index.search("")) == codes(RECORDS)
    assert codes(index.search("   ")) == codes(RECORDS)
    assert index.search("zzzz") == []
    assert codes(index.search("\x1f")) == codes(RECORDS)  # control characters count as blanks
    assert codes(index.search("raw\x1fmilk")) == ["P003001"]
    assert index.get("X-1")["name_en"] == "Dairy cows" and index.get("x-1") is None


def test_the_shipped_catalogue_answers_the_usual_queries():
    from matchmaker.infra.reference import load_products

    idx = ProductIndex(load_products())
    assert len(idx) == len(load_products())
    first = {q: idx.search(q)[0] for q in ("生鲜乳", "sxr", "raw milk", "P003001", "轴承", "tyre", "crude oil")}
    assert first["生鲜乳"]["code"] == first["sxr"]["code"] == first["raw milk"]["code"] == "P003001"
    assert first["P003001"]["code"] == "P003001"
    assert "轴承" in first["轴承"]["name_zh"] + "".join(first["轴承"]["aliases"])
    assert "tyre" in first["tyre"]["name_en"].lower()
    assert first["crude oil"]["name_zh"] == "原油"
    assert all(r["hs"].startswith("0401") for r in idx.search("0401")[:4])


# --- the service over the stored catalogue ------------------------------------------------------

@pytest.fixture
def catalogue(app):
    products.invalidate_index()
    ensure_reference_data()
    yield
    products.invalidate_index()


def test_search_pages_through_the_stored_catalogue(catalogue):
    page1, total = products.search_products({"q": "milk"}, page=1, page_size=3)
    page2, total2 = products.search_products({"q": "milk"}, page=2, page_size=3)
    assert total == total2 > 6
    assert len(page1) == len(page2) == 3 and not {p["code"] for p in page1} & {p["code"] for p in page2}
    assert page1[0]["code"] == "P003001"
    raw = page1[0]
    assert (raw["unit"], raw["hs"], raw["category_ref"]["code"], raw["category_ref"]["name"]) == (
        "t", "040120", "IO003", "畜牧产品")
    everything, n = products.search_products({}, page=1, page_size=10000)
    assert n == db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == len(everything)
    assert [p["code"] for p in everything] == sorted(p["code"] for p in everything)
    assert products.search_products({"q": "milk"}, page=99, page_size=50) == ([], total)


def test_get_product(catalogue):
    assert products.get_product("P003001")["name_en"] == "Raw milk"
    for code in ("P999999", "", None, 5, "x" * 500):
        with pytest.raises(NotFound):
            products.get_product(code)


def test_an_import_that_adds_or_corrects_products_reaches_the_index(catalogue, tmp_path):
    assert products.search_products({"q": "alpaca"})[1] == 0
    package = {"products": [
        {"code": "ALPACA-1", "name_zh": "羊驼奶", "name_en": "Alpaca milk", "unit": "kg", "category": "IO003",
         "hs": "040120", "aliases": ["驼奶"]},
        {"code": "P003001", "name_zh": "生鲜乳", "name_en": "Raw cow's milk", "unit": "t", "category": "IO003",
         "hs": "040120", "aliases": ["原奶"]},
    ]}
    import_package(write_json(tmp_path, package))
    found, total = products.search_products({"q": "alpaca"})
    assert total == 1 and found[0]["code"] == "ALPACA-1" and found[0]["unit"] == "kg"
    assert products.search_products({"q": "ytn"})[0][0]["code"] == "ALPACA-1"  # 羊驼奶, by initials
    assert products.get_product("P003001")["name_en"] == "Raw cow's milk"


def test_a_change_made_elsewhere_is_seen_at_the_next_search(catalogue):
    """Another process (a worker, the CLI) changes a product: no signal reaches this process; the
    fingerprint read before each search does."""
    assert products.search_products({"q": "P003001"})[0][0]["name_en"] == "Raw milk"
    with db.engine.begin() as conn:  # behind the service's back, as another process would
        conn.execute(sa.update(Product.__table__).where(Product.code == "P003001").values(name_en="Raw milk of Qiqihar"))
    db.session.rollback()
    assert products.search_products({"q": "P003001"})[0][0]["name_en"] == "Raw milk of Qiqihar"
    assert products.search_products({"q": "qiqihar"})[0][0]["code"] == "P003001"
