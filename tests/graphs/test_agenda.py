"""graphs.agenda: one item per problem (issue 12, item 2), against planted cases and an independent
computation over random chains run through the real break detection.

The independent computation decides an upstream break's root from the firms alone (a route ending
at a firm that is not live ends at a down supplier; one ending at a live firm ends at its chain
gap), and sums each item's stake with plain loops over the links, straight from the measure's
definition in the module docstring.
"""
import random
from collections import defaultdict
from datetime import date

import pytest

from graphs import build_supply_graph, chain_breaks
from graphs.agenda import FIRM_WEIGHTS, KIND_SHARE, dispatch_agenda, input_totals
from graphs.records import Firm, Link

AS_OF = date(2020, 3, 16)


def brk(kind, buyer, supplier, category, quantity, path=None, tier=1, factors=("labour",), weeks=1, **more):
    return {"kind": kind, "buyer": buyer, "supplier": supplier, "category": category, "quantity": quantity,
            "factors": list(factors), "tier": tier, "path": list(path or ([buyer, supplier] if supplier else [buyer])),
            "weeks_open": weeks, **more}


def test_a_down_supplier_with_seven_buyers_is_one_item_with_its_cascade():
    firms = [Firm("S", "sme", "230102", operating=False, blockers=("labour",))]
    firms += [Firm(f"B{i}", "leading" if i == 0 else "sme", "230102" if i < 4 else "230202") for i in range(7)]
    firms += [Firm("C", "sme", "230302")]
    links = [Link("S", f"B{i}", "c", 10.0) for i in range(7)] + [Link("X", "B0", "c", 30.0), Link("B0", "C", "d", 4.0)]
    breaks = [brk("supplier_down", f"B{i}", "S", "c", 10.0) for i in range(7)]
    breaks.append(brk("upstream_break", "C", "B0", "d", 4.0, path=["C", "B0", "S"], tier=2))
    agenda = dispatch_agenda(breaks, firms, links)
    assert [i.key for i in agenda.items] == ["supplier|S"]
    item = agenda.items[0]
    assert item.kind == "supplier_down" and item.factors == ("labour",)
    assert [h.buyer for h in item.buyers] == [f"B{i}" for i in range(7)]
    assert [h.buyer for h in item.cascade] == ["C"]
    # own 1 + B0 (leading, 10 of 40) 3 * 0.25 + six SMEs losing all + C one tier further 1 * 1 / 2
    assert item.stake == pytest.approx(1 + 0.75 + 6 + 0.5)
    assert item.regions == ("230102", "230202")  # the firm's and its direct buyers' counties, not the cascade's
    assert item.owner_region == "230102" and item.level == "county"


def test_stake_compares_shares_not_units():
    """60,438 pieces that are a tenth of a buyer's components rank below 2,398 t that are all its coal."""
    firms = [Firm("P", "sme", "230102", operating=False), Firm("K", "sme", "230102", operating=False),
             Firm("B1", "leading", "230102"), Firm("B2", "leading", "230102")]
    links = [Link("P", "B1", "parts", 60438.0), Link("Y", "B1", "parts", 543942.0), Link("K", "B2", "coal", 2398.0)]
    breaks = [brk("supplier_down", "B1", "P", "parts", 60438.0), brk("supplier_down", "B2", "K", "coal", 2398.0)]
    items = dispatch_agenda(breaks, firms, links).items
    assert [i.firm for i in items] == ["K", "P"]
    assert items[0].stake == pytest.approx(1 + 3 * 1.0)
    assert items[1].stake == pytest.approx(1 + 3 * 0.1)


def test_matching_in_progress_fragility_and_uncovered_needs_are_apart():
    firms = [Firm("B", "leading", "230102"), Firm("S", "sme", "230102")]
    breaks = [brk("uncovered_need", "B", None, "c", 50.0, factors=("materials",), pending_proposals=2),
              brk("uncovered_need", "B", None, "e", 5.0, factors=("materials",), pending_proposals=0, weeks=5),
              brk("single_source", "B", "S", "d", 9.0, factors=(), weeks=9)]
    agenda = dispatch_agenda(breaks, firms, [], blocked_firms=[])
    assert [(m.buyer, m.category, m.pending_proposals) for m in agenda.matching] == [("B", "c", 2)]
    assert [(f.buyer, f.supplier, f.category) for f in agenda.fragility] == [("B", "S", "d")]
    assert [(i.key, i.kind, i.level, i.owner_region) for i in agenda.items] == [
        ("uncovered|B", "uncovered_need", "province", "230000")]  # five weeks open: county -> province
    assert agenda.items[0].stake == pytest.approx(3 * 1.0 * KIND_SHARE["uncovered_need"])


