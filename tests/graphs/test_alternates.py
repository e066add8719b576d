"""graphs.alternates: alternates per break, one joint allocation, never over-committed, optimal."""
import itertools
import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from graphs.alternates import (STAND_IN_PREFIX, BreakDemand, break_demands, find_alternates,
                               stand_in_need)
from graphs.matching import allowed_pairs, build_index
from graphs.records import Need, NeedRecord, OfferRecord
from tests.graphs.test_matching import _brute_force_pairs, _random_instance

AS_OF = date(2020, 3, 16)
HARBIN = (45.7567, 126.6424)
PLACE = (HARBIN[0], HARBIN[1], "leading", "230102")


def offer(ref, firm, quantity, category="steel", at=HARBIN, **kw):
    return OfferRecord(ref, firm, category, quantity, date(2020, 3, 1), at[0], at[1], **kw)


def demand(key, buyer, quantity, category="steel", supplier=None, kind=None, **kw):
    if supplier is not None:
        n = stand_in_need(key, buyer, category, quantity, as_of=AS_OF, place=PLACE, **kw)
        return BreakDemand(key, kind or "supplier_down", buyer, supplier, (n,))
    n = NeedRecord("N-" + key, buyer, category, quantity, date(2020, 3, 31), *HARBIN, **kw)
    return BreakDemand(key, kind or "uncovered_need", buyer, None, (n,))


def used_by_offer(result):
    used = {}
    for alts in result.by_break.values():
        for a in alts:
            used[a.offer] = used.get(a.offer, 0.0) + a.quantity
    return used


# --- the hard rules ----------------------------------------------------------------------------

def test_the_broken_supplier_is_never_its_own_alternate():
    d = demand("k", "B", 5, supplier="S", kind="supplier_strained")
    r = find_alternates([d], [offer("O1", "S", 10), offer("O2", "T", 10)], as_of=AS_OF)
    assert [(a.offer, a.supplier, a.quantity, a.stand_in) for a in r.by_break["k"]] == [("O2", "T", 10.0, True)]


def test_suppliers_not_live_far_or_of_other_goods_are_no_alternates():
    d = demand("k", "B", 5)
    offers = [offer("O1", "S1", 10, supplier_live=False),
              offer("O2", "S2", 10, at=(46.59, 125.10), delivery_radius_km=50),  # ~150 km away
              offer("O3", "S3", 10, category="wood"),
              offer("O4", "B", 10),  # the buyer itself
              offer("O5", "S5", 10, unit_price=20.0)]
    d = BreakDemand("k", "uncovered_need", "B", None,
                    (NeedRecord("N1", "B", "steel", 5, date(2020, 3, 31), *HARBIN, max_unit_price=10.0),))
    assert find_alternates([d], offers, as_of=AS_OF).by_break["k"] == []
    assert [a.offer for a in find_alternates([d], offers + [offer("O6", "S6", 3)], as_of=AS_OF).by_break["k"]] == ["O6"]


def test_a_product_need_takes_only_that_product_in_its_unit():
    n = NeedRecord("N1", "B", "milk", 5, date(2020, 3, 31), *HARBIN, product="raw-milk", unit="t")
    offers = [offer("O1", "S1", 9, category="milk", product="hogs", unit="t"),
              offer("O2", "S2", 9, category="milk", product="raw-milk", unit="kL"),
              offer("O3", "S3", 9, category="milk", product="raw-milk", unit="t")]
    r = find_alternates([BreakDemand("k", "uncovered_need", "B", None, (n,))], offers, as_of=AS_OF)
    assert [(a.offer, a.quantity) for a in r.by_break["k"]] == [("O3", 5.0)]


def test_a_stand_in_asks_weeks_of_supply_due_in_weeks():
    n = stand_in_need("k", "B", "steel", 4.0, as_of=AS_OF, place=PLACE, weeks=3, product="bar", unit="t",
                      terms=("pay_first",))
    assert (n.ref, n.quantity, n.needed_by, n.product, n.unit, n.terms) == (
        STAND_IN_PREFIX + "k", 12.0, AS_OF + timedelta(days=21), "bar", "t", ("pay_first",))
    # an offer whose lead time misses that date is no alternate
    late = offer("O1", "S", 50, lead_time_days=22)
    assert find_alternates([BreakDemand("k", "supplier_down", "B", "X", (n,))], [late], as_of=AS_OF).by_break["k"] == []


