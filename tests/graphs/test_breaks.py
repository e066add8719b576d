"""Chain breaks of the six kinds, at their boundaries, on tiny inline graphs."""
from datetime import date, timedelta

import pytest

from graphs import (
    Break,
    UnknownFirmError,
    build_supply_graph,
    chain_breaks,
    single_sources,
    what_if,
)

AS_OF = date(2020, 3, 16)
HRB1, HRB2, QQH = "230102", "230103", "230202"  # two Harbin counties, one in Qiqihar


def firm(ref, county=HRB1, kind="sme", **kw):
    return {"ref": ref, "kind": kind, "county": county, **kw}


def link(s, b, c, q=10.0, active=True):
    return {"supplier": s, "buyer": b, "category": c, "quantity_per_week": q, "active": active}


def need(ref, buyer, c, qty, due, covered=0.0, pending=0, status="open"):
    return {"ref": ref, "buyer": buyer, "category": c, "quantity": qty, "needed_by": due,
            "covered": covered, "pending_proposals": pending, "status": status}


def rows(breaks, kind=None):
    return [(b.kind, b.buyer, b.supplier, b.category, b.quantity, b.factors, b.tier, b.path,
             b.level, b.owner_region)
            for b in breaks if kind is None or b.kind == kind]


def detect(firms, links, chain=None, needs=(), allowed=(), **kw):
    G = build_supply_graph(firms, links)
    return chain_breaks(G, chain, needs, as_of=AS_OF, needs_with_allowed_offer=set(allowed), **kw)


# ---- kind 1 and 2 -------------------------------------------------------------------------

def test_supplier_down_factors_quantity_and_level():
    firms = [firm("B", HRB1, "leading"),
             firm("S1", HRB1, operating=False),  # stopped, no blockers -> other
             firm("S2", HRB2, blockers=["labour"], county_risk="high"),  # live? no: risk zone
             firm("S3", QQH, operating=False, blockers=["funds", "labour"])]
    links = [link("S1", "B", "C1", 4), link("S1", "B", "C1", 6),  # summed
             link("S2", "B", "C1", 5), link("S3", "B", "C2", 7),
             link("S3", "B", "C3", 9, active=False)]  # inactive: no edge, no break
    got = rows(detect(firms, links), "supplier_down")
    assert got == [
        ("supplier_down", "B", "S1", "C1", 10.0, ("other",), 1, ("B", "S1"), "county", HRB1),
        ("supplier_down", "B", "S2", "C1", 5.0, ("labour", "risk_zone"), 1, ("B", "S2"), "city",
         "230100"),
        ("supplier_down", "B", "S3", "C2", 7.0, ("labour", "funds"), 1, ("B", "S3"), "province",
         "230000"),
    ]


def test_supplier_strained_only_when_live():
    firms = [firm("B"), firm("S1", blockers=["transport", "ppe"]),
             firm("S2", blockers=["labour"], operating=False), firm("S3")]
    links = [link("S1", "B", "C1", 3), link("S2", "B", "C1", 2), link("S3", "B", "C1", 1)]
    got = rows(detect(firms, links), "supplier_strained")
    assert got == [("supplier_strained", "B", "S1", "C1", 3.0, ("ppe", "transport"), 1,
                    ("B", "S1"), "county", HRB1)]


# ---- kind 3 and 4 -------------------------------------------------------------------------

def test_uncovered_need_horizon_boundaries_and_grouping():
    firms = [firm("B", kind="leading"), firm("S")]
    links = [link("S", "B", "C1")]
    needs = [
        need("N1", "B", "C1", 10, AS_OF, covered=4, pending=1),  # due today: counts (6)
        need("N2", "B", "C1", 5, AS_OF + timedelta(days=56), pending=2),  # at horizon: counts
        need("N3", "B", "C1", 50, AS_OF + timedelta(days=57)),  # one day past: no
        need("N4", "B", "C1", 50, AS_OF - timedelta(days=1)),  # past due: no
        need("N5", "B", "C1", 8, AS_OF, covered=8),  # fully covered: no
        need("N6", "B", "C1", 8, AS_OF, status="closed"),  # closed: no
        need("N7", "B", "C2", 3, (AS_OF + timedelta(days=56)).isoformat()),
    ]
    breaks = detect(firms, links, needs=needs, allowed={"N1", "N7"})
    got = [(b.kind, b.buyer, b.supplier, b.category, b.quantity, b.factors, b.path,
            b.pending_proposals, b.level, b.needs) for b in breaks if b.kind == "uncovered_need"]
    assert got == [
        ("uncovered_need", "B", None, "C1", 11.0, ("materials",), ("B",), 3, "county",
         ("N1", "N2")),
        ("uncovered_need", "B", None, "C2", 3.0, ("materials",), ("B",), 0, "county", ("N7",)),
    ]
    assert [b.kind for b in breaks if b.kind == "chain_gap"] == []


