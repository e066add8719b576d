"""Tests of graphs.matching: hard rules at their boundaries, splits, optimality, index."""
import math
import random
from datetime import date, timedelta

import networkx as nx
import numpy as np
import pytest

from graphs.matching import (
    COST_SCALE,
    DEFAULT_WEIGHTS,
    QUANTITY_SCALE,
    MatchingError,
    NeedRecord,
    OfferRecord,
    allowed_pairs,
    best_partners,
    build_index,
    candidate_arrays,
    greedy_pairings,
    haversine_km,
    pairing_reasons,
    propose_pairings,
    solve_pairings,
)

AS_OF = date(2020, 3, 16)
HARBIN = (45.7567, 126.6424)
DAQING = (46.5907, 125.1040)


def need(ref="N1", firm="B", category="steel", quantity=10.0, needed_by=date(2020, 3, 31),
         at=HARBIN, **kw):
    return NeedRecord(ref, firm, category, quantity, needed_by, at[0], at[1], **kw)


def offer(ref="O1", firm="S", category="steel", quantity=10.0, available_from=date(2020, 3, 1),
          at=HARBIN, **kw):
    return OfferRecord(ref, firm, category, quantity, available_from, at[0], at[1], **kw)


def pairs(needs, offers, **kw):
    kw.setdefault("as_of", AS_OF)
    return {(c.need, c.offer) for c in allowed_pairs(build_index(needs, offers, **kw))}


# ---------------------------------------------------------------------------
# distance


def test_haversine_known_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(6371.0 * math.pi / 180, rel=1e-12)
    assert haversine_km(0, 0, 90, 0) == pytest.approx(6371.0 * math.pi / 2, rel=1e-12)
    assert haversine_km(*HARBIN, *HARBIN) == 0.0
    # Harbin -> Daqing is about 150 km
    assert 145 < haversine_km(*HARBIN, *DAQING) < 155


# ---------------------------------------------------------------------------
# hard rules, each at its boundary and just past it


def test_rule1_same_firm_never_pairs():
    assert pairs([need(firm="F")], [offer(firm="F")]) == set()
    assert pairs([need(firm="F")], [offer(firm="G")]) == {("N1", "O1")}


def test_rule2_category_and_substitutes():
    n = need(category="steel")
    assert pairs([n], [offer(category="copper")]) == set()
    subs = {"steel": {"alloy"}}
    assert pairs([n], [offer(category="alloy")], substitutes=subs) == {("N1", "O1")}
    # substitutes are one-way: alloy offers may meet steel needs, not the other way round
    assert pairs([need(category="alloy")], [offer(category="steel")], substitutes=subs) == set()


def test_rule3_need_open_and_not_past_due():
    assert pairs([need(needed_by=AS_OF)], [offer(lead_time_days=0)]) == {("N1", "O1")}
    assert pairs([need(needed_by=AS_OF - timedelta(days=1))], [offer()]) == set()
    assert pairs([need(status="closed")], [offer()]) == set()


def test_rule3_offer_open_and_not_expired():
    assert pairs([need()], [offer(available_until=AS_OF)]) == {("N1", "O1")}
    assert pairs([need()], [offer(available_until=AS_OF - timedelta(days=1))]) == set()
    assert pairs([need()], [offer(status="closed")]) == set()


def test_rule4_arrives_exactly_on_time():
    due = date(2020, 3, 31)
    # available in the future: from + lead
    assert pairs([need(needed_by=due)], [offer(available_from=date(2020, 3, 26),
                                               lead_time_days=5)]) == {("N1", "O1")}
    assert pairs([need(needed_by=due)], [offer(available_from=date(2020, 3, 27),
                                               lead_time_days=5)]) == set()
    # available in the past: as_of + lead
    assert pairs([need(needed_by=due)], [offer(available_from=date(2020, 1, 1),
                                               lead_time_days=15)]) == {("N1", "O1")}
    assert pairs([need(needed_by=due)], [offer(available_from=date(2020, 1, 1),
                                               lead_time_days=16)]) == set()


def test_rule5_exactly_at_radius_and_just_past():
    d = haversine_km(*HARBIN, *DAQING)
    n = need(at=HARBIN)
    assert pairs([n], [offer(at=DAQING, delivery_radius_km=d)]) == {("N1", "O1")}
    assert pairs([n], [offer(at=DAQING, delivery_radius_km=d - 1e-6)]) == set()
    assert pairs([n], [offer(at=DAQING, delivery_radius_km=d + 1e-6)]) == {("N1", "O1")}
    assert pairs([n], [offer(at=DAQING, delivery_radius_km=None)]) == {("N1", "O1")}
    # same county, radius zero: distance zero is within reach
    assert pairs([n], [offer(at=HARBIN, delivery_radius_km=0)]) == {("N1", "O1")}


