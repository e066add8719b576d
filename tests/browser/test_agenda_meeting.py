"""County staff run Monday's meeting on the demo (2020-W12): open the agenda, record decisions in
meeting mode, print the agenda (screenshot kept), download the .xlsx; the next week's agenda opens
with those decisions (issue 12, items 2, 3 and 5)."""
import os
import threading

import openpyxl
import pytest

from tests.browser.conftest import in_app, shot, sign_in


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory):
    """(base_url, app): a real server over a temp-file SQLite database holding the demo and its W12 report."""
    from werkzeug.serving import make_server

    from matchmaker import create_app
    from matchmaker.infra.config import TestConfig
    from matchmaker.infra.extensions import db, limiter
    from matchmaker.services import reports
    from matchmaker.services.demo import load_demo

    was_enabled = limiter.enabled
    tmp = tmp_path_factory.mktemp("agenda-live")
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'live.sqlite'}", WTF_CSRF_ENABLED=True,
                  RATELIMIT_ENABLED=False, TESTING=False, SECRET_KEY="browser-tests")
    app = create_app(config)
    app.instance_path = str(tmp / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        reports.write_weekly_report("2020-W12")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = was_enabled


def test_county_staff_run_the_meeting(demo_live, new_page, tmp_path):
    from matchmaker.services.demo import DEMO_PASSWORD

    base, app = demo_live
    page = new_page()
    sign_in(page, base, "county@demo.example.cn", DEMO_PASSWORD)
    page.click("nav >> text=调度议程")
    page.wait_for_url("**/taskforce/agenda")
    n = page.locator("#agenda-items tbody tr").count() + page.locator("#agenda-routine tbody tr").count()
    assert n >= 3
    shot(page, "agenda-county")

    # meeting mode: a decision on the first two items, the third skipped
    page.click("#meeting-mode")
    page.wait_for_url("**/taskforce/agenda/meeting**")
    assert page.locator("#meeting-item").inner_text().startswith(f"第 1 项，共 {n} 项")
    page.click("#record-decision")  # no decision: the message shows at the field
    assert page.locator("#d-decision-error").inner_text() == "此项为必填项。"
    page.fill("#d-decision", "人社局本周内组织员工返岗，工信局协调原料")
    page.select_option("#d-departments", ["hr", "industry"])
    page.fill("#d-due", "2020-03-20")
    page.click("#record-decision")
    page.wait_for_url("**i=1**")
    assert page.locator("#meeting-item").inner_text().startswith(f"第 2 项，共 {n} 项")
    page.fill("#d-decision", "商务局对接替代供应商")
    page.click("#record-decision")
    page.wait_for_url("**i=2**")
    shot(page, "agenda-meeting")

    page.goto(base + "/taskforce/agenda")
    rows = page.locator("#agenda-items tbody tr")
    assert rows.nth(0).locator("td.decision").inner_text() == "人社局本周内组织员工返岗，工信局协调原料"
    assert "人社局" in rows.nth(0).inner_text() and "2020年3月20日" in rows.nth(0).inner_text()
    assert rows.nth(1).locator("td.decision").inner_text() == "商务局对接替代供应商"

    # the printable agenda: names with codes, units, percentages; A4 screenshot kept
    page.click("#print-agenda")
    page.wait_for_url("**/taskforce/agenda/print**")
    text = page.locator("#print-items").inner_text()
    assert "人社局本周内组织员工返岗" in text and "%" in text
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    shot(page, "agenda-print")
    page.pdf(path=str(tmp_path / "agenda.pdf"), format="A4", landscape=True)
    assert (tmp_path / "agenda.pdf").stat().st_size > 10000
    page.emulate_media(media="screen")

    # the .xlsx, checked with openpyxl
    page.goto(base + "/taskforce/agenda")
    with page.expect_download() as info:
        page.click("#agenda-xlsx")
    path = tmp_path / "agenda.xlsx"
    info.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["议程"]
    header = [c.value for c in ws[1]]
    assert header[3:5] == ["企业代码", "企业"] and ws.freeze_panes == "A2" and ws.auto_filter.ref
    first = [c.value for c in ws[2]]
    assert first[header.index("决定事项（谁做什么）")] == "人社局本周内组织员工返岗，工信局协调原料"
    assert ws.cell(row=2, column=header.index("影响程度（投入周）") + 1).number_format == "0.00"
    buyers = wb["受影响的采购方"]
    bh = [c.value for c in buyers[1]]
    assert buyers.cell(row=2, column=bh.index("占采购方供应比例") + 1).number_format == "0%"
    assert buyers.cell(row=2, column=bh.index("采购方") + 1).value  # names beside codes

    # next week: the agenda opens with last week's decisions; one is said not done
    from matchmaker.services import reports

    with in_app(app):
        reports.write_weekly_report("2020-W13")
    page.goto(base + "/taskforce/agenda")
    last = page.locator("#last-decisions-table tbody tr")
    assert last.count() == 2
    last.nth(0).locator("input[value=not_done]").check()
    last.nth(0).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#last-decisions-table tbody tr").nth(0).locator(".outcome").inner_text() == "未完成"
    shot(page, "agenda-next-week")