def test_horizon_is_configurable():
    firms = [firm("B")]
    needs = [need("N1", "B", "C1", 1, AS_OF + timedelta(days=10))]
    assert detect(firms, [], needs=needs, allowed={"N1"}, horizon_days=9) == []
    assert len(detect(firms, [], needs=needs, allowed={"N1"}, horizon_days=10)) == 1


def test_chain_gap_needs_no_allowed_offer_and_no_live_supplier():
    firms = [firm("B1", HRB1, "leading"), firm("B2", HRB2), firm("B3", HRB2),
             firm("Sdown", operating=False), firm("Slive", blockers=["funds"])]
    links = [link("Sdown", "B1", "C1"), link("Slive", "B2", "C1")]
    needs = [need("N1", "B1", "C1", 5, AS_OF, pending=2), need("N2", "B1", "C1", 2, AS_OF),
             need("N3", "B2", "C1", 5, AS_OF),  # a live (strained) supplier: not a gap
             need("N4", "B3", "C1", 5, AS_OF), need("N5", "B3", "C1", 5, AS_OF)]
    breaks = detect(firms, links, needs=needs, allowed={"N5"})  # B3 has an allowed offer
    got = [(b.kind, b.buyer, b.supplier, b.quantity, b.pending_proposals, b.tier, b.path, b.level,
            b.owner_region) for b in breaks if b.kind in ("uncovered_need", "chain_gap")]
    assert got == [
        ("uncovered_need", "B2", None, 5.0, 0, 1, ("B2",), "county", HRB2),
        ("uncovered_need", "B3", None, 10.0, 0, 1, ("B3",), "county", HRB2),
        ("chain_gap", "B1", None, 7.0, 2, 1, ("B1",), "province", "230000"),
    ]
    assert [b.as_dict()["pending_proposals"] for b in breaks if b.kind == "chain_gap"] == [2]
    assert "pending_proposals" not in next(b for b in breaks if b.kind == "supplier_down").as_dict()


def test_need_of_unknown_buyer_raises():
    with pytest.raises(UnknownFirmError):
        detect([firm("B")], [], needs=[need("N1", "ZZ", "C1", 1, AS_OF)])


# ---- kind 5 -------------------------------------------------------------------------------

def test_single_source_exactly_one_live_supplier():
    firms = [firm("L", HRB1, "leading"), firm("M", HRB1, "sme"),
             firm("S1", HRB2), firm("S2", HRB1, operating=False),
             firm("S3", HRB1, blockers=["labour"]), firm("S4", HRB1)]
    links = [link("S1", "L", "C1", 8), link("S2", "L", "C1"),  # one live of two: single
             link("S3", "L", "C2"), link("S4", "L", "C2"),  # two live (one strained): no
             link("S3", "L", "C3", 2),  # a strained supplier is still live: single
             link("S2", "L", "C4"),  # no live supplier at all: not single
             link("S1", "M", "C1")]  # an SME buyer: no warning
    got = rows(detect(firms, links), "single_source")
    assert got == [
        ("single_source", "L", "S1", "C1", 8.0, (), 1, ("L", "S1"), "city", "230100"),
        ("single_source", "L", "S3", "C3", 2.0, (), 1, ("L", "S3"), "county", HRB1),
    ]
    G = build_supply_graph(firms, links)
    assert single_sources(G) == {("L", "C1"): "S1", ("L", "C3"): "S3"}
    assert single_sources(G, kinds=None)[("M", "C1")] == "S1"
    assert single_sources(G, stopped={"S1"}) == {("L", "C3"): "S3"}


# ---- kind 6 -------------------------------------------------------------------------------

def test_tier3_cascade_through_a_category_cycle():
    # c1 is made from c2 and c2 from c1: a cycle in the category chain
    chain = {"c1": ["c2"], "c2": ["c1"]}
    firms = [firm("A", HRB1, "leading"), firm("B", HRB1), firm("C", HRB2),
             firm("X", QQH, operating=False, blockers=["transport"])]
    links = [link("B", "A", "c1", 3), link("C", "B", "c2", 4), link("X", "C", "c1", 5)]
    got = rows(detect(firms, links, chain), "upstream_break")
    assert got == [
        ("upstream_break", "A", "B", "c1", 3.0, ("transport",), 3, ("A", "B", "C", "X"),
         "province", "230000"),
        ("upstream_break", "B", "C", "c2", 4.0, ("transport",), 2, ("B", "C", "X"), "province",
         "230000"),
    ]


