"""Matching service: runs from stored rows, the run file, the proposal lifecycle, races."""
import json
import math
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from matchmaker.infra import clock
from matchmaker.infra.extensions import db as _db
from matchmaker.models import Link, Need, Offer
from matchmaker.models.pairing import DeclinedPair, MatchRun, Pairing
from matchmaker.services import matching
from matchmaker.services.support import network
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories

AS_OF = date(2020, 3, 16)
HARBIN = dict(lat=45.7567, lon=126.6424)
DAQING = dict(lat=46.5907, lon=125.1040)


@pytest.fixture
def world(db):
    """Two counties, a leading buyer, two SME suppliers, one need, two offers."""
    factories.region("230102", **HARBIN)
    factories.region("230602", **DAQING)
    buyer = factories.firm("B1", kind="leading", region_code="230102")
    s1 = factories.firm("S1", kind="sme", region_code="230102", workers_back=0.9)
    s2 = factories.firm("S2", kind="sme", region_code="230602")
    need = factories.need(buyer, "C1", quantity=100.0, needed_by=date(2020, 4, 13), ref="N1",
                          terms=["pay_first"])
    o1 = factories.offer(s1, "C1", quantity=60.0, ref="O1")
    o2 = factories.offer(s2, "C1", quantity=80.0, ref="O2")
    admin = factories.user(role="admin")
    ub = factories.user(role="firm", firm_row=buyer)
    us1 = factories.user(role="firm", firm_row=s1)
    us2 = factories.user(role="firm", firm_row=s2)
    db.session.commit()
    return dict(buyer=buyer, s1=s1, s2=s2, need=need, o1=o1, o2=o2, admin=admin, ub=ub, us1=us1, us2=us2)


def _proposals(status=None):
    stmt = sa.select(Pairing).order_by(Pairing.id)
    if status:
        stmt = stmt.where(Pairing.status == status)
    return _db.session.scalars(stmt).unique().all()


def _pair(need_ref, offer_ref, status="proposed"):
    return next(p for p in _proposals(status) if p.need.ref == need_ref and p.offer.ref == offer_ref)


def test_run_stores_proposals_and_objective(world):
    run = matching.run_matching(AS_OF, started_by="test")
    assert isinstance(run, MatchRun) and run.as_of == AS_OF
    got = {(p.need.ref, p.offer.ref): p.quantity for p in _proposals()}
    assert got == {("N1", "O1"): 60.0, ("N1", "O2"): 40.0}  # the nearer offer is used in full
    assert run.objective["matched_quantity"] == 100.0
    assert run.needs_count == 1 and run.offers_count == 2 and run.candidates_count == 2
    assert set(run.timings) >= {"load", "candidates", "solve", "store"}
    p = _pair("N1", "O1")
    assert "同县，0 公里 / same county, 0 km" in p.reasons
    assert "买方先付款 / buyer pays first" in p.reasons


