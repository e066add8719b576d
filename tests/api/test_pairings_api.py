"""Pairings API: my proposals, accept/decline, runs, best partners."""
from datetime import date

import pytest

from matchmaker.services.auth import issue_token
from tests import factories


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(db):
    factories.region("230000")
    factories.region("230102", lat=45.7567, lon=126.6424)
    factories.region("230602", lat=46.5907, lon=125.1040)
    buyer = factories.firm("B1", kind="leading", region_code="230102")
    s1 = factories.firm("S1", region_code="230102")
    s2 = factories.firm("S2", region_code="230602")
    need = factories.need(buyer, quantity=100.0, needed_by=date(2020, 4, 13), ref="N1", terms=["pay_first"])
    o1 = factories.offer(s1, quantity=60.0, ref="O1")
    factories.offer(s2, quantity=80.0, ref="O2")
    users = {
        "buyer": factories.user(role="firm", firm_row=buyer),
        "s1": factories.user(role="firm", firm_row=s1),
        "s2": factories.user(role="firm", firm_row=s2),
        "staff": factories.user(role="staff", region_code="230000"),
        "county": factories.user(role="staff", region_code="230102", email="county-officer@example.cn"),
        "admin": factories.user(role="admin"),
    }
    db.session.commit()
    tokens = {k: issue_token(u) for k, u in users.items()}
    return dict(tokens=tokens, need=need, o1=o1)


def _run(client, world):
    r = client.post("/api/v1/match-runs", json={"as_of": "2020-03-16"}, headers=bearer(world["tokens"]["staff"]))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_only_staff_and_admins_start_runs(client, world):
    r = client.post("/api/v1/match-runs", json={}, headers=bearer(world["tokens"]["buyer"]))
    assert r.status_code == 403
    assert client.post("/api/v1/match-runs", json={}).status_code == 401
    run = _run(client, world)
    assert run["as_of"] == "2020-03-16" and run["pairings_count"] == 2
    assert run["objective"]["matched_quantity"] == 100.0
    got = client.get(f"/api/v1/match-runs/{run['id']}", headers=bearer(world["tokens"]["admin"])).get_json()
    assert got["run"]["id"] == run["id"]
    assert {(p["need"], p["offer"], p["quantity"]) for p in got["pairings"]} == {("N1", "O1", 60.0),
                                                                                  ("N1", "O2", 40.0)}
    assert client.get(f"/api/v1/match-runs/{run['id']}",
                      headers=bearer(world["tokens"]["s1"])).status_code == 403
    listed = client.get("/api/v1/match-runs", headers=bearer(world["tokens"]["staff"]))
    assert listed.status_code == 200 and listed.get_json()[0]["id"] == run["id"]


def test_my_proposals_by_side(client, world):
    _run(client, world)
    as_buyer = client.get("/api/v1/pairings?side=buyer", headers=bearer(world["tokens"]["buyer"])).get_json()
    assert sorted(p["offer"] for p in as_buyer) == ["O1", "O2"]
    assert client.get("/api/v1/pairings?side=supplier", headers=bearer(world["tokens"]["buyer"])).get_json() == []
    mine = client.get("/api/v1/pairings", headers=bearer(world["tokens"]["s1"])).get_json()
    assert [(p["need"], p["offer"], p["supplier"], p["buyer"]) for p in mine] == [("N1", "O1", "S1", "B1")]
    assert all(" / " in reason for reason in mine[0]["reasons"])
    bad = client.get("/api/v1/pairings?side=both", headers=bearer(world["tokens"]["s1"]))
    assert bad.status_code == 422


def test_accept_both_sides_then_decline_is_refused(client, world):
    _run(client, world)
    (p,) = client.get("/api/v1/pairings", headers=bearer(world["tokens"]["s1"])).get_json()
    url = f"/api/v1/pairings/{p['id']}"
    assert client.post(url + "/accept", headers=bearer(world["tokens"]["s2"])).status_code == 404
    first = client.post(url + "/accept", headers=bearer(world["tokens"]["buyer"]))
    assert first.status_code == 200 and first.get_json()["status"] == "accepted"
    second = client.post(url + "/accept", json={}, headers=bearer(world["tokens"]["s1"]))
    body = second.get_json()
    assert second.status_code == 200 and body["status"] == "active" and body["link"]
    again = client.post(url + "/decline", headers=bearer(world["tokens"]["s1"]))
    assert again.status_code == 409 and again.get_json()["code"] == 409
    need = client.get(f"/api/v1/needs/{world['need'].id}", headers=bearer(world["tokens"]["buyer"])).get_json()
    assert need["committed_quantity"] == 60.0


def test_decline_and_admin_side(client, world):
    _run(client, world)
    proposals = client.get("/api/v1/pairings", headers=bearer(world["tokens"]["admin"])).get_json()
    p = next(x for x in proposals if x["offer"] == "O2")
    url = f"/api/v1/pairings/{p['id']}/decline"
    assert client.post(url, headers=bearer(world["tokens"]["admin"])).status_code == 422
    r = client.post(url, json={"side": "buyer"}, headers=bearer(world["tokens"]["admin"]))
    assert r.status_code == 200 and r.get_json()["declined_by"] == "buyer"
    rerun = _run(client, world)
    got = client.get(f"/api/v1/match-runs/{rerun['id']}", headers=bearer(world["tokens"]["admin"])).get_json()
    assert [(x["need"], x["offer"]) for x in got["pairings"]] == [("N1", "O1")]


