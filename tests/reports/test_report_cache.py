"""The report API's pages and the report page's content are kept per week, region, filters and page,
and are new at once when a break's workflow changes or a report is written (issue 14, item 3).

Run on SQLite by default and on PostgreSQL with MATCHMAKER_TEST_DATABASE_URL (the key is read from
the database, so it holds for every process of a server; tests/scale/test_report_cache_processes.py
checks that with real servers)."""
import json
import re

import pytest
from flask import template_rendered

from matchmaker.schemas.report import ReportSchema
from matchmaker.services import auth, reports
from matchmaker.models import Firm
from tests import factories as f

PASSWORD = "correct horse 1"  # the factories' password


@pytest.fixture
def setup(db):
    b = f.firm("B", kind="leading", region_code="230102", name="龙头厂")
    s1 = f.firm("S1", region_code="230103", operating=False, blockers=["transport"], name="停产厂")  # city-owned
    s2 = f.firm("S2", region_code="230102", blockers=["funds"])  # county-owned, strained
    f.link(s1, b, "C1", 10.0)
    f.link(s2, b, "C2", 20.0)
    users = {"county": f.user("staff", region_code="230102"), "city": f.user("staff", region_code="230100"),
             "admin": f.user("admin")}
    for key, name in (("county", "区县值班员"), ("city", "市级调度员"), ("admin", "管理员")):
        users[key].name = name
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return {k: {"Authorization": f"Bearer {auth.issue_token(u)}"} for k, u in users.items()}, users


@pytest.fixture
def computed(monkeypatch):
    """The report pages the API computes (rather than takes from what it kept)."""
    calls = []
    real = reports.report_page

    def counting(actor, week, page, page_size):
        calls.append((actor.id, week, page, page_size))
        return real(actor, week, page, page_size)

    monkeypatch.setattr(reports, "report_page", counting)
    return calls


def _by_supplier(report):
    return {b["supplier"]: b for b in report["breaks"]}


