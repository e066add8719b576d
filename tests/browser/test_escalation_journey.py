"""A county escalates a break with its reason; the city sees it on its home and under "escalated to
us", closes it; the county sees the outcome (closed, counted, with its note) and the city reopens it;
the county records a stopped firm's status after a phone call from the firms asking for help."""
from tests.browser.conftest import in_app, shot, sign_in


def _setup(app, world):
    from matchmaker.infra.extensions import db
    from matchmaker.models.report import Break
    from matchmaker.services import reports
    from tests import factories

    with in_app(app):
        factories.user("staff", region_code="230100", email="city@example.cn")
        db.session.commit()
        reports.write_weekly_report(as_of=world["today"])
        return db.session.scalar(db.select(Break.id).where(Break.kind == "supplier_down", Break.buyer == "L1")
                                 .order_by(Break.id.desc()))


def test_escalate_close_reopen_and_phone_status(live, new_page):
    base, app, world = live
    break_id = _setup(app, world)
    county = new_page()
    sign_in(county, base, world["users"]["county"])
    county.goto(f"{base}/taskforce/breaks/{break_id}")
    county.click("#escalate-form button[type=submit]")  # no reason: refused at the field
    assert county.locator("#escalate-note-error").is_visible()
    county.fill("#escalate-note", "县内无法协调返岗工人")
    county.click("#escalate-form button[type=submit]")
    county.wait_for_load_state()
    assert county.locator("#break-status").inner_text() == "已上报"
    assert county.locator("#break-assignee").inner_text() == "—"
    assert county.locator("#read-only").is_visible()  # the county keeps reading it
    shot(county, "break-escalated-county")

    city = new_page()
    sign_in(city, base, "city@example.cn")
    assert city.locator("#escalated-count").inner_text() == "1"
    shot(city, "home-city-escalated")
    city.click("#h-escalated ~ p >> a")
    city.wait_for_url("**state=escalated**")
    assert "道里钢构" in city.locator("#breaks").inner_text()
    city.goto(f"{base}/taskforce/breaks/{break_id}")
    city.fill("#close-note", "市里调配外地工人，已恢复供货")
    city.click("#close-form button[type=submit]")
    city.wait_for_load_state()
    assert city.locator("#break-status").inner_text() == "已销号"

    # the county sees the outcome: counted and filtered as closed, with its note
    county.goto(f"{base}/taskforce/report")
    assert "1" in county.locator("#closed-count").inner_text()
    county.select_option("#state", "closed")
    county.click("form.filters button[type=submit]")
    county.wait_for_url("**state=closed**")
    assert "市里调配外地工人" in county.locator("#breaks").inner_text()
    shot(county, "report-county-closed")

    # the city reopens it
    city.goto(f"{base}/taskforce/breaks/{break_id}")
    city.click("#reopen-form button[type=submit]")
    city.wait_for_load_state()
    assert city.locator("#break-status").inner_text() == "重新打开"

    # a phone call: the county records the stopped supplier's status from the firms asking for help
    county.goto(f"{base}/taskforce/report")
    assert "道里钢构" in county.locator("#blocked-firms").inner_text()
    county.click("#blocked-firms >> text=道里钢构")
    county.wait_for_url("**/taskforce/firms/S2/status")
    county.check("#operating")
    county.fill("#workers_back", "60")
    county.click("#firm-status-form button[type=submit]")
    county.wait_for_load_state()
    assert county.locator("#entered-by-staff").is_visible()
    shot(county, "firm-status-by-staff")
