"""The language switch changes the page (and is remembered); a wrong value gets its message at the field."""
from tests.browser.conftest import no_horizontal_scroll, shot, sign_in


def test_language_switch_changes_the_page_and_is_remembered(live, new_page):
    base, app, world = live
    page = new_page()
    page.goto(base + "/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    shot(page, "login-zh")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    shot(page, "login-en")
    # Remembered: a later visit (and signing in) keeps English.
    sign_in(page, base, world["users"]["lead"])
    assert page.locator("nav a", has_text="Needs").count() == 1
    page.goto(base + "/firm/needs")
    assert page.locator("h1").inner_text() == "Needs"
    # And back to Chinese.
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "需求"


def test_wrong_value_shows_message_at_the_field(live, new_page):
    base, app, world = live
    page = new_page(390, 844)
    sign_in(page, base, world["users"]["lead"])
    page.goto(base + "/firm/needs/new")
    page.click("details.by-category summary")
    page.select_option("#category", "C1")
    page.fill("#quantity", "-5")
    page.fill("#needed_by", world["soon"].isoformat())
    page.click("form.stacked button[type=submit]")
    error = page.locator("#quantity-error")
    error.wait_for()
    assert error.inner_text() == "请输入大于 0 的数字。"
    # The message sits right under the quantity input, and the input says so to assistive tech.
    assert page.locator("#quantity").get_attribute("aria-describedby").endswith("quantity-error")
    box_input, box_error = page.locator("#quantity").bounding_box(), error.bounding_box()
    assert 0 <= box_error["y"] - (box_input["y"] + box_input["height"]) < 40
    assert no_horizontal_scroll(page)
    shot(page, "need-form-error-390")
