"""The weekly report service: weeks_open, escalation, reopening, idempotent re-runs, crashes, exports."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from matchmaker.models import Firm, User
from matchmaker.models.report import Break, BreakEvent, ReportGuard, WeeklyReport
from matchmaker.services import reports
from matchmaker.services.reports import write
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories as f

HRB1, HRB2 = "230102", "230103"


def _key(b):
    return (b["kind"], b["buyer"], b["supplier"], b["category"])


def _breaks(week, kind=None):
    data = reports.report_data(None, week)
    return [b for b in data["breaks"] if kind is None or b["kind"] == kind]


@pytest.fixture
def down_supplier(db):
    """A leading buyer B in county 230102 whose only supplier S (same county) has stopped."""
    b = f.firm("B", kind="leading", region_code=HRB1)
    s = f.firm("S", region_code=HRB1, operating=False, blockers=["labour"])
    f.link(s, b, "C1", 40.0)
    db.session.commit()
    return b, s


def test_escalation_over_five_consecutive_weekly_reports(db, down_supplier):
    seen = []
    for week in ("2020-W10", "2020-W11", "2020-W12", "2020-W13", "2020-W14"):
        reports.write_weekly_report(week)
        (b,) = _breaks(week, "supplier_down")
        seen.append((b["weeks_open"], b["level"], b["owner_region"]))
    assert seen == [(1, "county", HRB1), (2, "county", HRB1), (3, "city", "230100"),
                    (4, "city", "230100"), (5, "province", "230000")]
    data = reports.report_data(None, "2020-W14")
    assert data["as_of"] == "2020-03-30"
    assert data["summary"]["by_kind"] == {"supplier_down": 1}
    assert data["summary"]["by_level"] == {"province": 1}
    assert data["summary"]["by_factor"] == {"labour": 1}


def test_weeks_without_a_report_are_skipped_and_an_absence_ends_the_run(db, down_supplier):
    _, s = down_supplier
    reports.write_weekly_report("2020-W10")
    reports.write_weekly_report("2020-W12")  # W11 has no stored report: skipped over
    assert [b["weeks_open"] for b in _breaks("2020-W12", "supplier_down")] == [2]
    s.operating = True
    db.session.commit()
    reports.write_weekly_report("2020-W13")
    assert _breaks("2020-W13", "supplier_down") == []
    assert reports.report_data(None, "2020-W13")["resolved"] == [
        {"kind": "supplier_down", "buyer": "B", "supplier": "S", "category": "C1"}]
    s.operating = False
    db.session.commit()
    reports.write_weekly_report("2020-W14")
    assert [b["weeks_open"] for b in _breaks("2020-W14", "supplier_down")] == [1]


def test_closed_break_reopens_while_its_condition_holds(db, down_supplier):
    staff = f.user("staff", region_code=HRB1)
    db.session.commit()
    reports.write_weekly_report("2020-W10")
    row = db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))
    reports.close_break(staff, row.id, "复工协调完成")
    assert [b["kind"] for b in _breaks("2020-W10")].count("supplier_down") == 0  # no longer open
    reports.write_weekly_report("2020-W11")
    (b,) = _breaks("2020-W11", "supplier_down")
    assert (b["status"], b["weeks_open"]) == ("reopened", 2)
    assert reports.report_data(None, "2020-W11")["resolved"] == []  # closed is not resolved
    new_row = db.session.scalar(sa.select(Break).join(WeeklyReport).where(
        WeeklyReport.week == "2020-W11", Break.kind == "supplier_down"))
    history = reports.get_break(staff, new_row.id)["history"]
    assert [(h["week"], h["action"], h["note"]) for h in history] == [
        ("2020-W10", "closed", "复工协调完成"), ("2020-W11", "reopened", None)]


def test_closing_needs_a_note_and_an_open_break(db, down_supplier):
    staff = f.user("staff", region_code=HRB1)
    db.session.commit()
    reports.write_weekly_report("2020-W10")
    row = db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))
    with pytest.raises(Invalid):
        reports.close_break(staff, row.id, "  ")
    reports.close_break(staff, row.id, "done")
    with pytest.raises(Conflict):
        reports.close_break(staff, row.id, "again")


def test_rerun_replaces_the_week_and_keeps_its_workflow(db, down_supplier):
    staff = f.user("staff", region_code=HRB1)
    other = f.user("staff", region_code=HRB1)
    db.session.commit()
    reports.write_weekly_report("2020-W10")
    first = sorted(_key(b) for b in _breaks("2020-W10"))
    row = db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))
    reports.assign_break(staff, row.id, other.id, note="请跟进")
    report, written = reports.write_weekly_report("2020-W10")
    assert written
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Break.id))) == len(first)
    assert sorted(_key(b) for b in _breaks("2020-W10")) == first
    (b,) = _breaks("2020-W10", "supplier_down")
    assert b["status"] == "assigned"
    assert report.runs == 2
    assert db.session.get(ReportGuard, "2020-W10").runs == 2
    # the scheduler's way: nothing is written when the week has its report
    again, written = reports.write_weekly_report("2020-W10", only_if_missing=True)
    assert (again.id, written) == (report.id, False)


def test_a_crash_mid_report_leaves_the_previous_state(db, down_supplier, monkeypatch):
    reports.write_weekly_report("2020-W10")
    before = db.session.execute(sa.select(Break.key, Break.weeks_open, Break.status)).all()
    real_insert = write.insert_breaks

    def insert_then_fail(rows, chunk=20000):
        real_insert(rows, chunk)  # the rows are written in the transaction ...
        raise RuntimeError("disk full")  # ... and then the run dies

    monkeypatch.setattr(write, "insert_breaks", insert_then_fail)
    with pytest.raises(RuntimeError):
        reports.write_weekly_report("2020-W11")
    with pytest.raises(RuntimeError):
        reports.write_weekly_report("2020-W10")  # a failed re-run keeps the stored week
    db.session.expire_all()
    assert db.session.scalars(sa.select(WeeklyReport.week)).all() == ["2020-W10"]
    assert db.session.execute(sa.select(Break.key, Break.weeks_open, Break.status)).all() == before
    assert db.session.get(ReportGuard, "2020-W11") is None


def test_an_assignee_deleted_while_the_report_ran_is_the_databases_refusal_on_every_database(db, down_supplier,
                                                                                             monkeypatch):
    """The rows carry a break's assignee from the previous report; a user deleted meanwhile makes the
    insert refuse them: SQLAlchemy's IntegrityError on SQLite (executemany) and on PostgreSQL (COPY,
    which bypasses SQLAlchemy: the driver's own error before), and nothing of the week is stored."""
    staff = f.user("staff", region_code=HRB1)
    other = f.user("staff", region_code=HRB1)
    db.session.commit()
    reports.write_weekly_report("2020-W10")
    row = db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))
    reports.assign_break(staff, row.id, other.id)
    before = db.session.execute(sa.select(Break.key, Break.status, Break.assignee_id)).all()
    real_rows = write.break_rows

    def user_deleted_meanwhile(*args):
        built = real_rows(*args)  # the rows carry the assignee read from W10 ...
        column = list(built[0].column("assignee_id"))
        assert other.id in column
        gone = db.session.scalar(sa.select(sa.func.max(User.id))) + 1  # ... a user no longer stored
        built[0].columns["assignee_id"] = [gone if a == other.id else a for a in column]
        return built

    monkeypatch.setattr(write, "break_rows", user_deleted_meanwhile)
    with pytest.raises(sa.exc.IntegrityError):
        reports.write_weekly_report("2020-W11")
    db.session.expire_all()
    assert db.session.scalars(sa.select(WeeklyReport.week)).all() == ["2020-W10"]
    assert db.session.execute(sa.select(Break.key, Break.status, Break.assignee_id)).all() == before


