"""A whole dispatch meeting on the demo (2020-W12), as county staff run it on Monday (issue 12, the
browser "done when"): open the agenda (names beside codes, units), record decisions in meeting mode,
escalate one item by hand with its reason (the city sees it on its home, under "escalated to us" and
on its agenda as escalated, and takes it up; the county keeps reading it, and its one-page summary
counts it sent up), close one with a note (it stays in the week's report, counted and filtered as
closed) and reopen it, print the agenda (A4, screenshot kept), download the .xlsx (checked with
openpyxl); the city closes the escalated item (the county sees the outcome) and reopens it; the
county records a stopped firm's status after a phone call; next week's agenda opens with the
decisions. The agenda once more at 390 px.

Screenshots go to artifacts/screenshots/meeting-*.png; those of the printed agenda and of the
agenda at 390 px are kept in docs/screenshots/meeting/."""
import re

import openpyxl

from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in

COUNTY = "county@demo.example.cn"  # 望奎县 231221, the demo's high-risk county
CITY = "city@demo.example.cn"  # 绥化市 231200, its city
ESCALATED = ("望奎昌盛食品有限公司", "F0018")  # first on the agenda: two uncovered needs (IO003, IO037)
SECOND = ("望奎三江种植专业合作社", "F0508")  # a down supplier failing a buyer in 青冈县
CLOSED = ("望奎正阳牧业有限公司", "F0058")  # a routine item: one uncovered need (IO013)
PHONED = "望奎金谷养殖有限公司"  # F0442, a firm asking for help without links


def _text(page, selector):
    return page.locator(selector).inner_text()


def _row(page, table, column, text):
    """The rows of a table whose cell in this column (1-based) holds the text."""
    return page.locator(f"{table} tbody tr").filter(has=page.locator(f"td:nth-child({column})", has_text=text))


def _meeting_item(page, code):
    """Walk meeting mode (from its first item, skipping) to the item of this firm."""
    page.click("#meeting-mode")
    page.wait_for_url("**/taskforce/agenda/meeting**")
    n = 0
    while code not in _text(page, "#meeting-item"):
        n += 1
        page.click("#decision-form .actions >> text=跳过")
        page.wait_for_url(re.compile(rf"[?&]i={n}(&|$)"))
    return _text(page, "#meeting-item")


def _open_break(page, category_name):
    """From meeting mode, open the item's break in this category."""
    page.click(f"#item-breaks a:has-text('{category_name}')")
    page.wait_for_url("**/taskforce/breaks/*")
    return int(page.url.rsplit("/", 1)[1])


def _submit(page, form):
    page.click(f"#{form} button[type=submit]")
    page.wait_for_load_state()