def test_best_partners(client, world):
    r = client.get(f"/api/v1/needs/{world['need'].id}/best-partners?n=1&as_of=2020-03-16", headers=bearer(world["tokens"]["buyer"]))
    assert r.status_code == 200
    (best,) = r.get_json()
    assert best["kind"] == "offer" and best["reasons"] and best["unit_cost"] >= 0
    r = client.get(f"/api/v1/offers/{world['o1'].id}/best-partners?as_of=2020-03-16",
                   headers=bearer(world["tokens"]["s1"]))
    assert [p["ref"] for p in r.get_json()] == ["N1"]
    assert client.get(f"/api/v1/offers/{world['o1'].id}/best-partners",
                      headers=bearer(world["tokens"]["s2"])).status_code == 404
    assert client.get(f"/api/v1/needs/{world['need'].id}/best-partners?n=0",
                      headers=bearer(world["tokens"]["buyer"])).status_code == 422


def test_runs_are_province_level_bounded_and_throttled(app, client, world):
    """Issue 11, finding 4: a county officer lapsed every open proposal in the province with
    `as_of` 9999-12-31, 392 times in 4 minutes, and read who started each run."""
    county = bearer(world["tokens"]["county"])
    assert client.post("/api/v1/match-runs", json={}, headers=county).status_code == 403
    staff = bearer(world["tokens"]["staff"])
    for far in ("9999-12-31", "1970-01-01"):
        r = client.post("/api/v1/match-runs", json={"as_of": far}, headers=staff)
        assert r.status_code == 422 and "as_of" in r.get_json()["errors"], far
    run = _run(client, world)
    app.config["MATCH_RUN_MIN_INTERVAL"] = 60
    try:
        r = client.post("/api/v1/match-runs", json={"as_of": "2020-03-16"}, headers=staff)
        assert r.status_code == 409
    finally:
        app.config["MATCH_RUN_MIN_INTERVAL"] = 0
    # who started it and the province-wide totals: admins and the starter; a county officer sees
    # only what is in its scope
    seen = client.get(f"/api/v1/match-runs/{run['id']}", headers=county).get_json()["run"]
    assert seen["started_by"] is None and seen["needs_count"] is None and seen["objective"] == {}
    assert seen["pairings_count"] == len(client.get(f"/api/v1/match-runs/{run['id']}", headers=county).get_json()["pairings"])
    listed = client.get("/api/v1/match-runs", headers=county).get_json()[0]
    assert listed["started_by"] is None and listed["pairings_count"] is None
    admin = client.get(f"/api/v1/match-runs/{run['id']}", headers=bearer(world["tokens"]["admin"])).get_json()
    assert admin["run"]["started_by"] and admin["run"]["pairings_count"] == 2


def test_a_listed_proposal_or_link_is_the_one_got_alone(client, world):
    """Lists read plain rows, a single proposal or link its ORM object (issue 14): the same JSON,
    timestamps with their offset included, after accepts (a link made), a decline and a lapse."""
    _run(client, world)
    admin = bearer(world["tokens"]["admin"])
    proposals = client.get("/api/v1/pairings", headers=admin).get_json()
    o1 = next(p for p in proposals if p["offer"] == "O1")
    o2 = next(p for p in proposals if p["offer"] == "O2")
    assert client.post(f"/api/v1/pairings/{o1['id']}/accept", headers=bearer(world["tokens"]["buyer"])).status_code == 200
    assert client.post(f"/api/v1/pairings/{o1['id']}/accept", headers=bearer(world["tokens"]["s1"])).status_code == 200
    assert client.post(f"/api/v1/pairings/{o2['id']}/decline", json={"side": "supplier"}, headers=admin).status_code == 200
    _run(client, world)  # nothing left to propose for N1 but the declined pair stays declined
    for who in ("admin", "buyer", "s1", "staff"):
        listed = client.get("/api/v1/pairings?page_size=500", headers=bearer(world["tokens"][who])).get_json()
        assert listed
        for item in listed:
            alone = client.get(f"/api/v1/pairings/{item['id']}", headers=bearer(world["tokens"][who])).get_json()
            assert alone == item
    active = next(p for p in client.get("/api/v1/pairings", headers=admin).get_json() if p["status"] == "active")
    assert active["link"] and active["buyer_accepted_at"].endswith("+00:00")
    assert active["unit"] == "t" and active["category"] == "C1"
    links = client.get("/api/v1/links?page_size=500", headers=admin).get_json()
    assert [lk["ref"] for lk in links] == [active["link"]]
    for item in links:
        alone = client.get(f"/api/v1/links/{item['id']}", headers=admin).get_json()
        assert alone == item and item["created_at"].endswith("+00:00")
