"""Every page, for every role, at 390 px and 1280 px: no horizontal scrolling; a screenshot of each."""
import pytest

from tests.browser.conftest import in_app, no_horizontal_scroll, shot, sign_in

WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def pages(live):
    """Fill the live world a little (a need, a matching run, a weekly report) and list each role's pages."""
    base, app, world = live
    with in_app(app):
        from matchmaker.infra.extensions import db
        from matchmaker.models import Firm, Need
        from matchmaker.services import matching
        from tests import factories

        lead = db.session.scalar(db.select(Firm).where(Firm.ref == "L1"))
        for i in range(3):
            factories.need(lead, "C1", quantity=20 + i, needed_by=world["soon"], ref=f"NP{i}",
                           terms=["pay_first"], note="长备注" * 30)
        db.session.commit()
        matching.run_matching(world["today"])
        need_id = db.session.scalar(db.select(Need.id).where(Need.ref == "NP0"))
        staff = ["/", "/taskforce/report", "/taskforce/charts", "/taskforce/what-if", "/taskforce/agenda",
                 "/taskforce/agenda/meeting"]
        from tests.browser.test_taskforce_journey import write_report

        break_id = write_report(app, world)
        staff.append(f"/taskforce/breaks/{break_id}")
    return {
        None: ["/login", "/no-such-page"],
        "lead": ["/", "/firm/needs", "/firm/needs/new", f"/firm/needs/{need_id}/edit",
                 f"/firm/needs/{need_id}/partners", "/firm/proposals", "/firm/proposals?state=open",
                 "/firm/chain", "/firm/breaks", "/firm/links"],
        "sme": ["/", "/firm/offers", "/firm/offers/new", "/firm/status", "/firm/proposals", "/firm/links"],
        "county": staff,
        "admin": ["/", "/admin/import", "/admin/users"],
    }


@pytest.mark.parametrize("who", [None, "lead", "sme", "county", "admin"])
def test_no_page_scrolls_sideways(live, pages, new_page, who):
    base, app, world = live
    wide = []
    page = new_page(WIDTHS[0], 900)
    if who:
        sign_in(page, base, world["users"][who])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages[who]:
            page.goto(base + path)
            page.wait_for_load_state("load")
            name = f"{who or 'anon'}{path.replace('/', '-').replace('?', '-').replace('=', '-')}-{width}"
            shot(page, name.rstrip("-") if path != "/" else f"{who}-home-{width}")
            if not no_horizontal_scroll(page):
                wide.append((path, width, page.evaluate("document.documentElement.scrollWidth")))
    assert not wide, f"pages wider than the window: {wide}"


def test_keyboard_reaches_the_language_switch_and_sign_in(live, new_page):
    base, app, world = live
    page = new_page(390, 844)
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "lang-switch" in focused and "email" in focused and "password" in focused
    page.focus("#email")
    page.keyboard.type(world["users"]["sme"])
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse 1")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    assert page.locator("h1").inner_text().startswith("南岗精工")
