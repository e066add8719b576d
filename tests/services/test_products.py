"""Products on needs, offers and links (spec/products.md): the category follows the product, a
category that disagrees is an error on `category`, unknown products are errors on `product` and
`accepts`, and a posting's unit is its product's, else its category's."""
from datetime import date

import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Need
from matchmaker.services import links, needs, offers
from matchmaker.services.support.errors import Invalid
from tests import factories
from tests.services.world import actor, build_world


@pytest.fixture
def world(app):
    w = build_world()
    factories.category("C3", unit="t")
    factories.product("P-MILK", "C1", unit="t", name_zh="生鲜乳", name_en="raw milk")
    factories.product("P-HOG", "C1", unit="head", name_zh="生猪", name_en="live hogs")
    factories.product("P-OIL", "C3", unit="t")
    db.session.commit()
    return w


def _need(**kw):
    data = {"quantity": 50, "needed_by": date(2020, 5, 1)}
    data.update(kw)
    return data


def test_a_need_naming_a_product_takes_its_category_and_unit(world):
    row = needs.create_need(actor(world, "firm_own"), _need(product="P-HOG", accepts=["P-MILK", "P-MILK"]))
    assert (row.category_code, row.product_code, row.accepts, row.unit) == ("C1", "P-HOG", ["P-MILK"], "head")
    plain = needs.create_need(actor(world, "firm_own"), _need(category="C2"))
    assert (plain.product_code, plain.accepts, plain.unit) == (None, [], "piece")


def test_a_category_that_disagrees_with_the_product_is_an_error_on_category(world):
    with pytest.raises(Invalid) as exc:
        needs.create_need(actor(world, "firm_own"), _need(product="P-HOG", category="C2"))
    assert list(exc.value.errors) == ["category"]
    row = needs.create_need(actor(world, "firm_own"), _need(product="P-HOG", category="C1"))
    assert row.category_code == "C1"


@pytest.mark.parametrize("data,field", [
    ({"product": "P-NONE"}, "product"),
    ({"product": "has space"}, "product"),
    ({"product": "P-MILK", "accepts": ["P-MILK", "P-NONE"]}, "accepts"),
    ({"category": "C1", "accepts": "P-MILK"}, "accepts"),
    ({}, "category"),
])
def test_bad_product_references_name_their_field(world, data, field):
    with pytest.raises(Invalid) as exc:
        needs.create_need(actor(world, "firm_own"), _need(**data))
    assert field in exc.value.errors
    assert db.session.query(Need).filter(Need.quantity == 50).count() == 0


def test_changing_the_product_moves_the_category_and_a_lone_category_must_agree(world):
    row = needs.create_need(actor(world, "firm_own"), _need(product="P-MILK"))
    row = needs.update_need(actor(world, "firm_own"), row.id, {"product": "P-OIL"})
    assert (row.category_code, row.product_code) == ("C3", "P-OIL")
    with pytest.raises(Invalid) as exc:
        needs.update_need(actor(world, "firm_own"), row.id, {"category": "C1"})
    assert list(exc.value.errors) == ["category"]
    row = needs.update_need(actor(world, "firm_own"), row.id, {"product": None, "category": "C2"})
    assert (row.category_code, row.product_code, row.unit) == ("C2", None, "piece")


def test_offers_and_links_name_products_too(world):
    offer = offers.create_offer(actor(world, "firm_own"), {"product": "P-HOG", "quantity": 7,
                                                           "available_from": date(2020, 3, 1)})
    assert (offer.category_code, offer.unit) == ("C1", "head")
    with pytest.raises(Invalid) as exc:
        offers.create_offer(actor(world, "firm_own"), {"product": "P-HOG", "category": "C3", "quantity": 7,
                                                       "available_from": date(2020, 3, 1)})
    assert list(exc.value.errors) == ["category"]
    link = links.create_link(actor(world, "admin"), {"supplier": world.firm_refs["own"],
                                                     "buyer": world.firm_refs["sister"],
                                                     "product": "P-OIL", "quantity_per_week": 3})
    assert (link.category_code, link.product_code, link.unit) == ("C3", "P-OIL", "t")
    with pytest.raises(Invalid) as exc:
        links.create_link(actor(world, "admin"), {"supplier": world.firm_refs["own"],
                                                  "buyer": world.firm_refs["sister"],
                                                  "product": "P-NOPE", "quantity_per_week": 3})
    assert list(exc.value.errors) == ["product"]


