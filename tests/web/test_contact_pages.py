"""Contacts on the pages (issue 13, item 8): a firm enters its contact on its status page; both sides
of a link see each other's on the link page; a firm without a link to them does not."""
from matchmaker.infra.extensions import db as _db
from matchmaker.models import Firm
from tests import factories
from tests.web.conftest import login


def test_contact_entered_on_the_status_page_shows_on_the_link_page(as_user, world, app):
    sme = as_user("sme")
    resp = sme.post("/firm/status", data={"operating": "y", "contact_person": "李厂长", "contact_phone": "138 0013 8000"})
    assert resp.status_code == 302
    assert 'value="李厂长"' in sme.get("/firm/status").text
    bad = sme.post("/firm/status", data={"operating": "y", "contact_phone": "ask at the gate"})
    assert bad.status_code == 422 and "不是电话号码" in bad.text
    link = factories.link(world["sme"], world["lead"], "C1", ref="LK9")
    _db.session.commit()
    page = as_user("lead").get(f"/firm/links/{link.id}").text
    assert 'id="contacts"' in page and "李厂长" in page and 'href="tel:13800138000"' in page
    # a third firm, with no link to S1, sees no contact of it anywhere
    third = factories.firm("T1", kind="leading", region_code="230102", name="第三家")
    factories.user("firm", third, email="third@example.cn")
    _db.session.commit()
    outsider = login(app.test_client(), "third@example.cn")
    assert outsider.get(f"/firm/links/{link.id}").status_code == 404
    assert "李厂长" not in outsider.get("/").text
    assert _db.session.get(Firm, world["sme"].id).contact_person == "李厂长"
