"""The help page: a leading firm offers help, the SME that wants it is matched, both accept."""
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models.help import HelpMatch
from tests import factories


def test_offer_match_and_accept_on_the_help_page(world, as_user):
    factories.link(world["sme"], world["lead"])
    factories.offer(world["sme"], help_wanted=["marketing"])
    db.session.commit()
    lead = as_user("lead")
    page = lead.get("/help/")
    assert page.status_code == 200 and 'id="help-offer-form"' in page.text
    bad = lead.post("/help/offers", data={"help-kind": "marketing", "help-capacity": "0", "help-reach": "230100"})
    assert bad.status_code == 422
    resp = lead.post("/help/offers", data={"help-kind": "marketing", "help-capacity": "3", "help-reach": "230100，230000"})
    assert resp.status_code == 302
    m = db.session.scalar(sa.select(HelpMatch))
    assert (m.sme_id, m.status, m.same_chain) == (world["sme"].id, "proposed", True)
    sme = as_user("sme")
    page = sme.get("/help/")
    assert 'id="help-offer-form"' not in page.text and "龙头一厂" in page.text
    assert sme.post(f"/help/matches/{m.id}/accept").status_code == 302
    assert lead.post(f"/help/matches/{m.id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(HelpMatch, m.id).status == "active"
    assert "已提供帮扶" in lead.get("/help/").text


def test_a_county_staff_sees_the_help_of_its_region(world, as_user):
    factories.offer(world["sme"], help_wanted=["funds"])
    db.session.commit()
    as_user("lead").post("/help/offers", data={"help-kind": "funds", "help-capacity": "1", "help-reach": "230000"})
    page = as_user("county").get("/help/")
    assert page.status_code == 200 and 'id="help-matches"' in page.text and "小厂一号" in page.text