def test_county_staff_run_a_whole_meeting(demo_live, new_page, tmp_path):
    from matchmaker.services.demo import DEMO_PASSWORD

    base, app = demo_live
    page = new_page()

    # 1. the county officer opens the agenda: names beside codes, quantities with their units
    sign_in(page, base, COUNTY, DEMO_PASSWORD)
    page.click("nav >> text=调度议程")
    page.wait_for_url("**/taskforce/agenda")
    heading = _text(page, "h1")
    assert "望奎县" in heading and "231221" in heading and "2020-W12" in heading
    items, routine = page.locator("#agenda-items tbody tr"), page.locator("#agenda-routine tbody tr")
    n = items.count() + routine.count()
    assert items.count() >= 3 and routine.count() >= 1
    first = items.nth(0).inner_text()
    assert ESCALATED[0] in first and ESCALATED[1] in first
    assert re.search(r"[\d,]+(\.\d+)? 吨", first), first  # 2,352 t of IO003
    second = items.nth(1).inner_text()
    assert SECOND[0] in second and "青冈恒通饲料有限公司" in second and "F0507" in second
    assert re.search(r"\d+%", second), second  # the buyer's share of its supply
    assert CLOSED[0] in _text(page, "#agenda-routine")
    shot(page, "meeting-agenda")

    # 2. meeting mode: a decision (who does what by when) on the first two items
    page.click("#meeting-mode")
    page.wait_for_url("**/taskforce/agenda/meeting**")
    assert _text(page, "#meeting-item").startswith(f"第 1 项，共 {n} 项")
    assert ESCALATED[0] in _text(page, "#meeting-item")
    page.click("#record-decision")  # no decision: refused at the field
    assert _text(page, "#d-decision-error") == "此项为必填项。"
    page.fill("#d-decision", "工信局本周内对接省内原料供应商，不成则上报市专班")
    page.select_option("#d-departments", ["industry", "commerce"])
    page.fill("#d-due", "2020-03-20")
    page.click("#record-decision")
    page.wait_for_url("**i=1**")
    assert _text(page, "#meeting-item").startswith(f"第 2 项，共 {n} 项")
    assert SECOND[0] in _text(page, "#meeting-item")
    page.fill("#d-decision", "人社局组织三江合作社员工返岗，交通局保障运输")
    page.select_option("#d-departments", ["hr", "transport"])
    page.click("#record-decision")
    page.wait_for_url("**i=2**")
    shot(page, "meeting-mode")
    page.click("text=返回议程")
    page.wait_for_url("**/taskforce/agenda?**")
    rows = page.locator("#agenda-items tbody tr")
    assert rows.nth(0).locator("td.decision").inner_text() == "工信局本周内对接省内原料供应商，不成则上报市专班"
    assert "工信局" in rows.nth(0).inner_text() and "2020年3月20日" in rows.nth(0).inner_text()
    assert rows.nth(1).locator("td.decision").inner_text() == "人社局组织三江合作社员工返岗，交通局保障运输"
    assert "人社局" in rows.nth(1).inner_text() and "交通运输局" in rows.nth(1).inner_text()

    # 3. the first item goes up by hand: its break of IO003, assigned first, escalated with a reason
    _meeting_item(page, ESCALATED[1])
    assert page.locator("#item-breaks li").count() == 2
    escalated_id = _open_break(page, "IO003")
    assert ESCALATED[0] in _text(page, "h1")
    ours = page.locator("#assign-assignee option", has_text="望奎县")  # the county officer takes it first
    page.select_option("#assign-assignee", ours.get_attribute("value"))
    _submit(page, "assign-form")
    assert _text(page, "#break-status") == "已交办" and _text(page, "#break-assignee") != "—"
    _submit(page, "escalate-form")  # no reason: refused at the field
    assert page.locator("#escalate-note-error").is_visible()
    page.fill("#escalate-note", "县内无替代原料供应商，需市里跨县调配")
    _submit(page, "escalate-form")
    assert _text(page, "#break-status") == "已上报"
    assert _text(page, "#break-assignee") == "—"  # the assignee is cleared
    assert "市" in _text(page, "#break-level") and "231200" in _text(page, "#break-level")
    assert page.locator("#read-only").is_visible()  # the county keeps reading it, without the forms
    assert page.locator("#escalate-form").count() == 0 and page.locator("#close-form").count() == 0
    assert "县内无替代原料供应商" in _text(page, "#break-history")
    shot(page, "meeting-break-escalated")
    page.goto(base + "/taskforce/agenda")  # the item left the county's own items for "concerning us"
    assert ESCALATED[1] not in _text(page, "#agenda-items")
    concerning = _row(page, "#agenda-concerning", 2, ESCALATED[1])  # kind, firm, buyers, level, owner
    assert concerning.locator("td").nth(3).inner_text() == "市"
    assert concerning.locator("td").nth(4).inner_text() == "绥化市 231200"

    # the city officer sees it on the home page, under "escalated to us" and on the city's agenda
    city = new_page()
    sign_in(city, base, CITY, DEMO_PASSWORD)
    assert _text(city, "#escalated-count") == "1"
    card = city.locator("section[aria-labelledby=h-escalated]")
    assert ESCALATED[0] in card.inner_text()
    shot(city, "meeting-city-home")
    card.locator("text=查看全部上报至本级的断链").click()
    city.wait_for_url("**state=escalated**")
    assert city.locator("#state").input_value() == "escalated"
    listed = _row(city, "#breaks", 3, ESCALATED[1])  # severity, kind, buyer
    assert listed.count() == 1 and "已上报" in listed.inner_text()
    city.goto(base + "/taskforce/agenda")
    mine = _row(city, "#agenda-items", 4, ESCALATED[1])  # #, state, kind, firm
    assert mine.count() == 1 and ESCALATED[0] in mine.inner_text()
    assert mine.locator("td").nth(1).inner_text() == "已上报"  # its state: escalated, not "new"
    # the city takes it up: assigned to its officer with a note; the county sees the outcome
    city.goto(f"{base}/taskforce/breaks/{escalated_id}")
    ours = city.locator("#assign-assignee option", has_text="绥化市")
    city.select_option("#assign-assignee", ours.get_attribute("value"))
    city.fill("#assign-note", "市工信局协调绥化市内饲料厂供货")
    _submit(city, "assign-form")
    assert _text(city, "#break-status") == "已交办"
    page.goto(f"{base}/taskforce/breaks/{escalated_id}")
    assert _text(page, "#break-status") == "已交办" and "市专班" in _text(page, "#break-assignee")
    assert "市工信局协调绥化市内饲料厂供货" in _text(page, "#break-history")
    assert page.locator("#read-only").is_visible()

    # 4. a routine item is closed with a note: still in the week's report, counted and filtered as closed
    page.goto(base + "/taskforce/agenda")
    _meeting_item(page, CLOSED[1])
    closed_id = _open_break(page, "IO013")
    page.fill("#close-note", "县内饲料厂已签订供货合同，需求已满足")
    _submit(page, "close-form")
    assert _text(page, "#break-status") == "已销号"
    assert _text(page, "#break-note") == "县内饲料厂已签订供货合同，需求已满足"
    page.goto(base + "/taskforce/report")
    assert _text(page, "#closed-count") == "已销号：1"
    page.select_option("#state", "closed")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**state=closed**")
    closed_rows = page.locator("#breaks tbody tr")
    assert closed_rows.count() == 1
    assert CLOSED[0] in closed_rows.inner_text() and "县内饲料厂已签订供货合同" in closed_rows.inner_text()
    assert "已销号" in closed_rows.inner_text()
    shot(page, "meeting-report-closed")
    page.goto(base + "/taskforce/agenda")
    assert CLOSED[1] not in _text(page, "#agenda-routine")  # no longer an open item of the agenda...
    closed_on_agenda = _text(page, "#agenda-closed")  # ... but it stays on the week's agenda as closed
    assert _text(page, "#closed-heading").endswith("(1)")
    assert CLOSED[0] in closed_on_agenda and CLOSED[1] in closed_on_agenda
    assert "县内饲料厂已签订供货合同" in closed_on_agenda
    page.goto(base + "/taskforce/agenda/summary")
    assert _text(page, "#summary-closed") == "1"  # counted as closed on the one-page summary
    # ... and reopened: open again, on the agenda again, no longer counted as closed
    page.goto(base + "/taskforce/report?state=closed")
    closed_rows.locator("a").first.click()
    page.wait_for_url(f"**/taskforce/breaks/{closed_id}")
    _submit(page, "reopen-form")
    assert _text(page, "#break-status") == "重新打开"
    assert page.locator("#close-form").is_visible()  # the county acts on it again
    page.goto(base + "/taskforce/report")
    assert _text(page, "#closed-count") == "已销号：0"
    page.goto(base + "/taskforce/agenda")
    assert CLOSED[0] in _text(page, "#agenda-routine")
    assert _text(page, "#closed-heading").endswith("(0)") and page.locator("#agenda-closed").count() == 0

    # 5. the printable agenda: names with codes, units, percentages, the decisions; A4, screenshot kept
    page.click("#print-agenda")
    page.wait_for_url("**/taskforce/agenda/print**")
    assert _text(page, "#summary-sent-up") == "1"  # the one-page summary counts the item sent up
    text = _text(page, "#print-items")
    assert SECOND[0] in text and SECOND[1] in text and "吨" in text and "%" in text
    assert "人社局组织三江合作社员工返岗" in text
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    shot(page, "meeting-agenda-print")
    page.pdf(path=str(tmp_path / "agenda.pdf"), format="A4", landscape=True)
    assert (tmp_path / "agenda.pdf").stat().st_size > 10000
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 6. the .xlsx through the page's link, checked with openpyxl
    page.goto(base + "/taskforce/agenda")
    with page.expect_download() as info:
        page.click("#agenda-xlsx")
    assert info.value.suggested_filename == "agenda-231221-2020-W12.xlsx"
    path = tmp_path / "agenda.xlsx"
    info.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["议程"]
    header = [c.value for c in ws[1]]
    assert header[3:5] == ["企业代码", "企业"] and ws.freeze_panes == "A2" and ws.auto_filter.ref
    rows = {r[3]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[SECOND[1]]["企业"] == SECOND[0]
    assert rows[SECOND[1]]["决定事项（谁做什么）"] == "人社局组织三江合作社员工返岗，交通局保障运输"
    assert rows[ESCALATED[1]]["企业"] == ESCALATED[0]  # escalated: the city's now, the county reads it
    assert rows[ESCALATED[1]]["层级"] == "市" and rows[ESCALATED[1]]["责任区域"] == "绥化市"
    assert rows[CLOSED[1]]["企业"] == CLOSED[0]  # reopened: on the agenda again
    stake = header.index("影响程度（投入周）") + 1
    assert all(ws.cell(row=r, column=stake).number_format == "0.00" for r in range(2, ws.max_row + 1))
    buyers = wb["受影响的采购方"]
    bh = [c.value for c in buyers[1]]
    assert buyers.freeze_panes == "A2" and buyers.auto_filter.ref
    brows = [dict(zip(bh, r)) for r in buyers.iter_rows(min_row=2, values_only=True)]
    assert {"采购方代码": "F0507", "采购方": "青冈恒通饲料有限公司"}.items() <= \
        next(r for r in brows if r["采购方代码"] == "F0507").items()
    assert all(r["采购方"] and r["品类"] and r["单位"] for r in brows)  # names beside codes, units
    for column, fmt in (("占采购方供应比例", "0%"), ("每周数量", "#,##0.0")):
        assert buyers.cell(row=2, column=bh.index(column) + 1).number_format == fmt

    # the city solves the escalated item and closes it: the county sees the outcome, then the city reopens it
    city.goto(f"{base}/taskforce/breaks/{escalated_id}")
    city.fill("#close-note", "市里调配外地饲料，需求已满足")
    _submit(city, "close-form")
    assert _text(city, "#break-status") == "已销号"
    page.goto(base + "/taskforce/report?state=closed")
    assert _text(page, "#closed-count") == "已销号：1"
    outcome = _row(page, "#breaks", 3, ESCALATED[1])
    assert "已销号" in outcome.inner_text() and "市里调配外地饲料，需求已满足" in outcome.inner_text()
    page.goto(f"{base}/taskforce/breaks/{escalated_id}")
    assert page.locator("#reopen-form").count() == 0 and page.locator("#read-only").is_visible()
    city.goto(f"{base}/taskforce/breaks/{escalated_id}")
    _submit(city, "reopen-form")
    assert _text(city, "#break-status") == "已交办"  # back to the city officer who took it up

    # a phone call: the county records a firm's status from the firms asking for help
    page.goto(base + "/taskforce/report")
    page.click(f"#blocked-firms >> text={PHONED}")
    page.wait_for_url("**/taskforce/firms/F0442/status")
    page.check("#operating")
    page.fill("#workers_back", "60")
    _submit(page, "firm-status-form")
    assert page.locator("#entered-by-staff").is_visible()

    # next week: the agenda opens with last week's decisions; one is said not done
    from matchmaker.services import reports

    with in_app(app):
        reports.write_weekly_report("2020-W13")
    page.goto(base + "/taskforce/agenda")
    last = page.locator("#last-decisions-table tbody tr")
    assert last.count() == 2
    assert "工信局本周内对接省内原料供应商" in last.nth(0).inner_text()
    last.nth(0).locator("input[value=not_done]").check()
    last.nth(0).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#last-decisions-table tbody tr").nth(0).locator(".outcome").inner_text() == "未完成"
    shot(page, "meeting-next-week")

    # the agenda at 390 px: no sideways scrolling, one screenshot kept
    narrow = new_page(width=390, height=844)
    sign_in(narrow, base, COUNTY, DEMO_PASSWORD)
    narrow.goto(base + "/taskforce/agenda")
    assert "望奎县" in _text(narrow, "h1")
    assert no_horizontal_scroll(narrow)
    shot(narrow, "meeting-agenda-390")
