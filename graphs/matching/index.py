"""The open needs and offers of one as-of date, indexed for pairing.

:func:`build_index` keeps the postings that are open on the date (hard rule 3)
and builds a :class:`MatchIndex`: postings sorted by ref (so runs are
deterministic), their columns (:mod:`graphs.matching.columns`), and the
postings grouped by their goods (category, product, a need's accepts, unit),
offers sorted by earliest arrival and needs by due date. Hard rule 2 is decided
once per pair of groups (:class:`~graphs.matching.goods.GoodsGroups`), and the
arrival rule (hard rule 4) cuts each group to a prefix (or suffix) before any
distance is computed. Offers of suppliers that are not live stay in the index
but in no group (hard rule 7).
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..exceptions import MatchingError
from ..records import Need, Offer
from .columns import NeedColumns, OfferColumns, Records, fields_of, price_key
from .costs import check_weights, scale_quantities, scale_quantity, supply_first_codes
from .goods import GoodsGroups, NeedGoods, OfferGoods, need_goods

__all__ = ["MatchIndex", "build_index"]


class MatchIndex:
    """Open needs and offers of one as-of date, indexed for pairing.

    Built by :func:`build_index`.  ``needs``/``offers`` are the open postings sorted
    by ref, ``need_columns``/``offer_columns`` their columns; ``categories`` the
    sorted category codes (``cat_code`` maps a code to its number),
    ``supply_cats[c]`` the categories whose offers may meet a need of ``c`` (``c``
    first). Postings are grouped by their goods: ``goods`` (a
    :class:`~graphs.matching.goods.GoodsGroups`) holds the goods of each need group
    and offer group and which offer groups may serve which need groups (hard rule
    2); ``offer_groups[g]`` holds the live offers of offer group ``g`` sorted by
    earliest arrival, ``need_groups[k]`` the needs of need group ``k`` sorted by due
    date. ``price_code`` numbers the price references (an offer's product, else its
    category, with its unit) and ``cat_median`` is the median open unit price of
    each (the price term's reference when a need sets no maximum);
    ``declined_keys`` the sorted keys ``need row * len(offers) + offer row`` of the
    declined pairs; ``product_names`` maps a product code to its (Chinese, English)
    names, for the reasons; ``customers`` the leading firms that buy from each SME
    and ``supply_first`` their codes (the ``not_supply_first`` cost term; ``None``
    without customers).
    """

    def __init__(self, needs: list[Need], offers: list[Offer], *, as_of: _dt.date,
                 substitutes: Mapping[str, Iterable[str]] | None,
                 declined: Iterable[tuple[str, str]] | None, weights: dict[str, float],
                 need_qty: np.ndarray | None = None, offer_qty: np.ndarray | None = None,
                 customers: Mapping[str, Iterable[str]] | None = None,
                 product_names: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.as_of = as_of
        self.weights = weights
        self.product_names = dict(product_names or {})
        self.needs = needs
        self.offers = offers
        (need_refs, buyers), (offer_refs, suppliers) = (fields_of(needs, "ref", "buyer"),
                                                       fields_of(offers, "ref", "supplier"))
        self.need_pos = dict(zip(need_refs, range(len(needs))))
        self.offer_pos = dict(zip(offer_refs, range(len(offers))))
        self._code_categories(substitutes)
        firms = sorted(set(buyers).union(suppliers))
        self.firm_code = dict(zip(firms, range(len(firms))))
        if need_qty is None:
            need_qty = np.array(checked_quantities(needs, "covered"), dtype=np.int64)
        if offer_qty is None:
            offer_qty = np.array(checked_quantities(offers, "committed"), dtype=np.int64)
        self.need_columns = NeedColumns.of(needs, self.firm_code, self.cat_code, need_qty)
        ogroup = self._code_offer_goods()
        self.offer_columns = OfferColumns.of(offers, self.firm_code, self.price_code, as_of=as_of,
                                             qty=offer_qty, goods=self._group_price[ogroup])
        self.cat_median = self._price_medians()
        self._group_by_goods(ogroup)
        self.declined_keys = self._declined_keys(declined)
        self.customers = {sme: frozenset(buyers) for sme, buyers in (customers or {}).items()}
        self.supply_first = supply_first_codes(self.customers, self.firm_code)

    # -- the steps of __init__ ------------------------------------------------

    def _code_categories(self, substitutes: Mapping[str, Iterable[str]] | None) -> None:
        """Number the categories of the postings and the substitutes map; set the
        category lists each side may pair with (hard rule 2)."""
        cats = set(fields_of(self.needs, "category")[0]).union(fields_of(self.offers, "category")[0])
        subs: dict[str, tuple[str, ...]] = {}
        for c, ss in (substitutes or {}).items():
            ss = sorted(set(ss) - {c})
            subs[c] = (c, *ss)
            cats.add(c)
            cats.update(ss)
        self.categories = sorted(cats)
        self.cat_code = {c: i for i, c in enumerate(self.categories)}
        self.supply_cats = {c: subs.get(c, (c,)) for c in self.categories}
        self.substitutes = {c: ss[1:] for c, ss in subs.items()}

    def _code_offer_goods(self) -> np.ndarray:
        """Number the goods of the offers (category, product, unit) and their price references;
        returns the goods number of each offer."""
        cat, product, unit = fields_of(self.offers, "category", "product", "unit")
        keys: dict[tuple, int] = {}
        ogroup = np.array([keys.setdefault(k, len(keys)) for k in zip(cat, product, unit)], dtype=np.int64)
        self.offer_key = {OfferGoods(*k): g for k, g in keys.items()}
        self.price_code: dict[tuple, int] = {}
        self._group_price = np.array([self.price_code.setdefault(price_key(*k), len(self.price_code))
                                      for k in keys], dtype=np.int64)
        return ogroup

    def _price_medians(self) -> np.ndarray:
        """The median known unit price of the open offers of each price reference (NaN if none)."""
        price, ref = self.offer_columns.price, self.offer_columns.goods
        median = np.full(len(self.price_code), np.nan)
        known = ~np.isnan(price)
        order = np.lexsort((price[known], ref[known]))
        values, refs = price[known][order], ref[known][order]
        for code, start, stop in runs(refs):
            median[code] = float(np.median(values[start:stop]))
        return median

    def _group_by_goods(self, ogroup: np.ndarray) -> None:
        """Group the live offers by their goods (numbered: ``ogroup``) sorted by arrival, the needs
        by theirs sorted by due date (ties by row), and decide hard rule 2 per pair of groups."""
        oc, nc = self.offer_columns, self.need_columns
        cat, product, accepts, unit = fields_of(self.needs, "category", "product", "accepts", "unit")
        raw: dict[tuple, int] = {}  # accepts as given, then each distinct one made canonical once
        nraw = np.array([raw.setdefault((c, p, a if type(a) is tuple else tuple(a), u), len(raw))
                         for c, p, a, u in zip(cat, product, accepts, unit)], dtype=np.int64)
        need_key: dict[NeedGoods, int] = {}
        canonical = np.array([need_key.setdefault(need_goods(*k), len(need_key)) for k in raw], dtype=np.int64)
        ngroup = canonical[nraw] if nraw.size else nraw
        offer_key = self.offer_key
        self.goods = GoodsGroups(list(need_key), list(offer_key), self.substitutes)
        self.need_key = need_key
        order = np.lexsort((np.arange(len(self.offers)), oc.arrival, ogroup))
        order = order[oc.live[order]]  # rule 7: offers of suppliers not live never pair
        self.offer_groups: dict[int, np.ndarray] = {
            code: order[start:stop] for code, start, stop in runs(ogroup[order])}
        order = np.lexsort((np.arange(len(self.needs)), nc.due, ngroup))
        self.need_groups: dict[int, np.ndarray] = {
            code: order[start:stop] for code, start, stop in runs(ngroup[order])}

    def _declined_keys(self, declined: Iterable[tuple[str, str]] | None) -> np.ndarray:
        """Sorted keys ``need row * len(offers) + offer row`` of the declined pairs in the index."""
        keys = []
        for n_ref, o_ref in declined or ():
            i, j = self.need_pos.get(n_ref), self.offer_pos.get(o_ref)
            if i is not None and j is not None:
                keys.append(i * len(self.offers) + j)
        return np.unique(np.array(keys, dtype=np.int64))

    # -- reading --------------------------------------------------------------

    @property
    def n_qty(self) -> np.ndarray:
        """Open quantity of each need (scaled integers, :data:`QUANTITY_SCALE`)."""
        return self.need_columns.qty

    @property
    def o_qty(self) -> np.ndarray:
        """Open quantity of each offer (scaled integers, :data:`QUANTITY_SCALE`)."""
        return self.offer_columns.qty

    def __repr__(self) -> str:
        return "<MatchIndex as of %s: %d needs, %d offers, %d categories>" % (
            self.as_of, len(self.needs), len(self.offers), len(self.categories))

    def need(self, ref: str) -> Need:
        """The indexed need with this ref (KeyError if it is not open)."""
        return self.needs[self.need_pos[ref]]

    def offer(self, ref: str) -> Offer:
        """The indexed offer with this ref (KeyError if it is not open)."""
        return self.offers[self.offer_pos[ref]]


def runs(sorted_codes: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """``(value, start, stop)`` of each run of equal values in a sorted array.

    Examples
    --------
    >>> import numpy as np
    >>> list(runs(np.array([0, 0, 2, 5, 5, 5])))
    [(0, 0, 2), (2, 2, 3), (5, 3, 6)]
    """
    if sorted_codes.size == 0:
        return
    cut = np.flatnonzero(np.diff(sorted_codes)) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [sorted_codes.size]))
    for s, e in zip(starts.tolist(), stops.tolist()):
        yield int(sorted_codes[s]), s, e


def build_index(needs: Iterable[Need], offers: Iterable[Offer], *, as_of: _dt.date | None = None,
                substitutes: Mapping[str, Iterable[str]] | None = None,
                declined: Iterable[tuple[str, str]] = (),
                weights: Mapping[str, float] | None = None,
                customers: Mapping[str, Iterable[str]] | None = None,
                product_names: Mapping[str, tuple[str, str]] | None = None) -> MatchIndex:
    """Index the open needs and offers of an as-of date for pairing.

    Postings that are not open on ``as_of`` (status not ``open``, need due before it,
    offer expired, nothing left open) are left out here (hard rule 3).  Open offers of
    suppliers that are not live stay in the index (they are open postings the run
    considers) but are kept out of every category group, so they never pair (rule 7).

    Parameters
    ----------
    needs : iterable of Need
        What is open of each need is its quantity less what is covered.
    offers : iterable of Offer
        What is open of each offer is its quantity less what is committed.
    as_of : datetime.date, optional
        The date of the run (default: today).
    substitutes : mapping, optional
        Category -> categories whose offers can meet a need of that category
        (:func:`graphs.coerce.substitutes_map` of the category records).
    declined : iterable of (need ref, offer ref), optional
        Pairs that were declined and must not be proposed again (e.g.
        :class:`~graphs.records.DeclinedPair`).
    weights : mapping, optional
        Unit-cost weights overriding :data:`DEFAULT_WEIGHTS`.
    customers : mapping, optional
        SME ref -> refs of the leading firms that buy from it (article 10's supply first:
        their offers cost ``not_supply_first`` less for its needs).
    product_names : mapping, optional
        Product code -> (Chinese name, English name): how the reasons name products
        (by code when absent).

    Returns
    -------
    MatchIndex

    Raises
    ------
    MatchingError
        On a duplicate ref, a missing coordinate or an invalid weight.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> build_index([n], [o], as_of=date(2020, 3, 16))
    <MatchIndex as of 2020-03-16: 1 needs, 1 offers, 1 categories>
    """
    as_of = as_of or _dt.date.today()
    w = check_weights(weights)
    as_of_ord = as_of.toordinal()
    needs, offers = _listed(needs), _listed(offers)
    need_qty = checked_quantities(needs, "covered")
    offer_qty = checked_quantities(offers, "committed")
    status, due = fields_of(needs, "status", "needed_by")
    keep_needs = [i for i, (q, st, d) in enumerate(zip(need_qty, status, due))
                  if q > 0 and st == "open" and d.toordinal() >= as_of_ord]
    status, until = fields_of(offers, "status", "available_until")
    keep_offers = [j for j, (q, st, u) in enumerate(zip(offer_qty, status, until))
                   if q > 0 and st == "open" and (u is None or u.toordinal() >= as_of_ord)]
    open_needs, need_qty = _by_ref(needs, keep_needs, need_qty)
    open_offers, offer_qty = _by_ref(offers, keep_offers, offer_qty)
    for kind, rows in (("need", open_needs), ("offer", open_offers)):
        refs, = fields_of(rows, "ref")
        for same, ref in zip(map(operator.eq, refs, refs[1:]), refs):
            if same:
                raise MatchingError("duplicate %s ref %r" % (kind, ref))
    return MatchIndex(open_needs, open_offers, as_of=as_of, substitutes=substitutes,
                      declined=declined, weights=w, need_qty=need_qty, offer_qty=offer_qty,
                      customers=customers, product_names=product_names)


def _listed(records: Iterable) -> Sequence:
    """The records as a list, or as they are when they are :class:`~.columns.Records` (with their columns)."""
    return records if isinstance(records, Records) else list(records)


def _by_ref(records: Sequence, keep: list[int], qty: list[int]) -> tuple[Sequence, np.ndarray]:
    """The records at the positions *keep* and their quantities, sorted by ref (stable); of
    :class:`~.columns.Records`, Records (the same when all are kept in their order)."""
    refs, = fields_of(records, "ref")
    keep.sort(key=refs.__getitem__)
    qty = np.array(qty, dtype=np.int64)[keep].reshape(len(keep))
    if isinstance(records, Records):
        same = len(keep) == len(records) and keep == list(range(len(keep)))
        return (records if same else records.take(keep)), qty
    return [records[i] for i in keep], qty


def checked_quantities(records: Sequence[Any], taken: str) -> list[int]:
    """Check every record's coordinates and quantity and return the scaled open quantities.

    The open quantity is the quantity less the field *taken* (``"covered"`` of a
    need, ``"committed"`` of an offer), scaled by :func:`scale_quantity`;
    vectorised when all are numbers.

    Raises
    ------
    MatchingError
        Naming the first record without coordinates or quantity.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import Need
    >>> checked_quantities([Need("N1", "B", "x", 10, date(2020, 3, 1), 2.5, lat=45.0, lon=126.0)],
    ...                    "covered")
    [7500]
    >>> checked_quantities([Need("N2", "B", "x", 10, date(2020, 3, 1))], "covered")
    Traceback (most recent call last):
    ...
    graphs.exceptions.MatchingError: N2 has no county coordinates
    """
    try:
        values = np.array(fields_of(records, "lat", "lon", "quantity", taken), dtype=np.float64)
        ok = bool(np.isfinite(values).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        for r in records:
            _check_point(r)
        return [scale_quantity(float(r.quantity) - float(getattr(r, taken) or 0.0)) for r in records]
    values = values.reshape(4, -1)
    return scale_quantities(values[2] - values[3]).tolist()


def _check_point(r: Any) -> None:
    if r.lat is None or r.lon is None or not (math.isfinite(r.lat) and math.isfinite(r.lon)):
        raise MatchingError("%s has no county coordinates" % r.ref)
    if r.quantity is None or not math.isfinite(float(r.quantity)):
        raise MatchingError("%s has no quantity" % r.ref)
