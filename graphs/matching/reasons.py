"""Why a pair was proposed: short reasons, each in Chinese and English.

The reasons of a pairing name the products (the offer's product, an accepted
alternative to the need's, or a need's product offered by category), then say
where the two firms are (same county, same city or how far apart), a substitute
category, the price against the need's cap or the median of the same goods, the
lead time, "hand in hand" (an SME supplying a leading buyer), "supply first" (a
leading firm supplying an SME it buys from), the supplier's workers back, and the
article-10 terms the buyer offers. A run words tens of thousands of pairings, so
the parts that depend on one posting only are cached across calls.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..records import ARTICLE_10_TERMS, Need, Offer
from .columns import price_key
from .geo import haversine_km

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .index import MatchIndex

__all__ = ["pairing_reasons", "pairings_reasons"]

_TERM_REASONS = {
    "order_first": "买方先订货 / buyer orders first",
    "supply_first": "买方先供货 / buyer supplies first",
    "pay_first": "买方先付款 / buyer pays first",
}
_SME_FOR_LEADING = "中小企业供应龙头企业 / SME for a leading buyer"
_SUPPLY_FIRST = "龙头企业为其配套中小企业先供货 / supply first: a leading firm supplying an SME it buys from"


def _fmt_num(x: float) -> str:
    """A number with at most two decimals, without trailing zeros."""
    return ("%.2f" % x).rstrip("0").rstrip(".")


def pairing_reasons(need: Need, offer: Offer, distance_km: float | None = None,
                    *, index: MatchIndex | None = None, cache: dict | None = None) -> list[str]:
    """Human-readable reasons for a pairing, each in Chinese and English.

    Parameters
    ----------
    need : Need
    offer : Offer
    distance_km : float, optional
        The pair's distance (computed when not given).
    index : MatchIndex, optional
        Supplies the median price of the same goods when the need sets no maximum price,
        who buys from whom (supply first), and the products' names
        (``index.product_names``; else products are named by code).
    cache : dict, optional
        Reuse the parts that depend on one posting only across many calls (a run passes
        one dict for all its pairings).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6,
    ...                terms=("pay_first",), region="230102")
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5,
    ...                 workers_back=0.9, lead_time_days=2, region="230102")
    >>> for r in pairing_reasons(n, o):
    ...     print(r)
    同县，14 公里 / same county, 14 km
    交货期 2 天 / lead time 2 days
    中小企业供应龙头企业 / SME for a leading buyer
    复工率 90% / 90% of workers back
    买方先付款 / buyer pays first
    >>> milk = NeedRecord("N2", "B", "dairy", 10, date(2020, 3, 20), 45.7, 126.6,
    ...                   product="P1", accepts=("P2",), unit="t")
    >>> goat = OfferRecord("O2", "S", "dairy", 5, date(2020, 3, 1), 45.8, 126.5,
    ...                    product="P2", unit="t")
    >>> pairing_reasons(milk, goat)[0]
    '买方亦收 P2（替代 P1） / the buyer also takes P2 instead of P1'
    """
    if distance_km is None:
        distance_km = haversine_km(need.lat, need.lon, offer.lat, offer.lon)
    if cache is None:
        cache = {}
    km = "%.0f" % distance_km
    reasons = []
    need_product, offer_product = need.product, offer.product
    if need_product is not None or offer_product is not None:
        key = ("goods", need_product, offer_product)
        goods = cache.get(key)
        if goods is None:
            goods = cache[key] = _goods_reason(need_product, offer_product,
                                               index.product_names if index is not None else {})
        reasons.append(goods)
    if need.region and offer.region and need.region == offer.region:
        reasons.append("同县，%s 公里 / same county, %s km" % (km, km))
    elif need.region and offer.region and need.region[:4] == offer.region[:4]:
        reasons.append("同市，%s 公里 / same city, %s km" % (km, km))
    else:
        reasons.append("相距 %s 公里 / %s km away" % (km, km))
    by_category = need_product is None or offer_product is None
    if by_category and offer.category != need.category:
        reasons.append("以 %s 替代 %s / %s as a substitute for %s"
                       % (offer.category, need.category, offer.category, need.category))
    if offer.unit_price is not None:
        key = ("price", offer.unit_price, need.max_unit_price, offer.category, offer_product, offer.unit)
        price_reason = cache.get(key)
        if price_reason is None:
            price_reason = cache[key] = _price_reason(need, offer, index)
        if price_reason:
            reasons.append(price_reason)
    key = ("offer", offer.lead_time_days, offer.workers_back)
    offer_part = cache.get(key)
    if offer_part is None:
        offer_part = cache[key] = _offer_reasons(offer)
    reasons.append(offer_part[0])
    if offer.supplier_kind == "sme" and need.buyer_kind == "leading":
        reasons.append(_SME_FOR_LEADING)
    if index is not None and offer.supplier in index.customers.get(need.buyer, ()):
        reasons.append(_SUPPLY_FIRST)
    if len(offer_part) > 1:
        reasons.append(offer_part[1])
    if need.terms:
        key = ("terms", need.terms if isinstance(need.terms, tuple) else tuple(need.terms))
        terms_part = cache.get(key)
        if terms_part is None:
            terms_part = cache[key] = [_TERM_REASONS[t] for t in ARTICLE_10_TERMS if t in need.terms]
        reasons.extend(terms_part)
    return reasons


def _goods_reason(need_product: str | None, offer_product: str | None, names) -> str:
    """What is traded: the offer's product (an alternative the buyer accepts to the product it
    asks for), or the product the buyer asks for, offered by category."""
    def name(code: str) -> tuple[str, str]:
        return tuple(names.get(code) or (code, code))

    if offer_product is None:
        zh, en = name(need_product)
        return "买方要 %s，供方按品类供货 / the buyer asks for %s, offered by category" % (zh, en)
    zh, en = name(offer_product)
    if need_product is not None and need_product != offer_product:
        nzh, nen = name(need_product)
        return "买方亦收 %s（替代 %s） / the buyer also takes %s instead of %s" % (zh, nzh, en, nen)
    return "产品：%s / product: %s" % (zh, en)


def _price_reason(need: Need, offer: Offer, index: MatchIndex | None) -> str:
    """The price reason: within the buyer's cap (not saying it), or against the median of the
    open offers of the same goods (the same product, else the same category; the same unit)."""
    price = _fmt_num(float(offer.unit_price))
    if need.max_unit_price is not None:
        # the buyer's cap itself is the buyer's to know: the supplier reads these reasons too
        # (proposals, best partners), so they say the price fits, never what the cap is
        return "单价 %s，在买方限价之内 / unit price %s within the buyer's price cap" % (price, price)
    product = offer.product
    code = index.price_code.get(price_key(offer.category, product, offer.unit)) if index is not None else None
    if code is not None:
        med = float(index.cat_median[code])
        if not math.isnan(med):
            m = _fmt_num(med)
            if product is not None:
                return ("单价 %s，同产品中位价 %s / unit price %s, product median %s"
                        % (price, m, price, m))
            return ("单价 %s，品类中位价 %s / unit price %s, category median %s"
                    % (price, m, price, m))
    return ""


def _offer_reasons(offer: Offer) -> tuple[str, ...]:
    """(lead-time reason, workers reason if known) of an offer."""
    if offer.lead_time_days:
        d = int(offer.lead_time_days)
        out = ["交货期 %d 天 / lead time %d day%s" % (d, d, "" if d == 1 else "s")]
    else:
        out = ["现货，无需备货期 / ready to ship, no lead time"]
    if offer.workers_back is not None:
        pct = "%.0f" % (100 * float(offer.workers_back))
        out.append("复工率 %s%% / %s%% of workers back" % (pct, pct))
    return tuple(out)


def pairings_reasons(index: MatchIndex, need_idx: np.ndarray, offer_idx: np.ndarray,
                     distance: np.ndarray) -> list[tuple[str, ...]]:
    """The reasons of many pairs of an index at once: for each pair ``(need_idx[k], offer_idx[k])``
    at ``distance[k]`` km, ``tuple(pairing_reasons(need, offer, distance, index=index))``.

    What depends on one posting only is worded once per posting that occurs, what depends on
    the pair is decided with array operations, and each pair's reasons are joined from those
    parts (a run words a hundred thousand pairings).

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.index import build_index
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6, region="230102")
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5, region="230103")
    >>> pairings_reasons(build_index([n], [o], as_of=date(2020, 3, 16)), np.array([0]), np.array([0]),
    ...                  np.array([13.6]))
    [('同市，14 公里 / same city, 14 km', '现货，无需备货期 / ready to ship, no lead time', '中小企业供应龙头企业 / SME for a leading buyer')]
    """
    ni = np.asarray(need_idx, dtype=np.int64)
    oi = np.asarray(offer_idx, dtype=np.int64)
    if ni.size == 0:
        return []
    needs, offers = index.needs, index.offers
    cache: dict = {}
    # each posting that occurs, worded once: (its row -> its part)
    need_rows = np.unique(ni).tolist()
    offer_rows = np.unique(oi).tolist()
    n_part = [None] * len(needs)  # (product, category, region, city, has cap, leading, terms reasons)
    for i in need_rows:
        n = needs[i]
        terms = ()
        if n.terms:
            key = ("terms", n.terms if isinstance(n.terms, tuple) else tuple(n.terms))
            terms = cache.get(key)
            if terms is None:
                terms = cache[key] = tuple(_TERM_REASONS[t] for t in ARTICLE_10_TERMS if t in n.terms)
        n_part[i] = (n.product, n.category, n.region or None, n.region[:4] if n.region else None,
                     n.max_unit_price is not None, n.buyer_kind == "leading", terms)
    # (product, category, region, city, (price, lead) with a buyer's cap / without, sme, workers)
    o_part = [None] * len(offers)
    for j in offer_rows:
        o = offers[j]
        # the lead time, workers back and price parts depend on few values each
        key = ("offer", o.lead_time_days, o.workers_back)
        lead_workers = cache.get(key)
        if lead_workers is None:
            lead_workers = cache[key] = _offer_reasons(o)
        lead, workers = lead_workers[:1], lead_workers[1:]
        with_cap = without_cap = lead
        if o.unit_price is not None:
            key = ("prices", o.unit_price, o.category, o.product, o.unit)
            prices = cache.get(key)
            if prices is None:
                prices = cache[key] = tuple((text,) if text else () for text in (
                    _price_reason(_CAPPED, o, index), _price_reason(_UNCAPPED, o, index)))
            with_cap, without_cap = prices[0] + lead, prices[1] + lead
        o_part[j] = (o.product, o.category, o.region or None, o.region[:4] if o.region else None,
                     with_cap, without_cap, o.supplier_kind == "sme", workers)
    sf = index.supply_first
    if sf is not None:
        nc, oc = index.need_columns, index.offer_columns
        first = np.isin(nc.firm[ni] * sf.n_firms + oc.firm[oi], sf.pairs).tolist()
    else:
        first = [False] * ni.size
    names = index.product_names
    # whole kilometres as "%.0f" rounds them (to nearest, ties to even), each place text made once
    km = np.rint(np.asarray(distance, dtype=np.float64)).astype(np.int64).tolist()
    places: dict = {}
    out = []
    for i, j, k, f in zip(ni.tolist(), oi.tolist(), km, first):
        n_product, n_cat, n_region, n_city, capped, leading, terms = n_part[i]
        o_product, o_cat, o_region, o_city, with_cap, without_cap, sme, workers = o_part[j]
        if n_region is not None and n_region == o_region:
            key = k
        elif n_region is not None and o_region is not None and n_city == o_city:
            key = -1 - k
        else:
            key = None, k
        place = places.get(key)
        if place is None:
            place = places[key] = _place_reason(key)
        if n_product is None and o_product is None:
            head = (place,)
        else:
            key = ("goods", n_product, o_product)
            goods = cache.get(key)
            if goods is None:
                goods = cache[key] = _goods_reason(n_product, o_product, names)
            head = (goods, place)
        if (n_product is None or o_product is None) and o_cat != n_cat:
            head += ("以 %s 替代 %s / %s as a substitute for %s" % (o_cat, n_cat, o_cat, n_cat),)
        reasons = head + (with_cap if capped else without_cap)
        if sme and leading:
            reasons += (_SME_FOR_LEADING,)
        if f:
            reasons += (_SUPPLY_FIRST,)
        out.append(reasons + workers + terms if workers or terms else reasons)
    return out


def _place_reason(key) -> str:
    """Where the two firms are: ``key`` is the distance in whole km in the same county, ``-1 - km``
    in the same city, ``(None, km)`` otherwise."""
    if isinstance(key, tuple):
        return "相距 %d 公里 / %d km away" % (key[1], key[1])
    if key >= 0:
        return "同县，%d 公里 / same county, %d km" % (key, key)
    return "同市，%d 公里 / same city, %d km" % (-1 - key, -1 - key)


class _Cap:
    """A stand-in need for :func:`_price_reason`: with or without a maximum unit price."""

    __slots__ = ("max_unit_price",)

    def __init__(self, cap):
        self.max_unit_price = cap


_CAPPED, _UNCAPPED = _Cap(0.0), _Cap(None)
