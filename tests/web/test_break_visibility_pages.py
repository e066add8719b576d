"""Who sees a break on the pages (its regions), escalation to the higher level's home and filter,
closed breaks kept and reopened, a firm's status entered by staff, the SME as a strained supplier."""
import re

import pytest
import sqlalchemy as sa

from matchmaker.models import AuditEntry, Firm
from matchmaker.models.report import Break
from matchmaker.services import reports
from tests import factories
from tests.web.conftest import login


@pytest.fixture
def report(world, db):
    """L1 (county 230102) buys from S2 (same county, stopped) and from the world's SME S1 (county
    230103, strained: funds); a staff member of 230103; this week's report."""
    s2 = factories.firm("S2", kind="sme", region_code="230102", name="停产供应商", operating=False,
                        blockers=["labour"], park="道里工业园")
    sme = world["sme"]
    sme.blockers = ["funds"]
    factories.firm("U1", kind="sme", region_code="230103", name="无关联企业", operating=False, park="南岗园")
    factories.link(s2, world["lead"], "C1", quantity_per_week=30)
    factories.link(sme, world["lead"], "C2", quantity_per_week=5)
    factories.user("staff", region_code="230103", email="nangang@example.cn")
    db.session.commit()
    reports.write_weekly_report(as_of=world["today"])
    return {b.kind: b for b in db.session.scalars(sa.select(Break))}


def _kinds(html):
    return re.findall(r'<tr class="sev-\w+" data-kind="(\w+)">', html)


def test_the_suppliers_county_sees_the_break_and_does_not_act(app, report):
    c = login(app.test_client(), "nangang@example.cn")
    page = c.get("/taskforce/report").text
    assert "supplier_strained" in _kinds(page) and "supplier_down" not in _kinds(page)
    strained = report["supplier_strained"]
    assert strained.regions == ["230102", "230103"]
    detail = c.get(f"/taskforce/breaks/{strained.id}").text
    assert 'id="read-only"' in detail and 'id="close-form"' not in detail
    assert c.post(f"/taskforce/breaks/{strained.id}/close", data={"close-note": "x"}).status_code == 422
    # the firms asking for help of 230103: the strained SME and the stopped firm with no links
    blocked = page[page.index('id="blocked-firms"'):]
    assert "小厂一号" in blocked and "无关联企业" in blocked and "停产供应商" not in blocked


def test_the_sme_sees_the_breaks_in_which_it_is_the_supplier(as_user, report):
    page = as_user("sme").get("/firm/breaks").text
    assert "No breaks in your supply this week." not in page and "龙头一厂" in page
    assert 'id="firm-breaks"' in page


def test_escalated_break_reaches_the_city_and_the_county_sees_the_outcome(as_user, report, db):
    down = report["supplier_down"]
    county, city = as_user("county"), as_user("city")
    assert re.search(r'id="escalated-count">0<', city.get("/").text)
    resp = county.post(f"/taskforce/breaks/{down.id}/escalate", data={"escalate-note": ""})
    assert resp.status_code == 422
    resp = county.post(f"/taskforce/breaks/{down.id}/escalate", data={"escalate-note": "县里协调不了用工"})
    assert resp.status_code == 302
    home = city.get("/").text
    assert re.search(r'id="escalated-count">1<', home) and "龙头一厂" in home
    assert _kinds(city.get("/taskforce/report?state=escalated").text) == ["supplier_down"]
    assert _kinds(county.get("/taskforce/report?state=escalated").text) == []
    detail = county.get(f"/taskforce/breaks/{down.id}").text
    assert 'id="read-only"' in detail and "县里协调不了用工" in detail
    assert city.post(f"/taskforce/breaks/{down.id}/close", data={"close-note": "市里调配了工人"}).status_code == 302
    # closed: still in the week's report for the county, counted and filtered as closed, with its note
    page = county.get("/taskforce/report").text
    assert re.search(r'id="closed-count">[^<]*1', page)
    closed = county.get("/taskforce/report?state=closed").text
    assert _kinds(closed) == ["supplier_down"] and "市里调配了工人" in closed
    assert "supplier_down" in _kinds(county.get("/taskforce/report?state=resolved").text)
    # reopened by the city
    assert 'id="reopen-form"' in city.get(f"/taskforce/breaks/{down.id}").text
    assert city.post(f"/taskforce/breaks/{down.id}/reopen", data={"reopen-note": ""}).status_code == 302
    db.session.refresh(down)
    assert down.status == "reopened"


