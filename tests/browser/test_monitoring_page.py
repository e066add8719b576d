"""The monitoring page and the risk-zone page in a browser, at 390 px and 1280 px: chart and tables
shown, no sideways scrolling, the week picker and the .xlsx download work; province staff set a
county's risk through the form. Screenshots in artifacts/screenshots/monitoring-*."""
import io

import openpyxl
import pytest

from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in


@pytest.fixture(scope="module")
def two_weeks(live):
    """Headcounts on the live world's firms and two stored weeks, the second with S2 back at work."""
    base, app, world = live
    with in_app(app):
        from matchmaker.infra.extensions import db
        from matchmaker.models import Firm
        from matchmaker.services import reports
        from tests import factories

        firms = {f.ref: f for f in db.session.scalars(db.select(Firm))}
        for ref, hc in (("L1", 800), ("S1", 40), ("S2", 120), ("S3", 60)):
            firms[ref].headcount = hc
        factories.need(firms["L1"], "IO080", quantity=10, ref="NMON")  # L1 in the auto-parts chain
        factories.offer(firms["S2"], "IO080", quantity=10, ref="OMON")
        db.session.commit()
        reports.write_weekly_report("2020-W11")
        firms["S2"].operating, firms["S2"].workers_back = True, 0.5
        db.session.commit()
        reports.write_weekly_report("2020-W12")
    return world


@pytest.mark.parametrize("width", [390, 1280])
def test_the_monitoring_page_at_phone_and_desk_widths(live, two_weeks, new_page, width):
    base, _app, world = live
    page = new_page(width, 900)
    sign_in(page, base, world["users"]["province"])
    page.goto(base + "/taskforce/monitoring?week=2020-W12")
    assert page.locator("#chart-chain-operating svg .bar").count() >= 1
    chain_rows = page.locator("#table-chain tbody tr")
    assert chain_rows.count() == 8  # every configured chain, counted or not
    auto = page.locator("#table-chain tbody tr", has_text="汽车零部件")
    assert "个百分点" in auto.inner_text()  # S2 came back: a change week over week
    assert page.locator("#table-county tbody tr").count() == 2
    assert no_horizontal_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"monitoring-{width}")
    page.select_option("#monitoring-filter select[name=week]", "2020-W11")
    page.click("#monitoring-filter button[type=submit]")
    page.wait_for_url(lambda url: "2020-W11" in url)
    assert "2020-W11" in page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.click("#monitoring-xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert wb.sheetnames[:2] == ["分产业链", "分行业大类"] and len(wb.sheetnames) == 3
    assert wb.worksheets[0]["B1"].value == "名称"


def test_province_staff_set_a_countys_risk_in_the_browser(live, two_weeks, new_page):
    base, _app, world = live
    page = new_page(390, 900)
    sign_in(page, base, world["users"]["province"])
    page.goto(base + "/taskforce/risk")
    page.click("#risk-counties a[href$='/taskforce/risk/230102']")
    page.select_option("#risk", "medium")
    page.fill("#reason", "周边出现病例")
    page.click("#risk-form button[type=submit]")
    page.wait_for_load_state("load")
    assert "中风险" in page.locator("#risk-now").inner_text()
    assert "周边出现病例" in page.locator("#risk-history").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "risk-county-390")
