"""A county official sees the week's breaks, assigns one and closes it, and downloads the .xlsx;
the what-if page draws the cascade; an admin imports a package with progress and sees the counts."""
import json

import openpyxl

from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in


def write_report(app, world):
    """Write this week's report as the Monday job would; the id of the supplier_down break of L1."""
    from matchmaker.infra.extensions import db
    from matchmaker.models.report import Break
    from matchmaker.services import reports

    with in_app(app):
        reports.write_weekly_report(as_of=world["today"])
        return db.session.scalar(db.select(Break.id).where(Break.kind == "supplier_down", Break.buyer == "L1")
                                 .order_by(Break.id.desc()))


def test_county_official_assigns_closes_and_downloads(live, new_page, tmp_path):
    base, app, world = live
    break_id = write_report(app, world)
    page = new_page()
    sign_in(page, base, world["users"]["county"])
    shot(page, "home-county")
    page.click("nav >> text=周调度报告")
    page.wait_for_url("**/taskforce/report")  # count() does not wait: let the report page load first
    rows = page.locator("#breaks tbody tr")
    assert rows.count() >= 1
    assert "道里钢构" in page.locator("#breaks").inner_text()
    shot(page, "report-county")
    # Filter by factor: only breaks blocked by workers returning.
    page.select_option("#factor", "labour")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**factor=labour**")
    assert all("员工返岗" in t for t in page.locator("#breaks tbody tr").all_inner_texts())

    # Open the break, assign it to a colleague, then close it with a note.
    page.goto(f"{base}/taskforce/breaks/{break_id}")
    page.select_option("#assign-assignee", label=page.locator("#assign-assignee option").nth(1).inner_text())
    page.fill("#assign-note", "请联系企业核实用工")
    page.click("#assign-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#break-status").inner_text() == "已交办"
    shot(page, "break-assigned")
    page.click("#close-form button[type=submit]")  # no note: the message shows at the field
    assert page.locator("#close-note-error").inner_text() == "此项为必填项。"
    page.fill("#close-note", "员工已返岗，恢复供货")
    page.click("#close-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#break-status").inner_text() == "已销号"
    assert "员工已返岗，恢复供货" in page.locator("#break-history").inner_text()
    shot(page, "break-closed")

    # Download the week's report and open it.
    page.goto(base + "/taskforce/report")
    with page.expect_download() as info:
        page.click("#xlsx")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    assert target.suffix == ".xlsx" and "L1" in cells

    page.goto(base + "/taskforce/charts")
    assert page.locator("#chart-industry svg").count() == 1
    shot(page, "charts")


def test_what_if_draws_the_cascade(live, new_page):
    base, app, world = live
    page = new_page(390, 844)
    sign_in(page, base, world["users"]["county"])
    page.goto(base + "/taskforce/what-if")
    page.select_option("#firms", ["S3"])
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#whatif-map[data-drawn]")
    assert page.locator('#whatif-map g.link[data-supplier="S3"][data-broken="1"]').count() == 1
    assert "道里零件" in page.locator("#whatif-breaks").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "what-if-390")


def test_admin_import_shows_progress_then_counts(live, new_page, tmp_path):
    base, app, world = live
    package = {"firms": [{"ref": f"IMP{i:03d}", "name": f"导入企业{i}", "kind": "sme", "region": "230103"}
                         for i in range(300)]}
    path = tmp_path / "firms.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    page = new_page()
    sign_in(page, base, world["users"]["admin"])
    page.goto(base + "/admin/import")
    page.set_input_files("#package", str(path))
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#import-result", timeout=30000)
    assert "导入完成" in page.locator("#import-result").inner_text()
    assert "300" in page.locator("#import-counts").inner_text()
    shot(page, "import-done")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"firms": [{"ref": "X1", "name": "坏", "kind": "huge", "region": "999999"}]}),
                   encoding="utf-8")
    page.goto(base + "/admin/import")
    page.set_input_files("#package", str(bad))
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#import-errors")
    assert page.locator("#import-errors tbody tr").count() >= 2
    shot(page, "import-errors")
