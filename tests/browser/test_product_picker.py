"""The product picker in a real browser (issue 10, item 5), at 390 px and 1280 px, over the whole
shipped catalogue: type Chinese, pinyin initials and English, move with the arrow keys, pick with
Enter, close with Escape; the combobox says all this to assistive technology (WAI-ARIA 1.2:
role, aria-expanded, aria-controls, aria-activedescendant, a live region with the count); the unit
shows beside the quantity; the need is stored with its product.  Without a script, the plain
input still posts a product code."""
import pytest
import sqlalchemy as sa

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, in_app, no_horizontal_scroll, shot, sign_in

WIDTHS = [(390, 844), (1280, 900)]


@pytest.fixture(scope="module")
def catalogue(live):
    """The shipped reference data (every product of the catalogue) in the live server's database."""
    base, app, world = live
    with in_app(app):
        from matchmaker.services.reference_data import ensure_reference_data

        ensure_reference_data()
    return live


def _open_list(page, text):
    combo = page.locator("#product")
    combo.fill("")
    combo.press_sequentially(text, delay=30)
    listbox = page.locator("#product-listbox")
    # the answer to this text, not the list of an earlier one still on screen (a loaded machine)
    page.wait_for_function("q => document.querySelector('#product-listbox').dataset.query === q", arg=text)
    listbox.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#product-status').textContent.length > 0")
    return combo, listbox


def _names(listbox):
    return [t.strip() for t in listbox.locator("li[role=option] .opt-name").all_inner_texts()]