def test_uncovered_need_and_chain_gap_use_the_matching_rules(db):
    buyer = f.firm("B", kind="leading", region_code=HRB1)
    sme = f.firm("O", region_code=HRB2)
    f.need(buyer, "C1", 10.0, needed_by=date(2020, 4, 1), ref="N1")  # an offer is allowed: uncovered
    f.offer(sme, "C1", 5.0, available_from=date(2020, 3, 1), ref="OF1")
    f.need(buyer, "C2", 7.0, needed_by=date(2020, 5, 11), ref="N2")  # due at the horizon, no offer: gap
    f.need(buyer, "C3", 7.0, needed_by=date(2020, 5, 12), ref="N3")  # one day past: not reported
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    got = [(b["kind"], b["category"], b["quantity"], b["level"], b["owner_region"], b.get("pending_proposals"))
           for b in _breaks("2020-W12")]
    assert sorted(got) == [("chain_gap", "C2", 7.0, "province", "230000", 0),
                           ("uncovered_need", "C1", 10.0, "county", HRB1, 0)]


def test_monitoring_by_industry_and_park(db):
    f.firm("A", region_code=HRB1, industry="C1441", park="哈尔滨开发区", capacity_utilization=0.5, workers_back=0.8)
    f.firm("B", region_code=HRB1, industry="C", park="哈尔滨开发区", operating=False, capacity_utilization=0.1)
    f.firm("D", region_code=HRB2, industry="F5123")
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    mon = reports.report_data(None, "2020-W12")["monitoring"]
    assert mon["by_industry"] == [
        {"industry": "C", "firms": 2, "share_operating": 0.5, "mean_capacity_utilization": 0.3,
         "mean_workers_back": 0.8},
        {"industry": "F", "firms": 1, "share_operating": 1.0, "mean_capacity_utilization": None,
         "mean_workers_back": None}]
    assert mon["by_park"] == [{"park": "哈尔滨开发区", "firms": 2, "share_operating": 0.5,
                               "mean_capacity_utilization": 0.3, "mean_workers_back": 0.8}]
    staff = f.user("staff", region_code=HRB2)
    db.session.commit()
    scoped = reports.report_data(staff, "2020-W12")["monitoring"]
    assert [r["industry"] for r in scoped["by_industry"]] == ["F"] and scoped["by_park"] == []


