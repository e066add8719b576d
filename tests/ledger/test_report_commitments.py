"""The weekly report's `commitments` and `leading_firms` (spec/article10.md, issue 13): computed as of
the report's day from a ledger imported as a data package, stored with the report, scoped to the
reader, and written to the report file (`matchmaker report weekly --out`), the API and the .xlsx."""
import json

import pytest
from openpyxl import load_workbook

from matchmaker.infra.extensions import db
from matchmaker.services import auth, reports
from matchmaker.services.packages import import_package
from tests import factories as f
from tests.packages.conftest import write_json

PACKAGE = {
    "regions": [
        {"code": "230000", "name": "黑龙江省", "level": "province"},
        {"code": "230100", "name": "哈尔滨市", "level": "city", "parent": "230000"},
        {"code": "230102", "name": "道里区", "level": "county", "parent": "230100", "lat": 45.76, "lon": 126.61},
        {"code": "230103", "name": "南岗区", "level": "county", "parent": "230100", "lat": 45.75, "lon": 126.66},
        {"code": "230104", "name": "道外区", "level": "county", "parent": "230100", "lat": 45.79, "lon": 126.65},
    ],
    "categories": [{"code": "C1", "name": "原料", "unit": "t"}],
    "firms": [
        {"ref": "F1", "name": "龙头甲", "kind": "leading", "region": "230102"},
        {"ref": "F2", "name": "龙头乙", "kind": "leading", "region": "230104"},
        {"ref": "S1", "name": "中小一", "kind": "sme", "region": "230103"},
        {"ref": "S2", "name": "中小二", "kind": "sme", "region": "230103"},
    ],
    "links": [
        {"ref": "L7", "supplier": "S1", "buyer": "F1", "category": "C1", "quantity_per_week": 5,
         "terms": ["pay_first", "order_first"], "since": "2020-02-01"},
        {"ref": "L8", "supplier": "S2", "buyer": "F1", "category": "C1", "quantity_per_week": 5, "since": "2020-01-01"},
        {"ref": "L9", "supplier": "S2", "buyer": "F2", "category": "C1", "quantity_per_week": 5,
         "terms": ["order_first"], "since": "2020-03-10"},
    ],
    "orders": [{"ref": "PO1", "link": "L7", "date": "2020-02-03", "quantity": 10}],
    "deliveries": [
        {"ref": "D3", "link": "L7", "date": "2020-02-24", "quantity": 5, "amount": 1500},
        {"ref": "D4", "link": "L8", "date": "2020-01-10", "quantity": 5, "amount": 800},
        {"ref": "D5", "link": "L7", "date": "2020-03-20", "quantity": 5, "amount": 900},
    ],
    "payments": [
        {"ref": "P1", "link": "L7", "date": "2020-03-01", "amount": 300, "delivery": "D3"},
        {"ref": "P2", "link": "L8", "date": "2020-03-20", "amount": 800},
    ],
}
# as of 2020-03-16 (2020-W12): D3 owes 1200, due 03-10 (pay_first); D4 owes 800, due 03-10 (60 days);
# L9 had no order by 03-17 but is due only then; D5 and P2 are after the day
EXPECTED = [
    {"term": "pay_first", "link": "L7", "buyer": "F1", "supplier": "S1", "delivery": "D3", "due": "2020-03-10",
     "days_overdue": 6, "unpaid": 1200.0, "owner_region": "230102"},
    {"term": "payment_60d", "link": "L8", "buyer": "F1", "supplier": "S2", "delivery": "D4", "due": "2020-03-10",
     "days_overdue": 6, "unpaid": 800.0, "owner_region": "230102"},
]


@pytest.fixture
def ledger_report(app, tmp_path):
    import_package(write_json(tmp_path, PACKAGE), reference=False)
    reports.write_weekly_report("2020-W12")
    reports.write_weekly_report("2020-W13")  # as of 03-23: L9's order_first is overdue, P2 paid D4


