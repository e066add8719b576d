"""Report API: scoped lists and reports, .xlsx, break filters, the workflow and its permissions."""
import io

import pytest
import sqlalchemy as sa

from matchmaker.models.report import Break
from matchmaker.services import auth, reports
from tests import factories as f


@pytest.fixture
def setup(db):
    b = f.firm("B", kind="leading", region_code="230102")
    s1 = f.firm("S1", region_code="230103", operating=False, blockers=["transport"])  # city-owned
    s2 = f.firm("S2", region_code="230102", blockers=["funds"])  # county-owned, strained
    f.link(s1, b, "C1", 10.0)
    f.link(s2, b, "C2", 20.0)
    f.region("230202")
    users = {
        "county": f.user("staff", region_code="230102"),
        "city": f.user("staff", region_code="230100"),
        "other": f.user("staff", region_code="230202"),
        "admin": f.user("admin"),
        "firm": f.user("firm", firm_row=b),
    }
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return {k: {"Authorization": f"Bearer {auth.issue_token(u)}"} for k, u in users.items()}, users


def test_reports_are_scoped(client, setup):
    h, _ = setup
    r = client.get("/api/v1/reports", headers=h["county"])
    assert r.status_code == 200 and [x["week"] for x in r.json] == ["2020-W12"]
    assert r.json[0]["open_breaks"] == 3  # strained, single source (S2 is the one live), down (buyer's county)
    assert client.get("/api/v1/reports", headers=h["other"]).json[0]["open_breaks"] == 0
    assert client.get("/api/v1/reports", headers=h["firm"]).status_code == 403
    assert client.get("/api/v1/reports").status_code == 401
    rep = client.get("/api/v1/reports/2020-W12", headers=h["admin"]).json
    assert sorted(b["kind"] for b in rep["breaks"]) == ["single_source", "supplier_down", "supplier_strained"]
    assert "pending_proposals" not in rep["breaks"][0]
    assert client.get("/api/v1/reports/latest", headers=h["other"]).json["breaks"] == []
    assert client.get("/api/v1/reports/2020-W13", headers=h["admin"]).status_code == 404
    assert client.get("/api/v1/reports/2020-13", headers=h["admin"]).status_code == 422


def test_xlsx_download(client, setup):
    h, _ = setup
    r = client.get("/api/v1/reports/2020-W12/xlsx", headers=h["city"])
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.data))
    assert wb["断链清单"].max_row == 1 + 3


def test_break_filters_and_workflow(client, setup, db):
    h, users = setup
    r = client.get("/api/v1/reports/latest/breaks?kind=supplier_down", headers=h["county"])
    assert [(b["supplier"], b["level"], b["owner_region"]) for b in r.json] == [("S1", "city", "230100")]
    down_id = r.json[0]["id"]
    assert [b["supplier"] for b in client.get("/api/v1/reports/latest/breaks?factor=funds",
                                              headers=h["county"]).json] == ["S2"]
    assert client.get("/api/v1/reports/latest/breaks?kind=nope", headers=h["county"]).status_code == 422
    # the county sees the city-owned break but may not act on it
    assert client.post(f"/api/v1/breaks/{down_id}/close", json={"note": "x"}, headers=h["county"]).status_code == 403
    assert client.get(f"/api/v1/breaks/{down_id}", headers=h["other"]).status_code == 404
    r = client.post(f"/api/v1/breaks/{down_id}/assign", json={"assignee_id": users["county"].id, "note": "跟进"},
                    headers=h["city"])
    assert r.status_code == 200 and (r.json["status"], r.json["assignee_name"]) == ("assigned", users["county"].name)
    r = client.post(f"/api/v1/breaks/{down_id}/escalate", json={"note": "上报省级"}, headers=h["city"])
    assert r.status_code == 200 and (r.json["level"], r.json["owner_region"]) == ("province", "230000")
    assert client.post(f"/api/v1/breaks/{down_id}/close", json={}, headers=h["admin"]).status_code == 422
    r = client.post(f"/api/v1/breaks/{down_id}/close", json={"note": "已协调复工"}, headers=h["admin"])
    assert r.status_code == 200 and r.json["status"] == "closed"
    assert [e["action"] for e in r.json["history"]] == ["assigned", "escalated", "closed"]
    assert client.post(f"/api/v1/breaks/{down_id}/close", json={"note": "again"}, headers=h["admin"]).status_code == 409
    statuses = db.session.scalars(sa.select(Break.status).where(Break.id == down_id)).all()
    assert statuses == ["closed"]


def test_run_report_and_what_if(client, setup):
    h, _ = setup
    assert client.post("/api/v1/reports", json={"week": "2020-W13"}, headers=h["city"]).status_code == 403
    r = client.post("/api/v1/reports", json={"week": "2020-W13"}, headers=h["admin"])
    assert r.status_code == 201 and r.json["week"] == "2020-W13"
    assert {b["weeks_open"] for b in r.json["breaks"]} == {2}
    r = client.post("/api/v1/what-if", json={"stopped_firms": ["S2"], "as_of": "2020-03-16"}, headers=h["city"])
    assert r.status_code == 200
    assert sorted((b["kind"], b["supplier"]) for b in r.json["new"]) == [("supplier_down", "S2")]
    assert sorted((b["kind"], b["supplier"]) for b in r.json["resolved"]) == [
        ("single_source", "S2"), ("supplier_strained", "S2")]
    assert client.post("/api/v1/what-if", json={}, headers=h["city"]).status_code == 422


def test_assignee_is_a_task_force_member_of_the_actors_region(client, setup):
    """Issue 11 (finding 9): city staff could assign a break to an administrator, or to staff of
    another city; the assignee must be one of the people the page offers."""
    h, users = setup
    down_id = client.get("/api/v1/reports/latest/breaks?kind=supplier_down", headers=h["city"]).json[0]["id"]
    for who in ("admin", "other", "firm"):
        r = client.post(f"/api/v1/breaks/{down_id}/assign", json={"assignee_id": users[who].id}, headers=h["city"])
        assert r.status_code == 422 and "assignee_id" in r.json["errors"], who
    r = client.post(f"/api/v1/breaks/{down_id}/assign", json={"assignee_id": users["county"].id}, headers=h["city"])
    assert r.status_code == 200 and r.json["assignee_name"] == users["county"].name