def test_chain_gaps_of_a_firm_are_one_item_owned_by_the_province_with_their_cascade():
    firms = [Firm("G", "sme", "230102"), Firm("B", "leading", "230202"), Firm("A", "sme", "230202")]
    links = [Link("G", "B", "x", 7.0), Link("B", "A", "y", 1.0)]
    breaks = [brk("chain_gap", "G", None, "m", 10.0, factors=("materials",)),
              brk("chain_gap", "G", None, "n", 3.0, factors=("materials",)),
              brk("upstream_break", "B", "G", "x", 7.0, path=["B", "G"], tier=2, factors=("materials",)),
              brk("upstream_break", "A", "B", "y", 1.0, path=["A", "B", "G"], tier=3, factors=("materials",))]
    items = dispatch_agenda(breaks, firms, links, blocked_firms=[]).items
    assert [(i.key, i.categories, i.level, i.owner_region) for i in items] == [
        ("chain_gap|G", ("m", "n"), "province", "230000")]
    assert [h.buyer for h in items[0].cascade] == ["B", "A"]
    assert items[0].stake == pytest.approx(1 + 1 + 3 / 2 + 1 / 3, abs=1e-4)


def test_blocked_firms_without_links_are_items_and_suppliers_are_not_repeated():
    firms = [Firm("S", "sme", "230102", operating=False), Firm("B", "leading", "230102"),
             Firm("Q", "sme", "230103", blockers=("funds",)), Firm("R", "sme", "230104", county_risk="high"),
             Firm("OK", "sme", "230104")]
    breaks = [brk("supplier_down", "B", "S", "c", 1.0, factors=("other",))]
    items = dispatch_agenda(breaks, firms, [Link("S", "B", "c", 1.0)]).items
    assert [(i.key, i.factors, i.stake) for i in items] == [
        ("supplier|S", ("other",), 4.0), ("risk_zone|230104", ("risk_zone",), 1.0), ("firm|Q", ("funds",), 0.5)]
    # given the report's blocked_firms, their weeks count
    items = dispatch_agenda([], firms, [], blocked_firms=[{"firm": "Q", "weeks_open": 3}]).items
    assert [(i.key, i.weeks_open, i.level, i.owner_region) for i in items] == [("firm|Q", 3, "city", "230100")]


def test_a_high_risk_county_is_one_item_of_the_city_with_whom_it_fails():
    firms = [Firm("S1", "sme", "230104", county_risk="high"), Firm("S2", "sme", "230104", county_risk="high"),
             Firm("S3", "sme", "230104", county_risk="high", blockers=("labour",)),
             Firm("F", "sme", "230104", county_risk="high"), Firm("B", "leading", "230102")]
    links = [Link("S1", "B", "c", 5.0), Link("S2", "B", "d", 5.0), Link("S3", "B", "e", 5.0)]
    breaks = [brk("supplier_down", "B", "S1", "c", 5.0, factors=("risk_zone",)),
              brk("supplier_down", "B", "S2", "d", 5.0, factors=("risk_zone",), weeks=3),
              brk("supplier_down", "B", "S3", "e", 5.0, factors=("labour", "risk_zone"))]
    items = dispatch_agenda(breaks, firms, links).items
    assert [(i.key, i.members, i.level, i.owner_region) for i in items] == [
        ("risk_zone|230104", ("F", "S1", "S2"), "province", "230000"),  # city base, three weeks: province
        ("supplier|S3", (), "county", "230104")]
    zone = items[0]
    assert [(h.buyer, h.category) for h in zone.buyers] == [("B", "c"), ("B", "d")]
    assert zone.stake == pytest.approx((1 + 3) * 2 + 1)
    assert zone.regions == ("230102", "230104")


def test_commitments_are_items_of_the_buyers_county_one_per_pair():
    firms = [Firm("L", "leading", "230102"), Firm("S", "sme", "230202")]
    cs = [{"term": "pay_first", "link": "L1", "buyer": "L", "supplier": "S", "delivery": "D1", "due": "2020-03-01",
           "days_overdue": 15, "unpaid": 100.0, "owner_region": "230102", "supplier_region": "230202",
           "weeks_open": 1, "level": "county"},
          {"term": "order_first", "link": "L1", "buyer": "L", "supplier": "S", "delivery": None, "due": "2020-02-01",
           "days_overdue": 44, "unpaid": 0.0, "owner_region": "230102", "supplier_region": "230202",
           "weeks_open": 3, "level": "city"}]
    items = dispatch_agenda([], firms, [], cs, blocked_firms=[]).items
    assert [(i.key, i.factors, i.level, i.owner_region, i.regions) for i in items] == [
        ("commitment|L|S", ("funds", "orders"), "city", "230100", ("230102", "230202"))]
    assert [c["term"] for c in items[0].commitments] == ["order_first", "pay_first"]
    assert items[0].stake == pytest.approx(44 / 60, abs=1e-4)