def test_rule5_radius_computed_by_textbook_formula():
    """A radius computed by another haversine implementation still counts as the boundary."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*HARBIN, *DAQING))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    d = 2 * 6371.0 * math.atan2(math.sqrt(a), math.sqrt(1 - a))
    assert pairs([need()], [offer(at=DAQING, delivery_radius_km=d)]) == {("N1", "O1")}


def test_rule6_price_at_the_cap_and_just_past():
    assert pairs([need(max_unit_price=10.0)], [offer(unit_price=10.0)]) == {("N1", "O1")}
    assert pairs([need(max_unit_price=10.0)], [offer(unit_price=10.01)]) == set()
    assert pairs([need(max_unit_price=None)], [offer(unit_price=1e9)]) == {("N1", "O1")}
    assert pairs([need(max_unit_price=1.0)], [offer(unit_price=None)]) == {("N1", "O1")}


def test_rule7_supplier_must_be_live():
    assert pairs([need()], [offer(supplier_live=False)]) == set()
    assert pairs([need()], [offer(supplier_live=True)]) == {("N1", "O1")}
    # still an open posting the run considers, but never paired
    r = propose_pairings([need()], [offer(supplier_live=False)], as_of=AS_OF)
    assert r.offers == [("O1", 10.0)] and r.pairings == []
    idx = build_index([need()], [offer(supplier_live=False)], as_of=AS_OF)
    assert best_partners(idx.need("N1"), idx) == []


def test_nothing_left_open_is_not_a_candidate():
    assert pairs([need(quantity=0.0)], [offer()]) == set()
    assert pairs([need()], [offer(quantity=0.0)]) == set()


# ---------------------------------------------------------------------------
# runs


def test_splits_over_several_offers_and_several_needs():
    needs = [need("N1", quantity=30), need("N2", quantity=30)]
    offers = [offer("O1", firm="S1", quantity=25), offer("O2", firm="S2", quantity=20),
              offer("O3", firm="S3", quantity=15)]
    r = propose_pairings(needs, offers, as_of=AS_OF)
    assert r.objective["matched_quantity"] == 60.0
    by_need, by_offer = {}, {}
    for p in r.pairings:
        by_need[p.need] = by_need.get(p.need, 0) + p.quantity
        by_offer[p.offer] = by_offer.get(p.offer, 0) + p.quantity
    assert by_need == {"N1": 30.0, "N2": 30.0}
    assert all(by_offer[o] <= q for o, q in (("O1", 25), ("O2", 20), ("O3", 15)))
    assert sum(by_offer.values()) == 60.0
    # somebody is split
    assert len(r.pairings) > 3
    assert r.unmet == []


def test_unmet_quantity_is_reported():
    r = propose_pairings([need("N1", quantity=50), need("N2", quantity=5, category="glass")],
                         [offer(quantity=20)], as_of=AS_OF)
    assert [(u.need, u.quantity) for u in r.unmet] == [("N1", 30.0), ("N2", 5.0)]
    assert r.objective["matched_quantity"] == 20.0


def test_declined_pairs_are_not_proposed_again():
    needs = [need("N1", quantity=10)]
    offers = [offer("O1", quantity=10), offer("O2", firm="T", quantity=10, at=DAQING)]
    first = propose_pairings(needs, offers, as_of=AS_OF)
    assert [p.offer for p in first.pairings] == ["O1"]  # nearer
    second = propose_pairings(needs, offers, as_of=AS_OF, declined={("N1", "O1")})
    assert [p.offer for p in second.pairings] == ["O2"]
    assert ("N1", "O1") not in {(c.need, c.offer) for c in second.candidates}
    third = propose_pairings(needs, offers, as_of=AS_OF, declined={("N1", "O1"), ("N1", "O2")})
    assert third.pairings == [] and third.unmet[0].quantity == 10.0


def test_quantity_first_then_cost():
    # O1 is far cheaper for N1, but giving it to N1 would leave N2 uncovered
    n1 = need("N1", quantity=10, at=HARBIN)
    n2 = need("N2", quantity=10, at=DAQING)
    o1 = offer("O1", quantity=10, at=HARBIN)
    o2 = offer("O2", firm="T", quantity=10, at=HARBIN, delivery_radius_km=1)
    r = propose_pairings([n1, n2], [o1, o2], as_of=AS_OF)
    assert r.objective["matched_quantity"] == 20.0
    assert {(p.need, p.offer) for p in r.pairings} == {("N1", "O2"), ("N2", "O1")}


def test_result_is_deterministic_whatever_the_input_order():
    rng = random.Random(7)
    needs, offers = _random_instance(rng, 40, 40)
    a = propose_pairings(needs, offers, as_of=AS_OF)
    needs2, offers2 = needs[:], offers[:]
    rng.shuffle(needs2)
    rng.shuffle(offers2)
    b = propose_pairings(needs2, offers2, as_of=AS_OF)
    assert a.to_dict() == b.to_dict()


def test_run_file_shape():
    r = propose_pairings([need(terms=("pay_first",))], [offer(unit_price=3.0)], as_of=AS_OF)
    d = r.to_dict()
    assert d["as_of"] == "2020-03-16"
    assert d["needs"] == [{"ref": "N1", "open_quantity": 10.0, "category": "steel", "product": None, "unit": None,
                           "accepts": []}]
    assert d["offers"] == [{"ref": "O1", "open_quantity": 10.0, "category": "steel", "product": None, "unit": None}]
    (c,) = d["candidates"]
    assert set(c) == {"need", "offer", "unit_cost", "distance_km"}
    (p,) = d["pairings"]
    assert p["need"] == "N1" and p["offer"] == "O1" and p["quantity"] == 10.0
    assert "买方先付款 / buyer pays first" in p["reasons"]
    assert d["unmet"] == []
    assert d["objective"] == {"matched_quantity": 10.0, "total_cost": pytest.approx(10 * c["unit_cost"])}


# ---------------------------------------------------------------------------
# unit cost and reasons


def _cost(n, o, **kw):
    (c,) = allowed_pairs(build_index([n], [o], as_of=AS_OF, **kw))
    return c.unit_cost


def test_unit_cost_prefers_what_the_spec_says():
    base = _cost(need(), offer(at=DAQING))
    assert _cost(need(), offer(at=HARBIN)) < base  # nearer
    assert _cost(need(max_unit_price=10), offer(unit_price=5)) < _cost(
        need(max_unit_price=10), offer(unit_price=9))  # cheaper
    assert _cost(need(), offer(lead_time_days=1)) < _cost(need(), offer(lead_time_days=8))
    assert _cost(need(firm_kind="leading"), offer(firm_kind="sme")) < _cost(
        need(firm_kind="leading"), offer(firm_kind="leading"))  # hand in hand
    assert _cost(need(), offer(workers_back=0.9)) < _cost(need(), offer(workers_back=0.2))
    assert _cost(need(terms=("pay_first",)), offer()) < _cost(need(), offer())
    assert _cost(need(terms=ARTICLE_TERMS), offer()) < _cost(need(terms=("pay_first",)), offer())


ARTICLE_TERMS = ("order_first", "supply_first", "pay_first")


def test_unit_cost_is_non_negative_and_follows_weights():
    zero = {k: 0.0 for k in DEFAULT_WEIGHTS}
    assert _cost(need(), offer(at=DAQING), weights=zero) == 0.0
    only_distance = dict(zero, distance=1.0)
    d = haversine_km(*HARBIN, *DAQING)
    assert _cost(need(), offer(at=DAQING), weights=only_distance) == pytest.approx(
        round(d / 100, 3), abs=1.5 / COST_SCALE)
    with pytest.raises(MatchingError):
        build_index([], [], as_of=AS_OF, weights={"distance": -1})
    with pytest.raises(MatchingError):
        build_index([], [], as_of=AS_OF, weights={"colour": 1})


def test_price_reference_is_category_median_without_a_cap():
    offers = [offer("O1", unit_price=10), offer("O2", firm="T", unit_price=20),
              offer("O3", firm="U", unit_price=30)]
    only_price = {k: 0.0 for k in DEFAULT_WEIGHTS} | {"price": 1.0}
    idx = build_index([need()], offers, as_of=AS_OF, weights=only_price)
    costs = {c.offer: c.unit_cost for c in allowed_pairs(idx)}
    assert costs == {"O1": 0.5, "O2": 1.0, "O3": 1.5}


def test_reasons_are_bilingual():
    n = need(terms=("order_first", "pay_first"), region="230102", max_unit_price=12)
    o = offer(workers_back=0.8, region="230102", lead_time_days=3, unit_price=10,
              at=(45.80, 126.60))
    reasons = pairing_reasons(n, o)
    assert reasons[0].startswith("同县，") and "same county" in reasons[0]
    assert "中小企业供应龙头企业 / SME for a leading buyer" in reasons
    assert "买方先付款 / buyer pays first" in reasons
    assert "买方先订货 / buyer orders first" in reasons
    assert "复工率 80% / 80% of workers back" in reasons
    assert "交货期 3 天 / lead time 3 days" in reasons
    price = [r for r in reasons if "unit price 10" in r]
    # the price fits the cap, and the reasons (read by the supplier too) do not tell the cap (issue 11)
    assert price == ["单价 10，在买方限价之内 / unit price 10 within the buyer's price cap"]
    assert not any("12" in r for r in reasons)
    other = pairing_reasons(need(region="230102"), offer(region="230600", at=DAQING,
                                                         category="alloy"))
    assert other[0].endswith("km away")
    assert any("substitute" in r and "替代" in r for r in other)
    assert all(" / " in r for r in reasons + other)


# ---------------------------------------------------------------------------
# optimality against independent methods


def _random_instance(rng, n_needs, n_offers, n_firms=12, cats=("a", "b", "c")):
    def point():
        return (45.0 + rng.random() * 3, 125.0 + rng.random() * 5)

    needs = [
        NeedRecord(
            "N%03d" % i, "F%d" % rng.randrange(n_firms), rng.choice(cats),
            rng.randint(1, 40) / 2, AS_OF + timedelta(days=rng.randint(0, 20)), *point(),
            firm_kind=rng.choice(("leading", "sme")),
            max_unit_price=rng.choice((None, rng.randint(5, 15))),
            terms=tuple(t for t in ARTICLE_TERMS if rng.random() < 0.4),
        )
        for i in range(n_needs)
    ]
    offers = [
        OfferRecord(
            "O%03d" % i, "F%d" % rng.randrange(n_firms), rng.choice(cats),
            rng.randint(1, 40) / 2, AS_OF + timedelta(days=rng.randint(-5, 10)), *point(),
            firm_kind=rng.choice(("leading", "sme")),
            available_until=rng.choice((None, AS_OF + timedelta(days=rng.randint(-2, 30)))),
            lead_time_days=rng.randint(0, 7),
            unit_price=rng.choice((None, rng.randint(4, 16))),
            delivery_radius_km=rng.choice((None, rng.randint(50, 400))),
            supplier_live=rng.random() < 0.9,
            workers_back=rng.choice((None, rng.random())),
        )
        for i in range(n_offers)
    ]
    return needs, offers


def _brute_force_pairs(needs, offers, as_of, substitutes):
    """The hard rules read straight off the spec, checked on every pair."""
    out = set()
    for n in needs:
        for o in offers:
            if o.firm == n.firm:
                continue
            if not (o.category == n.category or o.category in substitutes.get(n.category, ())):
                continue
            if n.status != "open" or o.status != "open" or n.needed_by < as_of:
                continue
            if o.available_until is not None and o.available_until < as_of:
                continue
            if max(o.available_from, as_of) + timedelta(days=o.lead_time_days) > n.needed_by:
                continue
            la1, lo1, la2, lo2 = map(math.radians, (n.lat, n.lon, o.lat, o.lon))
            a = (math.sin((la2 - la1) / 2) ** 2
                 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
            dist = 2 * 6371.0 * math.asin(math.sqrt(a))
            if o.delivery_radius_km is not None and dist > o.delivery_radius_km:
                continue
            if (o.unit_price is not None and n.max_unit_price is not None
                    and o.unit_price > n.max_unit_price):
                continue
            if not o.supplier_live:
                continue
            out.add((n.ref, o.ref))
    return out


def _networkx_optimum(result):
    """Max flow of min cost on the exported candidates, with networkx (integer units)."""
    G = nx.DiGraph()
    G.add_node("s")
    G.add_node("t")
    for ref, q in result.offers:
        G.add_edge("s", ("o", ref), capacity=round(q * QUANTITY_SCALE), weight=0)
    for ref, q in result.needs:
        G.add_edge(("n", ref), "t", capacity=round(q * QUANTITY_SCALE), weight=0)
    for c in result.candidates:
        G.add_edge(("o", c.offer), ("n", c.need), weight=round(c.unit_cost * COST_SCALE))
    flow = nx.max_flow_min_cost(G, "s", "t")
    matched = sum(flow["s"].values())
    cost = nx.cost_of_flow(G, flow)
    return matched / QUANTITY_SCALE, cost / (QUANTITY_SCALE * COST_SCALE)


def _linprog_optimum(result):
    """Two-stage LP with SciPy's HiGHS: max quantity, then min cost at that quantity."""
    linprog = pytest.importorskip("scipy.optimize").linprog
    cands = list(result.candidates)
    if not cands:
        return 0.0, 0.0
    ni = {r: i for i, (r, _) in enumerate(result.needs)}
    oi = {r: i for i, (r, _) in enumerate(result.offers)}
    m = len(cands)
    A = np.zeros((len(ni) + len(oi), m))
    for k, c in enumerate(cands):
        A[ni[c.need], k] = 1
        A[len(ni) + oi[c.offer], k] = 1
    b = np.array([q for _, q in result.needs] + [q for _, q in result.offers])
    first = linprog(-np.ones(m), A_ub=A, b_ub=b, bounds=(0, None), method="highs")
    best_q = -first.fun
    costs = np.array([c.unit_cost for c in cands])
    second = linprog(costs, A_ub=np.vstack([A, -np.ones(m)]),
                     b_ub=np.append(b, -best_q + 1e-9), bounds=(0, None), method="highs")
    return best_q, second.fun