def test_break_demands_take_the_breaks_needs_and_stand_ins():
    needs = [Need("N1", "B", "C1", 8.0, date(2020, 3, 20), 3.0, status="open", lat=45.0, lon=126.0),
             Need("N2", "B", "C1", 8.0, date(2020, 3, 20), 8.0, lat=45.0, lon=126.0),  # fully covered
             Need("N3", "B", "C1", 8.0, date(2020, 6, 20), lat=45.0, lon=126.0),  # beyond the horizon
             Need("N4", "B", "C2", 8.0, date(2020, 3, 20), lat=45.0, lon=126.0)]
    breaks = [{"key": "g", "kind": "chain_gap", "buyer": "B", "supplier": None, "category": "C1", "quantity": 5},
              {"key": "d", "kind": "supplier_down", "buyer": "B", "supplier": "S", "category": "C3", "quantity": 2},
              {"key": "s", "kind": "single_source", "buyer": "B", "supplier": "S", "category": "C3", "quantity": 2},
              {"key": "x", "kind": "supplier_down", "buyer": "Z", "supplier": "S", "category": "C3", "quantity": 2}]
    got = break_demands(breaks, needs, as_of=AS_OF, places={"B": PLACE},
                        edge_goods={("S", "B", "C3"): ("p3", "t", ("pay_first",))})
    assert [(d.key, d.supplier, [n.ref for n in d.needs]) for d in got] == [
        ("g", None, ["N1"]), ("d", "S", [STAND_IN_PREFIX + "d"])]
    assert (got[1].needs[0].product, got[1].needs[0].quantity) == ("p3", 4.0)


# --- never over-committed ----------------------------------------------------------------------

def test_one_offer_is_shared_by_two_breaks_never_promised_twice():
    r = find_alternates([demand("a", "B1", 6), demand("b", "B2", 6)], [offer("O1", "S", 8)], as_of=AS_OF)
    assert used_by_offer(r) == {"O1": 8.0}
    assert sorted(a.quantity for alts in r.by_break.values() for a in alts) == [2.0, 6.0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(1, 12), st.integers(1, 12))
def test_never_over_commits_spare_capacity(seed, n_needs, n_offers):
    """Random breaks against random capacities: no offer gives more than it holds, no need gets
    more than it asks, every pair is allowed by the hard rules and none is the broken supplier."""
    rng = random.Random(seed)
    needs, offers = _random_instance(rng, n_needs, n_offers, n_firms=6, cats=("a", "b"))
    demands = []
    for n in needs:
        broken = "F%d" % rng.randrange(6) if rng.random() < 0.5 else None
        demands.append(BreakDemand("k" + n.ref, "uncovered_need", n.buyer, broken, (n,)))
    r = find_alternates(demands, offers, as_of=AS_OF, substitutes={"b": {"a"}})
    held = {o.ref: o.quantity for o in offers}
    asked = {n.ref: n.quantity for n in needs}
    allowed = _brute_force_pairs(needs, offers, AS_OF, {"b": {"a"}})
    broken_of = {d.needs[0].ref: d.supplier for d in demands}
    got_need = {}
    for key, alts in r.by_break.items():
        for a in alts:
            assert a.quantity > 0 and (a.need, a.offer) in allowed
            assert a.supplier != broken_of[a.need] and a.break_key == "k" + a.need
            got_need[a.need] = got_need.get(a.need, 0.0) + a.quantity
    for ref, q in used_by_offer(r).items():
        assert q <= held[ref] + 1e-9
    for ref, q in got_need.items():
        assert q <= asked[ref] + 1e-9


# --- optimal -----------------------------------------------------------------------------------

def _costed_pairs(demands, offers, substitutes=None):
    """Allowed pairs less own suppliers, with the matcher's unit costs (the cost rule is the
    matcher's; the allocation is what is checked)."""
    needs = [n for d in demands for n in d.needs]
    broken = {n.ref: d.supplier for d in demands for n in d.needs}
    index = build_index(needs, offers, as_of=AS_OF, substitutes=substitutes)
    firm = {o.ref: o.supplier for o in offers}
    cands = [c for c in allowed_pairs(index) if firm[c.offer] != broken[c.need]]
    return ({n.ref: q / 1000 for n, q in zip(index.needs, index.n_qty.tolist())},
            {o.ref: q / 1000 for o, q in zip(index.offers, index.o_qty.tolist())}, cands)


