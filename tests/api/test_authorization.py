"""The authorization matrix: each role against each write and each region-scoped read.

World (tests/services/world.py): firms own (county 230102) and sister (230103) in Harbin city 230100,
qiqihar (230202) in Qiqihar city, jilin (220102) in Jilin province. Out-of-scope single objects
answer 404 (as if absent: no existence leak); in scope but not writable answers 403.
"""
import pytest

from matchmaker.infra.extensions import db
from matchmaker.models import Firm
from tests import factories
from tests.api.conftest import ROLES

ALL = {"own", "sister", "qiqihar", "jilin"}
VISIBLE_FIRMS = {
    "firm_own": {"own"},
    "firm_other": {"sister"},
    "county_staff": {"own"},
    "city_staff": {"own", "sister"},          # a city includes its counties
    "province_staff": {"own", "sister", "qiqihar"},
    "other_province_staff": {"jilin"},
    "admin": ALL,
}
# Links: own->sister, sister->qiqihar, qiqihar->sister, jilin->qiqihar; visible with either end.
VISIBLE_LINKS = {
    "firm_own": {"own"},
    "firm_other": {"own", "sister", "qiqihar"},
    "county_staff": {"own"},
    "city_staff": {"own", "sister", "qiqihar"},
    "province_staff": ALL,
    "other_province_staff": {"jilin"},
    "admin": ALL,
}
# Writes on the own firm's data: who may (2xx), who reads but may not (403), who cannot see (404).
WRITE_ON_OWN = {
    "firm_own": 200, "firm_other": 404, "county_staff": 403, "city_staff": 403, "province_staff": 403,
    "other_province_staff": 404, "admin": 200, "anonymous": 401,
}
CREATE_FOR_OWN = {
    "firm_own": 201, "firm_other": 403, "county_staff": 403, "city_staff": 403, "province_staff": 403,
    "other_province_staff": 403, "admin": 201, "anonymous": 401,
}


def _refs(resp):
    return {item["ref"] for item in resp.get_json()}


# --- reads --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind,prefix", [("firms", "F"), ("needs", "N"), ("offers", "O")])
def test_list_is_region_scoped(client, world, as_role, role, kind, prefix):
    resp = client.get(f"/api/v1/{kind}", headers=as_role(role))
    if role == "anonymous":
        assert resp.status_code == 401
        return
    assert resp.status_code == 200
    if kind == "firms":
        expected = {world.firm_refs[k] for k in VISIBLE_FIRMS[role]}
    else:
        expected = {f"{prefix}-{k}" for k in VISIBLE_FIRMS[role]}
    assert _refs(resp) == expected


@pytest.mark.parametrize("role", ROLES)
def test_link_list_is_scoped_by_either_end(client, world, as_role, role):
    resp = client.get("/api/v1/links", headers=as_role(role))
    if role == "anonymous":
        assert resp.status_code == 401
        return
    assert _refs(resp) == {f"L-{k}" for k in VISIBLE_LINKS[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["firms", "needs", "offers", "links"])
@pytest.mark.parametrize("target", sorted(ALL))
def test_get_in_scope_200_out_of_scope_404(client, world, as_role, role, kind, target):
    ids = {"firms": world.firms, "needs": world.needs, "offers": world.offers, "links": world.links}[kind]
    resp = client.get(f"/api/v1/{kind}/{ids[target]}", headers=as_role(role))
    if role == "anonymous":
        assert resp.status_code == 401
        return
    visible = (VISIBLE_LINKS if kind == "links" else VISIBLE_FIRMS)[role]
    assert resp.status_code == (200 if target in visible else 404)
    if resp.status_code == 404:
        body = resp.get_json()
        assert body["code"] == 404 and "ref" not in body   # nothing about the object leaks


@pytest.mark.parametrize("role", ["city_staff", "province_staff", "admin"])
def test_region_filter_of_a_city_includes_its_counties(client, world, as_role, role):
    resp = client.get("/api/v1/needs?region=230100", headers=as_role(role))
    assert _refs(resp) == {"N-own", "N-sister"}
    resp = client.get("/api/v1/firms?region=230102", headers=as_role(role))
    assert _refs(resp) == {"F-OWN"}


def test_region_filter_never_widens_scope(client, world, as_role):
    resp = client.get("/api/v1/needs?region=220000", headers=as_role("city_staff"))
    assert resp.status_code == 200 and resp.get_json() == []


# --- writes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind,body", [
    ("needs", {"category": "C1", "quantity": 10, "needed_by": "2020-05-01"}),
    ("offers", {"category": "C1", "quantity": 10, "available_from": "2020-03-01"}),
])
def test_create_posting_for_own_firm(client, world, as_role, role, kind, body):
    resp = client.post(f"/api/v1/{kind}", json={**body, "firm": "F-OWN"}, headers=as_role(role))
    assert resp.status_code == CREATE_FOR_OWN[role], resp.get_json()
    if resp.status_code == 201:
        assert resp.get_json()["firm"] == "F-OWN"


