"""The need form takes `accepts` (spec/products.md): one product picker per other product the
buyer also takes; they are stored, shown again on edit, and used by matching (issue 10)."""
import re

import pytest

from matchmaker.models import Need, Pairing
from matchmaker.services import matching, products
from tests import factories


@pytest.fixture
def catalogue(world, db):
    products.invalidate_index()
    factories.category("C3", name="种植业产品", unit="t")
    factories.product("P-CORN", "C3", unit="t", name_zh="玉米", name_en="Corn")
    factories.product("P-SORG", "C3", unit="t", name_zh="高粱", name_en="Sorghum")
    factories.product("P-RICE", "C3", unit="t", name_zh="稻谷", name_en="Paddy rice")
    db.session.commit()
    yield
    products.invalidate_index()


def _need(world, **form):
    return {"quantity": "20", "needed_by": world["soon"].isoformat(), "product": "P-CORN", **form}


def test_the_form_offers_one_picker_per_accepted_product(as_user, catalogue):
    page = as_user("lead").get("/firm/needs/new").text
    section = page[page.index('id="accepts"'):page.index("</fieldset>", page.index('id="accepts"'))]
    assert section.count("data-product-picker") == 3  # three blank fields to begin with
    for i in range(3):
        assert re.search(rf'<input[^>]+id="accepts-{i}"[^>]+name="accepts-{i}"', section)
    assert "也接受的其他产品（1）" in section and "也接受的其他产品（3）" in section


def test_accepts_are_stored_shown_again_and_used_by_matching(as_user, world, db, catalogue):
    lead = as_user("lead")
    resp = lead.post("/firm/needs/new", data=_need(world, **{"accepts-0": "高粱", "accepts-1": "",
                                                              "accepts-2": "p-sorg"}))
    assert resp.status_code == 302, resp.text
    need = db.session.scalar(db.select(Need))
    assert (need.product_code, need.accepts) == ("P-CORN", ["P-SORG"])  # named twice, stored once
    page = lead.get(f"/firm/needs/{need.id}/edit").text
    section = page[page.index('id="accepts"'):]
    assert 'value="高粱 · Sorghum (P-SORG)"' in section and section.count("data-product-picker") == 3
    # an offer of sorghum meets the corn need now; one of rice does not (rule 2(a))
    factories.offer(world["sme"], "C3", quantity=50.0, available_from=world["today"], ref="O-SORG",
                    product_code="P-SORG")
    factories.offer(world["sme"], "C3", quantity=50.0, available_from=world["today"], ref="O-RICE",
                    product_code="P-RICE")
    db.session.commit()
    matching.run_matching(world["today"])
    offered = {p.offer.ref for p in db.session.scalars(db.select(Pairing))}
    assert offered == {"O-SORG"}
    # cleared on edit: the need takes corn only again
    resp = lead.post(f"/firm/needs/{need.id}/edit", data=_need(world, version=str(need.version),
                                                               **{"accepts-0": "", "accepts-1": ""}))
    assert resp.status_code == 302, resp.text
    db.session.refresh(need)
    assert need.accepts == []


def test_an_unclear_accepted_product_is_answered_at_its_field_and_nothing_is_saved(as_user, world, db, catalogue):
    resp = as_user("lead").post("/firm/needs/new", data=_need(world, **{"accepts-0": "P-RICE", "accepts-1": "麦"}))
    assert resp.status_code == 422
    err = re.search(r'id="accepts-1-error" role="alert">(.*?)</p>', resp.text, re.S)
    assert err and "麦" in err.group(1)
    assert db.session.scalar(db.select(Need)) is None
