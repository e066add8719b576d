"""The weekly report's page is kept per week, region and filters, and is new as soon as a report is
written or a break's workflow changes (issue 14)."""
import pytest

from matchmaker.models.report import Break
from matchmaker.services import reports
from matchmaker.web import report_views
from tests import factories


@pytest.fixture
def report(world, db):
    s2 = factories.firm("S2", kind="sme", region_code="230102", name="停产供应商", operating=False,
                        blockers=["labour"])
    factories.link(s2, world["lead"], "C1", quantity_per_week=30)
    db.session.commit()
    reports.write_weekly_report(as_of=world["today"])
    return db.session.scalars(db.select(Break)).all()


def test_the_view_is_kept_per_week_region_and_filters(world, report, db, monkeypatch):
    county, city = world["users"]["county"], world["users"]["city"]
    first = report_views.report_view(county)
    assert report_views.report_view(county) is first  # kept
    assert report_views.report_view(city) is not first
    assert report_views.report_view(county, filters={"kind": "supplier_down"}) is not first
    computed = []
    real = report_views._report_view
    monkeypatch.setattr(report_views, "_report_view", lambda *a: computed.append(a) or real(*a))
    report_views.report_view(county)
    report_views.report_view(county, filters={"kind": "supplier_down"})
    assert computed == []


def test_a_workflow_change_or_a_new_run_is_seen_at_once(as_user, world, report, db):
    down = next(b for b in report if b.kind == "supplier_down")
    c = as_user("county")
    county = world["users"]["county"]

    def status():
        return {r["id"]: r["status"] for r in report_views.report_view(county)["breaks"]}[down.id]

    assert c.get("/taskforce/report").status_code == 200 and status() == "open"
    resp = c.post(f"/taskforce/breaks/{down.id}/assign", data={"assign-assignee": str(county.id), "assign-note": "跟进"})
    assert resp.status_code == 302
    assert c.get("/taskforce/report").status_code == 200 and status() == "assigned"
    before = report_views.report_view(world["users"]["county"])
    reports.write_weekly_report(as_of=world["today"])  # a re-run of the week
    assert report_views.report_view(world["users"]["county"]) is not before