def test_hand_escalation_of_a_break_raises_its_item():
    firms = [Firm("S", "sme", "230102", blockers=("ppe",)), Firm("B", "sme", "230102")]
    breaks = [brk("supplier_strained", "B", "S", "c", 1.0, factors=("ppe",), manual_steps=1)]
    item = dispatch_agenda(breaks, firms, [], blocked_firms=[]).items[0]
    assert (item.kind, item.level, item.owner_region, item.stake) == ("supplier_strained", "city", "230100", 1.0)


# --- random chains through the real detection, against the independent computation ------------------

def _random_case(rnd):
    n = rnd.randint(4, 9)
    cats = ["a", "b", "c"]
    chain = {c: sorted(rnd.sample(cats, rnd.randint(1, 2))) for c in cats}
    counties = ["230102", "230103", "230202"]
    firms = []
    for i in range(n):
        x = rnd.random()
        firms.append({"ref": f"F{i}", "kind": "leading" if rnd.random() < 0.3 else "sme",
                      "county": rnd.choice(counties), "operating": x > 0.25,
                      "blockers": [rnd.choice(["labour", "funds", "ppe"])] if 0.25 < x < 0.4 or x < 0.1 else []})
    links = {}
    for _ in range(rnd.randint(n, 3 * n)):
        s, b = rnd.sample([f["ref"] for f in firms], 2)
        links[(s, b, rnd.choice(cats))] = float(rnd.randint(1, 9) * 10 ** rnd.randint(0, 4))
    needs = [{"ref": f"N{i}", "buyer": f"F{rnd.randrange(n)}", "category": rnd.choice(cats), "quantity": 5,
              "needed_by": AS_OF, "pending_proposals": rnd.choice([0, 0, 1])} for i in range(rnd.randint(0, 3))]
    return firms, [(s, b, c, q) for (s, b, c), q in sorted(links.items())], chain, needs


def _independent(breaks, firms, links):
    """{key: stake} and the number of breaks each list holds, straight from the definitions."""
    f = {x["ref"]: x for x in firms}
    live = {r: x["operating"] for r, x in f.items()}

    def w(r):
        return FIRM_WEIGHTS[f[r]["kind"]]

    def share(b):
        if b.kind in ("chain_gap", "uncovered_need"):
            return 1.0
        total = sum(q for s, bb, c, q in links if bb == b.buyer and c == b.category)
        return min(1.0, b.quantity / total)

    stakes, counted = defaultdict(float), {"items": 0, "matching": 0, "fragility": 0}
    owners = {}
    for b in breaks:
        if b.kind == "single_source":
            counted["fragility"] += 1
            continue
        if b.kind == "uncovered_need" and b.pending_proposals:
            counted["matching"] += 1
            continue
        counted["items"] += 1
        if b.kind == "upstream_break":
            root = b.path[-1]
            key = f"supplier|{root}" if not live[root] else f"chain_gap|{root}"
            stakes[key] += w(b.buyer) * share(b) / b.tier
            continue
        key = {"supplier_down": f"supplier|{b.supplier}", "supplier_strained": f"supplier|{b.supplier}",
               "chain_gap": f"chain_gap|{b.buyer}", "uncovered_need": f"uncovered|{b.buyer}"}[b.kind]
        stakes[key] += w(b.buyer) * share(b) * KIND_SHARE[b.kind]
        if key.startswith("supplier|"):
            owners[key] = b.supplier
    for key, s in owners.items():
        stakes[key] += w(s) * (1.0 if not live[s] else 0.5)
    for x in firms:
        if (not x["operating"] or x["blockers"]) and f"supplier|{x['ref']}" not in owners:
            stakes[f"firm|{x['ref']}"] += w(x["ref"]) * (1.0 if not x["operating"] else 0.5)
    return {k: round(v, 6) for k, v in stakes.items()}, counted


