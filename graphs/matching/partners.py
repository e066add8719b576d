"""The best partners of one posting, answered from a prebuilt index without a run.

The offer (or need) groups whose goods may meet the posting's (hard rule 2) are cut
by the arrival rule,
then tested against the other hard rules and costed with the same vectorised
functions as a run (:func:`~graphs.matching.candidates.allowed_among`,
:func:`~graphs.matching.costs.unit_costs`), the posting standing as the one
row of its side. The posting need not be in the index: a new posting can be
scored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import MatchingError
from ..records import Need, Offer
from .candidates import allowed_among
from .columns import NeedColumns, OfferColumns
from .costs import COST_SCALE, QUANTITY_SCALE, unit_costs
from .geo import round_km
from .goods import need_goods, offer_goods
from .index import MatchIndex
from .reasons import pairing_reasons

__all__ = ["best_partners"]


def best_partners(posting: Need | Offer, index: MatchIndex, n: int = 10) -> list[dict[str, Any]]:
    """The top ``n`` allowed partners of one need or offer, cheapest first.

    Answered from the index alone: the groups whose goods may meet the posting's (hard
    rule 2) are cut by the arrival rule, then tested against the other hard rules with vectorised
    arithmetic.  The posting need not be in the index (a new posting can be scored).

    Parameters
    ----------
    posting : Need or Offer
    index : MatchIndex
    n : int, optional
        How many partners (default 10).

    Returns
    -------
    list of dict
        ``{"ref", "product", "unit", "unit_cost", "distance_km", "open_quantity", "reasons"}``
        per partner (its product, or None, and the unit of its quantity), by unit cost,
        then ref.

    Raises
    ------
    MatchingError
        If *posting* is neither a need nor an offer.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.index import build_index
    >>> need = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> far = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 47.3, 130.3)
    >>> near = OfferRecord("O2", "T", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> index = build_index([need], [far, near], as_of=date(2020, 3, 16))
    >>> [p["ref"] for p in best_partners(need, index, n=2)]
    ['O2', 'O1']
    """
    if n <= 0:
        return []
    if isinstance(posting, Need):
        return _best_offers(posting, index, n)
    if isinstance(posting, Offer):
        return _best_needs(posting, index, n)
    raise MatchingError("best_partners takes a Need or an Offer")


def _best_offers(need: Need, index: MatchIndex, n: int) -> list[dict[str, Any]]:
    """The best offers for *need*: its supply groups cut to the offers arriving in time."""
    offers = index.offer_columns
    due = need.needed_by.toordinal()
    if need.status != "open" or due < index.as_of.toordinal():
        return []
    groups = []
    key = need_goods(need.category, need.product, need.accepts, need.unit)
    k = index.need_key.get(key)
    for code in index.goods.supply[k] if k is not None else index.goods.supply_of(key):
        g = index.offer_groups.get(code)
        if g is None:
            continue
        m = int(np.searchsorted(offers.arrival[g], due, side="right"))
        if m:
            groups.append(g[:m])
    if not groups:
        return []
    oi = np.concatenate(groups)
    probe = NeedColumns.of([need], index.firm_code, index.cat_code)
    ni, oi, dist = allowed_among(probe, offers, np.zeros(oi.shape[0], dtype=np.int64), oi,
                                 cross=False)
    row = index.need_pos.get(need.ref)
    if row is not None and index.declined_keys.size and ni.size:
        keep = ~np.isin(row * len(index.offers) + oi, index.declined_keys)
        ni, oi, dist = ni[keep], oi[keep], dist[keep]
    cost = unit_costs(probe, offers, ni, oi, dist, weights=index.weights,
                      cat_median=index.cat_median, supply_first=index.supply_first)
    top = _top(cost, np.array([index.offers[k].ref for k in oi.tolist()], dtype=object), n)
    cache: dict = {}  # the reasons' parts that depend on one posting, shared by the partners
    return [
        {
            "ref": index.offers[int(oi[k])].ref,
            "product": index.offers[int(oi[k])].product,
            "unit": index.offers[int(oi[k])].unit,
            "unit_cost": int(cost[k]) / COST_SCALE,
            "distance_km": round_km(float(dist[k])),
            "open_quantity": int(index.o_qty[int(oi[k])]) / QUANTITY_SCALE,
            "reasons": pairing_reasons(need, index.offers[int(oi[k])], float(dist[k]), index=index,
                                       cache=cache),
        }
        for k in top
    ]


def _best_needs(offer: Offer, index: MatchIndex, n: int) -> list[dict[str, Any]]:
    """The best needs for *offer*: its demand groups cut to the needs due after it arrives."""
    needs = index.need_columns
    as_of_ord = index.as_of.toordinal()
    if (offer.status != "open" or not offer.supplier_live
            or (offer.available_until is not None
                and offer.available_until.toordinal() < as_of_ord)):
        return []
    arrival = max(offer.available_from.toordinal(), as_of_ord) + int(offer.lead_time_days)
    groups = []
    key = offer_goods(offer.category, offer.product, offer.unit)
    k = index.offer_key.get(key)
    for code in index.goods.demand[k] if k is not None else index.goods.demand_of(key):
        g = index.need_groups.get(code)
        if g is None:
            continue
        s = int(np.searchsorted(needs.due[g], arrival, side="left"))
        if s < g.shape[0]:
            groups.append(g[s:])
    if not groups:
        return []
    ni = np.concatenate(groups)
    probe = OfferColumns.of([offer], index.firm_code, index.price_code, as_of=index.as_of)
    cat_median = index.cat_median
    if probe.goods[0] < 0:  # goods the index has no offer of: the offer's own price is its median
        probe.goods[0] = len(index.price_code)
        cat_median = np.append(cat_median, np.nan if offer.unit_price is None
                               else float(offer.unit_price))
    ni, oi, dist = allowed_among(needs, probe, ni, np.zeros(ni.shape[0], dtype=np.int64),
                                 cross=False)
    col = index.offer_pos.get(offer.ref)
    if col is not None and index.declined_keys.size and ni.size:
        keep = ~np.isin(ni * len(index.offers) + col, index.declined_keys)
        ni, oi, dist = ni[keep], oi[keep], dist[keep]
    cost = unit_costs(needs, probe, ni, oi, dist, weights=index.weights, cat_median=cat_median,
                      supply_first=index.supply_first)
    top = _top(cost, np.array([index.needs[k].ref for k in ni.tolist()], dtype=object), n)
    cache: dict = {}  # the reasons' parts that depend on one posting, shared by the partners
    return [
        {
            "ref": index.needs[int(ni[k])].ref,
            "product": index.needs[int(ni[k])].product,
            "unit": index.needs[int(ni[k])].unit,
            "unit_cost": int(cost[k]) / COST_SCALE,
            "distance_km": round_km(float(dist[k])),
            "open_quantity": int(index.n_qty[int(ni[k])]) / QUANTITY_SCALE,
            "reasons": pairing_reasons(index.needs[int(ni[k])], offer, float(dist[k]), index=index,
                                       cache=cache),
        }
        for k in top
    ]


def _top(cost: np.ndarray, refs: np.ndarray, n: int) -> list[int]:
    """Positions of the *n* cheapest pairs, by cost, then ref."""
    if cost.size == 0:
        return []
    if cost.size > n:
        kth = np.partition(cost, n - 1)[n - 1]
        cand = np.flatnonzero(cost <= kth)
    else:
        cand = np.arange(cost.size)
    ranked = sorted(cand.tolist(), key=lambda k: (int(cost[k]), refs[k]))
    return ranked[:n]
