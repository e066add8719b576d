"""No demo proposal pairs goods the rule forbids (issue 10, item 6), and proposals name the right
products in the right units.

Rule 2 of spec/products.md is re-implemented here from the spec and the shipped files alone
(the demo package, the product catalogue, the categories' units and substitutes), not from the
service: (a) when both the need and the offer name a product, the offer's product is the need's
or one of its `accepts`; when either names none, the offer's category is the need's or one of
its substitutes; (b) both are counted in the same unit (the product's, else the category's).
"""
import json
from datetime import date

import pytest

from matchmaker.demo.generate import DEMO_FILE
from matchmaker.infra.extensions import db
from matchmaker.infra.reference import load_categories, load_products
from matchmaker.models.pairing import Pairing
from matchmaker.schemas.pairing import PairingSchema

AS_OF = date(2020, 3, 16)
PRODUCTS = {p["code"]: p for p in load_products()}
CATEGORIES = {c["code"]: c for c in load_categories()}


def unit(posting: dict) -> str:
    """products.md: a posting's quantities are in its product's unit, else its category's."""
    product = posting.get("product")
    return PRODUCTS[product]["unit"] if product else CATEGORIES[posting["category"]]["unit"]


def category(posting: dict) -> str:
    """A posting's category: its own, else its product's (products.md: it may be left empty)."""
    return posting.get("category") or PRODUCTS[posting["product"]]["category"]


def rule_2_allows(need: dict, offer: dict) -> bool:
    """Rule 2 of matching.md as spec/products.md rewrites it, (a) and (b)."""
    if need.get("product") and offer.get("product"):
        goods_ok = offer["product"] == need["product"] or offer["product"] in (need.get("accepts") or ())
    else:
        goods_ok = (category(offer) == category(need)
                    or category(offer) in (CATEGORIES[category(need)].get("substitutes") or ()))
    return goods_ok and unit(offer) == unit(need)


@pytest.fixture(scope="module")
def package():
    with open(DEMO_FILE, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture
def proposals(app, db, tmp_path):
    from matchmaker.services import matching
    from matchmaker.services.demo import load_demo

    load_demo()
    db.session.commit()
    run = matching.run_matching(AS_OF, out=tmp_path / "run.json")
    rows = db.session.scalars(db.select(Pairing).where(Pairing.run_id == run.id)).all()
    run_file = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    return [PairingSchema().dump(p) for p in rows], run_file


def test_the_rule_itself_tells_allowed_from_forbidden_pairs():
    milk = {"category": "IO003", "product": "P003001"}  # 生鲜乳, t
    hogs = {"category": "IO003", "product": "P003002"}  # 生猪, head
    corn = {"category": "IO001", "product": "P001002", "accepts": ["P001011"]}
    assert rule_2_allows(milk, milk) and not rule_2_allows(milk, hogs) and not rule_2_allows(hogs, milk)
    assert rule_2_allows(corn, {"category": "IO001", "product": "P001011"})  # sorghum: accepted
    assert not rule_2_allows(corn, {"category": "IO001", "product": "P001003"})  # paddy rice: not
    assert not rule_2_allows({"category": "IO003"}, hogs)  # by category: same category but head, not t
    assert rule_2_allows({"category": "IO003"}, milk)


def test_no_demo_proposal_pairs_goods_the_rule_forbids(package, proposals):
    pairings, run_file = proposals
    needs = {n["ref"]: n for n in package["needs"]}
    offers = {o["ref"]: o for o in package["offers"]}
    assert len(pairings) >= 50  # the demo gives the matcher real work
    forbidden = [(p["need"], p["offer"]) for p in pairings if not rule_2_allows(needs[p["need"]], offers[p["offer"]])]
    assert forbidden == []
    # and the rule is not idle on the demo: some same-category pairs of open postings are forbidden
    same_category = [(n, o) for n in package["needs"] for o in package["offers"]
                     if category(n) == category(o) and n["firm"] != o["firm"]]
    assert any(not rule_2_allows(n, o) for n, o in same_category)
    # the run file says the same goods and units as the package
    for entry in run_file["needs"]:
        need = needs[entry["ref"]]
        assert (entry["category"], entry["product"], entry["unit"]) == (category(need), need.get("product"),
                                                                         unit(need))
        assert sorted(entry["accepts"]) == sorted(need.get("accepts") or [])
    for entry in run_file["offers"]:
        offer = offers[entry["ref"]]
        assert (entry["category"], entry["product"], entry["unit"]) == (category(offer), offer.get("product"),
                                                                         unit(offer))


def test_proposals_name_the_right_products_and_units(package, proposals):
    pairings, _ = proposals
    needs = {n["ref"]: n for n in package["needs"]}
    offers = {o["ref"]: o for o in package["offers"]}
    for p in pairings:
        need, offer = needs[p["need"]], offers[p["offer"]]
        assert (p["buyer"], p["supplier"]) == (need["firm"], offer["firm"])
        assert (p["product"], p["offer_product"]) == (need.get("product"), offer.get("product"))
        assert p["unit"] == unit(need) == unit(offer)
        # the reasons name the products (their Chinese names) when the postings name them
        text = " ".join(p["reasons"])
        for code in {need.get("product"), offer.get("product")} - {None}:
            assert PRODUCTS[code]["name_zh"] in text, (p["need"], p["offer"], text)