def _check_feasible(result):
    open_n = dict(result.needs)
    open_o = dict(result.offers)
    allowed = {(c.need, c.offer) for c in result.candidates}
    used_n, used_o = {}, {}
    for p in result.pairings:
        assert (p.need, p.offer) in allowed
        assert p.quantity > 0
        used_n[p.need] = used_n.get(p.need, 0) + p.quantity
        used_o[p.offer] = used_o.get(p.offer, 0) + p.quantity
    assert all(used_n[r] <= open_n[r] + 1e-9 for r in used_n)
    assert all(used_o[r] <= open_o[r] + 1e-9 for r in used_o)
    assert sum(used_n.values()) == pytest.approx(result.objective["matched_quantity"])
    unit = {(c.need, c.offer): c.unit_cost for c in result.candidates}
    assert sum(p.quantity * unit[p.need, p.offer] for p in result.pairings) == pytest.approx(
        result.objective["total_cost"])


@pytest.mark.parametrize("band_min", [1, 10 ** 9])
@pytest.mark.parametrize("seed", range(12))
def test_candidates_are_exactly_the_allowed_pairs(seed, band_min, monkeypatch):
    """Whether blocks are searched by latitude bands or tested whole (candidates.BAND_MIN)."""
    from graphs.matching import candidates

    monkeypatch.setattr(candidates, "BAND_MIN", band_min)
    monkeypatch.setattr(candidates, "BAND_SHARE", 10 ** 9)  # bands whenever BAND_MIN says so
    rng = random.Random(seed)
    needs, offers = _random_instance(rng, 30, 30)
    subs = {"a": {"b"}, "c": {"a", "b"}}
    got = pairs(needs, offers, substitutes=subs)
    assert got == _brute_force_pairs(needs, offers, AS_OF, subs)


