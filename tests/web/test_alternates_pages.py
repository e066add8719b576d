"""Alternates on the break page (staff) and on the buyer's breaks page, one click to a proposal."""
from datetime import date, timedelta

import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models.pairing import MatchRun, Pairing
from matchmaker.models.report import Break
from matchmaker.services import alternates
from matchmaker.services.reports import write_weekly_report
from tests import factories
from tests.web.conftest import login

TODAY = date.today()


def _scene():
    factories.region("230000")
    factories.region("230100")
    factories.region("230102")
    factories.category("C1", unit="t")
    buyer = factories.firm("B1", kind="leading", region_code="230102", name="龙头乳业")
    down = factories.firm("SD", region_code="230102", operating=False)
    spare = factories.firm("S2", region_code="230102", name="备选一厂")
    factories.link(down, buyer, quantity_per_week=10.0, ref="L1")
    factories.offer(spare, quantity=15.0, available_from=TODAY - timedelta(days=3), ref="O2")
    staff = factories.user("staff", region_code="230102", email="county@example.cn")
    firm_user = factories.user("firm", buyer, email="b1@example.cn")
    db.session.commit()
    write_weekly_report(as_of=TODAY)
    alternates.invalidate_alternates()
    return db.session.scalar(sa.select(Break).where(Break.kind == "supplier_down"))


def _proposed():
    return db.session.execute(sa.select(Pairing.quantity, MatchRun.alternate_of)
                              .join(MatchRun, Pairing.run_id == MatchRun.id)).all()


def test_staff_see_alternates_on_the_break_page_and_propose_one(app):
    brk = _scene()
    client = login(app.test_client(), "county@example.cn")
    page = client.get(f"/taskforce/breaks/{brk.id}")
    assert page.status_code == 200
    assert 'id="alternates"' in page.text and "备选一厂" in page.text and "O2" in page.text
    resp = client.post(f"/taskforce/breaks/{brk.id}/alternates", data={"offer": "O2"})
    assert resp.status_code == 302
    assert _proposed() == [(15.0, brk.key)]
    page = client.get(f"/taskforce/breaks/{brk.id}")
    assert "Already proposed" in page.text or "已提议" in page.text
    # the same alternate twice: refused, nothing more stored
    client.post(f"/taskforce/breaks/{brk.id}/alternates", data={"offer": "O2"})
    assert len(_proposed()) == 1


def test_the_buyer_sees_its_breaks_alternates_and_proposes(app):
    brk = _scene()
    client = login(app.test_client(), "b1@example.cn")
    page = client.get("/firm/breaks")
    assert page.status_code == 200 and f'id="alternates-{brk.id}"' in page.text and "备选一厂" in page.text
    resp = client.post(f"/firm/breaks/{brk.id}/alternates", data={"offer": "O2"})
    assert resp.status_code == 302
    assert _proposed() == [(15.0, brk.key)]
    assert "O2" in client.get("/firm/proposals?state=open").text
