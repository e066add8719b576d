"""The detection over integer edge ids (issue 14, item 2) finds exactly the breaks the previous
detection found (``tests/graphs/previous``, frozen from main at 4bcd10a): the same set, fields and
order, on random supply graphs with firm and category cycles, repeated and inactive links, down
and strained suppliers, high-risk counties, stopped firms, needs (covered, pending, past, allowed)
and every ``max_routes`` from 1 to 8. Except where the previous detection was wrong: a blocked route
that a buyer further down needed was not followed when the edge it was blocked at had a route of the
same or a lower tier (the propagation now follows it, :func:`graphs.propagation._keep_alternatives`);
there the breaks that differ must be those of an enumeration of every simple route
(``tests/graphs/simple_routes.py``) and the previous ones not."""
import random
from datetime import date, timedelta

import pytest

from graphs import supply_maps
from graphs.breaks import chain_breaks_of
from graphs.detection import detect_in_maps
from tests.graphs.previous import detection as previous
from tests.graphs.simple_routes import exact_upstream, upstream_of

AS_OF = date(2020, 3, 16)
COUNTIES = ["230102", "230103", "230202", "230203", "220102"]


def generated(rnd):
    """Firms, links, chain, needs and allowed needs of a random province, small or dense."""
    n = rnd.randint(1, 45)
    cats = [f"c{i}" for i in range(rnd.randint(1, 6))]
    chain = {c: rnd.sample(cats, rnd.randint(0, min(3, len(cats)))) for c in cats}
    if rnd.random() < 0.3:
        chain[f"x{rnd.randint(0, 3)}"] = rnd.sample(cats, 1)  # a category no firm supplies
    refs = [f"F{i:03d}" for i in rnd.sample(range(999), n)]  # refs in no particular order
    firms = []
    for r in refs:
        x = rnd.random()
        firms.append({"ref": r, "kind": rnd.choice(["leading", "sme", "sme"]), "county": rnd.choice(COUNTIES),
                      "operating": x > rnd.choice([0.05, 0.15, 0.3]),
                      "blockers": rnd.sample(["labour", "funds", "ppe", "transport", "zz"], rnd.randint(1, 2))
                      if rnd.random() < 0.15 else [],
                      "county_risk": rnd.choice(["low", "low", "medium", "high"]) if rnd.random() < 0.2 else "low"})
    links = []
    for _ in range(rnd.randint(0, 5 * n)):
        s, b = rnd.sample(refs, 2) if n > 1 and rnd.random() > 0.03 else (refs[0], refs[0])  # a firm its own supplier
        links.append({"supplier": s, "buyer": b, "category": rnd.choice(cats + ["y"] * (rnd.random() < 0.05)),
                      "quantity_per_week": float(rnd.randint(0, 50)), "active": rnd.random() > 0.05})
    links += [dict(lk, quantity_per_week=2.5) for lk in rnd.sample(links, min(len(links), rnd.randint(0, 3)))]
    needs = []
    for i in range(rnd.randint(0, 2 * n)):
        q = float(rnd.randint(1, 30))
        needs.append({"ref": f"N{i:03d}", "buyer": rnd.choice(refs), "category": rnd.choice(cats),
                      "quantity": q, "covered": rnd.choice([0.0, q / 2, q]),
                      "needed_by": AS_OF + timedelta(days=rnd.randint(-5, 70)),
                      "pending_proposals": rnd.randint(0, 3), "status": rnd.choice(["open"] * 5 + ["closed"])})
    allowed = {nd["ref"] for nd in needs if rnd.random() < 0.4}
    return firms, links, chain if rnd.random() > 0.03 else None, needs, allowed


def same(got, expected, mended=frozenset()):
    """The same breaks, fields and order, leaving out the upstream breaks (keys) *mended*."""
    assert [type(b).__name__ for b in got] == ["Break"] * len(got)
    kept = [tuple(b) for b in got if _key(b) not in mended]
    assert kept == [tuple(b) for b in expected if _key(b) not in mended]
    assert all(b._fields == previous.Break._fields for b in got)


def _key(b):
    return (b.supplier, b.buyer, b.category) if b.kind == "upstream_break" else None


def _mended(got, before, nodes, succ, chain, stopped, high_risk):
    """The upstream breaks (keys) in which *got* differs from *before*, checked to be what every simple
    route gives (tier and path; factors no more than theirs) where the previous detection's were not."""
    now, then = upstream_of(got), upstream_of(before)
    differ = {k for k in now.keys() | then.keys() if now.get(k) != then.get(k)}
    if differ:
        exact = exact_upstream(nodes, succ, chain, got, stopped=stopped, high_risk_counties=high_risk)
        for k in differ:
            assert k in exact and k in now, k
            assert now[k][:2] == exact[k][:2] and now[k][2] <= exact[k][2], (k, now[k], exact[k])
            assert then.get(k) != exact[k], k
    return differ


@pytest.mark.parametrize("block", range(20))
def test_same_breaks_as_the_previous_detection(block):
    for seed in range(block * 50, block * 50 + 50):
        rnd = random.Random(seed)
        firms, links, chain, needs, allowed = generated(rnd)
        max_routes = rnd.randint(1, 8)
        nodes, succ = supply_maps(firms, links)
        refs = [f["ref"] for f in firms]
        stopped = set(rnd.sample(refs, min(len(refs), rnd.randint(0, 2))))
        high_risk = set(rnd.sample(COUNTIES, rnd.randint(0, 1)))
        options = dict(as_of=AS_OF, allowed=allowed, horizon_days=rnd.choice([14, 56]), max_routes=max_routes)
        got = detect_in_maps(nodes, succ, chain, needs, stopped=stopped, high_risk_counties=high_risk, **options)
        before = previous.detect_in_maps(nodes, succ, chain, needs, stopped=stopped, high_risk_counties=high_risk,
                                         **options)
        same(got, before, _mended(got, before, nodes, succ, chain, stopped, high_risk))
        got = chain_breaks_of(firms, links, chain, needs, as_of=AS_OF, needs_with_allowed_offer=allowed,
                              max_routes=max_routes)
        before = previous.detect_in_maps(nodes, succ, chain, needs, as_of=AS_OF, allowed=allowed, horizon_days=56,
                                         max_routes=max_routes)
        same(got, before, _mended(got, before, nodes, succ, chain, set(), set()))


def test_the_generated_cases_have_every_kind_and_deep_tiers():
    """The comparison is not vacuous: every kind of break turns up, and upstream breaks of several
    tiers, with several factors and routes passes had to correct."""
    kinds, tiers, factors = set(), set(), set()
    for seed in range(300):
        rnd = random.Random(seed)
        firms, links, chain, needs, allowed = generated(rnd)
        for b in chain_breaks_of(firms, links, chain, needs, as_of=AS_OF, needs_with_allowed_offer=allowed):
            kinds.add(b.kind)
            if b.kind == "upstream_break":
                tiers.add(b.tier)
                factors.add(len(b.factors))
    assert kinds == {"supplier_down", "supplier_strained", "uncovered_need", "chain_gap", "single_source",
                     "upstream_break"}
    assert {2, 3, 4, 5} <= tiers and max(factors) >= 2