def test_firm_cycle_does_not_count():
    # A buys c1 from B, B buys c2 from A; A's own supplier X of c2's input c1 is down.
    chain = {"c1": ["c2"], "c2": ["c1"]}
    firms = [firm("A"), firm("B"), firm("X", operating=False)]
    links = [link("B", "A", "c1"), link("A", "B", "c2"), link("X", "A", "c1")]
    got = rows(detect(firms, links, chain), "upstream_break")
    # B's edge from A is broken upstream ([B, A, X]); A's edge from B would be [A, B, A, X]
    assert got == [("upstream_break", "B", "A", "c2", 10.0, ("other",), 2, ("B", "A", "X"),
                    "county", HRB1)]


def test_firm_cycle_with_chain_gap_root_does_not_count():
    chain = {"c1": ["c2"], "c2": ["c1"]}
    firms = [firm("A"), firm("B")]
    links = [link("B", "A", "c1"), link("A", "B", "c2")]
    needs = [need("N1", "A", "c1", 5, AS_OF)]
    breaks = detect(firms, links, chain, needs)
    # A has a live supplier of c1 (B), so no gap; an uncovered need does not cascade
    assert [b.kind for b in breaks] == ["uncovered_need"]
    needs = [need("N1", "A", "c9", 5, AS_OF)]
    chain = {"c1": ["c2"], "c2": ["c9"]}
    got = rows(detect(firms, links, chain, needs), "upstream_break")
    assert got == [("upstream_break", "B", "A", "c2", 10.0, ("materials",), 2, ("B", "A"),
                    "province", "230000")]


def test_chain_gap_root_and_supplier_down_root_same_tier():
    chain = {"car": ["steel", "paint"]}
    firms = [firm("B", HRB1, "leading"), firm("S", HRB1),
             firm("X2", HRB2, operating=False, blockers=["labour"]),
             firm("X1", HRB1, operating=False, blockers=["funds"])]
    links = [link("S", "B", "car", 2), link("X2", "S", "steel"), link("X1", "S", "steel")]
    needs = [need("N1", "S", "paint", 1, AS_OF)]
    breaks = detect(firms, links, chain, needs)
    up = [b for b in breaks if b.kind == "upstream_break"]
    # tier 2 either way; [B, S] sorts before [B, S, X1]; factors of all three roots
    assert rows(up) == [("upstream_break", "B", "S", "car", 2.0,
                         ("labour", "materials", "funds"), 2, ("B", "S"), "province", "230000")]
    assert [b.kind for b in breaks] == ["supplier_down", "supplier_down", "chain_gap",
                                        "single_source", "upstream_break"]


def test_lexicographic_path_and_union_of_factors_at_the_smallest_tier():
    chain = {"car": ["steel"], "steel": ["ore"]}
    firms = [firm("B"), firm("S"), firm("T"),
             firm("X2", operating=False, blockers=["labour"]),
             firm("X1", operating=False, blockers=["funds"]),
             firm("A", operating=False, blockers=["ppe"])]
    # S's own steel suppliers X1, X2 are down (tier 2); via T the ore supplier A is down (tier 3)
    links = [link("S", "B", "car"), link("X2", "S", "steel"), link("X1", "S", "steel"),
             link("T", "S", "steel"), link("A", "T", "ore")]
    up = rows(detect(firms, links, chain), "upstream_break")
    assert up == [
        ("upstream_break", "B", "S", "car", 10.0, ("labour", "funds"), 2, ("B", "S", "X1"),
         "county", HRB1),
        ("upstream_break", "S", "T", "steel", 10.0, ("ppe",), 2, ("S", "T", "A"), "county", HRB1),
    ]


def test_alternative_route_when_the_best_passes_the_buyer():
    # S -> B in c1 has two tier-2 roots: A (down, sorts first) and Z (down).
    # B -> A in c0 cannot use [A, B, S, A] but can use [A, B, S, Z].
    chain = {"c0": ["c1"], "c1": ["c2"]}
    firms = [firm("A", operating=False, blockers=["ppe"]), firm("B"), firm("S"),
             firm("Z", operating=False, blockers=["funds"])]
    links = [link("B", "A", "c0"), link("S", "B", "c1"), link("A", "S", "c2"),
             link("Z", "S", "c2")]
    up = rows(detect(firms, links, chain), "upstream_break")
    assert up == [
        ("upstream_break", "A", "B", "c0", 10.0, ("funds",), 3, ("A", "B", "S", "Z"), "county",
         HRB1),
        ("upstream_break", "B", "S", "c1", 10.0, ("ppe", "funds"), 2, ("B", "S", "A"), "county",
         HRB1),
    ]
    # keeping a single route per edge loses the alternative (documented trade-off)
    up1 = rows(detect(firms, links, chain, max_routes=1), "upstream_break")
    assert [r[1] for r in up1] == ["B"]