def _lp_optimum(nq, oq, cands):
    linprog = pytest.importorskip("scipy.optimize").linprog
    if not cands:
        return 0.0, 0.0
    ni = {r: i for i, r in enumerate(nq)}
    oi = {r: i for i, r in enumerate(oq)}
    A = np.zeros((len(ni) + len(oi), len(cands)))
    for k, c in enumerate(cands):
        A[ni[c.need], k] = 1
        A[len(ni) + oi[c.offer], k] = 1
    b = np.array(list(nq.values()) + list(oq.values()))
    first = linprog(-np.ones(len(cands)), A_ub=A, b_ub=b, bounds=(0, None), method="highs")
    costs = np.array([c.unit_cost for c in cands])
    second = linprog(costs, A_ub=np.vstack([A, -np.ones(len(cands))]), b_ub=np.append(b, first.fun + 1e-9),
                     bounds=(0, None), method="highs")
    return -first.fun, second.fun


@pytest.mark.parametrize("seed", range(10))
def test_optimal_against_a_two_stage_lp(seed):
    rng = random.Random(1000 + seed)
    needs, offers = _random_instance(rng, 25, 20, n_firms=10, cats=("a", "b"))
    demands = [BreakDemand("k%d" % i, "uncovered_need", n.buyer, "F%d" % rng.randrange(10), (n,))
               for i, n in enumerate(needs)]
    r = find_alternates(demands, offers, as_of=AS_OF, substitutes={"b": {"a"}})
    q, cost = _lp_optimum(*_costed_pairs(demands, offers, {"b": {"a"}}))
    assert r.objective["matched_quantity"] == pytest.approx(q, abs=1e-6)
    assert r.objective["total_cost"] == pytest.approx(cost, rel=1e-7, abs=1e-6)
    assert sum(a.quantity for alts in r.by_break.values() for a in alts) == pytest.approx(q, abs=1e-6)


def test_optimal_against_brute_force_on_tiny_instances():
    """Every integer allocation of tiny instances enumerated: none beats the flow's."""
    rng = random.Random(7)
    for _ in range(25):
        demands = [demand("k%d" % i, "B%d" % i, rng.randint(1, 3),
                          supplier=("S%d" % rng.randrange(3)) if rng.random() < 0.5 else None)
                   for i in range(rng.randint(1, 3))]
        offers = [offer("O%d" % j, "S%d" % j, rng.randint(1, 3), lead_time_days=rng.randint(0, 6),
                        at=(45 + rng.random(), 126 + rng.random())) for j in range(rng.randint(1, 3))]
        r = find_alternates(demands, offers, as_of=AS_OF)
        nq, oq, cands = _costed_pairs(demands, offers)
        best = (0.0, 0.0)
        for qs in itertools.product(*[range(int(min(nq[c.need], oq[c.offer])) + 1) for c in cands]):
            un, uo = {}, {}
            for c, q in zip(cands, qs):
                un[c.need] = un.get(c.need, 0) + q
                uo[c.offer] = uo.get(c.offer, 0) + q
            if any(v > nq[k] for k, v in un.items()) or any(v > oq[k] for k, v in uo.items()):
                continue
            value = (sum(qs), -sum(q * c.unit_cost for c, q in zip(cands, qs)))
            best = max(best, value)
        assert r.objective["matched_quantity"] == pytest.approx(best[0])
        assert r.objective["total_cost"] == pytest.approx(-best[1], abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_one_solver_call_or_one_per_component_give_the_same_allocation(seed):
    rng = random.Random(2000 + seed)
    needs, offers = _random_instance(rng, 30, 25, n_firms=12, cats=("a", "b", "c"))
    demands = [BreakDemand("k%d" % i, "uncovered_need", n.buyer, None, (n,)) for i, n in enumerate(needs)]
    one = find_alternates(demands, offers, as_of=AS_OF, batch_arcs=None)  # every component in one call
    each = find_alternates(demands, offers, as_of=AS_OF)  # one call per component (the default)
    assert one.objective == each.objective and one.timings["arcs"] == each.timings["arcs"]