def _stored_need(app, ref_like="%"):
    with in_app(app):
        from matchmaker.infra.extensions import db
        from matchmaker.models import Need

        return db.session.execute(sa.select(Need.product_code, Need.category_code, Need.quantity)
                                  .order_by(Need.id.desc()).limit(1)).one()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_type_pick_with_the_keyboard_and_post_a_need(catalogue, new_page, width, height):
    base, app, world = catalogue
    page = new_page(width, height)
    sign_in(page, base, world["users"]["lead"])
    page.goto(base + "/firm/needs/new")
    combo = page.locator("#product")
    assert combo.get_attribute("role") == "combobox"
    assert combo.get_attribute("aria-expanded") == "false"
    assert combo.get_attribute("aria-controls") == "product-listbox"
    assert combo.get_attribute("aria-autocomplete") == "list"
    assert page.locator("input[type=hidden][name=product]").count() == 1

    # Chinese: 轴承 lists bearings; the live region says how many were found.
    combo, listbox = _open_list(page, "轴承")
    assert combo.get_attribute("aria-expanded") == "true"
    assert listbox.get_attribute("role") == "listbox"
    assert all("轴承" in n for n in _names(listbox)[:3]), _names(listbox)
    status = page.locator("#product-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert "个产品" in status.inner_text()
    assert no_horizontal_scroll(page)
    shot(page, f"product-picker-bearings-{width}")

    # English: tyre; the arrow keys move the active option, Escape closes the list.
    combo, listbox = _open_list(page, "tyre")
    assert all("tyre" in n.lower() for n in _names(listbox)[:5]), _names(listbox)
    combo.press("ArrowDown")
    combo.press("ArrowDown")
    second = listbox.locator("li[role=option]").nth(1)
    assert combo.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    assert listbox.locator("li[aria-selected=true]").count() == 1
    combo.press("ArrowUp")
    assert combo.get_attribute("aria-activedescendant") == listbox.locator("li[role=option]").nth(0).get_attribute("id")
    combo.press("Escape")
    assert listbox.is_hidden() and combo.get_attribute("aria-expanded") == "false"
    assert combo.get_attribute("aria-activedescendant") is None

    # Pinyin initials: sxr is 生鲜乳 (raw milk); pick it with Enter.
    combo, listbox = _open_list(page, "sxr")
    assert _names(listbox)[0].startswith("生鲜乳")
    shot(page, f"product-picker-pinyin-{width}")
    combo.press("ArrowDown")
    combo.press("Enter")
    assert listbox.is_hidden()
    assert combo.input_value() == "生鲜乳 · Raw milk (P003001)"
    assert page.locator("input[type=hidden][name=product]").input_value() == "P003001"
    assert page.locator("#quantity-unit").inner_text() == "t" and page.locator("#quantity-unit").is_visible()
    assert page.locator("#category").input_value() == "IO003"  # the category follows the product
    assert "P003001" in status.inner_text()
    # the unit sits beside the quantity, on the same line
    q, u = page.locator("#quantity").bounding_box(), page.locator("#quantity-unit").bounding_box()
    assert abs((q["y"] + q["height"] / 2) - (u["y"] + u["height"] / 2)) < 8 and u["x"] > q["x"]

    page.fill("#quantity", "35")
    page.fill("#needed_by", world["soon"].isoformat())
    assert no_horizontal_scroll(page)
    shot(page, f"product-picker-chosen-{width}")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/firm/needs")
    assert page.locator(".flash-success").count() == 1
    assert tuple(_stored_need(app)) == ("P003001", "IO003", 35.0)


def test_pinyin_initials_reach_the_usual_words_and_a_mouse_pick_works(catalogue, new_page):
    base, app, world = catalogue
    page = new_page(1280, 900)
    sign_in(page, base, world["users"]["sme"])
    page.goto(base + "/firm/offers/new")
    combo, listbox = _open_list(page, "nn")
    names = _names(listbox)
    assert any(n.startswith("荷斯坦奶牛") for n in names), names  # alias 奶牛: n-n
    # a tap or click picks too, and the unit follows the product (head for cattle)
    listbox.locator("li[role=option]", has_text="荷斯坦奶牛").first.click()
    assert combo.input_value().startswith("荷斯坦奶牛")
    assert page.locator("#quantity-unit").inner_text() == "head"
    assert page.locator("#category").input_value() == "IO003"
    # typing again forgets the pick: the unit goes back to the category's (IO003 counts in t)
    combo.press("End")
    combo.press("Backspace")
    assert page.locator("input[type=hidden][name=product]").input_value() != "P003008"
    assert page.locator("#quantity-unit").inner_text() == "t"


def test_without_a_script_the_plain_input_posts_a_product_code(catalogue, browser):
    base, app, world = catalogue
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="zh-CN")
    try:
        page = ctx.new_page()
        sign_in(page, base, world["users"]["lead"])
        page.goto(base + "/firm/needs/new")
        assert page.locator("#product").get_attribute("role") is None  # not enhanced
        page.fill("#product", "P052001")
        page.fill("#quantity", "200")
        page.fill("#needed_by", world["soon"].isoformat())
        page.click("form.stacked button[type=submit]")
        page.wait_for_url("**/firm/needs")
        assert tuple(_stored_need(app)) == ("P052001", "IO052", 200.0)
        # an unclear word is answered with suggestions at the field
        page.goto(base + "/firm/needs/new")
        page.fill("#product", "轮胎")
        page.fill("#quantity", "5")
        page.fill("#needed_by", world["soon"].isoformat())
        page.click("form.stacked button[type=submit]")
        error = page.locator("#product-error")
        error.wait_for()
        assert "指的是哪种产品" in error.inner_text() and "(P052" in error.inner_text()
        assert no_horizontal_scroll(page)
        shot(page, "product-picker-no-script-390")
    finally:
        ctx.close()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_a_need_accepts_other_products_picked_the_same_way(catalogue, new_page, width, height):
    base, app, world = catalogue
    page = new_page(width, height)
    sign_in(page, base, world["users"]["lead"])
    page.goto(base + "/firm/needs/new")
    combo, listbox = _open_list(page, "玉米")
    combo.press("ArrowDown")
    combo.press("Enter")
    assert page.locator("input[type=hidden][name=product]").input_value() == "P001002"
    # the first of the `accepts` pickers: a combobox of its own, labelled with its number
    other = page.locator("#accepts-0")
    assert other.get_attribute("role") == "combobox" and other.get_attribute("aria-controls") == "accepts-0-listbox"
    assert page.locator("label[for=accepts-0]").inner_text() == "也接受的其他产品（1）"
    other.press_sequentially("gaoliang", delay=30)
    options = page.locator("#accepts-0-listbox")
    page.wait_for_function("q => document.querySelector('#accepts-0-listbox').dataset.query === q", arg="gaoliang")
    options.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#accepts-0-status').textContent.length > 0")
    assert _names(options)[0].startswith("高粱")
    other.press("ArrowDown")
    other.press("Enter")
    assert page.locator("input[type=hidden][name=accepts-0]").input_value() == "P001011"
    assert page.locator("input[type=hidden][name=product]").input_value() == "P001002"  # the need's own stays
    page.fill("#quantity", "80")
    page.fill("#needed_by", world["soon"].isoformat())
    assert no_horizontal_scroll(page)
    shot(page, f"product-picker-accepts-{width}")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/firm/needs")
    with in_app(app):
        from matchmaker.infra.extensions import db
        from matchmaker.models import Need

        need = db.session.scalars(sa.select(Need).order_by(Need.id.desc()).limit(1)).one()
        assert (need.product_code, need.accepts, need.quantity) == ("P001002", ["P001011"], 80.0)
