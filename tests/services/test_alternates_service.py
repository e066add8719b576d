"""services.alternates: the week's alternates per break, who sees them, one click to a proposal."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db
from matchmaker.models import Link, Need
from matchmaker.models.report import Break
from matchmaker.services import alternates, matching
from matchmaker.services.reports import write_weekly_report
from matchmaker.services.support.errors import Conflict, Forbidden, NotFound
from tests import factories

TODAY = date.today()


@pytest.fixture
def scene(app):
    """B1 (leading, 230102) loses its supplier SD (not operating); B2 (leading, 230103) has an
    uncovered need; S2 and S3 have spare capacity 15 and 8; SD's own offer never counts."""
    factories.region("230000")
    factories.region("230100")
    factories.region("230102", lat=45.76, lon=126.65)
    factories.region("230103", lat=45.75, lon=126.68)
    factories.region("230202", lat=47.35, lon=123.92)
    factories.category("C1", unit="t")
    b1 = factories.firm("B1", kind="leading", region_code="230102")
    b2 = factories.firm("B2", kind="leading", region_code="230103")
    down = factories.firm("SD", region_code="230102", operating=False)
    s2 = factories.firm("S2", region_code="230103")
    s3 = factories.firm("S3", region_code="230102")
    factories.link(down, b1, quantity_per_week=10.0, ref="L1", terms=["pay_first"])
    factories.need(b2, quantity=20.0, needed_by=TODAY + timedelta(days=20), ref="N2")
    factories.offer(s2, quantity=15.0, available_from=TODAY - timedelta(days=3), ref="O2")
    factories.offer(s3, quantity=8.0, available_from=TODAY - timedelta(days=3), ref="O3")
    factories.offer(down, quantity=50.0, available_from=TODAY - timedelta(days=3), ref="OD")
    users = {"county": factories.user("staff", region_code="230102"),
             "qqh": factories.user("staff", region_code="230202"),
             "b1": factories.user("firm", b1), "b2": factories.user("firm", b2), "s2": factories.user("firm", s2)}
    db.session.commit()
    write_weekly_report(as_of=TODAY)
    alternates.invalidate_alternates()
    brk = {b.kind: b for b in db.session.scalars(sa.select(Break))}
    return users, brk


def _used(week):
    used = {}
    for alts in week.by_break.values():
        for a in alts:
            used[a["offer"]] = used.get(a["offer"], 0.0) + a["quantity"]
    return used


def test_the_weeks_breaks_share_the_spare_capacity_once(scene):
    users, brk = scene
    week = alternates.week_alternates()
    down, need = brk["supplier_down"].key, brk["uncovered_need"].key
    assert week.sought == {down: 20.0, need: 20.0}  # two weeks of 10 a week; the need's 20
    assert _used(week) == {"O2": 15.0, "O3": 8.0}  # 23 held, 23 promised, never OD (not live)
    assert sum(a["quantity"] for a in week.by_break[down] + week.by_break[need]) == 23.0
    assert all(a["stand_in"] and a["need"] is None for a in week.by_break[down])
    assert [a["need"] for a in week.by_break[need]] == ["N2"] * len(week.by_break[need])


def test_who_sees_a_breaks_alternates(scene):
    users, brk = scene
    b = brk["supplier_down"]
    seen = alternates.break_alternates(users["county"], b.id)
    assert seen["can_propose"] and seen["alternates"]
    assert alternates.break_alternates(users["b1"], b.id)["can_propose"]
    with pytest.raises(NotFound):
        alternates.break_alternates(users["b2"], b.id)  # not its buyer
    with pytest.raises(NotFound):
        alternates.break_alternates(users["qqh"], b.id)  # another region
    assert set(alternates.firm_alternates(users["b2"])) == {brk["uncovered_need"].key}
    with pytest.raises(NotFound):
        alternates.propose_alternate(users["s2"], b.id, "O2")


def test_one_click_proposes_to_both_sides_and_a_link_follows(scene):
    users, brk = scene
    b = brk["supplier_down"]
    alt = alternates.break_alternates(users["county"], b.id)["alternates"][0]
    p = alternates.propose_alternate(users["county"], b.id, alt["offer"])
    assert (p.status, p.quantity, p.offer.ref) == ("proposed", alt["quantity"], alt["offer"])
    need = db.session.get(Need, p.need_id)
    assert (need.firm.ref, need.category_code, need.terms, need.quantity) == ("B1", "C1", ["pay_first"], alt["quantity"])
    # proposed once: the same alternate is gone, and what it holds is not promised again
    with pytest.raises(Conflict):
        alternates.propose_alternate(users["county"], b.id, alt["offer"])
    again = alternates.break_alternates(users["county"], b.id)
    assert [x["offer"] for x in again["proposed"]] == [alt["offer"]]
    week = alternates.week_alternates()
    assert _used(week).get(alt["offer"], 0.0) + alt["quantity"] <= {"O2": 15.0, "O3": 8.0}[alt["offer"]] + 1e-9
    # both sides accept: a link from the alternate to the buyer
    matching.accept_pairing(users["b1"], p.id)
    supplier_user = factories.user("firm", p.offer.firm)
    db.session.commit()
    done = matching.accept_pairing(supplier_user, p.id)
    link = db.session.get(Link, done.link_id)
    assert (done.status, link.buyer.ref, link.supplier.ref) == ("active", "B1", alt["supplier"])


def test_a_daily_run_does_not_lapse_an_alternates_proposal(scene):
    users, brk = scene
    b = brk["uncovered_need"]
    alt = alternates.break_alternates(users["b2"], b.id)["alternates"][0]
    p = alternates.propose_alternate(users["b2"], b.id, alt["offer"])
    matching.run_matching(TODAY)
    db.session.refresh(p)
    assert p.status == "proposed"


def test_only_staff_of_the_owner_region_or_the_buyer_propose(scene):
    users, brk = scene
    city = factories.user("staff", region_code="230202")
    db.session.commit()
    with pytest.raises((Forbidden, NotFound)):
        alternates.propose_alternate(city, brk["supplier_down"].id, "O2")


def test_a_proposal_made_elsewhere_is_seen_at_once(scene):
    """Another process's click (no invalidation here) changes the cached week's key."""
    from matchmaker.models import Offer
    from matchmaker.services.matching.proposals import propose_pair

    users, brk = scene
    before = alternates.week_alternates()
    need_id = db.session.scalar(sa.select(Need.id).where(Need.ref == "N2"))
    offer_id = db.session.scalar(sa.select(Offer.id).where(Offer.ref == "O3"))
    propose_pair(need_id, offer_id, 8.0, unit_cost=1.0, distance_km=1.0, reasons=[], as_of=TODAY,
                 started_by="elsewhere", alternate_of=brk["uncovered_need"].key)
    db.session.commit()
    after = alternates.week_alternates()
    assert _used(before).get("O3") == 8.0 and "O3" not in _used(after)
    assert [p["offer"] for p in after.proposed[brk["uncovered_need"].key]] == ["O3"]