def test_cli_writes_json_and_xlsx(db, runner, down_supplier, tmp_path):
    out = tmp_path / "r.json"
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"week", "as_of", "breaks", "resolved", "summary", "monitoring"}
    assert (data["week"], data["as_of"]) == ("2020-W12", "2020-03-16")
    down = next(b for b in data["breaks"] if b["kind"] == "supplier_down")
    assert down == {"kind": "supplier_down", "buyer": "B", "supplier": "S", "category": "C1", "quantity": 40.0,
                    "factors": ["labour"], "level": "county", "owner_region": HRB1, "weeks_open": 1,
                    "status": "open", "tier": 1, "path": ["B", "S"], "regions": [HRB1], "severity": down["severity"],
                    # issue 10: the unit of the quantity and the goods at stake (here named by category only)
                    "unit": "t", "products": [{"product": None, "unit": "t", "quantity": 40.0}]}
    assert down["severity"] > 0
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--as-of", "2020-03-18",
                                 "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["断链清单", "已解决", "求助企业", "汇总", "按行业复工", "按园区复工", "本周撮合", "逾期承诺", "龙头企业履约"]
    ws = wb["断链清单"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "严重度" and ws["A2"].value > 0
    # the paper's words: 用工 and 县级 (the pages say 员工返岗 and 县（区）)
    assert [c.value for c in ws[2]][1:] == ["供应商停产", "B", "S", "C1", 40, "吨", "按品类 40 吨", "用工", "县级", HRB1, 1,
                                            "待处理", 1, "B ← S", None, HRB1]
    assert [c.value for c in wb["求助企业"][2]] == ["S", HRB1, "否", "用工", 1, 1]
    assert ws.column_dimensions["C"].width >= 8
    assert db.session.scalar(sa.select(WeeklyReport.as_of)) == date(2020, 3, 18)
    bad = runner.invoke(args=["report", "weekly", "--week", "2020-12"])
    assert bad.exit_code != 0 and "2020-W12" in bad.output


# --- permissions -----------------------------------------------------------------------------

@pytest.fixture
def city_break(db):
    """A supplier_down owned by the city (buyer and supplier in two counties of Harbin)."""
    b = f.firm("B", kind="leading", region_code=HRB1)
    s = f.firm("S", region_code=HRB2, operating=False)
    f.link(s, b, "C1", 10.0)
    db.session.commit()
    reports.write_weekly_report("2020-W12")
    return db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))