@pytest.mark.parametrize("seed", range(15))
def test_optimal_against_networkx(seed):
    rng = random.Random(100 + seed)
    needs, offers = _random_instance(rng, rng.randint(5, 25), rng.randint(5, 25))
    r = propose_pairings(needs, offers, as_of=AS_OF, substitutes={"a": {"b"}})
    _check_feasible(r)
    q, cost = _networkx_optimum(r)
    assert r.objective["matched_quantity"] == pytest.approx(q)
    assert r.objective["total_cost"] == pytest.approx(cost, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_optimal_against_two_stage_lp(seed):
    rng = random.Random(200 + seed)
    needs, offers = _random_instance(rng, 20, 20, cats=("a", "b"))
    r = propose_pairings(needs, offers, as_of=AS_OF, substitutes={"b": {"a"}},
                         batch_arcs=10 ** 9)
    _check_feasible(r)
    q, cost = _linprog_optimum(r)
    assert r.objective["matched_quantity"] == pytest.approx(q, abs=1e-6)
    assert r.objective["total_cost"] == pytest.approx(cost, rel=1e-7, abs=1e-6)


def test_brute_force_on_tiny_instances():
    """Enumerate every integer assignment of tiny instances; the solver finds the best."""
    import itertools

    rng = random.Random(5)
    for _ in range(25):
        k = rng.randint(1, 3)
        needs = [need("N%d" % i, firm="B%d" % i, quantity=rng.randint(1, 3),
                      at=(45 + rng.random(), 126 + rng.random())) for i in range(k)]
        offers = [offer("O%d" % j, firm="S%d" % j, quantity=rng.randint(1, 3),
                        at=(45 + rng.random(), 126 + rng.random()),
                        lead_time_days=rng.randint(0, 6)) for j in range(rng.randint(1, 3))]
        r = propose_pairings(needs, offers, as_of=AS_OF)
        cands = list(r.candidates)
        nq, oq = dict(r.needs), dict(r.offers)
        best = None
        ranges = [range(int(min(nq[c.need], oq[c.offer])) + 1) for c in cands]
        for xs in itertools.product(*ranges):
            un, uo = {}, {}
            for c, x in zip(cands, xs):
                un[c.need] = un.get(c.need, 0) + x
                uo[c.offer] = uo.get(c.offer, 0) + x
            if any(v > nq[key] for key, v in un.items()) or any(v > oq[key] for key, v in uo.items()):
                continue
            val = (-sum(xs), sum(c.unit_cost * x for c, x in zip(cands, xs)))
            if best is None or val < best:
                best = val
        assert r.objective["matched_quantity"] == -best[0]
        assert r.objective["total_cost"] == pytest.approx(best[1])


def test_per_component_and_whole_graph_agree():
    rng = random.Random(11)
    needs, offers = _random_instance(rng, 60, 60, cats=("a", "b", "c", "d", "e"))
    a = propose_pairings(needs, offers, as_of=AS_OF, batch_arcs=1)
    b = propose_pairings(needs, offers, as_of=AS_OF, batch_arcs=10 ** 9)
    assert a.objective["matched_quantity"] == b.objective["matched_quantity"]
    assert a.objective["total_cost"] == pytest.approx(b.objective["total_cost"])


def test_solve_pairings_rejects_negative_costs():
    with pytest.raises(MatchingError):
        solve_pairings(np.array([1]), np.array([1]), np.array([0]), np.array([0]),
                       np.array([-1]))


def test_greedy_is_never_better_than_the_optimum():
    rng = random.Random(3)
    for _ in range(10):
        needs, offers = _random_instance(rng, 30, 30)
        idx = build_index(needs, offers, as_of=AS_OF)
        opt = propose_pairings(None, None, index=idx).objective
        for order in ("cost", "need"):
            greedy = greedy_pairings(idx, order=order)
            assert greedy["matched_quantity"] <= opt["matched_quantity"] + 1e-9
            if greedy["matched_quantity"] == opt["matched_quantity"]:
                assert greedy["total_cost"] >= opt["total_cost"] - 1e-9
    with pytest.raises(MatchingError):
        greedy_pairings(idx, order="random")


# ---------------------------------------------------------------------------
# best partners


def test_best_partners_of_a_need_match_the_candidates():
    rng = random.Random(21)
    needs, offers = _random_instance(rng, 50, 80)
    subs = {"a": {"b"}}
    idx = build_index(needs, offers, as_of=AS_OF, substitutes=subs)
    cands = list(allowed_pairs(idx))
    for n in idx.needs:
        mine = sorted(((c.unit_cost, c.offer) for c in cands if c.need == n.ref))
        got = best_partners(n, idx, n=5)
        assert [(p["unit_cost"], p["ref"]) for p in got] == mine[:5]
        assert all(p["reasons"] for p in got)


def test_best_partners_of_an_offer_match_the_candidates():
    rng = random.Random(22)
    needs, offers = _random_instance(rng, 80, 50)
    subs = {"a": {"b"}, "c": {"b"}}
    idx = build_index(needs, offers, as_of=AS_OF, substitutes=subs)
    cands = list(allowed_pairs(idx))
    for o in idx.offers:
        mine = sorted(((c.unit_cost, c.need) for c in cands if c.offer == o.ref))
        got = best_partners(o, idx, n=4)
        assert [(p["unit_cost"], p["ref"]) for p in got] == mine[:4]


def test_best_partners_skip_declined_and_score_new_postings():
    needs = [need("N1")]
    offers = [offer("O1"), offer("O2", firm="T", at=DAQING)]
    idx = build_index(needs, offers, as_of=AS_OF, declined={("N1", "O1")})
    assert [p["ref"] for p in best_partners(idx.need("N1"), idx)] == ["O2"]
    fresh = need("N9", firm="Z")  # not in the index: scored against it all the same
    assert [p["ref"] for p in best_partners(fresh, idx)] == ["O1", "O2"]
    assert best_partners(need("N8", status="closed"), idx) == []
    assert best_partners(offer("O9", firm="Q", supplier_live=False), idx) == []
    assert [p["ref"] for p in best_partners(offer("O9", firm="Q"), idx)] == ["N1"]
    with pytest.raises(MatchingError):
        best_partners("N1", idx)


def test_duplicate_refs_and_missing_coordinates_are_rejected():
    with pytest.raises(MatchingError):
        build_index([need("N1"), need("N1")], [], as_of=AS_OF)
    with pytest.raises(MatchingError):
        build_index([need(at=(None, 126.0))], [], as_of=AS_OF)


def test_empty_instances():
    assert propose_pairings([], [], as_of=AS_OF).to_dict() == {
        "as_of": "2020-03-16", "needs": [], "offers": [], "candidates": [], "pairings": [],
        "unmet": [], "objective": {"matched_quantity": 0.0, "total_cost": 0.0}}
    r = propose_pairings([need()], [], as_of=AS_OF)
    assert [(u.need, u.quantity) for u in r.unmet] == [("N1", 10.0)]
    assert best_partners(need(), build_index([], [], as_of=AS_OF)) == []


# ---------------------------------------------------------------------------
# products (spec/products.md): rule 2 (a) and (b), exact optimum on mixed instances

# category -> unit, and product -> (category, unit): "a3" is counted in another unit than its
# category, so some pairs of the same category are ruled out by (b) alone
CATEGORY_UNITS = {"a": "t", "b": "t", "c": "head"}
PRODUCTS = {"a1": ("a", "t"), "a2": ("a", "t"), "a3": ("a", "kg"), "b1": ("b", "t"), "c1": ("c", "head")}


def _goods(rng):
    """(category, product or None, unit): a product on about half the postings, the unit the
    product's, else the category's."""
    if rng.random() < 0.5:
        product = rng.choice(sorted(PRODUCTS))
        category, unit = PRODUCTS[product]
        return category, product, unit
    category = rng.choice(sorted(CATEGORY_UNITS))
    return category, None, CATEGORY_UNITS[category]


def _random_product_instance(rng, n_needs, n_offers):
    needs, offers = _random_instance(rng, n_needs, n_offers)
    out_n = []
    for n in needs:
        category, product, unit = _goods(rng)
        accepts = tuple(rng.sample(sorted(PRODUCTS), rng.randint(1, 2))) if rng.random() < 0.4 else ()
        out_n.append(n._replace(category=category, product=product, accepts=accepts, unit=unit))
    out_o = []
    for o in offers:
        category, product, unit = _goods(rng)
        out_o.append(o._replace(category=category, product=product, unit=unit))
    return out_n, out_o


def _spec_rule_2(n, o, substitutes):
    """Rule 2 of matching.md as products.md rewrites it, read straight off the text."""
    if n.product is not None and o.product is not None:
        goods = o.product == n.product or o.product in n.accepts
    else:
        goods = o.category == n.category or o.category in substitutes.get(n.category, ())
    return goods and n.unit == o.unit


def _brute_force_product_pairs(needs, offers, as_of, substitutes):
    """Every hard rule, with rule 2 of products.md, checked on every pair."""
    out = set()
    plain = _brute_force_pairs(needs, offers, as_of, {c: set(CATEGORY_UNITS) for c in CATEGORY_UNITS})
    for n in needs:
        for o in offers:
            if (n.ref, o.ref) in plain and _spec_rule_2(n, o, substitutes):
                out.add((n.ref, o.ref))
    return out


def test_rule2_products_boundaries():
    milk = need(category="dairy", product="milk", unit="t")
    assert pairs([milk], [offer(category="dairy", product="milk", unit="t")]) == {("N1", "O1")}
    # same category, another product: not allowed (the category rule does not apply)
    assert pairs([milk], [offer(category="dairy", product="hogs", unit="t")]) == set()
    # ... unless the buyer accepts it, whatever its category
    goat = need(category="dairy", product="milk", accepts=("goat",), unit="t")
    assert pairs([goat], [offer(category="meat", product="goat", unit="t")]) == {("N1", "O1")}
    # either side names no product: by category (and substitutes), in the same unit
    assert pairs([milk], [offer(category="dairy", unit="t")]) == {("N1", "O1")}
    assert pairs([need(category="dairy", unit="t")], [offer(category="dairy", product="hogs", unit="t")]) == {
        ("N1", "O1")}
    assert pairs([milk], [offer(category="feed", unit="t")], substitutes={"dairy": {"feed"}}) == {("N1", "O1")}
    # (b) another unit rules a pair out in every case
    assert pairs([need(category="dairy", unit="t")], [offer(category="dairy", product="hogs", unit="head")]) == set()
    assert pairs([milk], [offer(category="dairy", product="milk", unit="kL")]) == set()


@pytest.mark.parametrize("seed", range(12))
def test_candidates_with_products_are_exactly_the_allowed_pairs(seed):
    rng = random.Random(700 + seed)
    needs, offers = _random_product_instance(rng, 40, 40)
    subs = {"a": {"b"}, "c": {"a", "b"}}
    got = pairs(needs, offers, substitutes=subs)
    assert got == _brute_force_product_pairs(needs, offers, AS_OF, subs)
    assert got != _brute_force_pairs(needs, offers, AS_OF, subs)  # the product rules changed something
    # every kind of posting is present, and some same-category pairs fall to the unit or product rule
    assert any(n.product for n in needs) and any(not n.product for n in needs) and any(n.accepts for n in needs)
    assert any(o.product for o in offers) and any(not o.product for o in offers)


@pytest.mark.parametrize("seed", range(10))
def test_optimal_with_products_against_networkx(seed):
    rng = random.Random(800 + seed)
    needs, offers = _random_product_instance(rng, rng.randint(8, 25), rng.randint(8, 25))
    subs = {"a": {"b"}}
    r = propose_pairings(needs, offers, as_of=AS_OF, substitutes=subs)
    assert {(c.need, c.offer) for c in r.candidates} == _brute_force_product_pairs(needs, offers, AS_OF, subs)
    _check_feasible(r)
    q, cost = _networkx_optimum(r)
    assert r.objective["matched_quantity"] == pytest.approx(q)
    assert r.objective["total_cost"] == pytest.approx(cost, abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_optimal_with_products_against_two_stage_lp(seed):
    rng = random.Random(900 + seed)
    needs, offers = _random_product_instance(rng, 25, 25)
    subs = {"b": {"a"}, "c": {"a"}}
    r = propose_pairings(needs, offers, as_of=AS_OF, substitutes=subs, batch_arcs=10 ** 9)
    assert {(c.need, c.offer) for c in r.candidates} == _brute_force_product_pairs(needs, offers, AS_OF, subs)
    _check_feasible(r)
    q, cost = _linprog_optimum(r)
    assert r.objective["matched_quantity"] == pytest.approx(q, abs=1e-6)
    assert r.objective["total_cost"] == pytest.approx(cost, rel=1e-7, abs=1e-6)


def test_best_partners_with_products_match_the_candidates():
    rng = random.Random(31)
    needs, offers = _random_product_instance(rng, 50, 80)
    subs = {"a": {"b"}}
    idx = build_index(needs, offers, as_of=AS_OF, substitutes=subs)
    cands = list(allowed_pairs(idx))
    for n in idx.needs:
        mine = sorted(((c.unit_cost, c.offer) for c in cands if c.need == n.ref))
        assert [(p["unit_cost"], p["ref"]) for p in best_partners(n, idx, n=5)] == mine[:5]
    for o in idx.offers:
        mine = sorted(((c.unit_cost, c.need) for c in cands if c.offer == o.ref))
        assert [(p["unit_cost"], p["ref"]) for p in best_partners(o, idx, n=5)] == mine[:5]
    # a posting the index does not hold is scored by the same rule (goods the index has never seen)
    new = need("NEW", firm="X", category="a", product="a2", accepts=("b1",), unit="t")
    allowed = {o.ref for o in idx.offers if _spec_rule_2(new, o, subs)}
    assert {p["ref"] for p in best_partners(new, idx, n=100)} <= allowed


def test_run_file_entries_carry_category_product_unit_and_accepts():
    n = need(category="dairy", product="milk", accepts=("goat",), unit="t")
    o = offer(category="dairy", unit="t")
    d = propose_pairings([n], [o], as_of=AS_OF).to_dict()
    assert d["needs"] == [{"ref": "N1", "open_quantity": 10.0, "category": "dairy", "product": "milk", "unit": "t",
                           "accepts": ["goat"]}]
    assert d["offers"] == [{"ref": "O1", "open_quantity": 10.0, "category": "dairy", "product": None, "unit": "t"}]


def test_reasons_name_the_products():
    names = {"milk": ("生鲜乳", "raw milk"), "goat": ("生羊乳", "raw goat milk")}
    n = need(category="dairy", product="milk", accepts=("goat",), unit="t")
    same = offer("O1", category="dairy", product="milk", unit="t")
    alt = offer("O2", category="dairy", product="goat", unit="t")
    plain = offer("O3", category="dairy", unit="t")
    idx = build_index([n], [same, alt, plain], as_of=AS_OF, product_names=names)
    reasons = {p.offer: p.reasons for p in propose_pairings(None, None, index=idx).pairings}
    assert pairing_reasons(n, same, index=idx)[0] == "产品：生鲜乳 / product: raw milk"
    assert pairing_reasons(n, alt, index=idx)[0] == ("买方亦收 生羊乳（替代 生鲜乳） / "
                                                     "the buyer also takes raw goat milk instead of raw milk")
    assert pairing_reasons(n, plain, index=idx)[0] == ("买方要 生鲜乳，供方按品类供货 / "
                                                       "the buyer asks for raw milk, offered by category")
    assert all(r[0].startswith(("产品", "买方")) for r in reasons.values())
    # no product on either side: no product reason, the distance comes first as before
    assert pairing_reasons(need(), offer())[0].startswith("同") or "km" in pairing_reasons(need(), offer())[0]


def test_price_median_is_per_product_and_unit():
    cheap = offer("O1", firm="S1", category="dairy", product="milk", unit="t", unit_price=2)
    dear = offer("O2", firm="S2", category="dairy", product="antler", unit="t", unit_price=900)
    idx = build_index([need(category="dairy", unit="t")], [cheap, dear], as_of=AS_OF)
    reasons = pairing_reasons(idx.needs[0], cheap, index=idx)
    assert "单价 2，同产品中位价 2 / unit price 2, product median 2" in reasons


def test_goods_groups_agree_with_the_rule_on_every_pair_of_groups():
    from graphs.matching import GoodsGroups, goods_allowed, need_goods, offer_goods

    rng = random.Random(5)
    subs = {"a": ("b",), "c": ("a", "c")}
    for _ in range(20):
        need_keys = list({need_goods(*_goods(rng)[:2], rng.sample(sorted(PRODUCTS), rng.randint(0, 2)),
                                     rng.choice(("t", "kg", "head"))) for _ in range(12)})
        offer_keys = list({offer_goods(*_goods(rng)[:2], rng.choice(("t", "kg", "head"))) for _ in range(12)})
        groups = GoodsGroups(need_keys, offer_keys, subs)
        for k, n in enumerate(need_keys):
            expected = tuple(g for g, o in enumerate(offer_keys) if goods_allowed(n, o, subs))
            assert groups.supply[k] == expected == groups.supply_of(n)
        for g, o in enumerate(offer_keys):
            assert groups.demand[g] == groups.demand_of(o)
            assert groups.demand[g] == tuple(k for k, n in enumerate(need_keys) if _spec_rule_2(n, o, subs))


@pytest.mark.parametrize("seed", range(6))
def test_a_runs_reasons_are_those_of_each_pair(seed):
    """pairings_reasons (a run's reasons, worded at once) says for each pair what pairing_reasons
    says of it alone: products, regions (county, city, afar), substitutes, caps and medians,
    SMEs for leading buyers, supply first, workers back and terms."""
    from graphs.matching import pairings_reasons

    rng = random.Random(900 + seed)
    needs, offers = _random_product_instance(rng, 40, 40)
    counties = ("230102", "230103", "230202", None)
    needs = [n._replace(region=rng.choice(counties)) for n in needs]
    offers = [o._replace(region=rng.choice(counties)) for o in offers]
    firms = sorted({n.buyer for n in needs} | {o.supplier for o in offers})
    customers = {f: rng.sample(firms, 3) for f in firms[:5]}
    index = build_index(needs, offers, as_of=AS_OF, substitutes={"a": {"b"}, "c": {"a"}}, customers=customers,
                        product_names={"a1": ("甲一", "A one"), "b1": ("乙一", "B one")})
    ni, oi, _cost, dist = candidate_arrays(index)
    assert ni.size > 50
    dist = dist.copy()
    dist[::7] = np.floor(dist[::7]) + 0.5  # ties of the kilometre rounding
    expected = [tuple(pairing_reasons(index.needs[i], index.offers[j], d, index=index))
                for i, j, d in zip(ni.tolist(), oi.tolist(), dist.tolist())]
    assert pairings_reasons(index, ni, oi, dist) == expected
    assert pairings_reasons(index, ni[:0], oi[:0], dist[:0]) == []


def test_a_runs_capped_price_reasons_are_worded_per_printed_price():
    """Within a cap the reason says the offer's own price: two prices equal as numbers but printed
    apart (0.0 and -0.0, of different goods) each keep their own words, as pairing_reasons gives."""
    from graphs.matching import pairings_reasons

    need = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), *HARBIN, region="230102", max_unit_price=10)
    offers = [OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), *HARBIN, region="230102", unit_price=0.0),
              OfferRecord("O2", "T", "steel", 5, date(2020, 3, 1), *HARBIN, region="230102", unit_price=-0.0,
                          product="p1")]
    index = build_index([need], offers, as_of=AS_OF)
    ni, oi, dist = np.array([0, 0]), np.array([0, 1]), np.array([1.0, 1.0])
    reasons = pairings_reasons(index, ni, oi, dist)
    assert reasons == [tuple(pairing_reasons(need, o, 1.0, index=index)) for o in offers]
    assert [[r for r in rs if "price" in r] for rs in reasons] == [
        ["单价 0，在买方限价之内 / unit price 0 within the buyer's price cap"],
        ["单价 -0，在买方限价之内 / unit price -0 within the buyer's price cap"]]


