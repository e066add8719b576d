"""The agenda service on the demo (2020-W12, then W13): items per problem, owners, departments,
due dates, decisions with their log, last week's decisions at the next meeting, the summary."""
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.models import AuditEntry, Break, User
from matchmaker.models.agenda import AgendaEntry, AgendaEvent
from matchmaker.services import agenda, reports
from matchmaker.services.support.errors import Forbidden, Invalid


def staff(db, email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_one_item_per_problem_on_the_demo(app, db, demo):
    whole = agenda.report_agenda(demo)
    rows = db.session.scalars(sa.select(Break).where(Break.report_id == demo.id)).all()
    down = {b.supplier for b in rows if b.kind == "supplier_down"}
    strained = {b.supplier for b in rows if b.kind == "supplier_strained"}
    # each down or strained supplier is one item, or a member of its county's risk-zone item
    firms = [i.firm for i in whole.items if i.kind in ("supplier_down", "supplier_strained")]
    firms += [m for i in whole.items if i.kind == "risk_zone" for m in i.members if m in down]
    assert sorted(firms) == sorted(down | strained)
    zone = next(i for i in whole.items if i.kind == "risk_zone")
    assert zone.level in ("city", "province") and zone.owner_region.endswith("00")
    pending = [b for b in rows if b.kind == "uncovered_need" and b.pending_proposals]
    assert len(whole.matching) == len(pending)
    assert len(whole.fragility) == len([b for b in rows if b.kind == "single_source"])
    stakes = [i.stake for i in whole.items]
    assert stakes == sorted(stakes, reverse=True)


def test_county_agenda_has_owners_departments_and_due_dates(app, db, demo):
    county = staff(db, "county@demo.example.cn")
    data = agenda.region_agenda(county)
    assert data["region"]["code"] == county.region_code and data["items"]
    assert all(i["owner_region"] == county.region_code for i in data["items"])
    assert all(i["due"] == date(2020, 3, 23) for i in data["items"])  # the next meeting
    for i in data["items"]:
        assert i["departments"] == agenda.departments_for(i["factors"]) and i["departments"]
    assert agenda.departments_for(["ppe", "labour", "risk_zone"]) == ["health", "industry", "hr", "command"]


def test_a_decision_is_recorded_logged_audited_and_opens_next_week(app, db, demo):
    county = staff(db, "county@demo.example.cn")
    item = agenda.region_agenda(county)["items"][0]
    with pytest.raises(Invalid):
        agenda.record_decision(county, item["key"], "  ")
    with pytest.raises(Invalid):
        agenda.record_decision(county, item["key"], "x", departments=["nope"])
    agenda.record_decision(county, item["key"], "人社局联系企业组织返岗", departments=["hr"], due=date(2020, 3, 20))
    again = next(i for i in agenda.region_agenda(county)["items"] if i["key"] == item["key"])
    assert (again["decision"], again["departments"], again["due"]) == ("人社局联系企业组织返岗", ["hr"],
                                                                       date(2020, 3, 20))
    assert [e["action"] for e in agenda.item_log(county, item["key"])] == ["decided"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.entity == "agenda_entry")) >= 1
    # next week opens with it; the outcome is said there
    reports.write_weekly_report("2020-W13")
    week13 = agenda.region_agenda(county)
    assert [d["key"] for d in week13["last_decisions"]] == [item["key"]]
    assert week13["last_decisions"][0]["outcome"] is None
    agenda.record_outcome(county, "2020-W12", item["key"], "not_done", "工人未到岗")
    assert agenda.region_agenda(county)["last_decisions"][0]["outcome"] == "not_done"
    events = list(db.session.scalars(sa.select(AgendaEvent).order_by(AgendaEvent.id)))
    assert [e.action for e in events] == ["decided", "outcome"]
    # stamped on the service's clock (the demo's 2020-03-16 here), as the break history is
    entry = db.session.scalar(sa.select(AgendaEntry).where(AgendaEntry.key == item["key"]))
    assert {e.at.year for e in events} == {entry.decided_at.year} == {2020}
    # last week's agenda can no longer be decided
    with pytest.raises(Exception):
        agenda.record_decision(county, item["key"], "late", week="2020-W12")


def test_other_counties_cannot_decide(app, db, demo):
    county = staff(db, "county@demo.example.cn")
    item = agenda.region_agenda(county)["items"][0]
    other = User(email="other@example.cn", name="o", role="staff", region_code="230102", password_hash="x")
    db.session.add(other)
    db.session.commit()
    with pytest.raises(Forbidden):
        agenda.record_decision(other, item["key"], "x")


