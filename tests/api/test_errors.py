"""The one JSON error shape {code, status, message, errors}: 422 names the field, 400, 401, 403, 404,
405, 409, 415; hostile input (bad JSON, huge numbers, control characters, lone surrogates,
ids out of range) never produces a 500."""
import pytest

NEED = {"category": "C1", "quantity": 10, "needed_by": "2020-05-01"}


def _shape(resp, code):
    body = resp.get_json()
    assert resp.status_code == code, body
    assert body["code"] == code and isinstance(body["status"], str) and isinstance(body["message"], str)
    assert set(body) <= {"code", "status", "message", "errors"}
    return body


@pytest.mark.parametrize("field,value", [
    ("quantity", -1), ("quantity", 0), ("quantity", "lots"), ("needed_by", "2020-02-30"),
    ("terms", ["pay_later"]), ("status", "maybe"), ("colour", "red"), ("note", "a\x00b"),
    ("max_unit_price", -5),
])
def test_422_names_the_field(client, as_role, field, value):
    resp = client.post("/api/v1/needs", json={**NEED, field: value}, headers=as_role("firm_own"))
    body = _shape(resp, 422)
    assert field in body["errors"]


def test_422_from_the_service_names_the_field(client, as_role):
    body = _shape(client.post("/api/v1/needs", json={**NEED, "category": "NOPE"},
                              headers=as_role("firm_own")), 422)
    assert list(body["errors"]) == ["category"]
    body = _shape(client.post("/api/v1/offers", json={"category": "C1", "quantity": 1,
                                                      "available_from": "2020-03-02",
                                                      "available_until": "2020-03-01"},
                              headers=as_role("firm_own")), 422)
    assert "available_until" in body["errors"]
    body = _shape(client.get("/api/v1/needs?region=999999", headers=as_role("admin")), 422)
    assert "region" in body["errors"]


def test_422_in_query_names_the_parameter(client, as_role):
    body = _shape(client.get("/api/v1/needs?kind=giant", headers=as_role("admin")), 422)
    assert "kind" in body["errors"]
    body = _shape(client.get("/api/v1/needs?page_size=100000", headers=as_role("admin")), 422)
    assert "page_size" in body["errors"]


def test_401_without_or_with_a_bad_token(client, world):
    body = _shape(client.get("/api/v1/needs"), 401)
    assert "errors" not in body
    resp = client.get("/api/v1/needs", headers={"Authorization": "Bearer not-a-token"})
    _shape(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_403_when_in_scope_but_not_allowed(client, world, as_role):
    _shape(client.patch(f"/api/v1/needs/{world.needs['own']}", json={"quantity": 1},
                        headers=as_role("city_staff")), 403)
    body = _shape(client.patch(f"/api/v1/firms/{world.firms['own']}", json={"name": "新名字"},
                               headers=as_role("firm_own")), 403)
    assert "name" in body["errors"]


@pytest.mark.parametrize("path", ["/api/v1/needs/999999", "/api/v1/needs/99999999999999999999999",
                                  "/api/v1/firms/0", "/api/v1/links/2147483648",
                                  "/api/v1/regions/999999", "/api/v1/categories/NOPE",
                                  "/api/v1/nothing-here"])
def test_404(client, as_role, path):
    _shape(client.get(path, headers=as_role("admin")), 404)


def test_405_keeps_allow_header(client, as_role):
    resp = client.delete("/api/v1/needs", headers=as_role("admin"))
    _shape(resp, 405)
    assert "POST" in resp.headers["Allow"]


def test_409_on_duplicate_ref(client, world, as_role):
    body = _shape(client.post("/api/v1/needs", json={**NEED, "ref": "N-sister", "firm": "F-OWN"},
                              headers=as_role("admin")), 409)
    assert "ref" in body["errors"]
    body = _shape(client.post("/api/v1/firms", json={"ref": "F-OWN", "name": "x", "kind": "sme",
                                                     "region": "230102"}, headers=as_role("admin")), 409)
    assert "ref" in body["errors"]


def test_409_on_stale_version_and_no_lost_update(client, world, as_role):
    url = f"/api/v1/offers/{world.offers['own']}"
    first = client.get(url, headers=as_role("firm_own")).get_json()
    ok = client.patch(url, json={"quantity": 11, "version": first["version"]}, headers=as_role("admin"))
    assert ok.status_code == 200 and ok.get_json()["version"] == first["version"] + 1
    body = _shape(client.patch(url, json={"quantity": 12, "version": first["version"]},
                               headers=as_role("firm_own")), 409)
    assert "version" in body["errors"]
    assert client.get(url, headers=as_role("firm_own")).get_json()["quantity"] == 11
    _shape(client.post(f"{url}/close", json={"version": first["version"]}, headers=as_role("firm_own")), 409)


def test_malformed_json_is_400_and_wrong_content_type_415(client, as_role):
    headers = {**as_role("firm_own"), "Content-Type": "application/json"}
    body = _shape(client.post("/api/v1/needs", data='{"quantity": ', headers=headers), 400)
    assert isinstance(body["errors"], dict)
    _shape(client.post("/api/v1/needs", data="quantity=1", headers={
        **as_role("firm_own"), "Content-Type": "application/x-www-form-urlencoded"}), 415)
    _shape(client.post("/api/v1/needs", data=b"\xff\xfe\x00garbage", headers=headers), 400)
    body = _shape(client.post("/api/v1/needs", json=[1, 2, 3], headers=as_role("firm_own")), 422)
    assert body["errors"]


@pytest.mark.parametrize("raw", [
    '{"category": "C1", "quantity": 1e400, "needed_by": "2020-05-01"}',
    '{"category": "C1", "quantity": 1' + "0" * 400 + ', "needed_by": "2020-05-01"}',
    '{"category": "C1", "quantity": NaN, "needed_by": "2020-05-01"}',
    '{"category": "\\ud800", "quantity": 1, "needed_by": "2020-05-01"}',
    '{"category": "C1", "quantity": 1, "needed_by": "2020-05-01", "note": "\\u0000"}',
    '{"category": "C1", "quantity": 1, "needed_by": "99999-01-01"}',
    '{"category": "' + "长" * 5000 + '", "quantity": 1, "needed_by": "2020-05-01"}',
    '{"category": "C1", "quantity": true, "needed_by": "2020-05-01"}',
])
def test_hostile_bodies_are_422_not_500(client, as_role, raw):
    resp = client.post("/api/v1/needs", data=raw, headers={**as_role("firm_own"), "Content-Type": "application/json"})
    _shape(resp, 422)


def test_hostile_ids_and_query_values_never_500(client, world, as_role):
    h = as_role("admin")
    for path in ["/api/v1/offers?page=99999999999999999999", "/api/v1/links?region=%F0%9F%92%A9",
                 "/api/v1/firms?category=%00", "/api/v1/regions?q=%ED%A0%80", "/api/v1/regions/" + "9" * 300,
                 "/api/v1/firms/-1", f"/api/v1/needs/{2**63}/close"]:
        resp = client.get(path, headers=h) if "close" not in path else client.post(path, headers=h)
        assert resp.status_code < 500, (path, resp.get_json())
        assert resp.get_json()["code"] if resp.status_code >= 400 else True


def test_lapsed_versions_and_big_integers_in_version_field(client, world, as_role):
    url = f"/api/v1/needs/{world.needs['own']}"
    _shape(client.patch(url, json={"version": 10**30}, headers=as_role("firm_own")), 422)
    _shape(client.patch(url, json={"lead_time_days": 3}, headers=as_role("firm_own")), 422)