def test_firm_field_defaults_to_the_firm_users_own_firm(client, world, as_role):
    resp = client.post("/api/v1/needs", json={"category": "C1", "quantity": 3, "needed_by": "2020-05-01"},
                       headers=as_role("firm_own"))
    assert resp.status_code == 201 and resp.get_json()["firm"] == "F-OWN"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["needs", "offers"])
@pytest.mark.parametrize("action", ["update", "close"])
def test_update_and_close_own_firms_posting(client, world, as_role, role, kind, action):
    pid = (world.needs if kind == "needs" else world.offers)["own"]
    if action == "update":
        resp = client.patch(f"/api/v1/{kind}/{pid}", json={"quantity": 42}, headers=as_role(role))
    else:
        resp = client.post(f"/api/v1/{kind}/{pid}/close", headers=as_role(role))
    assert resp.status_code == WRITE_ON_OWN[role], resp.get_json()
    if resp.status_code == 200:
        body = resp.get_json()
        assert body["quantity"] == 42 if action == "update" else body["status"] == "closed"


@pytest.mark.parametrize("role", ROLES)
def test_update_own_firm_status(client, world, as_role, role):
    resp = client.put(f"/api/v1/firms/{world.firms['own']}/status",
                      json={"operating": False, "blockers": ["labour"]}, headers=as_role(role))
    assert resp.status_code == WRITE_ON_OWN[role], resp.get_json()
    if resp.status_code == 200:
        assert resp.get_json()["operating"] is False and resp.get_json()["blockers"] == ["labour"]


@pytest.mark.parametrize("role", ROLES)
def test_create_link_with_own_firm(client, world, as_role, role):
    body = {"supplier": "F-OWN", "buyer": "F-QQH", "category": "C1", "quantity_per_week": 5}
    resp = client.post("/api/v1/links", json=body, headers=as_role(role))
    # a firm's new link with another firm is a request that firm must confirm (202)
    assert resp.status_code == dict(CREATE_FOR_OWN, firm_own=202)[role], resp.get_json()
    if resp.status_code == 202:
        assert resp.get_json()["status"] == "awaiting_confirmation" and resp.get_json()["awaiting"] == "F-QQH"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["update", "deactivate"])
def test_update_and_deactivate_link_of_own_firm(client, world, as_role, role, action):
    # own -> qiqihar: the sister firm is no party, so its users cannot see it
    row = factories.link(db.session.get(Firm, world.firms["own"]), db.session.get(Firm, world.firms["qiqihar"]),
                         ref="L-own-qqh")
    db.session.commit()
    if action == "update":
        resp = client.patch(f"/api/v1/links/{row.id}", json={"quantity_per_week": 7}, headers=as_role(role))
    else:
        resp = client.post(f"/api/v1/links/{row.id}/deactivate", headers=as_role(role))
    # a side's change awaits the other side (202); deactivating takes one side
    expected = dict(WRITE_ON_OWN, firm_other=404, **({"firm_own": 202} if action == "update" else {}))
    assert resp.status_code == expected[role], resp.get_json()
    body = resp.get_json()
    if resp.status_code == 200:
        assert body["quantity_per_week"] == 7 if action == "update" else body["active"] is False
    if resp.status_code == 202:
        assert (body["quantity_per_week"], body["status"], body["link_id"]) == (7, "awaiting_confirmation", row.id)
        assert client.get(f"/api/v1/links/{row.id}", headers=as_role(role)).get_json()["quantity_per_week"] == 10