def test_the_report_lists_overdue_commitments_and_scorecards(ledger_report):
    data = reports.report_data(None, "2020-W12")
    assert data["commitments"] == EXPECTED
    f1, f2 = data["leading_firms"]
    assert (f1["firm"], f1["county"], f1["smes"], f1["orders"], f1["ordered_quantity"]) == ("F1", "230102", 2, 1, 10.0)
    assert (f1["deliveries"], f1["delivered_amount"], f1["paid_on_time"], f1["paid_late"]) == (2, 2300.0, 0, 2)
    assert (f1["on_time_share"], f1["mean_days_to_pay"], f1["overdue"], f1["overdue_unpaid"]) == (0.0, None, 2, 2000.0)
    assert (f2["firm"], f2["smes"], f2["deliveries"], f2["overdue"]) == ("F2", 1, 0, 0)
    # issue 10: the unit the quantities are counted in (its links' category's here; none without entries)
    from matchmaker.models import Category

    assert (f1["unit"], f2["unit"]) == (db.session.get(Category, "C1").unit, None)
    later = reports.report_data(None, "2020-W13")
    assert [(c["term"], c["link"], c["delivery"], c["days_overdue"]) for c in later["commitments"]] == [
        ("pay_first", "L7", "D3", 13), ("order_first", "L9", None, 6)]
    assert later["leading_firms"][0]["mean_days_to_pay"] == 70.0  # D4: 01-10 to 03-20, late


def test_staff_see_the_commitments_of_their_buyers_and_suppliers(ledger_report):
    buyer_county = f.user("staff", region_code="230102")
    supplier_county = f.user("staff", region_code="230103")
    other_county = f.user("staff", region_code="230104")
    data = reports.report_data(buyer_county, "2020-W12")
    assert data["commitments"] == EXPECTED and [c["firm"] for c in data["leading_firms"]] == ["F1"]
    data = reports.report_data(supplier_county, "2020-W12")
    assert data["commitments"] == EXPECTED and data["leading_firms"] == []
    data = reports.report_data(other_county, "2020-W13")
    assert [c["link"] for c in data["commitments"]] == ["L9"] and [c["firm"] for c in data["leading_firms"]] == ["F2"]


def test_the_report_file_the_api_and_the_workbook(ledger_report, runner, client, tmp_path):
    out = tmp_path / "r.json"
    result = runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["commitments"] == EXPECTED and data["leading_firms"][0]["firm"] == "F1"
    admin = f.user("admin")
    db.session.commit()
    headers = {"Authorization": f"Bearer {auth.issue_token(admin)}"}
    resp = client.get("/api/v1/reports/2020-W12", headers=headers)
    assert resp.status_code == 200 and resp.json["commitments"] == EXPECTED
    assert resp.json["leading_firms"][0]["overdue_unpaid"] == 2000.0
    xlsx = tmp_path / "r.xlsx"
    runner.invoke(args=["report", "weekly", "--week", "2020-W12", "--out", str(xlsx)])
    wb = load_workbook(xlsx)
    rows = list(wb["逾期承诺"].iter_rows(values_only=True))
    assert rows[0][:3] == ("承诺", "供应关系", "需方")
    assert rows[1] == ("先付款", "L7", "F1", "S1", "D3", "2020-03-10", 6, 1200, "230102")
    assert rows[2][0] == "60日内付款"
    cards = list(wb["龙头企业履约"].iter_rows(values_only=True))
    assert cards[0][0] == "龙头企业" and [r[0] for r in cards[1:]] == ["F1", "F2"]
    assert cards[0][-1] == "数量单位" and cards[1][-1] and cards[2][-1] is None


def test_the_report_page_shows_both_parts(ledger_report, app):
    from tests.web.conftest import login

    f.user("staff", region_code="230102", email="county@example.cn")
    db.session.commit()
    page = login(app.test_client(), "county@example.cn").get("/taskforce/report?week=2020-W12")
    assert page.status_code == 200
    html = page.text
    table = html[html.index('id="commitments-table"'):html.index('id="leading-firms"')]
    assert table.count("<tr data-term=") == 2 and "先付款" in table and "60日内付款" in table
    assert "龙头甲" in table and "1,200" in table
    cards = html[html.index('id="leading-firms-table"'):]
    assert "龙头甲" in cards and "龙头乙" not in cards and "0%" in cards


def _commitment_item(week):
    from matchmaker.services.agenda.build import report_agenda

    items = {i.key: i for i in report_agenda(reports.get_report(week)).items}
    return items["commitment|F1|S1"]


