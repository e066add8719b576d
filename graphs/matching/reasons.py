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
from .columns import fields_of, price_key
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
    # what depends on one posting only, as integer columns aligned with the index's needs and
    # offers (values numbered, 0 for None) and small tables of the reasons' words per value
    regions, products, categories = _Numbering(also_none=("",)), _Numbering(), _Numbering()
    need = _need_parts(index, regions, products, categories)
    offer = _offer_parts(index, regions, products, categories)
    city = np.array([cities(r[:4] if r else None) for cities in (_Numbering(),) for r in regions.values],
                    dtype=np.int64)
    # then each pair's reasons are joined from parts picked per pair out of those tables: object
    # arrays, whose "+" concatenates the tuples pair by pair in C
    km = np.rint(np.asarray(distance, dtype=np.float64)).astype(np.int64)  # as "%.0f" rounds (ties to even)
    n_region, o_region = need.region[ni], offer.region[oi]
    county = (n_region > 0) & (n_region == o_region)
    near = ~county & (n_region > 0) & (o_region > 0) & (city[n_region] == city[o_region])
    span = int(km.max()) + 1
    out = _worded(np.where(county, 0, np.where(near, 1, 2)) * span + km,
                  lambda key: (_place_text(*divmod(key, span)),))
    n_product, o_product = need.product[ni], offer.product[oi]
    by_category = (n_product == 0) | (o_product == 0)
    if n_product.any() or o_product.any():
        width, names = len(products), products.values

        def goods(key):
            a, b = names[key // width], names[key % width]
            return () if a is None and b is None else (_goods_reason(a, b, index.product_names),)

        out = _worded(n_product * width + o_product, goods) + out
    n_cat, o_cat = need.category[ni], offer.category[oi]
    substitute = by_category & (n_cat != o_cat)
    if substitute.any():
        width, cats = len(categories), categories.values

        def instead(key):
            if key < 0:
                return ()
            o, n = cats[key // width], cats[key % width]
            return ("以 %s 替代 %s / %s as a substitute for %s" % (o, n, o, n),)

        out = out + _worded(np.where(substitute, o_cat * width + n_cat, -1), instead)
    # the price (within the buyer's cap, or against the median) and the lead time
    width, prices, leads = len(offer.prices), offer.prices, offer.leads
    out = out + _worded(need.capped[ni].astype(np.int64) * width + offer.price[oi],
                        lambda key: prices(key % width, key // width))
    out = out + _table([lead for lead, _ in leads])[offer.lead[oi]]
    both = offer.sme[oi] & need.leading[ni]
    if both.any():
        out = out + _table([(), (_SME_FOR_LEADING,)])[both.view(np.int8)]
    sf = index.supply_first
    if sf is not None:
        nc, oc = index.need_columns, index.offer_columns
        first = np.isin(nc.firm[ni] * sf.n_firms + oc.firm[oi], sf.pairs)
        if first.any():
            out = out + _table([(), (_SUPPLY_FIRST,)])[first.view(np.int8)]
    out = out + _table([w for _, w in leads])[offer.lead[oi]]
    return (out + _table(need.terms)[need.term[ni]]).tolist()


class _Numbering:
    """Numbers values in the order they come, None as 0 (and the values of ``also_none``):
    ``values[code]`` is the value of a code."""

    __slots__ = ("codes", "values")

    def __init__(self, also_none: tuple = ()):
        self.codes = dict.fromkeys((None, *also_none), 0)
        self.values = [None]

    def __call__(self, value) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.values)
            self.values.append(value)
        return code

    def __len__(self) -> int:
        return len(self.values)

    def column(self, values: list) -> np.ndarray:
        """The codes of ``values`` (a list) as an array."""
        codes = self.codes
        for value in dict.fromkeys(values):  # each distinct value, in order
            if value not in codes:
                codes[value] = len(self.values)
                self.values.append(value)
        return np.fromiter(map(codes.__getitem__, values), dtype=np.int64, count=len(values))


class _Parts:
    """What the reasons of a pair take from one of its postings: numbered values as columns aligned
    with the index's postings, and the tables of words of a need's terms (``terms[term[i]]``), an
    offer's prices (``prices(price[j], capped)``, worded on first use) and lead time and workers
    back (``leads[lead[j]]``: a reason each, or none)."""

    __slots__ = ("region", "product", "category", "capped", "leading", "term", "terms", "sme", "price",
                 "prices", "lead", "leads")


def _need_parts(index, regions, products, categories) -> _Parts:
    """The needs' parts: region, product, category, whether a cap is set, whether the buyer leads,
    the terms offered."""
    region, product, category, cap, terms = fields_of(
        index.needs, "region", "product", "category", "max_unit_price", "terms")
    parts = _Parts()
    parts.region = regions.column(region)
    parts.product, parts.category = products.column(product), categories.column(category)
    parts.capped = np.array([c is not None for c in cap], dtype=bool)
    parts.leading = index.need_columns.leading
    offered = _Numbering()
    if set(map(type, terms)) - {tuple}:
        terms = [tuple(t) for t in terms]
    parts.term = offered.column(terms)
    parts.terms = [tuple(_TERM_REASONS[x] for x in ARTICLE_10_TERMS if x in t) if t else ()
                   for t in offered.values]
    return parts


def _offer_parts(index, regions, products, categories) -> _Parts:
    """The offers' parts: region, product, category, whether the supplier is an SME, the price
    reasons (with a buyer's cap, without) and the lead time and workers back reasons."""
    offers = index.offers
    region, product, category, price, lead, workers = fields_of(
        offers, "region", "product", "category", "unit_price", "lead_time_days", "workers_back")
    parts = _Parts()
    parts.region = regions.column(region)
    parts.product, parts.category = products.column(product), categories.column(category)
    parts.sme = index.offer_columns.sme
    # the lead time and workers back reasons, worded once per distinct pair of values
    parts.lead, rows = _pairs_numbered(_Numbering().column(lead), _Numbering().column(workers))
    parts.leads = [(r[:1], r[1:]) for r in (_offer_reasons(offers[j]) for j in rows)]
    # the price reasons depend on the price and its reference (the offer's price code) only
    priced = _Numbering().column(price)
    parts.price, rows = _pairs_numbered(priced, np.where(priced > 0, index.offer_columns.goods, -1))
    parts.prices = _PriceWords(offers, rows, index)
    return parts


class _PriceWords:
    """``words(code, capped)``: the price reason (a tuple of none or one) of the offers of a price
    code (``_Parts.price``) for a need with a cap (1) or without (0), worded when first asked: with a
    cap it depends on the printed price alone, so each distinct one is worded once, not once per price
    and reference; without, once per code that a pair asks for."""

    __slots__ = ("_offers", "_rows", "_index", "_done", "_capped")

    def __init__(self, offers, rows: list[int], index):
        self._offers, self._rows, self._index = offers, rows, index
        self._done: dict[tuple[int, int], tuple] = {}
        self._capped: dict = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __call__(self, code: int, capped: int) -> tuple:
        words = self._done.get((code, capped))
        if words is None:
            offer = self._offers[self._rows[code]]
            if offer.unit_price is None:
                words = ()
            elif capped:
                # keyed by the printed price, what the text depends on (-0.0 == 0.0 but prints "-0")
                price = _fmt_num(float(offer.unit_price))
                words = self._capped.get(price)
                if words is None:
                    text = _price_reason(_CAPPED, offer, self._index)
                    words = self._capped[price] = (text,) if text else ()
            else:
                text = _price_reason(_UNCAPPED, offer, self._index)
                words = (text,) if text else ()
            self._done[(code, capped)] = words
        return words


def _pairs_numbered(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The code of each row's pair ``(a, b)`` (0, 1, ... over the distinct pairs) and the first row
    of each distinct pair."""
    if not a.size:
        return a, []
    _keys, first, codes = np.unique(a * (int(b.max()) + 2) + (b + 1), return_index=True, return_inverse=True)
    return codes.reshape(-1), first.tolist()


def _worded(keys: np.ndarray, words) -> np.ndarray:
    """``words(key)`` of each key, as an object array, each distinct key worded once."""
    distinct, of = np.unique(keys, return_inverse=True)
    return _table([words(k) for k in distinct.tolist()])[of.reshape(-1)]


def _table(values: list) -> np.ndarray:
    """An object array of ``values``, each item whole (tuples are not unpacked into a dimension)."""
    table = np.empty(len(values), dtype=object)
    for k, v in enumerate(values):
        table[k] = v
    return table


def _place_text(kind: int, km: int) -> str:
    """Where the two firms are, ``km`` whole kilometres apart: same county (kind 0), same city (1) or not."""
    if kind == 0:
        return "同县，%d 公里 / same county, %d km" % (km, km)
    if kind == 1:
        return "同市，%d 公里 / same city, %d km" % (km, km)
    return "相距 %d 公里 / %d km away" % (km, km)


class _Cap:
    """A stand-in need for :func:`_price_reason`: with or without a maximum unit price."""

    __slots__ = ("max_unit_price",)

    def __init__(self, cap):
        self.max_unit_price = cap


_CAPPED, _UNCAPPED = _Cap(0.0), _Cap(None)