def test_a_firm_users_link_request_carries_the_product_to_the_link(world):
    req = links.create_link(actor(world, "firm_own"), {"supplier": world.firm_refs["own"],
                                                       "buyer": world.firm_refs["sister"],
                                                       "product": "P-MILK", "quantity_per_week": 2})
    assert (req.category_code, req.product_code) == ("C1", "P-MILK")
    confirmed = links.confirm_link_request(actor(world, "firm_other"), req.id)
    assert (confirmed.link.product_code, confirmed.link.unit) == ("P-MILK", "t")


def test_reference_data_upserts_the_shipped_catalogue_but_leaves_a_packages_products_alone(app, tmp_path):
    import json

    import sqlalchemy as sa

    from matchmaker.infra.reference import load_products
    from matchmaker.models import Product
    from matchmaker.services.packages import import_package
    from matchmaker.services.reference_data import ensure_reference_data

    shipped = load_products()
    first, second = shipped[0], shipped[1]
    assert ensure_reference_data()["products"] == len(shipped)
    # a stale shipped row (an older catalogue) is brought up to date; a package's correction stays
    path = tmp_path / "fix.json"
    path.write_text(json.dumps({"products": [dict(second, aliases=list(second["aliases"]), name_en="corrected")]}),
                    encoding="utf-8")
    import_package(path)
    db.session.execute(sa.update(Product).where(Product.code == first["code"]).values(name_en="old name"))
    db.session.commit()
    again = ensure_reference_data()
    assert (again["products"], again["products_updated"]) == (0, 1)
    assert db.session.get(Product, first["code"]).name_en == first["name_en"]
    assert (db.session.get(Product, second["code"]).name_en, db.session.get(Product, second["code"]).shipped) == (
        "corrected", False)
    assert ensure_reference_data()["products_updated"] == 0


def test_runs_pair_products_as_the_spec_says_and_reasons_and_partners_name_them(app):
    """A dairy that needs raw milk (accepting goat milk) is offered milk, goat milk and goods of its
    category that name no product, never live hogs of the same category nor milk counted in kL."""
    from matchmaker.models import Link, Pairing
    from matchmaker.services import matching

    factories.region("230102", lat=45.76, lon=126.64)
    factories.category("C1", unit="t")
    factories.product("P-MILK", "C1", unit="t", name_zh="生鲜乳", name_en="raw milk")
    factories.product("P-GOAT", "C1", unit="t", name_zh="生羊乳", name_en="raw goat milk")
    factories.product("P-HOG", "C1", unit="t", name_zh="生猪", name_en="live hogs")
    factories.product("P-MILK-KL", "C1", unit="kL", name_zh="散装鲜乳", name_en="bulk milk")
    dairy = factories.firm("DAIRY", kind="leading")
    factories.need(dairy, "C1", quantity=100.0, needed_by=date(2020, 4, 30), ref="N-MILK",
                   product_code="P-MILK", accepts=["P-GOAT"])
    for ref, product in (("O-MILK", "P-MILK"), ("O-GOAT", "P-GOAT"), ("O-HOG", "P-HOG"),
                         ("O-KL", "P-MILK-KL"), ("O-ANY", None)):
        factories.offer(factories.firm(ref.replace("O-", "S-")), "C1", quantity=10.0, ref=ref, product_code=product)
    buyer = factories.user("firm", dairy)
    db.session.commit()
    matching.run_matching(date(2020, 3, 16))
    proposals = {p.offer.ref: p for p in db.session.query(Pairing).all()}
    assert set(proposals) == {"O-MILK", "O-GOAT", "O-ANY"}
    assert proposals["O-MILK"].reasons[0] == "产品：生鲜乳 / product: raw milk"
    assert proposals["O-GOAT"].reasons[0] == "买方亦收 生羊乳（替代 生鲜乳） / the buyer also takes raw goat milk instead of raw milk"
    partners = matching.best_partners(buyer, "need", db.session.query(Need).one().id, n=10, as_of=date(2020, 3, 16))
    assert {(p["ref"], p["product"], p["unit"]) for p in partners} == {
        ("O-MILK", "P-MILK", "t"), ("O-GOAT", "P-GOAT", "t"), ("O-ANY", None, "t")}
    assert any("生羊乳" in r for p in partners for r in p["reasons"])
    # the link an accepted proposal makes supplies the offer's product
    goat = proposals["O-GOAT"]
    matching.accept_pairing(buyer, goat.id)
    supplier = factories.user("firm", goat.offer.firm)
    db.session.commit()
    matching.accept_pairing(supplier, goat.id)
    link = db.session.query(Link).one()
    assert (link.product_code, link.category_code, link.unit) == ("P-GOAT", "C1", "t")