@pytest.mark.parametrize("seed", range(200))
def test_random_chains_match_the_independent_computation(seed):
    rnd = random.Random(seed)
    firms, links, chain, needs = _random_case(rnd)
    G = build_supply_graph(firms, links)
    breaks = chain_breaks(G, chain, needs, as_of=AS_OF, max_routes=8)
    records = [Firm(x["ref"], x["kind"], x["county"], operating=x["operating"], blockers=tuple(x["blockers"]))
               for x in firms]
    agenda = dispatch_agenda(breaks, records, [Link(*lk) for lk in links])
    expected, counted = _independent(breaks, firms, links)
    assert {i.key: i.stake for i in agenda.items} == pytest.approx(expected, abs=1e-3)
    # every break lands in exactly one place
    assert sum(len(i.buyers) + len(i.cascade) for i in agenda.items) == counted["items"]
    assert (len(agenda.matching), len(agenda.fragility)) == (counted["matching"], counted["fragility"])
    assert [i.stake for i in agenda.items] == sorted((i.stake for i in agenda.items), reverse=True)


def test_input_totals_skip_inactive_links():
    assert input_totals([{"buyer": "B", "category": "c", "quantity_per_week": 2, "active": True},
                         {"buyer": "B", "category": "c", "quantity_per_week": 5, "active": False}]) == {("B", "c"): 2.0}


def test_levels_count_idle_weeks_only():
    """Spec: automatic escalation counts idle weeks only. An item of breaks takes its longest-idle
    break's idle weeks, at most its run less the weeks it was acted on through the agenda; an item
    with no workflow of its own (a firm asking for help, a commitment) counts only the latter."""
    firms = [Firm("S", "sme", "230102", operating=False), Firm("B", "leading", "230102"),
             Firm("Q", "sme", "230103", blockers=("funds",))]
    weeks = ("W14", "W13", "W12", "W11", "W10")
    b = brk("supplier_down", "B", "S", "c", 1.0, weeks=5)
    cs = [{"term": "pay_first", "link": "L", "buyer": "B", "supplier": "S", "delivery": "D", "due": "2020-03-01",
           "days_overdue": 9, "unpaid": 1.0, "owner_region": "230102", "weeks_open": 3}]

    def levels(breaks, acted=None):
        items = dispatch_agenda(breaks, firms, [], cs, [{"firm": "Q", "weeks_open": 5}], acted=acted,
                                weeks=weeks).items
        return {i.key: (i.weeks_open, i.idle_weeks, i.level, i.owner_region) for i in items}

    assert levels([b]) == {"supplier|S": (5, 5, "province", "230000"), "firm|Q": (5, 5, "province", "230000"),
                           "commitment|B|S": (3, 3, "city", "230100")}
    # the break's own idle weeks (staff assigned it or added notes in two of its five weeks)
    assert levels([{**b, "idle_weeks": 3}])["supplier|S"] == (5, 3, "city", "230100")
    # acted on through the agenda in W13 and W12; W09 is before every run and W14, this report's
    # week, counts from the next report on (the level does not move during this week's meeting)
    acted = {"supplier|S": {"W13", "W12"}, "firm|Q": {"W14", "W13", "W12", "W11", "W09"},
             "commitment|B|S": {"W14", "W13", "W10"}}
    assert levels([b], acted) == {"supplier|S": (5, 3, "city", "230100"), "firm|Q": (5, 2, "county", "230103"),
                                  "commitment|B|S": (3, 2, "county", "230102")}
    # both: the fewer idle weeks win
    assert levels([{**b, "idle_weeks": 1}], acted)["supplier|S"] == (5, 1, "county", "230102")


def test_an_agenda_reads_the_firms_as_the_report_saw_them():
    """A past week's agenda shows that week's problems: a supplier back at work since is still that
    week's down supplier (its breaks say so), and a firm asking for help keeps that week's factors."""
    now = [Firm("S", "sme", "230102"), Firm("B", "leading", "230102"), Firm("Q", "sme", "230103")]
    breaks = [brk("supplier_down", "B", "S", "c", 1.0, factors=("labour",))]
    asking = [{"firm": "Q", "county": "230103", "operating": False, "factors": ["funds"], "weeks_open": 2,
               "breaks": 0}]
    items = dispatch_agenda(breaks, now, [Link("S", "B", "c", 1.0)], blocked_firms=asking).items
    assert [(i.key, i.kind, i.factors, i.stake) for i in items] == [
        ("supplier|S", "supplier_down", ("labour",), 4.0), ("firm|Q", "blocked_firm", ("funds",), 1.0)]
    strained = [brk("supplier_strained", "B", "S", "c", 1.0, factors=("labour",))]
    stopped = [Firm("S", "sme", "230102", operating=False), *now[1:]]
    assert dispatch_agenda(strained, stopped, [Link("S", "B", "c", 1.0)], blocked_firms=[]).items[0].kind == \
        "supplier_strained"
