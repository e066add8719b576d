"""Supply graph, category chain, tiers up and down, escalation and severity."""
import pytest

from graphs import (
    InvalidRecordError,
    UnknownFirmError,
    UnknownLevelError,
    build_category_chain,
    build_supply_graph,
    downstream,
    escalated_level,
    owner_region,
    severity,
    upstream,
)


def test_supply_graph_sums_active_links_per_supplier_buyer_category():
    G = build_supply_graph(
        [{"ref": "A", "county": "230102"}, {"ref": "B", "county": "230202", "kind": "leading"}],
        [("A", "B", "C1", 2), ("A", "B", "C1", 3.5), ("A", "B", "C2", 1),
         ("A", "B", "C3", 9, False)])
    assert sorted(G.edges(keys=True, data="quantity_per_week")) == [
        ("A", "B", "C1", 5.5), ("A", "B", "C2", 1.0)]
    assert G.nodes["B"] == {"kind": "leading", "county": "230202", "city": "230200",
                            "province": "230000", "operating": True, "blockers": (),
                            "county_risk": "low"}


def test_supply_graph_rejects_bad_records():
    with pytest.raises(UnknownFirmError):
        build_supply_graph([{"ref": "A"}], [("A", "Z", "C1", 1)])
    with pytest.raises(InvalidRecordError):
        build_supply_graph([{"ref": "A"}, {"ref": "B"}], [("A", "B", "C1", -1)])
    with pytest.raises(InvalidRecordError):
        build_supply_graph([{"ref": "A", "kind": "big"}], [])
    with pytest.raises(InvalidRecordError):
        build_supply_graph([{"ref": "A", "county": "23"}], [])


def test_upstream_and_downstream_tiers_on_a_cycle():
    G = build_supply_graph([{"ref": r} for r in "ABCDE"],
                           [("B", "A", "car", 1), ("C", "B", "steel", 1), ("D", "C", "ore", 1),
                            ("A", "D", "car", 1), ("E", "B", "paint", 1)])
    assert upstream(G, "A") == {"B": 1, "C": 2, "E": 2, "D": 3}
    assert upstream(G, "A", 2) == {"B": 1, "C": 2, "E": 2}
    assert upstream(G, "A", category="car", chain={"car": ["steel"], "steel": ["ore"]}) == {
        "B": 1, "C": 2, "D": 3}
    assert downstream(G, "D") == {"C": 1, "B": 2, "A": 3}
    assert downstream(G, "D", category="ore", chain={"car": ["steel"], "steel": ["ore"]}) == {
        "C": 1, "B": 2, "A": 3}
    assert downstream(G, "E", 1) == {"B": 1}
    with pytest.raises(UnknownFirmError):
        upstream(G, "Q")


def test_category_chain_keeps_cycles():
    chain = build_category_chain([{"code": "a", "inputs": ["b"]}, {"code": "b", "inputs": ["a"]}])
    assert sorted(chain.edges) == [("a", "b"), ("b", "a")]


def test_escalation_every_two_weeks_capped_at_province():
    assert [escalated_level("county", w) for w in range(1, 8)] == [
        "county", "county", "city", "city", "province", "province", "province"]
    assert [escalated_level("city", w) for w in (1, 2, 3)] == ["city", "city", "province"]
    assert escalated_level("province", 1) == "province"
    with pytest.raises(UnknownLevelError):
        escalated_level("nation", 1)
    with pytest.raises(UnknownLevelError):
        owner_region(("230102", "230100", "230000"), "town")


def test_severity_orders_by_its_documented_factors():
    base = severity("upstream_break", 100, leading_buyer=False, tier=1, weeks_open=1)
    assert severity("upstream_break", 100, leading_buyer=True) == pytest.approx(2 * base, 0.01)
    assert severity("upstream_break", 100, tier=2) == pytest.approx(base / 2, 0.01)
    assert severity("upstream_break", 100, weeks_open=3) == pytest.approx(2 * base, 0.01)
    assert severity("upstream_break", 1000) > base > severity("upstream_break", 10)
    assert severity("chain_gap", 100) > severity("supplier_down", 100) > base
    assert base > severity("supplier_strained", 100) > severity("single_source", 100)