def test_the_api_keeps_a_page_per_week_page_and_region(client, setup, computed):
    h, users = setup
    first = client.get("/api/v1/reports/2020-W12?page_size=2", headers=h["city"])
    again = client.get("/api/v1/reports/2020-W12?page_size=2", headers=h["city"])
    assert first.status_code == again.status_code == 200 and len(computed) == 1
    assert again.data == first.data and again.headers["X-Pagination"] == first.headers["X-Pagination"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    # what was kept is what the schema makes of the report, as a fresh answer would be
    data, total = reports.report_page(users["city"], "2020-W12", 1, 2)
    assert first.json == json.loads(json.dumps(ReportSchema().dump(data))) and total == 3
    del computed[1:]  # (the fresh page just read)
    client.get("/api/v1/reports/2020-W12?page_size=2&page=2", headers=h["city"])  # another page
    client.get("/api/v1/reports/2020-W12?page_size=2", headers=h["county"])  # another region
    client.get("/api/v1/reports/latest?page_size=2", headers=h["city"])  # another name of the week
    assert len(computed) == 4
    assert client.get("/api/v1/reports/2020-W12?page_size=2", headers=h["county"]).status_code == 200
    assert len(computed) == 4
    # the reader is still checked on a kept page
    assert client.get("/api/v1/reports/2020-W12?page_size=2").status_code == 401


def test_the_api_shows_an_assignment_a_note_and_a_close_at_once(client, setup, computed):
    h, users = setup
    url = "/api/v1/reports/2020-W12"
    down = _by_supplier(client.get(url, headers=h["admin"]).json)["S1"]
    assert down["status"] == "open"
    r = client.get("/api/v1/reports/latest/breaks?kind=supplier_down", headers=h["admin"])
    down_id = r.json[0]["id"]
    assert client.post(f"/api/v1/breaks/{down_id}/assign", json={"assignee_id": users["city"].id},
                       headers=h["city"]).status_code == 200
    assert _by_supplier(client.get(url, headers=h["admin"]).json)["S1"]["status"] == "assigned"
    kept = len(computed)
    assert client.post(f"/api/v1/breaks/{down_id}/note", json={"note": "已电话联系"},
                       headers=h["city"]).status_code == 200
    client.get(url, headers=h["admin"])
    assert len(computed) == kept + 1  # a note is a workflow change too
    assert client.post(f"/api/v1/breaks/{down_id}/close", json={"note": "已复工"}, headers=h["city"]).status_code == 200
    after = client.get(url, headers=h["admin"]).json
    assert "S1" not in _by_supplier(after) and [c["supplier"] for c in after["closed"]] == ["S1"]
    assert json.loads(client.get(url, headers=h["admin"]).headers["X-Pagination"])["total"] == 2
    assert client.post(f"/api/v1/breaks/{down_id}/reopen", json={}, headers=h["city"]).status_code == 200
    assert _by_supplier(client.get(url, headers=h["admin"]).json)["S1"]["status"] == "assigned"


def test_the_api_shows_a_new_run_of_the_week_at_once(client, setup, db, computed):
    h, _ = setup
    url = "/api/v1/reports/latest"

    def kinds():
        return sorted(b["kind"] for b in client.get(url, headers=h["admin"]).json["breaks"])

    assert "supplier_strained" in kinds()
    s2 = db.session.scalar(db.select(Firm).where(Firm.ref == "S2"))
    s2.blockers = []
    db.session.commit()
    assert "supplier_strained" in kinds() and len(computed) == 1  # nothing stored changed yet
    reports.write_weekly_report("2020-W12")
    assert "supplier_strained" not in kinds() and len(computed) == 2


@pytest.fixture
def bodies(app):
    """Names of the report bodies rendered (not taken from what was kept)."""
    names = []

    def record(sender, template, context, **extra):
        if template.name == "taskforce/_report_body.html":
            names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def _sign_in(app, user):
    c = app.test_client()
    assert c.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return c


def _row(page: str, ref: str) -> str:
    """The table row of the open break whose supplier is `ref` ('' when none)."""
    for row in re.findall(r'<tr class="sev-[^"]*" data-kind="[^"]*">(.*?)</tr>', page, re.S):
        if f'<span class="muted">{ref}</span>' in row.split("</td>")[3]:
            return row
    return ""


def test_the_page_is_kept_and_shows_an_assignment_and_a_close_at_once(app, setup, bodies, db):
    _, users = setup
    city = _sign_in(app, users["city"])
    page = city.get("/taskforce/report").text
    assert _row(page, "S1") and users["county"].name not in _row(page, "S1") and len(bodies) == 1
    assert city.get("/taskforce/report").text == page and len(bodies) == 1  # kept
    city.get("/taskforce/report?kind=supplier_down")
    county = _sign_in(app, users["county"])
    county.get("/taskforce/report")
    assert len(bodies) == 3  # kept per filters and per region
    down_id = int(re.search(r"/taskforce/breaks/(\d+)", _row(page, "S1")).group(1))
    r = city.post(f"/taskforce/breaks/{down_id}/assign", data={"assign-assignee": str(users["county"].id)})
    assert r.status_code == 302
    assert users["county"].name in _row(city.get("/taskforce/report").text, "S1")
    assert users["county"].name in _row(county.get("/taskforce/report").text, "S1")  # the county's kept page too
    r = city.post(f"/taskforce/breaks/{down_id}/close", data={"close-note": "已复工"})
    assert r.status_code == 302
    assert _row(city.get("/taskforce/report").text, "S1") == ""
    assert _row(city.get("/taskforce/report?kind=supplier_down").text, "S1") == ""
    assert "已复工" in city.get("/taskforce/report?state=closed").text


def test_the_kept_content_is_per_language_and_leaves_the_reader_out(app, setup):
    _, users = setup
    city = _sign_in(app, users["city"])
    chinese = city.get("/taskforce/report").text
    assert users["city"].name in chinese  # in the site header, rendered for each reader
    city.post("/language", data={"lang": "en"})
    english = city.get("/taskforce/report").text
    assert "Weekly dispatch report" in english and "Weekly dispatch report" not in chinese
    admin = _sign_in(app, users["admin"])
    page = admin.get("/taskforce/report").text
    assert users["admin"].name in page and users["city"].name not in page
