"""Days of stock and expected restart on the forms; critical breaks first on the buyer's breaks page."""
from datetime import date, timedelta

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Need
from matchmaker.models.report import Break
from matchmaker.services import alternates
from matchmaker.services.reports import write_weekly_report
from tests import factories
from matchmaker.infra.config import TestConfig

SERVICE_TODAY = date.fromisoformat(TestConfig.TODAY)  # the service's day the tests pin, not the machine's

TODAY = SERVICE_TODAY


def test_the_status_form_takes_an_expected_restart_and_the_need_form_days_of_stock(world, as_user):
    sme = as_user("sme")
    restart = TODAY + timedelta(days=12)
    resp = sme.post("/firm/status", data={"operating": "", "expected_restart": restart.isoformat()})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, world["sme"].id).expected_restart == restart
    assert restart.isoformat() in sme.get("/firm/status").text
    lead = as_user("lead")
    resp = lead.post("/firm/needs/new", data={"category": "C1", "quantity": "5", "needed_by": world["soon"].isoformat(),
                                              "days_of_stock": "6"})
    assert resp.status_code == 302, resp.text[:300]
    assert db.session.scalar(sa.select(Need.days_of_stock)) == 6
    assert lead.post("/firm/needs/new", data={"category": "C1", "quantity": "5", "needed_by": world["soon"].isoformat(),
                                              "days_of_stock": "-2"}).status_code == 422


def test_a_critical_break_comes_first_and_is_marked(world, as_user, client):
    lead, sme = world["lead"], world["sme"]
    slow = factories.firm("D-SLOW", name="迟复工厂", region_code="230102", operating=False, expected_restart=TODAY + timedelta(days=30))
    quick = factories.firm("D-QUICK", name="早复工厂", region_code="230102", operating=False, expected_restart=TODAY + timedelta(days=2))
    factories.link(quick, lead, quantity_per_week=500.0, days_of_stock=7)  # more at stake: higher severity
    factories.link(slow, lead, category_code="C2", quantity_per_week=1.0, days_of_stock=7)
    db.session.commit()
    write_weekly_report(as_of=TODAY)
    alternates.invalidate_alternates()
    page = as_user("lead").get("/firm/breaks").text
    assert page.index("迟复工厂") < page.index("早复工厂") and "critical" in page
    brk = db.session.scalar(sa.select(Break).where(Break.supplier == "D-SLOW"))
    staff = as_user("county").get(f"/taskforce/breaks/{brk.id}").text
    assert 'id="break-critical"' in staff and 'id="break-runs-out"' in staff
