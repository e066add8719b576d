"""graphs.help_matching: wants of help met by help offers within reach and capacity, same chain first."""
import itertools
import random

from graphs.help_matching import NOT_SAME_CHAIN, HelpSupply, HelpWant, in_reach, match_help

HARBIN = (45.76, 126.65)


def want(sme, kind="technology", county="230102", at=HARBIN):
    return HelpWant(sme, kind, county, *at)


def supply(ref, firm="L1", kind="technology", capacity=1, reach=("230000",), at=HARBIN):
    return HelpSupply(ref, firm, kind, capacity, tuple(reach), *at)


def test_reach_by_county_city_or_province():
    assert in_reach("230102", ["230102"]) and in_reach("230102", ["230100"]) and in_reach("230102", ["230000"])
    assert not in_reach("230102", ["230103", "230200", "220000"])


def test_kind_reach_own_firm_and_taken_pairs_are_respected():
    wants = [want("S1"), want("S2", kind="funds"), want("S3", county="230202"), want("L1"), want("S4")]
    got = match_help(wants, [supply("H1", capacity=9, reach=("230100",))], taken={("H1", "S4")})
    assert [(m.sme, m.supply) for m in got] == [("S1", "H1")]


def test_capacity_goes_to_the_same_chain_first_then_the_nearest():
    wants = [want("S1", at=(45.0, 126.0)), want("S2", at=(45.7, 126.6)), want("S3", at=(46.5, 125.0))]
    got = match_help(wants, [supply("H1", capacity=2)], chain={frozenset({"L1", "S3"})})
    assert [(m.sme, m.same_chain) for m in got] == [("S2", False), ("S3", True)]


def test_the_most_smes_are_helped_whatever_the_preferences():
    # S1 could take H1 (same chain) but then S2, which only H1 reaches, would get nothing
    wants = [want("S1"), want("S2", county="230202")]
    supplies = [supply("H1", firm="L1", reach=("230000",)), supply("H2", firm="L2", reach=("230100",))]
    got = match_help(wants, supplies, chain={frozenset({"L1", "S1"})})
    assert sorted((m.sme, m.supply) for m in got) == [("S1", "H2"), ("S2", "H1")]


def test_optimal_against_brute_force_on_small_instances():
    rng = random.Random(3)
    counties = ["230102", "230103", "230202"]
    for _ in range(40):
        wants = [want(f"S{i}", kind=rng.choice(["marketing", "funds"]), county=rng.choice(counties),
                      at=(45 + rng.random(), 126 + rng.random())) for i in range(rng.randint(1, 4))]
        supplies = [supply(f"H{j}", firm=f"L{j}", kind=rng.choice(["marketing", "funds"]), capacity=rng.randint(0, 2),
                           reach=(rng.choice(counties + ["230100", "230000"]),),
                           at=(45 + rng.random(), 126 + rng.random())) for j in range(rng.randint(1, 3))]
        chain = {frozenset({w.sme, s.firm}) for w in wants for s in supplies if rng.random() < 0.3}
        got = match_help(wants, supplies, chain=chain)
        used = {}
        for m in got:
            used[m.supply] = used.get(m.supply, 0) + 1
        assert all(used[s.ref] <= s.capacity for s in supplies if s.ref in used)
        assert len({m.sme for m in got}) == len(got)

        def cost(w, s):
            from graphs.matching.geo import haversine_km
            return (0 if frozenset({w.sme, s.firm}) in chain else NOT_SAME_CHAIN) + round(float(
                haversine_km(w.lat, w.lon, s.lat, s.lon)))

        options = [[None] + [s for s in supplies if s.kind == w.kind and in_reach(w.county, s.reach)] for w in wants]
        best = None
        for pick in itertools.product(*options):
            load = {}
            for s in pick:
                if s is not None:
                    load[s.ref] = load.get(s.ref, 0) + 1
            if any(load[s.ref] > s.capacity for s in supplies if s.ref in load):
                continue
            value = (sum(s is not None for s in pick), -sum(cost(w, s) for w, s in zip(wants, pick) if s is not None))
            best = value if best is None or value > best else best
        by_ref = {s.ref: s for s in supplies}
        by_sme = {w.sme: w for w in wants}
        mine = (len(got), -sum(cost(by_sme[m.sme], by_ref[m.supply]) for m in got))
        assert mine == best