def test_an_overdue_commitment_is_an_agenda_item_escalated_like_a_break(ledger_report):
    reports.write_weekly_report("2020-W14")
    week = {w: {(c["term"], c["link"]): c for c in reports.agenda_commitments(None, reports.get_report(w))}
            for w in ("2020-W12", "2020-W13", "2020-W14")}
    assert [week[w][("pay_first", "L7")]["weeks_open"] for w in ("2020-W12", "2020-W13", "2020-W14")] == [1, 2, 3]
    assert week["2020-W13"][("order_first", "L9")]["weeks_open"] == 1  # new that week
    items = [_commitment_item(w) for w in ("2020-W12", "2020-W13", "2020-W14")]
    assert [(i.weeks_open, i.idle_weeks, i.level, i.owner_region) for i in items] == [
        (1, 1, "county", "230102"), (2, 2, "county", "230102"), (3, 3, "city", "230100")]
    # the report file keeps exactly the spec's fields
    assert all(set(c) == set(EXPECTED[0]) for c in reports.report_data(None, "2020-W14")["commitments"])


def test_a_commitment_acted_on_at_a_meeting_does_not_escalate_that_week(ledger_report):
    """Spec: automatic escalation counts idle weeks only. A decision on the item in W13 makes W13 a
    week in which staff acted: in W14 the item has been open three weeks but idle two, so it stays
    with the county. A decision counts from the next report on: the item does not move in the
    middle of its week's meeting."""
    from matchmaker.services.agenda.meeting import record_decision

    county = f.user("staff", region_code="230102")
    db.session.commit()
    record_decision(county, "commitment|F1|S1", "工信局督促龙头甲三日内付清", week="2020-W13")
    assert _commitment_item("2020-W13").idle_weeks == 2
    reports.write_weekly_report("2020-W14")
    w14 = _commitment_item("2020-W14")
    assert (w14.weeks_open, w14.idle_weeks, w14.level, w14.owner_region) == (3, 2, "county", "230102")
    record_decision(county, "commitment|F1|S1", "再次督促", week="2020-W14")
    assert _commitment_item("2020-W14").idle_weeks == 2
    reports.write_weekly_report("2020-W15")
    reports.write_weekly_report("2020-W16")  # W15 and W16 idle: 3 idle weeks of 5 raise it to the city
    w16 = _commitment_item("2020-W16")
    assert (w16.weeks_open, w16.idle_weeks, w16.level, w16.owner_region) == (5, 3, "city", "230100")


def test_scorecard_pages_by_region_and_by_firm(ledger_report, app):
    from tests.web.conftest import login

    f.user("staff", region_code="230100", email="city@example.cn")
    f.user("staff", region_code="230102", email="county@example.cn")
    db.session.commit()
    city = login(app.test_client(), "city@example.cn")
    page = city.get("/taskforce/scorecard?week=2020-W12")
    assert page.status_code == 200
    counties = page.text[page.text.index('id="scorecard-counties"'):page.text.index('id="firms"')]
    assert "道里区" in counties and "道外区" in counties and counties.count("<tr") == 4  # header, 2 counties, all
    assert 'href="/taskforce/scorecard/F1"' in page.text and 'href="/taskforce/scorecard/F2"' in page.text
    history = city.get("/taskforce/scorecard/F1")
    assert history.status_code == 200
    assert history.text.count('href="/taskforce/scorecard?week=2020-W1') == 2  # W12 and W13
    county = login(app.test_client(), "county@example.cn")
    assert county.get("/taskforce/scorecard/F2").status_code == 404  # another county's firm
    page = county.get("/taskforce/scorecard").text
    assert 'href="/taskforce/scorecard/F1"' in page and "/taskforce/scorecard/F2" not in page


def test_region_totals_add_up(ledger_report):
    view = reports.region_scorecards(None, "2020-W12")
    total = view["total"]
    assert (total["leading_firms"], total["smes"], total["deliveries"], total["overdue"]) == (2, 3, 2, 2)
    assert (total["paid_on_time"], total["paid_late"], total["on_time_share"]) == (0, 2, 0.0)
    assert [r["county"] for r in view["by_county"]] == ["230102", "230104"]


def test_the_printable_report_has_both_parts(ledger_report, app):
    from tests.web.conftest import login

    f.user("staff", region_code="230102", email="county@example.cn")
    db.session.commit()
    page = login(app.test_client(), "county@example.cn").get("/reports/2020-W12/print")
    assert page.status_code == 200
    table = page.text[page.text.index('id="print-commitments"'):page.text.index('id="print-leading-firms"')]
    assert table.count("<tr><td>") == 2 and "先付款" in table and "1200.00" in table
    assert "F1" in page.text[page.text.index('id="print-leading-firms"'):]
