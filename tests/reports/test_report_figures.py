"""Figures right (issue 12, item 6): pairings of the week by the service's day, break history in the
service's clock, the week picker over stored reports, the park filter from the region's firms."""
from datetime import date, timedelta, timezone

import pytest
import sqlalchemy as sa

from matchmaker.infra import clock
from matchmaker.models.pairing import Pairing
from matchmaker.models.report import Break
from matchmaker.services import matching, reports
from tests import factories
from tests.web.conftest import login

AS_OF = date(2020, 3, 16)


@pytest.fixture
def pinned(app):
    app.config["TODAY"] = AS_OF.isoformat()
    yield AS_OF
    app.config["TODAY"] = None


def test_clock_now_is_on_the_service_day(pinned):
    now = clock.now()
    assert now.astimezone(clock.zone()).date() == AS_OF and now.utcoffset() == timedelta(0)


def test_pairings_of_the_week_count_by_the_service_day(db, pinned):
    factories.region("230102", lat=45.75, lon=126.64)
    buyer = factories.firm("B1", kind="leading", region_code="230102")
    s1 = factories.firm("S1", kind="sme", region_code="230102")
    factories.need(buyer, "C1", quantity=50.0, needed_by=date(2020, 4, 13), ref="N1")
    factories.offer(s1, "C1", quantity=60.0, ref="O1")
    ub, us = factories.user("firm", buyer), factories.user("firm", s1)
    db.session.commit()
    matching.run_matching()  # as of the service's today
    p = db.session.scalar(sa.select(Pairing))
    matching.accept_pairing(ub, p.id)
    matching.accept_pairing(us, p.id)
    assert p.created_at.date() != AS_OF  # the real clock: not 2020
    reports.write_weekly_report("2020-W12")
    assert reports.pairing_totals(None, reports.get_report("2020-W12")) == {
        "proposed": 1, "proposed_quantity": 50.0, "accepted": 1, "accepted_quantity": 50.0,
        "by_unit": {"t": {"proposed_quantity": 50.0, "accepted_quantity": 50.0}}}  # issue 10: split by unit
    reports.write_weekly_report("2020-W13")
    assert reports.pairing_totals(None, reports.get_report("2020-W13"))["proposed"] == 0


def test_history_week_picker_and_parks(app, db, pinned):
    factories.region("230000")
    factories.region("230102")
    factories.region("230103")
    lead = factories.firm("L1", kind="leading", region_code="230102", park="哈经开区")
    down = factories.firm("S2", region_code="230102", operating=False, park="道里工业园")
    factories.firm("Q1", region_code="230102", park="无断链园区")  # a park whose firms have no break
    factories.firm("Q2", region_code="230103", park="南岗园")  # another county's park
    factories.link(down, lead, "C1", 10.0)
    staff = factories.user("staff", region_code="230102", email="county@example.cn")
    db.session.commit()
    reports.write_weekly_report("2020-W11")
    reports.write_weekly_report("2020-W12")
    row = db.session.scalar(sa.select(Break).join(Break.report).where(Break.kind == "supplier_down",
                                                                      Break.report.has(week="2020-W12")))
    reports.note_break(staff, row.id, "电话了解情况")
    (event,) = reports.get_break(staff, row.id)["history"]
    at = event["at"] if event["at"].tzinfo else event["at"].replace(tzinfo=timezone.utc)
    assert at.astimezone(clock.zone()).date() == AS_OF
    c = login(app.test_client(), "county@example.cn")
    page = c.get("/taskforce/report").text
    picker = page[page.index('id="week-picker"'):page.index("</form>", page.index('id="week-picker"'))]
    assert 'value="2020-W11"' in picker and 'value="2020-W12" selected' in picker
    assert '<option value="无断链园区">' in page and '<option value="道里工业园">' in page
    assert "南岗园" not in page
    # the park filter keeps a break when a firm on its path is in the park (here its supplier)
    assert 'data-kind="supplier_down"' in c.get("/taskforce/report?park=道里工业园").text
    assert 'data-kind="supplier_down"' not in c.get("/taskforce/report?park=无断链园区").text