def test_only_healthy_edges_cascade_and_uncovered_needs_do_not():
    chain = {"car": ["steel"]}
    firms = [firm("B"), firm("S", blockers=["labour"]), firm("T"), firm("U"),
             firm("X", operating=False)]
    links = [link("S", "B", "car"), link("X", "S", "steel"),  # S strained: no cascade onto B
             link("T", "B", "car"), link("U", "T", "steel")]  # T has an uncovered need only
    needs = [need("N1", "T", "steel", 5, AS_OF)]
    breaks = detect(firms, links, chain, needs)
    assert [(b.kind, b.buyer, b.supplier) for b in breaks] == [
        ("supplier_down", "S", "X"), ("supplier_strained", "B", "S"), ("uncovered_need", "T", None),
    ]


def test_smallest_tier_wins_over_lexicographic_order():
    chain = {"car": ["steel"], "steel": ["ore"]}
    firms = [firm("B"), firm("S"), firm("A"), firm("Y", operating=False),
             firm("Z", operating=False, blockers=["orders"])]
    links = [link("S", "B", "car"), link("A", "S", "steel"), link("Y", "A", "ore"),
             link("Z", "S", "steel")]
    up = [b for b in detect(firms, links, chain) if b.kind == "upstream_break" and b.buyer == "B"]
    assert [(b.tier, b.path, b.factors) for b in up] == [(2, ("B", "S", "Z"), ("orders",))]


# ---- what-if ------------------------------------------------------------------------------

def test_what_if_stopped_firm_and_high_risk_county():
    chain = {"car": ["steel"]}
    firms = [firm("B", HRB1, "leading"), firm("S", HRB1), firm("S2", HRB1),
             firm("X", HRB2), firm("Y", QQH, operating=False)]
    links = [link("S", "B", "car", 5), link("S2", "B", "car", 3), link("X", "S", "steel", 2),
             link("Y", "S2", "steel", 1)]
    G = build_supply_graph(firms, links)
    base = chain_breaks(G, chain, as_of=AS_OF)
    result = what_if(G, chain, as_of=AS_OF, stopped_firms={"S2"}, high_risk_counties={HRB2})
    assert result.baseline == base
    assert [(b.kind, b.buyer, b.supplier, b.factors, b.path) for b in result.new] == [
        ("supplier_down", "B", "S2", ("other",), ("B", "S2")),
        ("supplier_down", "S", "X", ("risk_zone",), ("S", "X")),
        ("single_source", "B", "S", (), ("B", "S")),
        ("upstream_break", "B", "S", ("risk_zone",), ("B", "S", "X")),
    ]
    assert [(b.kind, b.buyer, b.supplier) for b in result.resolved] == [
        ("upstream_break", "B", "S2")]
    # the graph itself is untouched
    assert G.nodes["S2"]["operating"] is True
    with pytest.raises(UnknownFirmError):
        what_if(G, chain, as_of=AS_OF, stopped_firms={"nobody"})


def test_what_if_chain_gap_with_scenario_offers():
    firms = [firm("B"), firm("S")]
    G = build_supply_graph(firms, [link("S", "B", "C1")])
    needs = [need("N1", "B", "C1", 5, AS_OF)]
    res = what_if(G, None, needs, as_of=AS_OF, stopped_firms={"S"},
                  needs_with_allowed_offer={"N1"}, scenario_needs_with_allowed_offer=set())
    assert [(b.kind, b.buyer) for b in res.new] == [("supplier_down", "B"), ("chain_gap", "B")]
    assert [(b.kind, b.buyer) for b in res.resolved] == [("uncovered_need", "B")]


def test_break_key_and_dict():
    b = Break("supplier_down", "B", "C1", "S", 4.0, ("labour",), 1, ("B", "S"), "county",
              HRB1, regions=(HRB1, "230100", "230000"))
    assert b.key == ("supplier_down", "B", "C1", "S")
    assert b.as_dict() == {"kind": "supplier_down", "buyer": "B", "supplier": "S",
                           "category": "C1", "quantity": 4.0, "factors": ["labour"],
                           "level": "county", "owner_region": HRB1, "tier": 1, "path": ["B", "S"]}
