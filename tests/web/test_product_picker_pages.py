"""The product picker on the need, offer and link forms, without a script (issue 10, item 5): the
text input posts a product code, the picker's label or a product's exact name; an unclear text is
answered with suggestions at the field; the category select serves only to post by category; the
unit of the quantity is shown beside it."""
import re

import pytest

from matchmaker.models import Link, LinkRequest, Need, Offer
from matchmaker.services import products
from tests import factories


@pytest.fixture
def catalogue(world, db):
    products.invalidate_index()
    factories.category("C3", name="畜牧产品", unit="t")
    factories.product("P-MILK", "C3", unit="t", name_zh="生鲜乳", name_en="Raw milk", hs="040120",
                      aliases=("原奶",))
    factories.product("P-HOG", "C3", unit="head", name_zh="生猪", name_en="Live hogs", hs="010391")
    factories.product("P-UHT", "C2", unit="t", name_zh="灭菌乳", name_en="UHT milk", aliases=("纯牛奶",))
    db.session.commit()
    yield
    products.invalidate_index()


def _need(world, **form):
    return {"quantity": "20", "needed_by": world["soon"].isoformat(), **form}


def _field_error(html, field_id):
    m = re.search(rf'<p class="field-error" id="{field_id}-error" role="alert">(.*?)</p>', html, re.S)
    return m.group(1).strip() if m else None


def test_the_form_offers_the_picker_and_folds_the_category_away(as_user, catalogue):
    page = as_user("lead").get("/firm/needs/new").text
    picker = page[page.index("data-product-picker"):]
    assert 'data-source="/api/v1/products"' in picker and 'data-category="category"' in picker
    assert re.search(r'<input[^>]+id="product"[^>]+name="product"', page)
    assert '<label for="product">所需产品</label>' in page
    assert '<details class="by-category">' in page and page.index('id="product"') < page.index('id="category"')
    assert 'id="quantity-unit" hidden' in page  # no unit until something is chosen
    assert "js/picker.js" in page
    # the categories' units travel with the page, for the script
    assert '&#34;C3&#34;:&#34;t&#34;' in picker or '"C3":"t"' in picker


@pytest.mark.parametrize("typed", ["P-MILK", "p-milk", "生鲜乳", "raw milk", "原奶", "生鲜乳 · Raw milk (P-MILK)"])
def test_a_code_a_label_or_an_exact_name_posts_the_product(as_user, world, db, catalogue, typed):
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, product=typed))
    assert resp.status_code == 302, _field_error(resp.text, "product")
    need = db.session.scalar(db.select(Need))
    assert (need.product_code, need.category_code, need.unit) == ("P-MILK", "C3", "t")


def test_the_product_decides_the_category_whatever_the_select_says(as_user, world, db, catalogue):
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, product="P-HOG", category="C1"))
    assert resp.status_code == 302
    need = db.session.scalar(db.select(Need))
    assert (need.product_code, need.category_code, need.unit) == ("P-HOG", "C3", "head")


def test_an_unclear_text_gets_suggestions_and_nothing_is_saved(as_user, world, db, catalogue):
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, product="milk"))
    assert resp.status_code == 422
    message = _field_error(resp.text, "product")
    assert message.startswith("“milk”指的是哪种产品？") and "生鲜乳 · Raw milk (P-MILK)" in message
    assert "灭菌乳 · UHT milk (P-UHT)" in message
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, product="钢琴"))
    assert _field_error(resp.text, "product").startswith("没有与“钢琴”相符的产品")
    resp = as_user("lead").post("/firm/needs/new", data=_need(world))
    assert _field_error(resp.text, "product") == "请选择产品；没有合适的产品时，可在下方选择品类。"
    assert db.session.scalar(db.select(Need)) is None


def test_posting_by_category_only_still_works(as_user, world, db, catalogue):
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, category="C1"))
    assert resp.status_code == 302
    need = db.session.scalar(db.select(Need))
    assert (need.product_code, need.category_code) == (None, "C1")


def test_editing_shows_the_chosen_product_and_its_unit(as_user, world, db, catalogue):
    need = factories.need(world["lead"], "C3", quantity=10, needed_by=world["soon"])
    need.product_code = "P-HOG"
    db.session.commit()
    c = as_user("lead")
    page = c.get(f"/firm/needs/{need.id}/edit").text
    assert 'value="生猪 · Live hogs (P-HOG)"' in page
    assert '<span class="unit" id="quantity-unit">head</span>' in page
    assert "品类：畜牧产品 · 数量单位：head" in page
    c.post("/language", data={"lang": "en"})
    page = c.get(f"/firm/needs/{need.id}/edit").text
    assert 'value="Live hogs · 生猪 (P-HOG)"' in page
    # posted back as the browser holds it, unchanged: still the same product
    resp = c.post(f"/firm/needs/{need.id}/edit", data=_need(world, product="Live hogs · 生猪 (P-HOG)", quantity="12"))
    assert resp.status_code == 302
    db.session.refresh(need)
    assert (need.product_code, need.quantity) == ("P-HOG", 12.0)
    # changed to a product of another category: the category follows
    resp = c.post(f"/firm/needs/{need.id}/edit", data=_need(world, product="P-UHT", category="C3"))
    assert resp.status_code == 302
    db.session.refresh(need)
    assert (need.product_code, need.category_code) == ("P-UHT", "C2")


def test_an_offer_names_a_product(as_user, world, db, catalogue):
    resp = as_user("sme").post("/firm/offers/new", data={"product": "生猪", "quantity": "30",
                                                       "available_from": world["today"].isoformat()})
    assert resp.status_code == 302
    offer = db.session.scalar(db.select(Offer))
    assert (offer.product_code, offer.category_code, offer.unit) == ("P-HOG", "C3", "head")
    page = as_user("sme").get("/firm/offers/new").text
    assert "data-product-picker" in page and '<label for="product">可供产品</label>' in page


def test_a_link_names_a_product(as_user, world, db, catalogue):
    resp = as_user("sme").post("/firm/links", data={"side": "supplier", "other": "L1", "product": "P-MILK",
                                                    "quantity_per_week": "8"})
    assert resp.status_code == 302, _field_error(resp.text, "product")
    req = db.session.scalar(db.select(LinkRequest))
    assert (req.product_code, req.category_code) == ("P-MILK", "C3")
    assert db.session.scalar(db.select(Link)) is None  # until L1 confirms
    page = as_user("sme").get("/firm/links").text
    assert 'id="quantity-per-week-unit"' in page and "data-product-picker" in page
