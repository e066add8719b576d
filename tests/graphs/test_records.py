"""The one vocabulary of graphs.records: a need read once serves the breaks and the matcher."""
from datetime import date

import pytest

from graphs import (
    Category,
    DeclinedPair,
    Need,
    NeedRecord,
    Offer,
    OfferRecord,
    build_supply_graph,
    chain_breaks,
    firm_is_live,
    is_live,
    substitutes_map,
)
from graphs import matching as gm

AS_OF = date(2020, 3, 16)
HARBIN = (45.7567, 126.6424)


def test_one_need_record_feeds_the_break_detection_and_the_matcher():
    need = Need("N1", "B", "steel", 10.0, date(2020, 3, 31), covered=4.0, pending_proposals=1,
                lat=HARBIN[0], lon=HARBIN[1], terms=("pay_first",), region="230102")
    offer = Offer("O1", "S", "steel", 20.0, date(2020, 3, 1), HARBIN[0], HARBIN[1], committed=15.0)
    G = build_supply_graph([{"ref": "B", "county": "230102"}, {"ref": "S", "county": "230102"}], [])
    [brk] = chain_breaks(G, None, [need], as_of=AS_OF, needs_with_allowed_offer={"N1"})
    assert (brk.kind, brk.quantity, brk.pending_proposals, brk.needs) == ("uncovered_need", 6.0, 1, ("N1",))
    result = gm.propose_pairings([need], [offer], as_of=AS_OF)
    # the matcher works on what is open: 10 - 4 of the need, 20 - 15 of the offer
    assert result.needs == [("N1", 6.0)] and result.offers == [("O1", 5.0)]
    assert [(p.need, p.offer, p.quantity) for p in result.pairings] == [("N1", "O1", 5.0)]


def test_matcher_order_constructors_build_the_same_records():
    n = NeedRecord("N1", "B", "steel", 6.0, date(2020, 3, 31), 45.7, 126.6, firm_kind="sme",
                   max_unit_price=9.0, terms=("pay_first",), status="open", region="230102")
    assert n == Need("N1", "B", "steel", 6.0, date(2020, 3, 31), 0.0, 0, "open", 45.7, 126.6, "sme",
                     9.0, ("pay_first",), "230102")
    assert (n.firm, n.firm_kind, n.open_quantity) == ("B", "sme", 6.0)
    o = OfferRecord("O1", "S", "steel", 5.0, date(2020, 3, 1), 45.8, 126.5, firm_kind="leading",
                    supplier_live=False, workers_back=0.5)
    assert isinstance(o, Offer)
    assert (o.supplier, o.firm, o.firm_kind, o.supplier_live, o.open_quantity) == ("S", "S", "leading", False, 5.0)


def test_declined_pair_records_are_pairs_the_index_takes():
    n = NeedRecord("N1", "B", "steel", 6.0, date(2020, 3, 31), *HARBIN)
    o = OfferRecord("O1", "S", "steel", 5.0, date(2020, 3, 1), *HARBIN)
    assert len(gm.allowed_pairs(gm.build_index([n], [o], as_of=AS_OF))) == 1
    assert len(gm.allowed_pairs(gm.build_index([n], [o], as_of=AS_OF, declined=[DeclinedPair("N1", "O1")]))) == 0


def test_substitutes_map_from_category_records():
    cats = [Category("steel", ("ore",), ("iron", "alloy")), Category("ore"), ("iron", ["ore"])]
    assert substitutes_map(cats) == {"steel": ("iron", "alloy")}


@pytest.mark.parametrize("operating, risk, live", [
    (True, "low", True), (True, "medium", True), (True, None, True),
    (True, "high", False), (False, "low", False), (None, "low", False),
])
def test_firm_is_live_is_the_rule_is_live_applies_to_graph_nodes(operating, risk, live):
    assert firm_is_live(operating, risk) is live
    G = build_supply_graph([{"ref": "A", "county": "230102", "operating": operating, "county_risk": risk}], [])
    assert is_live(G, "A") is live
    # what-if overrides: stopped firms and counties turned high-risk are never live
    assert is_live(G, "A", stopped={"A"}) is False
    assert is_live(G, "A", high_risk_counties={"230102"}) is False