def test_summary_week_over_week(app, db, demo):
    county = staff(db, "county@demo.example.cn")
    first = agenda.agenda_summary(county)
    assert first["new"] == first["total"] and first["previous_week"] is None
    reports.write_weekly_report("2020-W13")
    second = agenda.agenda_summary(county)
    assert second["previous_week"] == "2020-W12" and second["total_before"] == first["total"]
    assert second["new"] + second["continuing"] + second["escalated"] == second["total"]
    assert sum(r["now"] for r in second["by_level"]) == second["total"]
    assert sum(r["before"] for r in second["by_level"]) == first["total"]


def test_agenda_sizes_count_the_items_each_county_owns(app, db, demo):
    sizes = agenda.agenda_sizes("2020-W12")
    whole = agenda.report_agenda(demo)
    county = staff(db, "county@demo.example.cn")
    owned_here = sum(1 for i in whole.items if i.owner_region == county.region_code)
    assert sizes["items"] == len(whole.items)
    assert sizes["owned"]["min"] <= owned_here <= sizes["owned"]["max"]
    assert sum(sizes["by_kind"].values()) == len(whole.items)


def test_the_department_table_is_configurable(app):
    assert agenda.departments_for(["funds", "orders"]) == ["finance", "fiscal", "commerce", "industry"]
    app.config["AGENDA_DEPARTMENTS"] = '{"funds": ["fiscal"], "orders": ["commerce"]}'
    try:
        assert agenda.departments_for(["funds", "orders", "labour"]) == ["fiscal", "commerce", "hr"]
    finally:
        app.config["AGENDA_DEPARTMENTS"] = None


def test_items_below_the_discussion_stake_are_routine_and_walked_last(app, db, demo):
    county = staff(db, "county@demo.example.cn")
    data = agenda.region_agenda(county)
    assert data["items"] and data["routine"]
    assert all(i["stake"] >= 1.0 for i in data["items"]) and all(i["stake"] < 1.0 for i in data["routine"])
    assert data["walk"] == data["items"] + data["routine"]
    app.config["AGENDA_DISCUSS_STAKE"] = 0.0
    try:
        assert agenda.region_agenda(county)["routine"] == []
    finally:
        app.config["AGENDA_DISCUSS_STAKE"] = 1.0


def test_the_agenda_sorts_by_the_days_until_a_buyer_runs_out(app, db, demo, client):
    """Issue 13, item 6: a buyer that states days of stock makes the item that fails it come first when
    the agenda is ordered by the days until a buyer runs out; by stake the order is unchanged."""
    from matchmaker.models import Firm, Link
    from matchmaker.models.report import Break as StoredBreak

    county = staff(db, "county@demo.example.cn")
    by_stake = agenda.region_agenda(county)
    last = next(i for i in reversed(by_stake["items"])
                if any(h["supplier"] and h["kind"] in ("supplier_down", "supplier_strained") for h in i["buyers"]))
    hit = next(h for h in last["buyers"] if h["supplier"] and h["kind"] in ("supplier_down", "supplier_strained"))
    link = db.session.scalar(sa.select(Link).join(Firm, Link.buyer_id == Firm.id).where(
        Firm.ref == hit["buyer"], Link.category_code == hit["category"], Link.active.is_(True),
        Link.supplier_id == sa.select(Firm.id).where(Firm.ref == hit["supplier"]).scalar_subquery()))
    assert link is not None and db.session.scalar(sa.select(StoredBreak.id).where(StoredBreak.buyer == hit["buyer"]))
    link.days_of_stock = 1
    db.session.commit()
    by_days = agenda.region_agenda(county, sort="runs_out")
    assert by_days["sort"] == "runs_out" and by_days["items"][0]["key"] == last["key"]
    assert by_days["items"][0]["runs_out"].days_left is not None
    assert [i["key"] for i in agenda.region_agenda(county)["items"]] == [i["key"] for i in by_stake["items"]]
    assert sorted(i["key"] for i in by_days["items"]) == sorted(i["key"] for i in by_stake["items"])