@pytest.mark.parametrize("seed", range(4))
def test_latitude_bands_find_the_same_candidates(seed, monkeypatch):
    """Searching blocks by latitude bands gives the very arrays testing them whole gives: the same
    pairs in the same order, the same distances and costs (radii set and unset, far and near)."""
    from graphs.matching import candidates

    rng = random.Random(40 + seed)
    needs, offers = _random_instance(rng, 150, 150, n_firms=30, cats=("a", "b"))
    offers = [o._replace(delivery_radius_km=rng.choice((None, 20.0, 60.0, 150.0))) for o in offers]
    index = build_index(needs, offers, as_of=AS_OF, substitutes={"a": {"b"}})
    monkeypatch.setattr(candidates, "BAND_MIN", 10 ** 9)
    whole = candidate_arrays(index)
    monkeypatch.setattr(candidates, "BAND_MIN", 1)
    for share in (1, 4, 10 ** 9):  # from whole blocks to bands only
        monkeypatch.setattr(candidates, "BAND_SHARE", share)
        banded = candidate_arrays(index)
        assert whole[0].size > 100
        for a, b in zip(whole, banded):
            assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("seed", range(6))
def test_a_runs_result_is_each_pairs_flow_cost_distance_and_reasons(seed):
    """The result of a run, built from columns at once, is pairing by pairing what the candidate
    arrays and the solved flow say: refs, quantity, unit cost, distance to the metre (Python's
    round), reasons; the unmet needs and the objective's total cost in exact integers."""
    from graphs.matching import ProposedPairing, UnmetNeed, solve_pairings
    from graphs.matching.costs import COST_SCALE, QUANTITY_SCALE

    rng = random.Random(1700 + seed)
    needs, offers = _random_product_instance(rng, 60, 60)
    firms = sorted({n.buyer for n in needs} | {o.supplier for o in offers})
    index = build_index(needs, offers, as_of=AS_OF, substitutes={"a": {"b"}},
                        customers={f: rng.sample(firms, 3) for f in firms[:4]})
    ni, oi, cost, dist = candidate_arrays(index)
    flow = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost)
    result = propose_pairings(None, None, index=index)
    used = [k for k in range(ni.size) if flow[k] > 0]
    assert used
    expected = [ProposedPairing(index.needs[ni[k]].ref, index.offers[oi[k]].ref, int(flow[k]) / QUANTITY_SCALE,
                                int(cost[k]) / COST_SCALE, round(float(dist[k]), 3),
                                tuple(pairing_reasons(index.needs[ni[k]], index.offers[oi[k]], float(dist[k]),
                                                      index=index)))
                for k in used]
    assert result.pairings == expected
    matched = [0] * len(index.needs)
    for k in used:
        matched[ni[k]] += int(flow[k])
    assert result.unmet == [UnmetNeed(n.ref, (int(index.n_qty[i]) - matched[i]) / QUANTITY_SCALE)
                            for i, n in enumerate(index.needs) if matched[i] < index.n_qty[i]]
    total = sum(int(flow[k]) * int(cost[k]) for k in used)
    assert result.objective["total_cost"] == total / (QUANTITY_SCALE * COST_SCALE)