def test_accept_by_buyer_then_supplier_makes_a_link(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O1")
    after_buyer = matching.accept_pairing(world["ub"], p.id)
    assert after_buyer.status == "accepted" and after_buyer.buyer_accepted_at is not None
    assert _db.session.scalar(sa.select(sa.func.count(Link.id))) == 0
    done = matching.accept_pairing(world["us1"], p.id)
    assert done.status == "active" and done.link is not None
    link = done.link
    assert (link.supplier.ref, link.buyer.ref, link.category_code) == ("S1", "B1", "C1")
    assert link.active and link.terms == ["pay_first"] and link.ref
    expected_weeks = max(1, math.ceil((date(2020, 4, 13) - clock.today()).days / 7))
    assert link.quantity_per_week == pytest.approx(60.0 / expected_weeks)
    assert _db.session.get(Need, world["need"].id).committed_quantity == 60.0
    assert _db.session.get(Offer, world["o1"].id).committed_quantity == 60.0


def test_accept_by_supplier_first_works_too(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O2")
    assert matching.accept_pairing(world["us2"], p.id).status == "accepted"
    assert matching.accept_pairing(world["ub"], p.id).status == "active"
    assert _db.session.get(Offer, world["o2"].id).committed_quantity == 40.0


def test_quantity_per_week_spreads_over_weeks_until_due():
    today = date(2020, 3, 16)
    assert matching.quantity_per_week(70.0, date(2020, 4, 13), today) == 17.5  # 28 days: 4 weeks
    assert matching.quantity_per_week(70.0, date(2020, 3, 26), today) == 35.0  # 10 days: 2 weeks
    assert matching.quantity_per_week(70.0, today, today) == 70.0  # due today: one week
    assert matching.quantity_per_week(70.0, date(2020, 3, 1), today) == 70.0  # overdue: one week


def test_next_run_works_on_what_remains_open(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O1")
    matching.accept_pairing(world["ub"], p.id)
    matching.accept_pairing(world["us1"], p.id)
    run = matching.run_matching(AS_OF)
    assert run.objective["matched_quantity"] == 40.0
    assert {(q.need.ref, q.offer.ref, q.quantity) for q in _proposals("proposed")} == {("N1", "O2", 40.0)}
    assert _pair("N1", "O1", "active").link is not None  # the active one is untouched


def test_rerun_lapses_open_proposals_and_carries_acceptances(world):
    matching.run_matching(AS_OF)
    first = _pair("N1", "O2")
    matching.accept_pairing(world["ub"], first.id)
    matching.run_matching(AS_OF)
    _db.session.expire_all()
    assert _db.session.get(Pairing, first.id).status == "lapsed"
    again = next(p for p in _proposals() if p.id != first.id and p.offer.ref == "O2" and p.status != "lapsed")
    assert again.status == "accepted" and again.buyer_accepted_at is not None
    assert matching.accept_pairing(world["us2"], again.id).status == "active"


def test_decline_is_never_proposed_again(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O1")
    declined = matching.decline_pairing(world["us1"], p.id)
    assert declined.status == "declined" and declined.declined_by == "supplier"
    assert _db.session.scalar(sa.select(sa.func.count(DeclinedPair.id))) == 1
    matching.run_matching(AS_OF)
    assert {(q.need.ref, q.offer.ref) for q in _proposals("proposed")} == {("N1", "O2")}
    with pytest.raises(Conflict):
        matching.accept_pairing(world["ub"], p.id)
    assert "O1" not in [b["ref"] for b in matching.best_partners(world["ub"], "need", world["need"].id,
                                                                  as_of=AS_OF)]


def test_closing_a_need_lapses_its_proposals(world):
    from matchmaker.services.needs import close_need

    matching.run_matching(AS_OF)
    close_need(world["ub"], world["need"].id)
    _db.session.expire_all()
    assert {p.status for p in _proposals()} == {"lapsed"}
    with pytest.raises(Conflict):
        matching.accept_pairing(world["us1"], _proposals()[0].id)


def test_only_the_two_sides_answer(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O1")
    with pytest.raises(NotFound):  # S2 cannot even see a proposal between B1 and S1
        matching.accept_pairing(world["us2"], p.id)
    with pytest.raises(Invalid):  # admins must say which side
        matching.accept_pairing(world["admin"], p.id)
    with pytest.raises(Forbidden):
        matching.accept_pairing(world["ub"], p.id, side="supplier")
    assert matching.accept_pairing(world["admin"], p.id, side="supplier").supplier_accepted_at is not None


def test_accept_conflicts_when_the_quantity_is_gone(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O1")
    matching.accept_pairing(world["ub"], p.id)
    # the supplier's offer shrinks to what another buyer took meanwhile
    _db.session.execute(sa.update(Offer).where(Offer.id == world["o1"].id).values(committed_quantity=30.0))
    _db.session.commit()
    with pytest.raises(Conflict):
        matching.accept_pairing(world["us1"], p.id)
    _db.session.rollback()
    assert _db.session.get(Offer, world["o1"].id).committed_quantity == 30.0
    assert _db.session.get(Need, world["need"].id).committed_quantity == 0.0


def test_accept_refused_when_the_supplier_is_no_longer_live(world):
    matching.run_matching(AS_OF)
    p = _pair("N1", "O2")
    matching.accept_pairing(world["ub"], p.id)
    world["s2"].region.risk = "high"
    _db.session.commit()
    with pytest.raises(Conflict):
        matching.accept_pairing(world["us2"], p.id)
    _db.session.rollback()
    assert _db.session.get(Offer, world["o2"].id).committed_quantity == 0.0


def test_run_with_nothing_open_stores_an_empty_run(db):
    run = matching.run_matching(AS_OF)
    assert run.pairings_count == 0 and run.objective == {"matched_quantity": 0.0, "total_cost": 0.0}


def test_activation_lapses_proposals_that_no_longer_fit(db):
    factories.region("230102", **HARBIN)
    b1 = factories.firm("B1", kind="leading")
    b2 = factories.firm("B2", kind="leading")
    s = factories.firm("S1")
    factories.need(b1, quantity=50.0, needed_by=date(2020, 4, 1), ref="N1")
    factories.need(b2, quantity=50.0, needed_by=date(2020, 4, 1), ref="N2")
    factories.offer(s, quantity=60.0, ref="O1")
    users = {r: factories.user(role="firm", firm_row=f) for r, f in (("B1", b1), ("B2", b2), ("S1", s))}
    db.session.commit()
    matching.run_matching(AS_OF)
    props = {p.need.ref: p for p in _proposals()}
    assert sorted(p.quantity for p in props.values()) == [10.0, 50.0]
    big = max(props.values(), key=lambda p: p.quantity)
    small = min(props.values(), key=lambda p: p.quantity)
    matching.accept_pairing(users[big.need.firm.ref], big.id)
    matching.accept_pairing(users["S1"], big.id)
    _db.session.expire_all()
    assert _db.session.get(Pairing, small.id).status == "proposed"  # 10 still fits into 60 - 50


@pytest.mark.parametrize("with_products", [False, True])
def test_run_file_passes_an_independent_check(db, tmp_path, with_products):
    """Every pairing allowed, capacities hold, candidates complete, objective optimal (LP); with
    products, some postings name one (P4 in another unit than its category), some only a
    category, and some needs accept other products (spec/products.md)."""
    import random

    rng = random.Random(4)
    counties = [("2301%02d" % i, 45 + rng.random() * 2, 125 + rng.random() * 3) for i in range(2, 8)]
    for code, lat, lon in counties:
        factories.region(code, lat=lat, lon=lon, risk=rng.choice(["low", "low", "medium", "high"]))
    factories.category("C2", substitutes=["C1"])
    products = {"P1": "C1", "P2": "C1", "P3": "C2", "P4": "C1"}
    for code, cat in products.items():
        factories.product(code, cat, unit="kg" if code == "P4" else "t")
    firms = [factories.firm("F%d" % i, kind=rng.choice(["leading", "sme"]), region_code=rng.choice(counties)[0],
                            operating=rng.random() < 0.9, workers_back=rng.random()) for i in range(10)]

    def goods():
        product = rng.choice([None, None, *products]) if with_products else None
        return (products[product] if product else rng.choice(["C1", "C2"])), product

    for i in range(30):
        cat, product = goods()
        accepts = rng.sample(sorted(products), rng.randint(1, 2)) if with_products and rng.random() < 0.4 else []
        factories.need(rng.choice(firms), cat, quantity=float(rng.randint(1, 60)),
                       needed_by=AS_OF + timedelta(days=rng.randint(-2, 30)), ref="N%02d" % i,
                       max_unit_price=rng.choice([None, 10.0, 12.0]), status=rng.choice(["open"] * 5 + ["closed"]),
                       committed_quantity=rng.choice([0.0, 0.0, 1.0]), product_code=product, accepts=accepts)
    for i in range(30):
        cat, product = goods()
        factories.offer(rng.choice(firms), cat, quantity=float(rng.randint(1, 60)),
                        available_from=AS_OF + timedelta(days=rng.randint(-10, 10)), ref="O%02d" % i,
                        available_until=rng.choice([None, AS_OF + timedelta(days=rng.randint(-3, 30))]),
                        lead_time_days=rng.randint(0, 10), unit_price=rng.choice([None, 8.0, 10.0, 13.0]),
                        delivery_radius_km=rng.choice([None, 60.0, 150.0]), product_code=product)
    db.session.commit()
    out = tmp_path / "run.json"
    matching.run_matching(AS_OF, out=str(out))
    run = json.loads(out.read_text(encoding="utf-8"))
    assert set(run) == {"as_of", "needs", "offers", "candidates", "pairings", "unmet", "objective"}
    _check_run_file(run)
    if with_products:
        assert any(n["product"] for n in run["needs"]) and any(n["product"] is None for n in run["needs"])
        assert any(n["accepts"] for n in run["needs"]) and any(o["unit"] == "kg" for o in run["offers"])


def _check_run_file(run):
    from scipy.optimize import linprog

    as_of = date.fromisoformat(run["as_of"])
    needs = {n.ref: n for n in _db.session.scalars(sa.select(Need)).unique()}
    offers = {o.ref: o for o in _db.session.scalars(sa.select(Offer)).unique()}
    subs = network.load_substitutes()
    def unit(posting):  # products.md: the product's unit, else the category's
        return posting.product.unit if posting.product_code else posting.category.unit

    def goods_allowed(n, o):  # rule 2 as products.md rewrites it
        if n.product_code and o.product_code:
            same = o.product_code == n.product_code or o.product_code in (n.accepts or [])
        else:
            same = o.category_code == n.category_code or o.category_code in subs.get(n.category_code, ())
        return same and unit(n) == unit(o)

    # the allowed pairs, straight from the spec's rules over the stored rows
    allowed = set()
    for n in needs.values():
        for o in offers.values():
            if o.firm_id == n.firm_id or not goods_allowed(n, o):
                continue
            if n.status != "open" or o.status != "open" or n.needed_by < as_of:
                continue
            if o.available_until is not None and o.available_until < as_of:
                continue
            if max(o.available_from, as_of) + timedelta(days=o.lead_time_days) > n.needed_by:
                continue
            a, b = n.firm.region, o.firm.region
            la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
            h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
            if o.delivery_radius_km is not None and 2 * 6371.0 * math.asin(math.sqrt(h)) > o.delivery_radius_km:
                continue
            if o.unit_price is not None and n.max_unit_price is not None and o.unit_price > n.max_unit_price:
                continue
            if not o.firm.operating or b.risk == "high":
                continue
            if n.quantity - n.committed_quantity <= 0 or o.quantity - o.committed_quantity <= 0:
                continue
            allowed.add((n.ref, o.ref))
    cands = run["candidates"]
    assert {(c["need"], c["offer"]) for c in cands} == allowed
    assert len(cands) == len(allowed)
    n_open = {n["ref"]: n["open_quantity"] for n in run["needs"]}
    o_open = {o["ref"]: o["open_quantity"] for o in run["offers"]}
    for n in run["needs"]:  # each entry carries what the need trades (spec/products.md)
        row = needs[n["ref"]]
        assert (n["category"], n["product"], n["unit"], n["accepts"]) == (
            row.category_code, row.product_code, unit(row), list(row.accepts or []))
    for o in run["offers"]:
        row = offers[o["ref"]]
        assert (o["category"], o["product"], o["unit"]) == (row.category_code, row.product_code, unit(row))
    for ref, q in n_open.items():
        assert q == pytest.approx(needs[ref].quantity - needs[ref].committed_quantity)
    used_n, used_o = {}, {}
    for p in run["pairings"]:
        assert (p["need"], p["offer"]) in allowed and p["quantity"] > 0 and p["reasons"]
        used_n[p["need"]] = used_n.get(p["need"], 0) + p["quantity"]
        used_o[p["offer"]] = used_o.get(p["offer"], 0) + p["quantity"]
    assert all(v <= n_open[k] + 1e-9 for k, v in used_n.items())
    assert all(v <= o_open[k] + 1e-9 for k, v in used_o.items())
    for u in run["unmet"]:
        assert u["quantity"] == pytest.approx(n_open[u["need"]] - used_n.get(u["need"], 0))
    # optimality: two-stage LP over the candidates
    import numpy as np

    ni = {r: i for i, r in enumerate(n_open)}
    oi = {r: i for i, r in enumerate(o_open)}
    A = np.zeros((len(ni) + len(oi), len(cands)))
    for k, c in enumerate(cands):
        A[ni[c["need"]], k] = 1
        A[len(ni) + oi[c["offer"]], k] = 1
    b = np.array(list(n_open.values()) + list(o_open.values()))
    first = linprog(-np.ones(len(cands)), A_ub=A, b_ub=b, bounds=(0, None), method="highs")
    best = -first.fun
    cost = np.array([c["unit_cost"] for c in cands])
    second = linprog(cost, A_ub=np.vstack([A, -np.ones(len(cands))]), b_ub=np.append(b, -best + 1e-9),
                     bounds=(0, None), method="highs")
    assert run["objective"]["matched_quantity"] == pytest.approx(best, abs=1e-6)
    assert run["objective"]["total_cost"] == pytest.approx(second.fun, rel=1e-7, abs=1e-6)
    unit = {(c["need"], c["offer"]): c["unit_cost"] for c in cands}
    assert sum(p["quantity"] * unit[p["need"], p["offer"]] for p in run["pairings"]) == pytest.approx(
        run["objective"]["total_cost"])


def test_best_partners_from_the_index(world):
    partners = matching.best_partners(world["ub"], "need", world["need"].id, n=5, as_of=AS_OF)
    assert [p["ref"] for p in partners] == ["O1", "O2"]
    assert partners[0]["kind"] == "offer" and partners[0]["id"] == world["o1"].id
    assert partners[0]["unit_cost"] <= partners[1]["unit_cost"]
    back = matching.best_partners(world["us2"], "offer", world["o2"].id, as_of=AS_OF)
    assert [p["ref"] for p in back] == ["N1"]
    with pytest.raises(NotFound):  # S2 cannot read S1's offer
        matching.best_partners(world["us2"], "offer", world["o1"].id, as_of=AS_OF)


def test_best_partners_drop_partners_closed_since_the_index_was_built(world):
    assert [p["ref"] for p in matching.best_partners(world["ub"], "need", world["need"].id,
                                                      as_of=AS_OF)] == ["O1", "O2"]
    # another process closes O1 and commits part of O2: no signal reaches this process's cache
    _db.session.execute(sa.update(Offer).where(Offer.ref == "O1").values(status="closed"))
    _db.session.execute(sa.update(Offer).where(Offer.ref == "O2").values(committed_quantity=30.0))
    _db.session.commit()
    (only,) = matching.best_partners(world["ub"], "need", world["need"].id, as_of=AS_OF)
    assert only["ref"] == "O2" and only["open_quantity"] == 50.0
    # a new posting (a larger id) rebuilds the index at once
    factories.offer(world["s1"], "C1", quantity=5.0, ref="O3")
    _db.session.commit()
    assert [p["ref"] for p in matching.best_partners(world["ub"], "need", world["need"].id,
                                                      as_of=AS_OF)] == ["O3", "O2"]


def test_match_command_writes_the_run_file(world, runner, tmp_path):
    out = tmp_path / "run.json"
    result = runner.invoke(args=["match", "--as-of", "2020-03-16", "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text(encoding="utf-8"))
    assert run["as_of"] == "2020-03-16" and run["objective"]["matched_quantity"] == 100.0
    assert "proposals" in result.output
    bad = runner.invoke(args=["match", "--as-of", "16/03/2020"])
    assert bad.exit_code != 0


@pytest.mark.postgres
def test_racing_accepts_never_overcommit(app, db):
    """Many suppliers race to fill one need: committed quantity never exceeds it."""
    factories.region("230102", **HARBIN)
    buyer = factories.firm("B1", kind="leading")
    factories.need(buyer, quantity=100.0, needed_by=date(2020, 4, 1), ref="N1")
    suppliers = [factories.firm("S%d" % i) for i in range(8)]
    for i, s in enumerate(suppliers):
        factories.offer(s, quantity=40.0, ref="O%d" % i)
    users = [factories.user(role="firm", firm_row=s) for s in suppliers]
    db.session.commit()
    # proposals for every supplier (more than the need can take), accepted by the buyer
    run = matching.run_matching(AS_OF)
    need_id = db.session.scalar(sa.select(Need.id))
    offers = {o.ref: o.id for o in db.session.scalars(sa.select(Offer)).unique()}
    db.session.execute(sa.insert(Pairing), [
        dict(run_id=run.id, need_id=need_id, offer_id=offers["O%d" % i], quantity=40.0, unit_cost=1.0,
             reasons=[], status="accepted", buyer_accepted_at=run.created_at)
        for i in range(8)])
    db.session.commit()
    ids = {p.offer.ref: p.id for p in _proposals("accepted")}
    user_ids = [u.id for u in users]
    results = []
    barrier = threading.Barrier(8)

    def answer(i):
        from matchmaker.models import User

        with app.app_context():
            user = _db.session.get(User, user_ids[i])
            barrier.wait()
            try:
                matching.accept_pairing(user, ids["O%d" % i])
                results.append("ok")
            except Conflict:
                _db.session.rollback()
                results.append("conflict")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    committed = db.session.get(Need, need_id).committed_quantity
    assert results.count("ok") == 2 and results.count("conflict") == 6
    assert committed == 80.0 <= 100.0
    assert db.session.scalar(sa.select(sa.func.count(Link.id))) == 2
    assert sum(o.committed_quantity for o in db.session.scalars(sa.select(Offer)).unique()) == 80.0


def test_a_runs_news_counts_what_it_proposed_to_each_firm(world, monkeypatch):
    """The run counts its proposals per firm as it stores them (no reading back): the same counts
    as the database gives, without the proposal carried over as accepted."""
    from matchmaker.services import notifications

    factories.need(world["s1"], "C1", quantity=30.0, needed_by=date(2020, 4, 13), ref="N2")
    _db.session.commit()
    matching.run_matching(AS_OF)
    matching.accept_pairing(world["ub"], _pair("N1", "O2").id)
    told = []
    original = notifications.proposals_arrived
    monkeypatch.setattr(notifications, "proposals_arrived",
                        lambda run_id, **kw: told.append((run_id, kw["per_firm"])) or original(run_id, **kw))
    matching.run_matching(AS_OF)
    (run_id, per_firm), = told
    n, o = Need.__table__.c, Offer.__table__.c
    counted = {}
    for firm, join in ((n.firm_id, Pairing.need_id == n.id), (o.firm_id, Pairing.offer_id == o.id)):
        for firm_id, k in _db.session.execute(
                sa.select(firm, sa.func.count()).select_from(Pairing).join(firm.table, join)
                .where(Pairing.run_id == run_id, Pairing.status == "proposed").group_by(firm)):
            counted[firm_id] = counted.get(firm_id, 0) + k
    assert dict(per_firm) == counted
    assert {p.status for p in _proposals() if p.run_id == run_id} == {"proposed", "accepted"}
    assert sum(counted.values()) == 2 * len(_proposals("proposed"))