def test_staff_see_their_region_and_act_as_owner_region_or_above(db, city_break):
    county = f.user("staff", region_code=HRB1)  # the buyer's county: sees it, cannot act (owner: city)
    f.region("230202")
    other = f.user("staff", region_code="230202")  # another city
    city = f.user("staff", region_code="230100")
    province = f.user("staff", region_code="230000")
    firm_user = f.user("firm", firm_row=db.session.scalar(sa.select(Firm).where(Firm.ref == "B")))
    db.session.commit()
    assert city_break.owner_region == "230100"
    assert [b["kind"] for b in reports.report_data(county, "2020-W12")["breaks"]] == ["supplier_down"]
    assert reports.report_data(other, "2020-W12")["breaks"] == []
    with pytest.raises(NotFound):
        reports.get_break(other, city_break.id)
    with pytest.raises(Forbidden):
        reports.close_break(county, city_break.id, "not mine")
    with pytest.raises(NotFound):
        reports.escalate_break(other, city_break.id)
    with pytest.raises(Forbidden):
        reports.report_data(firm_user, "2020-W12")
    # city staff assign to a county colleague; assigning to someone outside is refused
    with pytest.raises(Invalid):
        reports.assign_break(city, city_break.id, other.id)
    reports.assign_break(city, city_break.id, county.id, note="县里先处理")
    assert reports.get_break(county, city_break.id)["assignee_name"] == county.name
    reports.escalate_break(province, city_break.id, note="省级协调")
    row = db.session.get(Break, city_break.id)
    assert (row.level, row.owner_region, row.manual_steps) == ("province", "230000", 1)
    with pytest.raises(Forbidden):  # no longer the city's to act on
        reports.close_break(city, city_break.id, "x")
    with pytest.raises(Conflict):
        reports.escalate_break(province, city_break.id)
    reports.close_break(province, city_break.id, "已销号")
    actions = [e.action for e in db.session.scalars(sa.select(BreakEvent).order_by(BreakEvent.id))]
    assert actions == ["assigned", "escalated", "closed"]
    # hand escalation carries to next week on top of the automatic one
    reports.write_weekly_report("2020-W13")
    (b,) = _breaks("2020-W13", "supplier_down")
    assert (b["status"], b["level"], b["weeks_open"]) == ("reopened", "province", 2)


def test_only_the_latest_report_can_be_changed(db, city_break):
    province = f.user("staff", region_code="230000")
    db.session.commit()
    reports.write_weekly_report("2020-W13")
    with pytest.raises(Conflict):
        reports.close_break(province, city_break.id, "old week")


def test_what_if_on_a_stopped_firm(db):
    b = f.firm("B", kind="leading", region_code=HRB1)
    s1 = f.firm("S1", region_code=HRB1)
    s2 = f.firm("S2", region_code=HRB2)
    f.link(s1, b, "C1", 5.0)
    f.link(s2, b, "C1", 5.0)
    staff = f.user("staff", region_code="230100")
    db.session.commit()
    res = reports.what_if(staff, firms=["S1"], as_of=date(2020, 3, 16))
    assert sorted((x["kind"], x["buyer"], x["supplier"]) for x in res["new"]) == [
        ("single_source", "B", "S2"), ("supplier_down", "B", "S1")]
    assert res["resolved"] == []
    with pytest.raises(Invalid) as exc:
        reports.what_if(staff, firms=["NOPE"], counties=["999999"])
    assert set(exc.value.errors) == {"stopped_firms", "high_risk_counties"}


@pytest.mark.postgres
@pytest.mark.parametrize("only_if_missing", [False, True])
def test_two_concurrent_runs_give_one_report(app, db, down_supplier, monkeypatch, only_if_missing):
    import threading
    import time as _time

    real_detect = write.detect_breaks
    started = threading.Barrier(2)

    def slow_detect(*args, **kw):
        _time.sleep(0.5)  # both runs are inside their transaction at once
        return real_detect(*args, **kw)

    monkeypatch.setattr(write, "detect_breaks", slow_detect)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                started.wait()
                report, written = reports.write_weekly_report("2020-W12", only_if_missing=only_if_missing)
                results.append(written)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(results) == ([False, True] if only_if_missing else [True, True])
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(WeeklyReport.id))) == 1
    keys = db.session.scalars(sa.select(Break.key)).all()
    assert keys == ["supplier_down|B|C1|S"]  # once, not twice