def test_the_sum_of_products_is_exact_in_and_beyond_int64():
    from graphs.matching.propose import _sum_of_products

    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 10 ** 6, 5000), rng.integers(0, 10 ** 6, 5000)
    assert _sum_of_products(a, b) == sum(int(x) * int(y) for x, y in zip(a, b))
    big = np.array([2 ** 40, 2 ** 40, 3], dtype=np.int64)  # products beyond int64: summed in Python
    assert _sum_of_products(big, big) == 2 * 2 ** 80 + 9
    assert _sum_of_products(big[:0], big[:0]) == 0


def test_distances_from_the_indexed_cosines_are_those_of_the_formula():
    """The index keeps each posting's cos(latitude): the distances computed from them are, bit for
    bit, those of the haversine formula computing the cosines per pair."""
    from graphs.matching.geo import haversine_rad

    rng = np.random.default_rng(11)
    lat, lon = np.radians(rng.uniform(-80, 80, 5000)), np.radians(rng.uniform(-180, 180, 5000))
    coslat = np.cos(lat)
    for size in (1, 7, 64, 1001, 20000):
        a, b = rng.integers(0, lat.size, size), rng.integers(0, lat.size, size)
        plain = haversine_rad(lat[a], lat[b], lat[b] - lat[a], lon[b] - lon[a])
        kept = haversine_rad(lat[a], lat[b], lat[b] - lat[a], lon[b] - lon[a], cos1=coslat[a], cos2=coslat[b])
        assert plain.tobytes() == kept.tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_longitude_reach_leaves_out_only_pairs_out_of_reach(seed, monkeypatch):
    """The band search leaves out pairs too far apart in longitude before computing their distance:
    the same arrays as testing whole blocks, also across the antimeridian, at high latitudes and on
    pairs placed exactly on their radius along a parallel."""
    from graphs.matching import candidates
    from graphs.matching.geo import haversine_km

    rng = random.Random(70 + seed)
    needs, offers = _random_instance(rng, 120, 120, n_firms=30, cats=("a",))

    def moved(r, k):
        lat, lon = (rng.uniform(60, 85), rng.choice((-179.9, 179.9)) + rng.uniform(-0.5, 0.5)) if k % 3 == 0 else (
            rng.uniform(44, 46), 125.0 + rng.uniform(-3, 3))
        return r._replace(lat=lat, lon=(lon + 180.0) % 360.0 - 180.0)

    needs = [moved(n, k) for k, n in enumerate(needs)]
    offers = [moved(o, k)._replace(delivery_radius_km=rng.choice((20.0, 60.0, 150.0, 400.0)), available_until=None,
                                   supplier_live=True) for k, o in enumerate(offers)]
    if seed % 2:  # the on-radius pairs set the reach: every other radius is shorter
        offers = [o._replace(delivery_radius_km=min(o.delivery_radius_km, 10.0)) for o in offers]
    # offers exactly on their radius from a need, due east along its parallel
    for k in range(10):
        n, o = needs[k], offers[k]
        lon = n.lon + 0.5
        offers[k] = o._replace(lat=n.lat, lon=lon, delivery_radius_km=haversine_km(n.lat, n.lon, n.lat, lon))
    index = build_index(needs, offers, as_of=AS_OF)
    monkeypatch.setattr(candidates, "BAND_MIN", 10 ** 9)
    whole = candidate_arrays(index)
    monkeypatch.setattr(candidates, "BAND_MIN", 1)
    monkeypatch.setattr(candidates, "BAND_SHARE", 0)  # always the bands
    banded = candidate_arrays(index)
    assert whole[0].size > (10 if seed % 2 else 50)
    for a, b in zip(whole, banded):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_longitude_reach_is_a_lower_bound_of_the_distance():
    from graphs.matching.candidates import longitude_reach
    from graphs.matching.geo import haversine_km

    rng = random.Random(5)
    for _ in range(2000):
        lat1, lat2 = rng.uniform(-89, 89), rng.uniform(-89, 89)
        radius = rng.choice((1.0, 30.0, 400.0, 3000.0))
        reach = longitude_reach(radius, min(math.cos(math.radians(lat1)), math.cos(math.radians(lat2))))
        if reach is None:
            continue
        dlon = math.degrees(reach) * rng.uniform(1.0, 3.0)
        if dlon < 360 - math.degrees(reach):
            assert haversine_km(lat1, 0.0, lat2, dlon) > radius


