"""The API accepts and returns `product`, `accepts` and `unit` on needs, offers and links
(spec/products.md); bad product references are 422 naming the field."""
import pytest

from matchmaker.infra.extensions import db
from tests import factories


@pytest.fixture
def catalogue(world):
    factories.product("P-HOG", "C1", unit="head")
    factories.product("P-MILK", "C1", unit="t")
    db.session.commit()


def test_a_need_with_a_product_round_trips_with_its_unit(client, world, as_role, catalogue):
    h = as_role("firm_own")
    res = client.post("/api/v1/needs", json={"product": "P-HOG", "accepts": ["P-MILK"], "quantity": 20,
                                             "needed_by": "2020-05-01"}, headers=h)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert (body["category"], body["product"], body["accepts"], body["unit"]) == ("C1", "P-HOG", ["P-MILK"], "head")
    plain = client.get(f"/api/v1/needs/{world.needs['own']}", headers=h).get_json()
    assert (plain["product"], plain["accepts"], plain["unit"]) == (None, [], "t")


@pytest.mark.parametrize("body,field", [
    ({"product": "P-NOPE"}, "product"),
    ({"product": "P-HOG", "category": "C2"}, "category"),
    ({"category": "C1", "accepts": ["P-NOPE"]}, "accepts"),
    ({"product": 5}, "product"),
])
def test_bad_product_references_are_422_on_their_field(client, world, as_role, catalogue, body, field):
    res = client.post("/api/v1/needs", json={"quantity": 20, "needed_by": "2020-05-01", **body},
                      headers=as_role("firm_own"))
    assert res.status_code == 422
    assert field in res.get_json()["errors"]


def test_offers_and_links_show_product_and_unit(client, world, as_role, catalogue):
    h = as_role("admin")
    res = client.post("/api/v1/offers", json={"firm": "F-OWN", "product": "P-HOG", "quantity": 3,
                                              "available_from": "2020-03-01"}, headers=h)
    assert res.status_code == 201, res.get_json()
    assert (res.get_json()["product"], res.get_json()["unit"], res.get_json()["category"]) == ("P-HOG", "head", "C1")
    res = client.patch(f"/api/v1/links/{world.links['qiqihar']}", json={"product": "P-MILK"}, headers=h)
    assert res.status_code == 200, res.get_json()
    assert (res.get_json()["category"], res.get_json()["product"], res.get_json()["unit"]) == ("C1", "P-MILK", "t")


def test_pairings_and_best_partners_carry_products_and_units(client, world, as_role, catalogue):
    from datetime import date

    from matchmaker.models import Need, Offer
    from matchmaker.services import matching

    db.session.get(Need, world.needs["sister"]).product_code = "P-HOG"
    db.session.get(Offer, world.offers["own"]).product_code = "P-HOG"
    db.session.commit()
    matching.run_matching(date(2020, 3, 16))
    h = as_role("admin")
    pairings = client.get("/api/v1/pairings", headers=h).get_json()
    hog = [p for p in pairings if p["need"] == "N-sister"]
    assert hog and all((p["product"], p["unit"]) == ("P-HOG", "head") for p in hog)
    assert {p["offer_product"] for p in hog} <= {"P-HOG", None}
    res = client.get(f"/api/v1/needs/{world.needs['sister']}/best-partners?as_of=2020-03-16", headers=h)
    assert res.status_code == 200, res.get_json()
    partners = res.get_json()
    assert partners and {(p["product"], p["unit"]) for p in partners} <= {("P-HOG", "head"), (None, "head")}
    assert any(p["product"] == "P-HOG" for p in partners)
