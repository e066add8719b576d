"""Proposals: after a matching run both sides see them with reasons; accepting on both sides makes a link."""
import re

from matchmaker.models import Link, Pairing
from matchmaker.services import matching
from tests import factories
from tests.web.conftest import login


def _run(world, db):
    factories.need(world["lead"], "C1", quantity=50, needed_by=world["soon"], ref="N1", terms=["pay_first"])
    factories.offer(world["sme"], "C1", quantity=80, available_from=world["today"], ref="O1")
    db.session.commit()
    matching.run_matching(world["today"])
    return db.session.scalar(db.select(Pairing))


def test_both_sides_see_the_proposal_with_reasons_and_accept(as_user, world, db):
    pairing = _run(world, db)
    assert pairing is not None
    lead = as_user("lead")
    home = lead.get("/").text
    assert re.search(r'id="waiting-count">1<', home)
    page = lead.get("/firm/proposals").text
    assert f'id="proposal-{pairing.id}"' in page and "小厂一号" in page
    assert "中小企业供应龙头企业" in page and "SME for a leading buyer" not in page  # the user's half of each reason
    resp = lead.post(f"/firm/proposals/{pairing.id}/accept")
    assert resp.status_code == 302
    assert f'id="proposal-{pairing.id}"' not in lead.get("/firm/proposals").text  # no longer waits for the buyer
    sme = as_user("sme")
    assert f'id="proposal-{pairing.id}"' in sme.get("/firm/proposals").text
    sme.post(f"/firm/proposals/{pairing.id}/accept")
    db.session.refresh(pairing)
    assert pairing.status == "active"
    link = db.session.scalar(db.select(Link))
    assert (link.supplier_id, link.buyer_id) == (world["sme"].id, world["lead"].id)
    assert f'id="proposal-{pairing.id}"' in sme.get("/firm/proposals?state=active").text


def test_decline_a_proposal(as_user, world, db):
    pairing = _run(world, db)
    sme = as_user("sme")
    assert sme.post(f"/firm/proposals/{pairing.id}/decline").status_code == 302
    db.session.refresh(pairing)
    assert pairing.status == "declined"
    assert f'id="proposal-{pairing.id}"' in sme.get("/firm/proposals?state=closed").text


def test_a_third_firm_cannot_answer(app, world, db):
    pairing = _run(world, db)
    other = factories.firm("S9", kind="sme", region_code="230103")
    factories.user("firm", other, email="other@example.cn")
    db.session.commit()

    c = login(app.test_client(), "other@example.cn")
    c.post(f"/firm/proposals/{pairing.id}/accept")
    db.session.refresh(pairing)
    assert pairing.status == "proposed"


def test_best_partners_for_a_need(as_user, world, db):
    _run(world, db)
    need = db.session.scalar(db.select(factories.Need).where(factories.Need.ref == "N1"))
    page = as_user("lead").get(f"/firm/needs/{need.id}/partners").text
    assert 'id="partners"' in page and "O1" in page


def test_province_staff_run_the_matcher_from_the_home_page(app, as_user, world, db):
    factories.need(world["lead"], "C1", quantity=50, needed_by=world["soon"], ref="N1")
    factories.offer(world["sme"], "C1", quantity=80, available_from=world["today"], ref="O1")
    factories.user("staff", region_code="230000", email="province@example.cn")
    db.session.commit()
    # a run is province-wide: county and city officers neither see the button nor may post it (issue 11)
    county = as_user("county")
    assert "立即运行撮合" not in county.get("/").text
    assert county.post("/taskforce/match").status_code == 302
    assert db.session.scalar(db.select(Pairing)) is None
    province = login(app.test_client(), "province@example.cn")
    assert "立即运行撮合" in province.get("/").text
    resp = province.post("/taskforce/match")
    assert resp.status_code == 302
    assert "撮合完成：新提出 1 条建议。" in province.get("/").text
    assert db.session.scalar(db.select(Pairing)) is not None
    assert as_user("lead").post("/taskforce/match").status_code == 403