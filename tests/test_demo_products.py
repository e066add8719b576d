"""The demo trades the right goods (issue 10, item 6): every posting and link names a catalogue
product of its category, in the product's unit; each goes to the industry that uses it (raw milk
to dairies, cartons to dairies, feed to farms, soybeans to crushers, coking coal to coke plants,
crude oil and naphtha around Daqing, herbs to pharmaceutical firms); firms carry the GB/T 4754
class of what they make; and some needs accept real substitutes.

The expectations here are written from the specs and the trades themselves, not read from the
generator's tables.
"""
import json
import re

import pytest

from matchmaker.demo.generate import DEMO_FILE
from matchmaker.infra.reference import load_categories, load_products

PRODUCTS = {p["code"]: p for p in load_products()}
CATEGORIES = {c["code"]: c for c in load_categories()}
COUNTED = {"head", "piece", "set", "box"}


@pytest.fixture(scope="module")
def package():
    with open(DEMO_FILE, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def firms(package):
    return {f["ref"]: f for f in package["firms"]}


def _records(package):
    for section in ("needs", "offers", "links"):
        for rec in package[section]:
            yield section, rec


def _qty(section, rec):
    return rec["quantity_per_week" if section == "links" else "quantity"]


def test_every_posting_and_link_names_a_product_of_its_category(package):
    for section, rec in _records(package):
        product = PRODUCTS.get(rec.get("product"))
        assert product is not None, (section, rec["ref"])
        assert rec["category"] == product["category"], (section, rec["ref"])  # both given: they agree
        assert re.fullmatch(r"IO\d{3}", rec["category"])  # the chain's categories are the IO sectors


def test_quantities_are_in_the_products_units(package):
    """Counted things come in whole numbers, and prices per unit are of the right order for the
    unit (a price per kg quoted per t, or per t quoted per piece, would be out by a thousand)."""
    for section, rec in _records(package):
        unit = PRODUCTS[rec["product"]]["unit"]
        if unit in COUNTED:
            assert float(_qty(section, rec)).is_integer(), (section, rec["ref"], unit)
    # CNY per unit of the product: (low, high)
    sane = {"P003001": (2500, 6000),      # raw milk, per t
            "P003002": (1000, 5000),      # live hogs, per head
            "P003004": (300, 6000),       # deer antler velvet, per kg
            "P001001": (3000, 7000),      # soybeans, per t
            "P006001": (600, 2500),       # coking coal, per t
            "P007001": (1500, 5000),      # crude oil, per t
            "P037002": (0.1, 2),          # aseptic cartons, per piece
            "P052001": (500, 5000),       # truck tyres, per piece
            "P071001": (5000, 200000)}    # industrial fans, per set
    seen = set()
    for section in ("needs", "offers"):
        key = "max_unit_price" if section == "needs" else "unit_price"
        for rec in package[section]:
            if rec["product"] in sane and key in rec:
                lo, hi = sane[rec["product"]]
                assert lo <= rec[key] <= hi, (section, rec["ref"], rec[key])
                seen.add(rec["product"])
    assert len(seen) >= 6


def test_needs_accept_real_substitutes_in_the_same_unit(package):
    with_accepts = [n for n in package["needs"] if n.get("accepts")]
    assert len(with_accepts) >= 5
    substitutes = {"P001002": {"P001011", "P001013"},           # corn: sorghum, barley (feed grain)
                   "P014001": {"P014007", "P014015", "P014013"},  # soybean meal: other protein meals
                   "P013003": {"P013008", "P013001"},           # pig feed: concentrate, compound feed
                   "P006001": {"P006008"},                      # coking coal: gas coal in the blend
                   "P006002": {"P006004", "P006007"},           # thermal coal: lignite, middlings
                   "P041001": {"P041014", "P007003"},           # naphtha: LPG, condensate
                   "P064003": {"P064002"},                      # alloy ingots: primary aluminium
                   "P002002": {"P002008"}}                      # birch logs: poplar logs (plywood)
    for n in with_accepts:
        assert n["product"] not in n["accepts"] and len(set(n["accepts"])) == len(n["accepts"])
        assert set(n["accepts"]) <= substitutes.get(n["product"], set()), (n["ref"], n["product"], n["accepts"])
        assert {PRODUCTS[a]["unit"] for a in n["accepts"]} == {PRODUCTS[n["product"]]["unit"]}


# GB/T 4754-2017 classes of the firms that make a product (the demo's suppliers)
MAKER_CLASSES = {
    "P003001": {"A0311"},                 # raw milk: dairy cattle farms (牛的饲养)
    "P003002": {"A0313"},                 # live hogs: hog farms (猪的饲养), not A0311
    "P003004": {"A0319"},                 # deer antler velvet: other livestock (sika deer)
    "P001001": {"A0121"},                 # soybeans: legume growing
    "P001002": {"A0113"},                 # corn
    "P001003": {"A0111"},                 # paddy rice
    "P013002": {"C1329"}, "P013003": {"C1329"},  # feed mills
    "P014001": {"C1331"},                 # soybean meal: crushers
    "P007001": {"B0711"},                 # crude oil: onshore oil extraction
    "P041001": {"C2511"},                 # naphtha: refineries
    "P006001": {"B0610"}, "P006002": {"B0610"},  # bituminous coal mines
    "P042001": {"C2521"},                 # metallurgical coke: coking plants
    "P037002": {"C2231"},                 # aseptic cartons: paper container makers
    "P052001": {"C2911"}, "P052002": {"C2911"},  # tyres
    "P073004": {"C3451"}, "P073005": {"C3451"},  # rolling bearings
    "P062007": {"C3130"},                 # steel plate: steel rolling
    "P066015": {"C3391"},                 # grey iron castings: ferrous foundries
    "P002001": {"A0241"},                 # larch logs: logging
}


def test_suppliers_carry_the_class_of_what_they_make(package, firms):
    checked = 0
    for section, rec in _records(package):
        if section == "needs":
            continue
        maker = firms[rec["supplier"] if section == "links" else rec["firm"]]
        if rec["product"] in MAKER_CLASSES:
            assert maker["industry"] in MAKER_CLASSES[rec["product"]], (section, rec["ref"], rec["product"])
            checked += 1
    assert checked > 150
    hog_farms = {firms[r["supplier"]]["ref"] for r in package["links"] if r["product"] == "P003002"}
    assert hog_farms and all(firms[f]["industry"] == "A0313" for f in hog_farms)


# who buys what: product -> the GB/T classes (by prefix) of the firms that may buy it
BUYER_CLASSES = {
    "P003001": ("C144",),                 # raw milk: dairies only
    "P037002": ("C144",),                 # aseptic cartons: dairies
    "P013002": ("A0311",),                # dairy cow concentrate: dairy farms
    "P013003": ("A0313",),                # pig feed: hog farms
    "P001008": ("A0311",),                # whole-plant silage: dairy farms
    "P001001": ("C1331",),                # soybeans: crushers
    "P014001": ("C1329",),                # soybean meal: feed mills
    "P003002": ("C135",),                 # live hogs: slaughterhouses
    "P001003": ("C1311",),                # paddy rice: rice mills
    "P007001": ("C2511", "C2614"),        # crude oil: refineries and crackers
    "P041001": ("C2614",),                # naphtha: crackers
    "P006001": ("C2521",),                # coking coal: coke plants
    "P006002": ("D441", "C26"),           # thermal coal: power plants, chemical plants
    "P042001": ("C313",),                 # metallurgical coke: steel
    "P003004": ("C27",),                  # deer antler: pharmaceuticals
    "P001041": ("C27",), "P001040": ("C27",), "P001042": ("C27",), "P001043": ("C27",), "P001044": ("C27",),
    "P048001": ("C2511",), "P048002": ("C2511",),  # refinery catalysts
    "P052001": ("C36",), "P052002": ("C36",),      # tyres: vehicle makers
    "P080003": ("C36",), "P080004": ("C36",),      # gearboxes, drive axles
    "P073004": ("C34", "C35"), "P073005": ("C34", "C35"),  # bearings: machinery makers
}


def test_each_product_goes_to_the_industry_that_uses_it(package, firms):
    checked = 0
    for section, rec in _records(package):
        if section == "offers" or rec["product"] not in BUYER_CLASSES:
            continue
        buyer = firms[rec["buyer"] if section == "links" else rec["firm"]]
        assert buyer["industry"].startswith(BUYER_CLASSES[rec["product"]]), (section, rec["ref"], rec["product"])
        checked += 1
    assert checked > 100
    # and the dairies buy raw milk and cartons, nothing else
    dairy_buys = {r["product"] for s, r in _records(package) if s != "offers"
                  and firms[r["buyer"] if s == "links" else r["firm"]]["industry"].startswith("C144")}
    assert dairy_buys == {"P003001", "P037002"}


def test_daqing_trades_crude_oil_and_naphtha(package, firms):
    daqing = [r for s, r in _records(package) if s != "offers" and r["product"] in ("P007001", "P041001")]
    assert len(daqing) >= 10
    assert all(firms[r["buyer"] if "buyer" in r else r["firm"]]["region"].startswith("2306") for r in daqing)


# A word in a firm's name -> words one of which every product it sells has in its Chinese name
# (issue 10: no foundry selling bolts, no valve maker selling pumps, no maize co-operative
# selling sorghum). Written from the trades' own words, not from the generator's tables.
NAME_WORDS = {
    "铸造": ("铸件",), "钢结构": ("钢结构",), "金属结构": ("钢结构",), "紧固件": ("螺栓", "螺母", "螺钉"),
    "阀门": ("阀",), "泵业": ("泵",), "传动设备": ("齿轮", "减速机"),
    "玉米种植": ("玉米",), "大豆种植": ("大豆",), "水稻种植": ("稻",), "米业种植": ("稻",),
    "奶牛养殖": ("生鲜乳",), "生猪养殖": ("生猪",), "鹿业": ("鹿",),
    "生物肥料": ("有机肥", "生物"), "化学助剂": ("助剂", "破乳剂", "胶"),
    "铜业": ("铜",), "铝业": ("铝",), "合金材料": ("合金",),
    "林业服务": ("植保", "林"), "板材": ("板",), "木制品": ("板", "木"),
    "煤矿": ("煤",), "煤业": ("煤",), "轮胎": ("轮胎",), "饲料": ("饲料", "精补料"), "纸制品": ("纸",),
    "耐火材料": ("砖", "耐火"), "石墨矿业": ("石墨",), "风机": ("风机",),
}


def test_firm_names_follow_what_they_sell(package, firms):
    sold = {}
    for section in ("offers", "links"):
        for rec in package[section]:
            seller = rec["firm"] if section == "offers" else rec["supplier"]
            if rec.get("product"):
                sold.setdefault(seller, set()).add(rec["product"])
    checked, wrong = 0, []
    for ref, codes in sorted(sold.items()):
        name = firms[ref]["name"]
        for word, allowed in NAME_WORDS.items():
            if word in name:
                checked += 1
                wrong += [(ref, name, PRODUCTS[c]["name_zh"]) for c in sorted(codes)
                          if not any(a in PRODUCTS[c]["name_zh"] for a in allowed)]
    assert checked > 150
    assert wrong == []
    # co-operatives (专业合作社) carry the co-operative kind of credit code (93), companies 91
    for f in package["firms"]:
        assert f["credit_code"].startswith("93" if "合作社" in f["name"] else "91"), f["name"]
