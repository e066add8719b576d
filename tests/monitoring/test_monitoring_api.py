"""The risk-zone and monitoring API: permissions over HTTP, the history, the figures, the .xlsx."""
import io

import openpyxl
import pytest

from matchmaker.services import reports
from matchmaker.services.auth import issue_token
from tests import factories as f


@pytest.fixture
def world(db, app):
    app.config["TODAY"] = "2020-03-16"
    f.region("231221")
    s = f.firm("S", region_code="230102", industry="C1441", headcount=50, operating=True, workers_back=0.5)
    b = f.firm("B", kind="leading", region_code="230103", industry="C1411", headcount=200)
    f.link(s, b, "IO020", 40.0)
    users = {k: f.user("staff", region_code=code) for k, code in
             (("province", "230000"), ("city", "230100"), ("county", "230102"))}
    users["firm"] = f.user("firm", s)
    db.session.commit()
    yield {k: {"Authorization": f"Bearer {issue_token(u)}"} for k, u in users.items()}
    app.config["TODAY"] = None


def test_setting_risk_over_the_api(client, world):
    body = {"risk": "high", "effective_from": "2020-03-16", "reason": "outbreak"}
    assert client.post("/api/v1/regions/230102/risk", json=body, headers=world["county"]).status_code == 403
    assert client.post("/api/v1/regions/231221/risk", json=body, headers=world["city"]).status_code == 404
    assert client.post("/api/v1/regions/230102/risk", json={"risk": "x"}, headers=world["city"]).status_code == 422
    r = client.post("/api/v1/regions/230102/risk", json=body, headers=world["city"])
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    assert data["risk"] == "high" and [h["risk"] for h in data["history"]] == ["high", "low"]
    assert client.get("/api/v1/regions/230102", headers=world["county"]).get_json()["risk"] == "high"
    got = client.get("/api/v1/regions/230102/risk", headers=world["county"]).get_json()
    assert got["can_set"] is False and got["history"][0]["reason"] == "outbreak"
    assert client.get("/api/v1/regions/230102/risk", headers=world["firm"]).status_code == 404
    reports.write_weekly_report("2020-W12")
    stops = client.get("/api/v1/regions/230102/risk-stops?week=2020-W12", headers=world["county"]).get_json()
    assert [(s["ref"], [b["ref"] for b in s["buyers"]]) for s in stops["suppliers"]] == [("S", ["B"])]


def test_monitoring_over_the_api_and_its_workbook(client, world):
    reports.write_weekly_report("2020-W12")
    r = client.get("/api/v1/monitoring?week=2020-W12", headers=world["city"])
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert {row["key"]: row["firms"] for row in data["by_division"]} == {"C14": 2}
    dairy = next(row for row in data["by_chain"] if row["key"] == "dairy")
    assert (dairy["firms"], dairy["share_operating_weighted"]) == (2, 1.0)
    assert dairy["share_workers_back_weighted"] == 0.5
    assert client.get("/api/v1/monitoring?week=2020-W12", headers=world["firm"]).status_code == 403
    assert client.get("/api/v1/monitoring?week=nope", headers=world["city"]).status_code == 422
    assert client.get("/api/v1/monitoring?region=231221", headers=world["city"]).status_code == 404
    x = client.get("/api/v1/monitoring/xlsx?week=2020-W12", headers=world["province"])
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.data))
    ws = wb[wb.sheetnames[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws["A2"].value == "C14" and ws["B2"].value == "食品制造业"
    assert ws["F2"].value == 1.0 and ws["F2"].number_format == "0.0%"
