"""The API's lean paths answer exactly what marshmallow's dump and the ORM objects answered (issue 14).

Output schemas dump by a shorter walk (``schemas.common.OutputSchema``), and the need and offer
lists read plain rows instead of ORM objects: every field must come out the same, for every role.
"""
import marshmallow
import pytest

from matchmaker.models import Need, Offer
from matchmaker.models.product import Product
from matchmaker.schemas.common import OutputSchema
from matchmaker.services import reports
from tests import factories as f
from tests.services.world import actor

URLS = ["/api/v1/needs?page_size=500", "/api/v1/offers?page_size=500", "/api/v1/needs?status=open&region=230100",
        "/api/v1/offers?page=2&page_size=1", "/api/v1/firms?page_size=500", "/api/v1/links?page_size=500",
        "/api/v1/pairings?page_size=500", "/api/v1/regions?page_size=500", "/api/v1/categories?page_size=500",
        "/api/v1/link-requests", "/api/v1/reports", "/api/v1/reports/latest", "/api/v1/reports/latest/breaks",
        "/api/v1/auth/me", "/api/v1/users", "/api/v1/audit?page_size=100", "/api/v1/match-runs"]
ROLES = ("firm_own", "county_staff", "province_staff", "admin")


@pytest.fixture
def busy_world(world, db):
    """The world with a need half covered and naming a product (its unit), a closed offer, null
    prices and a stored report."""
    db.session.add(Product(code="C1-HEAD", name_zh="活牛", name_en="cattle", unit="head", category_code="C1"))
    need = db.session.get(Need, world.needs["own"])
    need.committed_quantity, need.max_unit_price, need.terms = 40.0, 12.5, ["pay_first", "order_first"]
    need.product_code, need.accepts = "C1-HEAD", ["C1-HEAD"]
    db.session.get(Offer, world.offers["sister"]).status = "closed"
    f.firm("F-DOWN", region_code="230102", operating=False, blockers=["labour"])
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return world


def _answers(client, as_role):
    out = {}
    for role in ROLES:
        for url in URLS:
            resp = client.get(url, headers=as_role(role))
            out[role, url] = (resp.status_code, resp.get_json(), resp.headers.get("X-Pagination"))
    return out


def test_lean_dump_answers_as_marshmallow_does(client, busy_world, as_role, monkeypatch):
    lean = _answers(client, as_role)
    monkeypatch.setattr(OutputSchema, "_serialize", marshmallow.Schema._serialize)
    plain = _answers(client, as_role)
    assert lean == plain
    assert sum(1 for status, body, _ in lean.values() if status == 200 and body) > 40


@pytest.mark.parametrize("what", ["needs", "offers", "firms", "links"])
@pytest.mark.parametrize("role", ROLES)
def test_a_listed_posting_is_the_posting_as_got_alone(client, busy_world, as_role, what, role):
    listed = client.get(f"/api/v1/{what}?page_size=500", headers=as_role(role)).get_json()
    assert listed
    for item in listed:
        alone = client.get(f"/api/v1/{what}/{item['id']}", headers=as_role(role))
        assert alone.status_code == 200 and alone.get_json() == item


def test_a_listed_category_is_the_category_as_got_alone(client, busy_world):
    f.category("C3", unit="kg", inputs=["C1", "C2"], substitutes=["C1"])
    listed = client.get("/api/v1/categories?page_size=500").get_json()
    assert {c["code"]: (c["inputs"], c["substitutes"]) for c in listed}["C3"] == (["C1", "C2"], ["C1"])
    for item in listed:
        assert client.get(f"/api/v1/categories/{item['code']}").get_json() == item
    assert [c["code"] for c in client.get("/api/v1/categories?input_of=C3").get_json()] == ["C1", "C2"]


def test_a_page_carries_the_total_of_the_whole_list(client, busy_world, as_role):
    first = client.get("/api/v1/needs?page_size=1", headers=as_role("admin"))
    past = client.get("/api/v1/needs?page=99&page_size=1", headers=as_role("admin"))
    assert first.headers["X-Pagination"] == ('{"total": 4, "total_pages": 4, "first_page": 1, "last_page": 4, '
                                             '"page": 1, "next_page": 2}')
    assert past.get_json() == [] and '"total": 4' in past.headers["X-Pagination"]


def test_the_users_token_lookup_refuses_what_it_refused(busy_world, db):
    from matchmaker.services import auth

    user = actor(busy_world, "county_staff")
    token = auth.issue_token(user)
    assert auth.user_for_token(token).id == user.id
    assert auth.user_for_token(token + "x") is None and auth.user_for_token("") is None
    user.active = False
    db.session.commit()
    assert auth.user_for_token(token) is None
