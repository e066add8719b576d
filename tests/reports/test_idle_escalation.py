"""Escalation counts idle weeks only; by hand it needs a reason, clears the assignee and shows as escalated."""
import pytest
import sqlalchemy as sa

from matchmaker.models.report import Break, WeeklyReport
from matchmaker.services import reports
from matchmaker.services.support.errors import Invalid
from tests import factories as f

HRB1 = "230102"


@pytest.fixture
def down(db):
    b = f.firm("B", kind="leading", region_code=HRB1)
    s = f.firm("S", region_code=HRB1, operating=False, blockers=["labour"])
    f.link(s, b, "C1", 40.0)
    staff = f.user("staff", region_code=HRB1)
    db.session.commit()
    return staff


def _row(week):
    return db_scalar(sa.select(Break).join(WeeklyReport).where(WeeklyReport.week == week,
                                                               Break.kind == "supplier_down"))


def db_scalar(stmt):
    from matchmaker.infra.extensions import db

    return db.session.scalar(stmt)


def _levels(weeks, act=None):
    out = []
    for week in weeks:
        reports.write_weekly_report(week)
        row = _row(week)
        out.append((row.weeks_open, row.level))
        if act is not None and week in act:
            act[week](row.id)
    return out


def test_no_staff_action_escalates_every_two_weeks(db, down):
    assert _levels(["2020-W10", "2020-W11", "2020-W12", "2020-W13", "2020-W14"]) == [
        (1, "county"), (2, "county"), (3, "city"), (4, "city"), (5, "province")]


def test_weeks_worked_on_do_not_count(db, down):
    staff = down
    act = {"2020-W11": lambda i: reports.assign_break(staff, i, staff.id),
           "2020-W12": lambda i: reports.note_break(staff, i, "约谈企业，协调用工"),
           "2020-W13": lambda i: reports.note_break(staff, i, "已安排返岗专车")}
    levels = _levels(["2020-W10", "2020-W11", "2020-W12", "2020-W13", "2020-W14", "2020-W15"], act)
    # idle weeks: W10, W14, W15 -> 1, 1, 1, 1, 2, 3: the city only in W15
    assert levels == [(1, "county"), (2, "county"), (3, "county"), (4, "county"), (5, "county"), (6, "city")]
    # the same break without anyone acting would have reached the province by W14
    assert _row("2020-W15").status == "assigned"


def test_escalation_by_hand_needs_a_reason_clears_the_assignee_and_is_shown(db, down):
    staff = down
    city = f.user("staff", region_code="230100")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    row = _row("2020-W12")
    reports.assign_break(staff, row.id, staff.id)
    with pytest.raises(Invalid):
        reports.escalate_break(staff, row.id, "  ")
    reports.escalate_break(staff, row.id, "县里协调不了用工")
    row = _row("2020-W12")
    assert (row.status, row.assignee_id, row.level, row.owner_region) == ("escalated", None, "city", "230100")
    # the city sees it on its home and under its filter; the county keeps reading it, not acting on it
    assert [b["id"] for b in reports.breaks_escalated_to(city)] == [row.id]
    assert [b["id"] for b in reports.list_breaks(city, filters={"escalated": True})] == [row.id]
    assert reports.breaks_escalated_to(staff) == []
    seen = reports.get_break(staff, row.id)
    assert seen["status"] == "escalated" and not seen["can_act"]
    # the city closes it: the county sees the outcome, the week's report keeps it as closed
    reports.close_break(city, row.id, "市里协调了外地用工")
    data = reports.report_data(staff, "2020-W12")
    assert data["closed"] == [{"kind": "supplier_down", "buyer": "B", "supplier": "S", "category": "C1",
                               "note": "市里协调了外地用工"}]
    assert reports.report_summary(staff)["closed"] == 1
    assert [h["action"] for h in reports.get_break(staff, row.id)["history"]] == ["assigned", "escalated", "closed"]
    # and it can be reopened by the city
    assert reports.get_break(city, row.id)["can_reopen"] and not reports.get_break(staff, row.id)["can_reopen"]
    reports.reopen_break(city, row.id, "复工后又停")
    assert _row("2020-W12").status == "reopened"
    # next week: still at the city (the hand escalation carries over), still escalated to the city
    reports.write_weekly_report("2020-W13")
    nxt = _row("2020-W13")
    assert (nxt.level, nxt.status, nxt.weeks_open) == ("city", "reopened", 2)


def test_the_api_notes_escalates_with_a_reason_and_reopens(client, db, down):
    from matchmaker.services import auth

    staff = down
    city = f.user("staff", region_code="230100")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    row = _row("2020-W12")
    h = {"Authorization": f"Bearer {auth.issue_token(staff)}"}
    hc = {"Authorization": f"Bearer {auth.issue_token(city)}"}
    assert client.post(f"/api/v1/breaks/{row.id}/note", json={"note": "已电话联系"}, headers=h).status_code == 200
    assert client.post(f"/api/v1/breaks/{row.id}/escalate", json={}, headers=h).status_code == 422
    got = client.post(f"/api/v1/breaks/{row.id}/escalate", json={"note": "需市里协调"}, headers=h).get_json()
    assert (got["status"], got["level"], got["assignee_id"]) == ("escalated", "city", None)
    listed = client.get("/api/v1/reports/latest/breaks?escalated=true", headers=hc).get_json()
    assert [b["id"] for b in listed] == [row.id]
    assert client.post(f"/api/v1/breaks/{row.id}/close", json={"note": "已解决"}, headers=hc).status_code == 200
    report = client.get("/api/v1/reports/2020-W12", headers=h).get_json()
    assert report["closed"][0]["note"] == "已解决" and report["breaks"] == []
    assert report["blocked_firms"][0]["firm"] == "S"
    got = client.post(f"/api/v1/breaks/{row.id}/reopen", json={}, headers=hc).get_json()
    assert got["status"] == "reopened"