def test_staff_record_a_firms_status_after_a_phone_call(app, as_user, world, report, db):
    c = login(app.test_client(), "nangang@example.cn")
    page = c.get("/taskforce/firms/U1/status")
    assert page.status_code == 200
    resp = c.post("/taskforce/firms/U1/status", data={"operating": "y", "workers_back": "80",
                                                      "blockers": ["labour"]})
    assert resp.status_code == 302
    firm = db.session.scalar(sa.select(Firm).where(Firm.ref == "U1"))
    assert (firm.operating, firm.workers_back, firm.blockers) == (True, 0.8, ["labour"])
    assert firm.status_by and firm.status_at is not None
    assert 'id="entered-by-staff"' in c.get("/taskforce/firms/U1/status").text
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "firm")).all()
    assert any(a.actor == "nangang@example.cn" and a.entity_id in ("U1", str(firm.id)) for a in audit)
    # a firm of another county is not theirs
    assert c.get("/taskforce/firms/S2/status").status_code == 404
    # the firm's own report replaces the mark
    assert c.post("/taskforce/firms/S1/status", data={"operating": "y", "blockers": ["funds"]}).status_code == 302
    db.session.refresh(world["sme"])
    assert world["sme"].status_by is not None
    lead = as_user("sme")
    assert lead.post("/firm/status", data={"operating": "y", "workers_back": "90"}).status_code == 302
    db.session.refresh(world["sme"])
    assert world["sme"].status_by is None


def test_only_province_staff_and_admins_start_a_matching_run(app, as_user, world, db):
    from matchmaker.models.pairing import MatchRun

    factories.user("staff", region_code="230000", email="province@example.cn")
    db.session.commit()
    for who in ("county", "city"):
        c = as_user(who)
        assert "/taskforce/match" not in c.get("/").text
        c.post("/taskforce/match")
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 0
    province = login(app.test_client(), "province@example.cn")
    assert "/taskforce/match" in province.get("/").text
    province.post("/taskforce/match")
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1


def test_a_break_escalated_or_assigned_to_you_reaches_your_inbox(as_user, report, db):
    """Issue 13, item 7: "an item assigned or escalated to you" — the staff of the region that now owns
    an escalated break hear of it, and so does the person it is then assigned to; nobody else."""
    from matchmaker.models import Notification, User

    down = report["supplier_down"]
    city_user = db.session.scalar(sa.select(User).where(User.email == "city@example.cn"))
    colleague = factories.user("staff", region_code="230100", email="city2@example.cn")
    db.session.commit()
    others = db.session.scalars(sa.select(User.id).where(User.email.not_in(("city@example.cn", "city2@example.cn")))).all()

    def told(user_id):
        return [(n.params["action"], n.url) for n in db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user_id, Notification.kind == "item_assigned")
            .order_by(Notification.id))]

    assert as_user("county").post(f"/taskforce/breaks/{down.id}/escalate",
                                  data={"escalate-note": "县里协调不了用工"}).status_code == 302
    url = f"/taskforce/breaks/{down.id}"
    assert told(city_user.id) == [("escalated", url)] and told(colleague.id) == [("escalated", url)]
    # the city assigns it to a colleague: the colleague hears it (the one who assigns does not)
    assert as_user("city").post(f"{url}/assign", data={"assign-assignee": str(colleague.id)}).status_code == 302
    assert told(colleague.id) == [("escalated", url), ("assigned", url)]
    assert told(city_user.id) == [("escalated", url)]
    assert all(told(uid) == [] for uid in others)
