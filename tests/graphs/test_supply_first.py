"""Supply first (article 10, spec/article10.md; issue 13 item 4): the matcher prefers a leading
firm's offers for the needs of the SMEs it already buys from, by the documented cost weight
`not_supply_first`."""
from datetime import date

import pytest

from graphs.matching import DEFAULT_WEIGHTS, best_partners, build_index, propose_pairings
from graphs.records import NeedRecord, OfferRecord

AS_OF = date(2020, 3, 16)
# S (an SME, which supplies the leading firm L) needs 10 t of steel; L and another SME T both offer
# 10 t; T is 30 km nearer (0.3 of cost) and otherwise alike.
NEED = NeedRecord("N1", "S", "steel", 10, date(2020, 3, 31), 45.70, 126.60, firm_kind="sme")
FROM_L = OfferRecord("OL", "L", "steel", 10, date(2020, 3, 1), 45.97, 126.60, firm_kind="leading",
                     workers_back=1.0)
FROM_T = OfferRecord("OT", "T", "steel", 10, date(2020, 3, 1), 45.70, 126.60, firm_kind="sme",
                     workers_back=1.0)
CUSTOMERS = {"S": ["L"]}


def _chosen(**kw):
    result = propose_pairings([NEED], [FROM_L, FROM_T], as_of=AS_OF, **kw)
    return [(p.offer, p.quantity) for p in result.pairings]


def test_the_weight_is_documented_with_the_others():
    assert DEFAULT_WEIGHTS["not_supply_first"] == 1.0


def test_a_leading_firm_supplies_first_the_sme_it_buys_from():
    assert _chosen() == [("OT", 10.0)]  # nobody buys from S: the nearer offer
    assert _chosen(customers=CUSTOMERS) == [("OL", 10.0)]
    assert _chosen(customers=CUSTOMERS, weights={"not_supply_first": 0}) == [("OT", 10.0)]
    assert _chosen(customers={"S": ["X"]}) == [("OT", 10.0)]  # another leading firm buys from S


def test_the_term_costs_exactly_its_weight_for_every_other_offer():
    plain = {p["ref"]: p["unit_cost"] for p in best_partners(NEED, build_index([NEED], [FROM_L, FROM_T], as_of=AS_OF))}
    index = build_index([NEED], [FROM_L, FROM_T], as_of=AS_OF, customers=CUSTOMERS, weights={"not_supply_first": 2.5})
    weighted = {p["ref"]: p["unit_cost"] for p in best_partners(NEED, index)}
    assert weighted["OL"] == plain["OL"] and weighted["OT"] == pytest.approx(plain["OT"] + 2.5)
    # the needs of buyers that supply no leading firm are not affected
    other = NeedRecord("N2", "Q", "steel", 10, date(2020, 3, 31), 45.70, 126.60, firm_kind="sme")
    index = build_index([other], [FROM_L, FROM_T], as_of=AS_OF, customers=CUSTOMERS)
    assert {p["ref"]: p["unit_cost"] for p in best_partners(other, index)} == plain


def test_the_pairing_says_why():
    result = propose_pairings([NEED], [FROM_L, FROM_T], as_of=AS_OF, customers=CUSTOMERS)
    assert "龙头企业为其配套中小企业先供货 / supply first: a leading firm supplying an SME it buys from" in \
        result.pairings[0].reasons