def test_a_pair_on_its_radius_along_a_parallel_is_not_left_out_by_the_longitude_reach(monkeypatch):
    """Along a parallel the longitude reach is the distance's bound itself: a pair exactly on the
    radius stays (the reach carries a margin)."""
    from graphs.matching import candidates
    from graphs.matching.geo import EARTH_RADIUS_KM, haversine_km

    lat, radius = 50.0, 100.0
    step = math.degrees(2 * math.asin(math.sin(radius / (2 * EARTH_RADIUS_KM)) / math.cos(math.radians(lat))))
    needs = [NeedRecord("N%d" % k, "B%d" % k, "a", 5, AS_OF + timedelta(days=9), lat, 120.0 + k) for k in range(5)]
    offers = [OfferRecord("O%d" % k, "S%d" % k, "a", 5, AS_OF, lat, 120.0 + k + step,
                          delivery_radius_km=haversine_km(lat, 120.0 + k, lat, 120.0 + k + step)) for k in range(5)]
    index = build_index(needs, offers, as_of=AS_OF)
    monkeypatch.setattr(candidates, "BAND_MIN", 10 ** 9)
    whole = candidate_arrays(index)
    monkeypatch.setattr(candidates, "BAND_MIN", 1)
    monkeypatch.setattr(candidates, "BAND_SHARE", 0)
    banded = candidate_arrays(index)
    assert whole[0].size >= 5
    for a, b in zip(whole, banded):
        assert np.array_equal(a, b)


