"""Every pair the hard rules allow, found per category group and block, never over all pairs.

Hard rules
----------
An offer ``o`` of firm S may serve a need ``n`` of firm B only when

1. S is not B;
2. (a) when both name a product, ``o.product`` is ``n.product`` or one of
   ``n.accepts``; when either names none, ``o.category`` is ``n.category`` or
   one of its substitutes; (b) both are counted in the same unit
   (:mod:`graphs.matching.goods`);
3. both are open: ``status == "open"``, ``n.needed_by >= as_of`` and
   ``o.available_until`` (when set) ``>= as_of``;
4. ``max(o.available_from, as_of) + o.lead_time_days <= n.needed_by``;
5. the haversine distance (earth radius 6371.0 km) between the two counties is at most
   ``o.delivery_radius_km`` when set (:mod:`graphs.matching.geo`);
6. ``o.unit_price <= n.max_unit_price`` when both are set;
7. the supplier is live (``o.supplier_live``: :func:`graphs.records.firm_is_live`).

Boundary values are allowed. Rules 2, 3 and 7 are settled by the index (its
goods groups hold only open postings and live offers, and rule 2 is decided per
pair of groups); :func:`allowed_among`
tests rules 1, 4, 5 and 6 on blocks of pairs with vectorised arithmetic; a pair
declined before is never allowed again.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .columns import NeedColumns, OfferColumns
from .costs import unit_costs
from .geo import EARTH_RADIUS_KM, RADIUS_TOLERANCE_KM, haversine_rad
from .index import MatchIndex
from .results import CandidateList

__all__ = ["allowed_pairs", "candidate_arrays", "needs_with_allowed"]

BLOCK = 1 << 21
"""Entries of a need x offer block evaluated at once (bounds the memory of a block)."""

BAND_MIN = 64
"""Offers of a group from which a block is searched by latitude bands (:func:`allowed_in_bands`)
rather than tested whole."""

BAND_SHARE = 4
"""Bands are searched when they hold less than 1 / BAND_SHARE of the block's pairs (a pair in a band
costs about as much as BAND_SHARE pairs tested in a whole block)."""

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def allowed_among(needs: NeedColumns, offers: OfferColumns, ni: np.ndarray, oi: np.ndarray,
                  *, cross: bool, lon_reach: float | None = None) -> Pairs:
    """Pairs among needs ``ni`` and offers ``oi`` allowed by hard rules 1, 4, 5 and 6.

    Parameters
    ----------
    needs, offers : NeedColumns, OfferColumns
        The columns ``ni`` and ``oi`` index into.
    ni, oi : numpy.ndarray of int
        Need and offer rows.
    cross : bool
        Test every need against every offer (a block); otherwise ``ni`` and ``oi``
        are aligned pairs.
    lon_reach : float, optional
        With aligned pairs: a difference of longitude (radians, :func:`longitude_reach`)
        beyond which no pair is within reach, so its distance is not computed.

    Returns
    -------
    (ni, oi, dist)
        Aligned need rows, offer rows and distances (km) of the allowed pairs.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> n = NeedColumns.of([NeedRecord("N1", "B", "x", 1, date(2020, 3, 31), 45.0, 126.0)],
    ...                    {"B": 0, "S": 1}, {})
    >>> o = OfferColumns.of([OfferRecord("O1", "S", "x", 1, date(2020, 3, 1), 45.0, 127.0,
    ...                                  delivery_radius_km=r) for r in (50, 100)],
    ...                     {"B": 0, "S": 1}, {}, as_of=date(2020, 3, 16))
    >>> ni, oi, d = allowed_among(n, o, np.array([0]), np.array([0, 1]), cross=True)
    >>> oi.tolist(), np.round(d, 1).tolist()  # 78.6 km: only the 100 km radius reaches
    ([1], [78.6])
    """
    if cross:
        ok = offers.arrival[oi][None, :] <= needs.due[ni][:, None]
        ok &= offers.firm[oi][None, :] != needs.firm[ni][:, None]
        price = offers.price[oi][None, :]
        cap = needs.max_price[ni][:, None]
        ok &= ~(price > cap)  # NaN (unset) compares False: allowed
        rad = offers.radius[oi]
        reach = (rad + RADIUS_TOLERANCE_KM) * (1.0 + 1e-9) / EARTH_RADIUS_KM
        ok &= np.abs(offers.lat[oi][None, :] - needs.lat[ni][:, None]) <= reach[None, :]
        r, c = np.nonzero(ok)
        ni, oi = ni[r], oi[c]
        del ok, price, cap
    else:
        if lon_reach is not None:
            # farther apart in longitude (either way round the earth) than any radius reaches: left
            # out first (in a band of latitude, most pairs are; the other rules then test fewer)
            dlon = offers.lon[oi] - needs.lon[ni]
            ok = np.abs(dlon) <= lon_reach
            ok |= np.abs(dlon) >= 2.0 * np.pi - lon_reach
            ni, oi = ni[ok], oi[ok]
        ok = offers.arrival[oi] <= needs.due[ni]
        ok &= offers.firm[oi] != needs.firm[ni]
        ok &= ~(offers.price[oi] > needs.max_price[ni])
        ni, oi = ni[ok], oi[ok]
    dlon = offers.lon[oi] - needs.lon[ni]
    la1, la2 = needs.lat[ni], offers.lat[oi]
    dist = haversine_rad(la1, la2, la2 - la1, dlon, cos1=needs.coslat[ni], cos2=offers.coslat[oi])
    ok = dist <= offers.radius[oi] + RADIUS_TOLERANCE_KM
    return ni[ok], oi[ok], dist[ok]


def allowed_in_bands(needs: NeedColumns, offers: OfferColumns, ni: np.ndarray, oi: np.ndarray) -> Pairs:
    """What ``allowed_among(needs, offers, ni, oi, cross=True)`` gives (in another order), testing
    only the pairs within reach in latitude.

    The offers with a delivery radius are sorted by latitude; each need is tested against the
    band of them whose latitude differs from its own by at most the largest radius (two binary
    searches), not against all, unless the bands hold most of the block (:data:`BAND_SHARE`);
    the offers without a radius reach every need and are tested whole.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> n = NeedColumns.of([NeedRecord("N1", "B", "x", 1, date(2020, 3, 31), 45.0, 126.0)],
    ...                    {"B": 0, "S": 1}, {})
    >>> o = OfferColumns.of([OfferRecord("O%d" % k, "S", "x", 1, date(2020, 3, 1), lat, 126.0,
    ...                                  delivery_radius_km=50) for k, lat in enumerate((46.0, 45.2, 44.9))],
    ...                     {"B": 0, "S": 1}, {}, as_of=date(2020, 3, 16))
    >>> ni, oi, d = allowed_in_bands(n, o, np.array([0]), np.array([0, 1, 2]))
    >>> sorted(oi.tolist())  # 111 km north is out of reach; 22 km north and 11 km south are in
    [1, 2]
    """
    radius = offers.radius[oi]
    finite = np.isfinite(radius)
    near = oi[finite]
    total = 0
    if near.size:
        near = near[np.argsort(offers.lat[near], kind="stable")]
        lat = offers.lat[near]
        reach = (float(radius[finite].max()) + RADIUS_TOLERANCE_KM) * (1.0 + 1e-9) / EARTH_RADIUS_KM
        n_lat = needs.lat[ni]
        lo = np.searchsorted(lat, n_lat - reach, side="left")
        counts = np.searchsorted(lat, n_lat + reach, side="right") - lo
        total = int(counts.sum())
    if total * BAND_SHARE > ni.size * near.size or not near.size:
        # the bands hold most of the block, or no offer has a radius: testing it whole costs less
        return allowed_among(needs, offers, ni, oi, cross=True)
    parts = []
    if total:
        # need k meets the sorted offers lo[k] .. lo[k] + counts[k] - 1
        first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        coslat = min(float(needs.coslat[ni].min()), float(offers.coslat[near].min()))
        parts.append(allowed_among(needs, offers, np.repeat(ni, counts), near[np.arange(total) + first], cross=False,
                                   lon_reach=longitude_reach(float(radius[finite].max()), coslat)))
    if near.size < oi.size:
        parts.append(allowed_among(needs, offers, ni, oi[~finite], cross=True))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return ni[:0], oi[:0], np.zeros(0, np.float64)
    return tuple(np.concatenate(column) for column in zip(*parts))


def longitude_reach(radius_km: float, coslat: float) -> float | None:
    """The difference of longitude (radians) beyond which two points whose latitudes have cosines of
    at least ``coslat`` are farther apart than ``radius_km`` (plus :data:`RADIUS_TOLERANCE_KM`),
    with a margin; None when every difference may be within reach.

    The haversine term ``sin²(Δλ/2)·cos φ1·cos φ2`` alone bounds the distance from below, so a
    pair beyond this difference would fail hard rule 5 anyway: it is left out before its distance
    is computed, and those of the others are unchanged.

    Examples
    --------
    >>> round(longitude_reach(111.19492664455873, 1.0), 6)  # one degree on the equator
    0.017453
    >>> longitude_reach(100.0, 0.0) is None  # at a pole every longitude is near
    True
    """
    if not coslat > 0.0:
        return None
    ratio = np.sin((radius_km + RADIUS_TOLERANCE_KM) / (2.0 * EARTH_RADIUS_KM)) / coslat
    if not ratio < 0.5:  # beyond a third of the way round: no gain in testing it
        return None
    return float(2.0 * np.arcsin(ratio)) * (1.0 + 1e-6) + 1e-12


def without_declined(pairs: Pairs, keys: np.ndarray, n_offers: int) -> Pairs:
    """*pairs* ``(ni, oi, dist)`` less those whose key ``ni * n_offers + oi`` is in *keys*.

    Examples
    --------
    >>> ni, oi, d = without_declined((np.array([0, 1]), np.array([1, 1]), np.array([5.0, 6.0])),
    ...                              np.array([3]), n_offers=2)
    >>> ni.tolist(), oi.tolist(), d.tolist()
    ([0], [1], [5.0])
    """
    ni, oi, dist = pairs
    if keys.size and ni.size:
        keep = ~np.isin(ni * n_offers + oi, keys)
        return ni[keep], oi[keep], dist[keep]
    return pairs


def _allowed_blocks(index: MatchIndex, found: np.ndarray | None = None) -> Iterator[Pairs]:
    """The allowed pairs ``(ni, oi, dist)`` of an index, block by block (non-empty blocks only).

    Each need group (sorted by due date) is tested against the offer groups whose goods may serve
    it (hard rule 2; sorted by arrival) in blocks of at most :data:`BLOCK` entries; the arrival rule
    cuts each offer group to the offers arriving by the block's latest due date. With ``found`` (a
    boolean per need row), the needs it marks are not tested, and those of each block's pairs are
    marked: the blocks then hold at least the first allowed pair found of each need, not all.
    """
    needs, offers = index.need_columns, index.offer_columns
    for ncode in sorted(index.need_groups):
        group = index.need_groups[ncode]  # sorted by due date
        for scode in index.goods.supply[ncode]:
            supply = index.offer_groups.get(scode)
            if supply is None:
                continue
            if found is not None:
                group = group[~found[group]]  # still sorted by due date
                if not group.size:
                    break
            arrival = offers.arrival[supply]  # ascending
            rows = max(1, BLOCK // max(1, supply.shape[0]))
            for start in range(0, group.shape[0], rows):
                chunk = group[start:start + rows]
                # arrival rule: only offers arriving by the chunk's latest due date
                m = int(np.searchsorted(arrival, needs.due[chunk[-1]], side="right"))
                if m == 0:
                    continue
                pairs = (allowed_in_bands(needs, offers, chunk, supply[:m]) if m >= BAND_MIN
                         else allowed_among(needs, offers, chunk, supply[:m], cross=True))
                ni, oi, d = without_declined(pairs, index.declined_keys, len(index.offers))
                if ni.size:
                    if found is not None:
                        found[ni] = True
                    yield ni, oi, d


def needs_with_allowed(index: MatchIndex) -> np.ndarray:
    """Whether each need row of an index has some offer the hard rules allow (what
    ``numpy.unique`` of :func:`candidate_arrays`' need rows says, without finding every pair:
    a need with an allowed offer is not tested against the offer groups after it).

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.index import build_index
    >>> soon = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 17), 45.7, 126.6)
    >>> later = NeedRecord("N2", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5, lead_time_days=2)
    >>> needs_with_allowed(build_index([soon, later], [o], as_of=date(2020, 3, 16))).tolist()
    [False, True]
    """
    found = np.zeros(len(index.needs), dtype=bool)
    for _pairs in _allowed_blocks(index, found):
        pass
    return found


def candidate_arrays(index: MatchIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All allowed pairs of an index as arrays, sorted by need row, then offer row.

    Each need group (sorted by due date) is tested against the offer groups whose
    goods may serve it (hard rule 2; sorted by arrival) in blocks of at most
    :data:`BLOCK` entries; the arrival rule cuts each offer group to the offers
    arriving by the block's latest due date.

    Returns
    -------
    (need_idx, offer_idx, cost, distance)
        Need and offer rows, scaled unit costs, distances (km).

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.index import build_index
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> ni, oi, cost, dist = candidate_arrays(build_index([n], [o], as_of=date(2020, 3, 16)))
    >>> ni.tolist(), oi.tolist(), cost.tolist()
    ([0], [0], [3636])
    """
    out_n, out_o, out_d = [], [], []
    for ni, oi, d in _allowed_blocks(index):
        out_n.append(ni)
        out_o.append(oi)
        out_d.append(d)
    if out_n:
        ni = np.concatenate(out_n)
        oi = np.concatenate(out_o)
        d = np.concatenate(out_d)
    else:
        ni = np.zeros(0, np.int64)
        oi = np.zeros(0, np.int64)
        d = np.zeros(0, np.float64)
    # one int64 key per pair (need row, then offer row), sorted stably: the blocks come out nearly
    # in order, which the stable sort's runs exploit (a third of the time of a two-key lexsort)
    order = np.argsort(ni.astype(np.int64, copy=False) * max(1, len(index.offers)) + oi, kind="stable")
    ni, oi, d = ni[order], oi[order], d[order]
    needs, offers = index.need_columns, index.offer_columns
    cost = unit_costs(needs, offers, ni, oi, d, weights=index.weights, cat_median=index.cat_median,
                      supply_first=index.supply_first)
    return ni, oi, cost, d


def allowed_pairs(index: MatchIndex) -> CandidateList:
    """Every pair the hard rules allow, with its unit cost and distance.

    Parameters
    ----------
    index : MatchIndex
        From :func:`build_index`.

    Returns
    -------
    sequence of Candidate
        Sorted by need ref, then offer ref.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.index import build_index
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> near = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> late = OfferRecord("O2", "S", "steel", 5, date(2020, 3, 19), 45.8, 126.5,
    ...                    lead_time_days=2)
    >>> [c.offer for c in allowed_pairs(build_index([n], [near, late],
    ...                                              as_of=date(2020, 3, 16)))]
    ['O1']
    """
    return CandidateList(index, *candidate_arrays(index))