def test_the_agenda_follows_the_breaks_workflow_at_once(app, db, demo):
    """Escalating a break by hand moves its item up to the city (the county still reads it among
    the items concerning its firms); closing an item's only break takes it off the open items;
    reopening brings it back, all without a new report run (the agenda was kept per run only)."""
    county = staff(db, "county@demo.example.cn")
    city = staff(db, "city@demo.example.cn")

    def owned(actor):
        return {i["key"]: i for i in agenda.region_agenda(actor)["walk"]}

    before = owned(county)
    assert {"uncovered|F0018", "uncovered|F0058"} <= set(before)
    assert "uncovered|F0018" not in owned(city)
    brk = {b.key: b.id for b in db.session.scalars(sa.select(Break).where(Break.report_id == demo.id))}
    reports.escalate_break(county, brk["uncovered_need|F0018|IO003|"], "the county cannot find a supplier")
    reports.close_break(county, brk["uncovered_need|F0058|IO013|"], "a local mill delivers")
    now = owned(county)
    assert "uncovered|F0018" not in now and "uncovered|F0058" not in now
    concerning = {i["key"]: i for i in agenda.region_agenda(county)["concerning"]}
    assert concerning["uncovered|F0018"]["level"] == "city"
    assert concerning["uncovered|F0018"]["owner_region"] == city.region_code
    assert owned(city)["uncovered|F0018"]["level"] == "city"
    reports.reopen_break(county, brk["uncovered_need|F0058|IO013|"])
    assert "uncovered|F0058" in owned(county)


def test_an_item_escalated_by_hand_is_escalated_above_and_sent_up_below(app, db, demo):
    """Escalated by hand this week (no previous report: it would be "new"), the item is "escalated"
    on the city's agenda and discussed there even below the discussion stake; the city's summary
    counts it escalated, the county's counts it sent up; both stay so once the city takes it up."""
    county = staff(db, "county@demo.example.cn")
    city = staff(db, "city@demo.example.cn")
    before = agenda.agenda_summary(county)
    assert before["sent_up"] == 0 and before["escalated"] == 0
    small = db.session.scalar(sa.select(Break).where(Break.report_id == demo.id,
                                                     Break.key == "uncovered_need|F0058|IO013|"))
    reports.escalate_break(county, small.id, "no feed mill in the county")
    data = agenda.region_agenda(city)
    item = next(i for i in data["items"] if i["key"] == "uncovered|F0058")
    assert item["state"] == "escalated" and item["stake"] < agenda.discuss_stake()
    assert agenda.agenda_summary(city)["escalated"] == 1
    after = agenda.agenda_summary(county)
    assert after["sent_up"] == 1 and after["total"] == before["total"] - 1
    reports.assign_break(city, small.id, city.id)
    assert agenda.agenda_summary(county)["sent_up"] == 1
    untouched = next(i for i in agenda.region_agenda(county)["walk"] if i["key"] == "uncovered|F0295")
    assert untouched["state"] == "new"


def test_a_closed_break_stays_on_its_weeks_agenda_counted_as_closed(app, db, demo):
    """Issue 12, item 4: a break closed by staff leaves the open items but stays on the week's agenda
    with its note (page, summary, .xlsx), counted as closed, until it is reopened."""
    import io

    import openpyxl

    from matchmaker.services.reports import workflow

    county = staff(db, "county@demo.example.cn")
    mine = db.session.scalars(sa.select(Break).where(
        Break.report_id == demo.id, Break.owner_region == county.region_code, Break.status == "open")
        .order_by(Break.id)).first()
    assert agenda.region_agenda(county)["closed"] == [] and agenda.agenda_summary(county)["closed"] == 0
    workflow.close_break(county, mine.id, "县内已协调供货")
    data = agenda.region_agenda(county)
    assert [(c["id"], c["kind"], c["buyer"], c["note"], c["owned"]) for c in data["closed"]] == [
        (mine.id, mine.kind, mine.buyer, "县内已协调供货", True)]
    assert data["closed"][0]["buyer_name"]
    assert agenda.agenda_summary(county)["closed"] == 1
    # the province sees it too (its county is below)
    province = staff(db, "province@demo.example.cn")
    assert [c["id"] for c in agenda.region_agenda(province)["closed"]] == [mine.id]
    words = {"sheets": {k: k for k in agenda.AGENDA_SHEETS}, "headers": {}, "kind": {}}
    words["headers"] = {c: c for cols in agenda.AGENDA_SHEETS.values() for c in cols}
    buf, _ = agenda.agenda_xlsx(county, words)
    sheet = list(openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["closed"].iter_rows(values_only=True))
    assert len(sheet) == 2 and sheet[1][1] == mine.buyer and sheet[1][-1] == "县内已协调供货"
    workflow.reopen_break(county, mine.id)
    assert agenda.region_agenda(county)["closed"] == [] and agenda.agenda_summary(county)["closed"] == 0