# ---------------------------------------------------------------------------
# which needs have an allowed offer (the weekly report's chain breaks)


@pytest.mark.parametrize("band_min, block", [(1, 7), (10 ** 9, 1 << 21), (64, 40)])
@pytest.mark.parametrize("seed", range(25))
def test_needs_with_allowed_are_the_needs_of_the_allowed_pairs(seed, band_min, block, monkeypatch):
    """needs_with_allowed (no pair kept, a need found not tested again) says of each need what the
    allowed pairs say: categories with substitutes, products with accepts and units, declined
    pairs, radii, dates; blocks cut small, searched by bands or whole."""
    from graphs.matching import candidates, needs_with_allowed

    monkeypatch.setattr(candidates, "BAND_MIN", band_min)
    monkeypatch.setattr(candidates, "BLOCK", block)
    rng = random.Random(900 + seed)
    make = _random_product_instance if seed % 2 else _random_instance
    needs, offers = make(rng, rng.randint(1, 60), rng.randint(1, 60))
    cats = sorted({n.category for n in needs} | {o.category for o in offers})
    subs = {c: set(rng.sample(cats, rng.randint(0, min(3, len(cats))))) for c in cats if rng.random() < 0.6}
    all_pairs = [(n.ref, o.ref) for n in needs for o in offers]
    declined = rng.sample(all_pairs, rng.randint(0, len(all_pairs) // 3))
    index = build_index(needs, offers, as_of=AS_OF, substitutes=subs, declined=declined)
    got = needs_with_allowed(index)
    assert got.dtype == bool and got.shape == (len(index.needs),)
    ni = candidate_arrays(index)[0]
    assert got.nonzero()[0].tolist() == np.unique(ni).tolist()
    assert {index.needs[i].ref for i in got.nonzero()[0]} == {c.need for c in allowed_pairs(index)}


def test_needs_with_allowed_skips_a_need_found_but_not_one_declined():
    """A need with an allowed offer in its own category is not tested against its substitutes'
    offers; a need whose only offer in its category was declined still finds a substitute's."""
    from graphs.matching import needs_with_allowed

    n1, n2 = need("N1", category="a"), need("N2", category="a")
    own, sub = offer("O1", category="a"), offer("O2", category="b", at=DAQING, delivery_radius_km=10)
    index = build_index([n1, n2], [own, sub], as_of=AS_OF, substitutes={"a": {"b"}}, declined=[("N2", "O1")])
    assert needs_with_allowed(index).tolist() == [True, False]  # O2 is out of N2's reach
    far = offer("O2", category="b", at=DAQING)
    index = build_index([n1, n2], [own, far], as_of=AS_OF, substitutes={"a": {"b"}}, declined=[("N2", "O1")])
    assert needs_with_allowed(index).tolist() == [True, True]
