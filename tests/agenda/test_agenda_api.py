"""The agenda through the API (issue 12): what the pages show, as JSON, for staff only; decisions and
outcomes recorded through it land in the same log; the OpenAPI document describes it."""
import sqlalchemy as sa

from matchmaker.models import User
from matchmaker.services import agenda, auth, reports


def _user(db, email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _bearer(user):
    return {"Authorization": f"Bearer {auth.issue_token(user)}", "Accept-Language": "en"}


def test_the_agenda_as_json_is_the_pages_agenda(client, db, demo):
    county = _user(db, "county@demo.example.cn")
    got = client.get("/api/v1/agenda", headers=_bearer(county))
    assert got.status_code == 200, got.json
    data = got.json
    expected = agenda.region_agenda(county)
    assert (data["week"], data["region"]["code"], data["can_act"]) == ("2020-W12", county.region_code, True)
    assert [i["key"] for i in data["items"]] == [i["key"] for i in expected["items"]] and data["items"]
    assert [i["key"] for i in data["routine"]] == [i["key"] for i in expected["routine"]]
    first = data["items"][0]
    assert first["firm_name"] and first["owner_region"] == county.region_code and first["due"] == "2020-03-23"
    assert all(b["buyer_name"] and "unit" in b for b in first["buyers"])
    assert len(data["matching"]) == len(expected["matching"])
    by_runs_out = client.get("/api/v1/agenda?sort=runs_out", headers=_bearer(county)).json
    assert by_runs_out["sort"] == "runs_out" and "runs_out" in by_runs_out["items"][0]
    summary = client.get("/api/v1/agenda/summary?week=2020-W12", headers=_bearer(county)).json
    assert summary["total"] == len(expected["items"]) + len(expected["routine"]) + expected["below_count"]
    assert summary["new"] == summary["total"] and summary["previous_week"] is None
    assert summary["sent_up"] == 0


def test_staff_only_and_in_their_jurisdiction(client, db, demo):
    sme = _user(db, "sme@demo.example.cn")
    assert client.get("/api/v1/agenda", headers=_bearer(sme)).status_code == 403
    assert client.get("/api/v1/agenda").status_code == 401
    county = _user(db, "county@demo.example.cn")
    other = "230102" if county.region_code != "230102" else "230103"
    assert client.get(f"/api/v1/agenda?region={other}", headers=_bearer(county)).status_code in (403, 404)
    bad = client.get("/api/v1/agenda?sort=loudest", headers=_bearer(county))
    assert bad.status_code == 422 and "sort" in bad.json["errors"]


def test_a_decision_and_its_outcome_through_the_api(client, db, demo):
    county = _user(db, "county@demo.example.cn")
    headers = _bearer(county)
    key = client.get("/api/v1/agenda", headers=headers).json["items"][0]["key"]
    empty = client.post("/api/v1/agenda/decisions", json={"key": key, "decision": "  "}, headers=headers)
    assert empty.status_code == 422 and "decision" in empty.json["errors"]
    made = client.post("/api/v1/agenda/decisions", headers=headers, json={
        "key": key, "decision": "人社局三日内组织返岗", "departments": ["hr"], "due": "2020-03-20"})
    assert made.status_code == 201, made.json
    assert (made.json["decision"], made.json["departments"], made.json["due"]) == ("人社局三日内组织返岗", ["hr"],
                                                                                 "2020-03-20")
    shown = next(i for i in client.get("/api/v1/agenda", headers=headers).json["items"] if i["key"] == key)
    assert shown["decision"] == "人社局三日内组织返岗"
    reports.write_weekly_report("2020-W13")
    week13 = client.get("/api/v1/agenda", headers=headers).json
    assert [d["key"] for d in week13["last_decisions"]] == [key]
    done = client.post("/api/v1/agenda/outcomes", headers=headers,
                       json={"week": "2020-W12", "key": key, "outcome": "done", "note": "已返岗"})
    assert done.status_code == 200 and done.json["outcome"] == "done"
    log = client.get("/api/v1/agenda/log", query_string={"key": key}, headers=headers).json
    assert [e["action"] for e in log] == ["decided", "outcome"]
    late = client.post("/api/v1/agenda/decisions", json={"key": key, "decision": "x", "week": "2020-W12"},
                       headers=headers)
    assert late.status_code == 409


def test_the_openapi_document_describes_the_agenda(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/agenda", "/api/v1/agenda/summary", "/api/v1/agenda/log", "/api/v1/agenda/decisions",
            "/api/v1/agenda/outcomes"} <= set(spec["paths"])
    assert "AgendaItem" in spec["components"]["schemas"]


def test_an_items_log_is_for_the_regions_that_owned_it(client, db, demo):
    """A staff member outside the item's regions gets 404 for its log, as for an item that does not
    exist (keys are easy to guess); the owner region and the regions above it read it."""
    from tests import factories

    county = _user(db, "county@demo.example.cn")
    key = agenda.region_agenda(county)["items"][0]["key"]
    agenda.record_decision(county, key, "秘密决定")
    elsewhere = factories.user("staff", region_code="230102", email="elsewhere@example.cn")
    db.session.commit()
    refused = client.get("/api/v1/agenda/log", query_string={"key": key}, headers=_bearer(elsewhere))
    assert refused.status_code == 404 and "秘密决定" not in refused.text
    for reader in (county, _user(db, "province@demo.example.cn")):
        log = client.get("/api/v1/agenda/log", query_string={"key": key}, headers=_bearer(reader))
        assert log.status_code == 200 and [e["note"][:4] for e in log.json] == ["秘密决定"]
