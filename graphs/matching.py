"""Optimal "hand-in-hand" pairing of open needs with open offers.

The algorithmic core of the matcher (``spec/matching.md``), written on plain records so
it can be tested without Flask or a database:

* :class:`~graphs.records.Need` and :class:`~graphs.records.Offer` (built with
  :func:`NeedRecord` and :func:`OfferRecord`) carry what is still open of a posting;
* :func:`build_index` groups the offers and needs by category (with the substitutes
  map) so that allowed pairs are found per category group, never by scanning all pairs;
* :func:`allowed_pairs` yields every pair the seven hard rules allow, with its unit cost;
* :func:`propose_pairings` computes the lexicographic optimum -- the largest total
  quantity matched, then the least total cost -- over *all* allowed pairs;
* :func:`best_partners` answers "the top N partners of this posting" from a prebuilt
  index, without a full run;
* :func:`greedy_pairings` is the cheapest-pair-first baseline used by the benchmark.

Hard rules
----------
An offer ``o`` of firm S may serve a need ``n`` of firm B only when

1. S is not B;
2. ``o.category`` is ``n.category`` or one of its substitutes;
3. both are open: ``status == "open"``, ``n.needed_by >= as_of`` and
   ``o.available_until`` (when set) ``>= as_of``;
4. ``max(o.available_from, as_of) + o.lead_time_days <= n.needed_by``;
5. the haversine distance (earth radius 6371.0 km) between the two counties is at most
   ``o.delivery_radius_km`` when set;
6. ``o.unit_price <= n.max_unit_price`` when both are set;
7. the supplier is live (``o.supplier_live``: operating, county not high-risk).

Boundary values are allowed.  Rule 5 compares the computed distance with
``radius + 1e-9`` km (one micrometre): two correct haversine implementations may differ
in the last bit, and a pair built to lie exactly on the radius must count as allowed.

Unit cost
---------
The unit cost of a pair is a non-negative, deterministic score (lower is better), the sum
of these terms, each multiplied by its weight (see :data:`DEFAULT_WEIGHTS`):

``distance``
    great-circle distance in units of 100 km;
``price``
    the offer's unit price divided by a reference price: the need's ``max_unit_price``
    when set, otherwise the median unit price of the open offers of the offer's
    category; 1.0 when either is unknown; clipped to ``[0, 3]``;
``lead_time``
    the offer's lead time in weeks;
``not_hand_in_hand``
    0 when an SME supplies a leading buyer ("hand in hand", article 10), else 1;
``workers_away``
    the share of the supplier's workers not back (``1 - workers_back``; 0.5 when unknown);
``no_terms``
    the share of the three article-10 terms (``order_first``, ``supply_first``,
    ``pay_first``) the buyer does *not* offer.

The score is rounded to :data:`COST_SCALE` (0.001) and the rounded value is the one the
solver optimises and the one reported, so anyone can re-check the optimum from the
exported candidates.

Scaling
-------
The min-cost-flow solver works on integers: quantities are scaled by
:data:`QUANTITY_SCALE` (to 0.001 of the category's unit, rounded to nearest) and unit
costs by :data:`COST_SCALE`.  Reported quantities are exact multiples of 0.001.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import time
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from .exceptions import GraphError
from .records import ARTICLE_10_TERMS, Need, NeedRecord, Offer, OfferRecord

__all__ = [
    "NeedRecord",
    "OfferRecord",
    "Candidate",
    "ProposedPairing",
    "UnmetNeed",
    "MatchResult",
    "MatchIndex",
    "MatchingError",
    "DEFAULT_WEIGHTS",
    "EARTH_RADIUS_KM",
    "QUANTITY_SCALE",
    "COST_SCALE",
    "ARTICLE_10_TERMS",
    "haversine_km",
    "build_index",
    "allowed_pairs",
    "propose_pairings",
    "solve_pairings",
    "best_partners",
    "greedy_pairings",
    "pairing_reasons",
]

EARTH_RADIUS_KM = 6371.0
"""Earth radius of the haversine distance (km), fixed by the matching spec."""

QUANTITY_SCALE = 1000
"""Quantities are solved in integer units of 1/QUANTITY_SCALE of the category's unit."""

COST_SCALE = 1000
"""Unit costs are rounded to 1/COST_SCALE; the solver works on the scaled integers."""

RADIUS_TOLERANCE_KM = 1e-9
"""Slack of the delivery-radius comparison (one micrometre), see the module notes."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "distance": 1.0,
    "price": 2.0,
    "lead_time": 0.5,
    "not_hand_in_hand": 1.0,
    "workers_away": 1.0,
    "no_terms": 1.0,
}
"""Default weights of the unit-cost terms (all non-negative); see the module notes."""

_PRICE_RATIO_CAP = 3.0
_UNKNOWN_WORKERS_BACK = 0.5
_BLOCK = 1 << 21  # entries of a need x offer block evaluated at once

_TERM_REASONS = {
    "order_first": "买方先订货 / buyer orders first",
    "supply_first": "买方先供货 / buyer supplies first",
    "pay_first": "买方先付款 / buyer pays first",
}


class MatchingError(GraphError, ValueError):
    """Invalid input to the matcher (a record or a weight that cannot be used)."""


class Candidate(tuple):
    """One allowed pair: ``(need, offer, unit_cost, distance_km)`` (refs and floats)."""

    __slots__ = ()
    _fields = ("need", "offer", "unit_cost", "distance_km")

    def __new__(cls, need, offer, unit_cost, distance_km):
        return tuple.__new__(cls, (need, offer, unit_cost, distance_km))

    need = property(lambda self: self[0])
    offer = property(lambda self: self[1])
    unit_cost = property(lambda self: self[2])
    distance_km = property(lambda self: self[3])

    def __repr__(self):
        return "Candidate(need=%r, offer=%r, unit_cost=%r, distance_km=%r)" % tuple(self)

    def as_dict(self) -> dict[str, Any]:
        """The pair as the run file writes it."""
        return dict(zip(self._fields, self))


@dataclasses.dataclass(slots=True)
class ProposedPairing:
    """A pairing the run proposes: ``quantity`` of ``offer`` for ``need``."""

    need: str
    offer: str
    quantity: float
    unit_cost: float
    distance_km: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The pairing as plain values (reasons as a list)."""
        return {
            "need": self.need,
            "offer": self.offer,
            "quantity": self.quantity,
            "unit_cost": self.unit_cost,
            "distance_km": self.distance_km,
            "reasons": list(self.reasons),
        }


@dataclasses.dataclass(slots=True)
class UnmetNeed:
    """The part of a need the run could not cover."""

    need: str
    quantity: float


class _CandidateList:
    """A read-only sequence of :class:`Candidate` backed by numpy arrays."""

    __slots__ = ("_index", "need_idx", "offer_idx", "cost", "distance")

    def __init__(self, index, need_idx, offer_idx, cost, distance):
        self._index = index
        self.need_idx = need_idx
        self.offer_idx = offer_idx
        self.cost = cost
        self.distance = distance

    def __len__(self):
        return int(self.need_idx.shape[0])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return Candidate(
            self._index.needs[int(self.need_idx[i])].ref,
            self._index.offers[int(self.offer_idx[i])].ref,
            int(self.cost[i]) / COST_SCALE,
            _round_km(float(self.distance[i])),
        )

    def __iter__(self) -> Iterator[Candidate]:
        needs, offers = self._index.needs, self._index.offers
        for n, o, c, d in zip(
            self.need_idx.tolist(),
            self.offer_idx.tolist(),
            self.cost.tolist(),
            self.distance.tolist(),
        ):
            yield Candidate(needs[n].ref, offers[o].ref, c / COST_SCALE, _round_km(d))

    def columns(self, start: int = 0, stop: int | None = None, need_labels=None, offer_labels=None):
        """Candidates ``start:stop`` as four plain lists: need refs, offer refs, unit costs,
        distances (km) -- the values iterating yields, without a tuple per pair.

        ``need_labels``/``offer_labels`` (optional) replace the refs: sequences aligned with the
        index's needs/offers (the result's ``needs``/``offers``), e.g. refs already encoded.
        """
        part = slice(start, stop)
        if need_labels is None:
            need_labels = [n.ref for n in self._index.needs]
        if offer_labels is None:
            offer_labels = [o.ref for o in self._index.offers]
        return (
            [need_labels[i] for i in self.need_idx[part].tolist()],
            [offer_labels[i] for i in self.offer_idx[part].tolist()],
            [c / COST_SCALE for c in self.cost[part].tolist()],
            [round(d, 3) for d in self.distance[part].tolist()],  # _round_km
        )

    def __repr__(self):
        return "<%d candidates>" % len(self)


@dataclasses.dataclass(slots=True)
class MatchResult:
    """Plain result of a matching run.

    ``needs``/``offers`` are ``(ref, open_quantity)`` of every open posting considered,
    ``candidates`` every allowed pair (a sequence of :class:`Candidate`), ``pairings`` the
    proposals, ``unmet`` each need not fully covered, ``objective`` the matched quantity
    and total cost, ``timings`` seconds per phase.
    """

    as_of: _dt.date
    needs: list[tuple[str, float]]
    offers: list[tuple[str, float]]
    candidates: Any
    pairings: list[ProposedPairing]
    unmet: list[UnmetNeed]
    objective: dict[str, float]
    timings: dict[str, float]
    weights: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The run in the shape of the run file of ``spec/matching.md``."""
        return {
            "as_of": self.as_of.isoformat(),
            "needs": [{"ref": r, "open_quantity": q} for r, q in self.needs],
            "offers": [{"ref": r, "open_quantity": q} for r, q in self.offers],
            "candidates": [c.as_dict() for c in self.candidates],
            "pairings": [
                {"need": p.need, "offer": p.offer, "quantity": p.quantity,
                 "reasons": list(p.reasons)}
                for p in self.pairings
            ],
            "unmet": [{"need": u.need, "quantity": u.quantity} for u in self.unmet],
            "objective": dict(self.objective),
        }


# ---------------------------------------------------------------------------
# distance


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in degrees.

    Uses the haversine formula with the spec's earth radius of 6371.0 km.  Works on
    floats and on numpy arrays (element-wise).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float or array_like
        Latitudes and longitudes in degrees.

    Returns
    -------
    float or numpy.ndarray
        Distance in kilometres.

    Examples
    --------
    >>> round(haversine_km(45.75, 126.63, 45.75, 126.63), 6)
    0.0
    >>> round(haversine_km(0.0, 0.0, 0.0, 1.0), 3)
    111.195
    """
    r1 = np.radians(np.asarray(lat1, dtype=np.float64))
    r2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dlat = r2 - r1
    dlon = np.radians(np.asarray(lon2, dtype=np.float64)) - np.radians(
        np.asarray(lon1, dtype=np.float64)
    )
    d = _haversine_rad(r1, r2, dlat, dlon)
    return float(d) if np.ndim(d) == 0 else d


def _haversine_rad(lat1, lat2, dlat, dlon):
    a = np.sin(dlat * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _round_km(d: float) -> float:
    return round(d, 3)


# ---------------------------------------------------------------------------
# index


def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise MatchingError("unknown weight(s): %s" % ", ".join(sorted(unknown)))
        for k, v in weights.items():
            v = float(v)
            if not math.isfinite(v) or v < 0:
                raise MatchingError("weight %s must be a non-negative number" % k)
            w[k] = v
    return w


def _scale_quantity(q: float) -> int:
    return int(round(float(q) * QUANTITY_SCALE))


def _scaled(quantities: np.ndarray) -> np.ndarray:
    """:func:`_scale_quantity` of an array of float quantities (np.rint rounds half to even,
    like round())."""
    return np.rint(quantities * QUANTITY_SCALE).astype(np.int64)


class MatchIndex:
    """Open needs and offers of one as-of date, indexed for pairing.

    Built by :func:`build_index`.  Offers and needs are kept sorted by ref (so runs are
    deterministic) and grouped by category: ``offer_groups[c]`` holds the offers of
    category ``c`` sorted by earliest arrival, ``need_groups[c]`` the needs of category
    ``c`` sorted by due date, so the arrival rule cuts each group to a prefix (or
    suffix) before any distance is computed.
    """

    def __init__(self, needs, offers, *, as_of, substitutes, declined, weights):
        self.as_of = as_of
        self.weights = weights
        self.needs: list[NeedRecord] = needs
        self.offers: list[OfferRecord] = offers
        self.need_pos = {n.ref: i for i, n in enumerate(needs)}
        self.offer_pos = {o.ref: i for i, o in enumerate(offers)}

        cats = set()
        for n in needs:
            cats.add(n.category)
        for o in offers:
            cats.add(o.category)
        subs: dict[str, tuple[str, ...]] = {}
        for c, ss in (substitutes or {}).items():
            ss = sorted(set(ss) - {c})
            subs[c] = (c, *ss)
            cats.add(c)
            cats.update(ss)
        self.categories = sorted(cats)
        self.cat_code = {c: i for i, c in enumerate(self.categories)}
        #: need category -> categories whose offers may meet it (itself first)
        self.supply_cats = {c: subs.get(c, (c,)) for c in self.categories}
        #: offer category -> categories of needs it may meet
        demand: dict[str, list[str]] = {c: [] for c in self.categories}
        for c in self.categories:
            for s in self.supply_cats[c]:
                demand[s].append(c)
        self.demand_cats = {c: tuple(sorted(v)) for c, v in demand.items()}

        firms = sorted({n.buyer for n in needs} | {o.supplier for o in offers})
        firm_code = {f: i for i, f in enumerate(firms)}
        self.firm_code = firm_code
        as_of_ord = as_of.toordinal()

        # needs as arrays
        nn = len(needs)
        self.n_lat = np.radians(np.array([n.lat for n in needs], dtype=np.float64))
        self.n_lon = np.radians(np.array([n.lon for n in needs], dtype=np.float64))
        self.n_lat.shape = self.n_lon.shape = (nn,)
        self.n_due = np.array([n.needed_by.toordinal() for n in needs], dtype=np.int64)
        self.n_max = np.array(
            [np.nan if n.max_unit_price is None else float(n.max_unit_price) for n in needs],
            dtype=np.float64,
        )
        self.n_firm = np.array([firm_code[n.buyer] for n in needs], dtype=np.int64)
        self.n_cat = np.array([self.cat_code[n.category] for n in needs], dtype=np.int64)
        self.n_qty = _scaled(np.array([n.quantity for n in needs], dtype=np.float64)
                            - np.array([n.covered for n in needs], dtype=np.float64))
        self.n_leading = np.array([n.buyer_kind == "leading" for n in needs], dtype=bool)
        self.n_terms = np.array(
            [len(set(n.terms) & set(ARTICLE_10_TERMS)) / len(ARTICLE_10_TERMS) for n in needs],
            dtype=np.float64,
        )
        self.n_lat.shape = self.n_due.shape = (nn,)

        # offers as arrays
        no = len(offers)
        self.o_lat = np.radians(np.array([o.lat for o in offers], dtype=np.float64)).reshape(no)
        self.o_lon = np.radians(np.array([o.lon for o in offers], dtype=np.float64)).reshape(no)
        self.o_arrival = np.array(
            [max(o.available_from.toordinal(), as_of_ord) + int(o.lead_time_days) for o in offers],
            dtype=np.int64,
        ).reshape(no)
        self.o_lead = np.array([int(o.lead_time_days) for o in offers], dtype=np.float64).reshape(no)
        self.o_price = np.array(
            [np.nan if o.unit_price is None else float(o.unit_price) for o in offers],
            dtype=np.float64,
        ).reshape(no)
        self.o_radius = np.array(
            [np.inf if o.delivery_radius_km is None else float(o.delivery_radius_km) for o in offers],
            dtype=np.float64,
        ).reshape(no)
        self.o_firm = np.array([firm_code[o.supplier] for o in offers], dtype=np.int64).reshape(no)
        self.o_cat = np.array([self.cat_code[o.category] for o in offers], dtype=np.int64).reshape(no)
        self.o_qty = _scaled(np.array([o.quantity for o in offers], dtype=np.float64)
                             - np.array([o.committed for o in offers], dtype=np.float64)).reshape(no)
        self.o_sme = np.array([o.supplier_kind == "sme" for o in offers], dtype=bool).reshape(no)
        self.o_workers = np.array(
            [_UNKNOWN_WORKERS_BACK if o.workers_back is None else float(o.workers_back) for o in offers],
            dtype=np.float64,
        ).reshape(no)

        # median open price per category (reference price when a need sets no maximum)
        self.cat_median = np.full(len(self.categories), np.nan)
        for c, code in self.cat_code.items():
            p = self.o_price[(self.o_cat == code) & ~np.isnan(self.o_price)]
            if p.size:
                self.cat_median[code] = float(np.median(p))

        # groups: offers by category sorted by arrival; needs by category sorted by due
        self.o_live = np.array([bool(o.supplier_live) for o in offers], dtype=bool).reshape(no)
        self.offer_groups: dict[int, np.ndarray] = {}
        order = np.lexsort((np.arange(no), self.o_arrival, self.o_cat))
        order = order[self.o_live[order]]  # rule 7: offers of suppliers not live never pair
        cats_sorted = self.o_cat[order]
        for code, start, stop in _runs(cats_sorted):
            self.offer_groups[code] = order[start:stop]
        self.need_groups: dict[int, np.ndarray] = {}
        order = np.lexsort((np.arange(nn), self.n_due, self.n_cat))
        cats_sorted = self.n_cat[order]
        for code, start, stop in _runs(cats_sorted):
            self.need_groups[code] = order[start:stop]

        # declined pairs as sorted keys need_idx * no + offer_idx
        keys = []
        for pair in declined or ():
            n_ref, o_ref = pair
            i, j = self.need_pos.get(n_ref), self.offer_pos.get(o_ref)
            if i is not None and j is not None:
                keys.append(i * no + j)
        self.declined_keys = np.unique(np.array(keys, dtype=np.int64))

    def __repr__(self):
        return "<MatchIndex as of %s: %d needs, %d offers, %d categories>" % (
            self.as_of, len(self.needs), len(self.offers), len(self.categories))

    def need(self, ref: str) -> NeedRecord:
        """The indexed need with this ref (KeyError if it is not open)."""
        return self.needs[self.need_pos[ref]]

    def offer(self, ref: str) -> OfferRecord:
        """The indexed offer with this ref (KeyError if it is not open)."""
        return self.offers[self.offer_pos[ref]]

    # -- evaluation of blocks -------------------------------------------------

    def _pairs(self, ni: np.ndarray, oi: np.ndarray, *, cross: bool):
        """Allowed pairs among needs ``ni`` and offers ``oi``.

        With ``cross`` every need is tested against every offer (a block); otherwise
        ``ni`` and ``oi`` are aligned pair lists.  Returns aligned need indices, offer
        indices, distances (km) of the allowed pairs.
        """
        if cross:
            ok = self.o_arrival[oi][None, :] <= self.n_due[ni][:, None]
            ok &= self.o_firm[oi][None, :] != self.n_firm[ni][:, None]
            price = self.o_price[oi][None, :]
            cap = self.n_max[ni][:, None]
            ok &= ~(price > cap)  # NaN (unset) compares False: allowed
            rad = self.o_radius[oi]
            reach = (rad + RADIUS_TOLERANCE_KM) * (1.0 + 1e-9) / EARTH_RADIUS_KM
            ok &= np.abs(self.o_lat[oi][None, :] - self.n_lat[ni][:, None]) <= reach[None, :]
            r, c = np.nonzero(ok)
            ni, oi = ni[r], oi[c]
            del ok, price, cap
        else:
            ok = self.o_arrival[oi] <= self.n_due[ni]
            ok &= self.o_firm[oi] != self.n_firm[ni]
            ok &= ~(self.o_price[oi] > self.n_max[ni])
            ni, oi = ni[ok], oi[ok]
        la1, la2 = self.n_lat[ni], self.o_lat[oi]
        dist = _haversine_rad(la1, la2, la2 - la1, self.o_lon[oi] - self.n_lon[ni])
        ok = dist <= self.o_radius[oi] + RADIUS_TOLERANCE_KM
        ni, oi, dist = ni[ok], oi[ok], dist[ok]
        if self.declined_keys.size and ni.size:
            keys = ni * len(self.offers) + oi
            keep = ~np.isin(keys, self.declined_keys)
            ni, oi, dist = ni[keep], oi[keep], dist[keep]
        return ni, oi, dist

    def _unit_costs(self, ni: np.ndarray, oi: np.ndarray, dist: np.ndarray) -> np.ndarray:
        """Scaled integer unit costs of aligned pairs (see the module notes)."""
        w = self.weights
        ref = self.n_max[ni]
        ref = np.where(np.isnan(ref), self.cat_median[self.o_cat[oi]], ref)
        price = self.o_price[oi]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = price / ref
        ratio = np.where(np.isfinite(ratio), ratio, 1.0)
        ratio = np.clip(ratio, 0.0, _PRICE_RATIO_CAP)
        hand = ~(self.o_sme[oi] & self.n_leading[ni])
        cost = (
            w["distance"] * (dist / 100.0)
            + w["price"] * ratio
            + w["lead_time"] * (self.o_lead[oi] / 7.0)
            + w["not_hand_in_hand"] * hand
            + w["workers_away"] * np.clip(1.0 - self.o_workers[oi], 0.0, 1.0)
            + w["no_terms"] * (1.0 - self.n_terms[ni])
        )
        return np.rint(np.maximum(cost, 0.0) * COST_SCALE).astype(np.int64)

    def _candidate_arrays(self):
        """All allowed pairs, by category group and block, sorted (need, offer)."""
        out_n, out_o, out_d = [], [], []
        for ncode in sorted(self.need_groups):
            needs = self.need_groups[ncode]  # sorted by due date
            for scat in self.supply_cats[self.categories[ncode]]:
                offers = self.offer_groups.get(self.cat_code[scat])
                if offers is None:
                    continue
                arrival = self.o_arrival[offers]  # ascending
                rows = max(1, _BLOCK // max(1, offers.shape[0]))
                for start in range(0, needs.shape[0], rows):
                    chunk = needs[start:start + rows]
                    # arrival rule: only offers arriving by the chunk's latest due date
                    m = int(np.searchsorted(arrival, self.n_due[chunk[-1]], side="right"))
                    if m == 0:
                        continue
                    ni, oi, d = self._pairs(chunk, offers[:m], cross=True)
                    if ni.size:
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
        order = np.lexsort((oi, ni))
        ni, oi, d = ni[order], oi[order], d[order]
        return ni, oi, self._unit_costs(ni, oi, d), d


def _runs(sorted_codes: np.ndarray):
    """(value, start, stop) of each run of equal values in a sorted array."""
    if sorted_codes.size == 0:
        return
    cut = np.flatnonzero(np.diff(sorted_codes)) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [sorted_codes.size]))
    for s, e in zip(starts.tolist(), stops.tolist()):
        yield int(sorted_codes[s]), s, e


def build_index(needs, offers, *, as_of=None, substitutes=None, declined=(), weights=None):
    """Index the open needs and offers of an as-of date for pairing.

    Postings that are not open on ``as_of`` (status not ``open``, need due before it,
    offer expired, nothing left open) are left out here (hard rule 3).  Open offers of
    suppliers that are not live stay in the index (they are open postings the run
    considers) but are kept out of every category group, so they never pair (rule 7).

    Parameters
    ----------
    needs : iterable of NeedRecord
    offers : iterable of OfferRecord
    as_of : datetime.date, optional
        The date of the run (default: today).
    substitutes : mapping, optional
        Category -> categories whose offers can meet a need of that category.
    declined : iterable of (need ref, offer ref), optional
        Pairs that were declined and must not be proposed again.
    weights : mapping, optional
        Unit-cost weights overriding :data:`DEFAULT_WEIGHTS`.

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
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> build_index([n], [o], as_of=date(2020, 3, 16))
    <MatchIndex as of 2020-03-16: 1 needs, 1 offers, 1 categories>
    """
    as_of = as_of or _dt.date.today()
    w = _check_weights(weights)
    as_of_ord = as_of.toordinal()
    needs, offers = list(needs), list(offers)
    need_qty = _checked_quantities(needs, "covered")
    offer_qty = _checked_quantities(offers, "committed")
    open_needs = [
        n for n, q in zip(needs, need_qty)
        if q > 0 and n.status == "open" and n.needed_by.toordinal() >= as_of_ord
    ]
    open_offers = [
        o for o, q in zip(offers, offer_qty)
        if q > 0 and o.status == "open"
        and (o.available_until is None or o.available_until.toordinal() >= as_of_ord)
    ]
    open_needs.sort(key=lambda r: r.ref)
    open_offers.sort(key=lambda r: r.ref)
    for kind, rows in (("need", open_needs), ("offer", open_offers)):
        for a, b in zip(rows, rows[1:]):
            if a.ref == b.ref:
                raise MatchingError("duplicate %s ref %r" % (kind, a.ref))
    return MatchIndex(open_needs, open_offers, as_of=as_of, substitutes=substitutes,
                      declined=declined, weights=w)


def _checked_quantities(records, taken) -> list[int]:
    """Check every record's coordinates and quantity (MatchingError naming the first bad one)
    and return the scaled open quantities (:func:`_scale_quantity` of the quantity less the
    field *taken*: ``covered`` of a need, ``committed`` of an offer), vectorised when all are
    numbers."""
    try:
        values = np.array([(r.lat, r.lon, r.quantity, getattr(r, taken)) for r in records],
                          dtype=np.float64)
        ok = bool(np.isfinite(values).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        for r in records:
            _check_point(r)
        return [_scale_quantity(float(r.quantity) - float(getattr(r, taken) or 0.0)) for r in records]
    values = values.reshape(-1, 4)
    # np.rint rounds half to even like round(): the same integers as _scale_quantity
    return np.rint((values[:, 2] - values[:, 3]) * QUANTITY_SCALE).astype(np.int64).tolist()


def _check_point(r):
    if r.lat is None or r.lon is None or not (math.isfinite(r.lat) and math.isfinite(r.lon)):
        raise MatchingError("%s has no county coordinates" % r.ref)
    if r.quantity is None or not math.isfinite(float(r.quantity)):
        raise MatchingError("%s has no quantity" % r.ref)


def allowed_pairs(index: MatchIndex):
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
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> near = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5)
    >>> late = OfferRecord("O2", "S", "steel", 5, date(2020, 3, 19), 45.8, 126.5,
    ...                    lead_time_days=2)
    >>> [c.offer for c in allowed_pairs(build_index([n], [near, late],
    ...                                              as_of=date(2020, 3, 16)))]
    ['O1']
    """
    ni, oi, cost, dist = index._candidate_arrays()
    return _CandidateList(index, ni, oi, cost, dist)


# ---------------------------------------------------------------------------
# solver


def _components(n_nodes: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Connected-component label (smallest node id) of every node; vectorised union-find."""
    parent = np.arange(n_nodes, dtype=np.int64)
    if tails.size == 0:
        return parent
    while True:
        pu, pv = parent[tails], parent[heads]
        diff = pu != pv
        if not diff.any():
            return parent
        hi = np.maximum(pu[diff], pv[diff])
        lo = np.minimum(pu[diff], pv[diff])
        np.minimum.at(parent, hi, lo)
        while True:  # full path compression: every node points at its root
            pp = parent[parent]
            if np.array_equal(pp, parent):
                break
            parent = pp


def solve_pairings(n_qty, o_qty, need_idx, offer_idx, cost, *, batch_arcs=1):
    """Maximum flow of least cost on a bipartite need/offer graph (integer data).

    The lexicographic optimum of ``spec/matching.md``: the largest total quantity, then
    the least total ``quantity * cost``, solved with OR-Tools' ``SimpleMinCostFlow``
    (``solve_max_flow_with_min_cost``) on each connected component of the candidate
    graph.  Components with a single need or a single offer are solved exactly by
    filling from the cheapest partner first.

    Parameters
    ----------
    n_qty, o_qty : numpy.ndarray of int64
        Open quantity of each need and offer (scaled integers).
    need_idx, offer_idx : numpy.ndarray of int
        The allowed pairs (aligned).
    cost : numpy.ndarray of int64
        Non-negative integer unit cost of each pair.
    batch_arcs : int, optional
        Components are solved together until a batch holds at least this many arcs
        (1 = each component alone).

    Returns
    -------
    numpy.ndarray of int64
        The flow (quantity) on each pair.

    Examples
    --------
    >>> import numpy as np
    >>> flow = solve_pairings(np.array([1, 1]), np.array([1, 1]),
    ...                       np.array([0, 1, 1]), np.array([0, 0, 1]),
    ...                       np.array([100, 0, 0]))
    >>> flow.tolist()  # both needs covered, although O0 -> N1 alone would be cheaper
    [1, 0, 1]
    """
    from ortools.graph.python import min_cost_flow

    n_qty = np.asarray(n_qty, dtype=np.int64)
    o_qty = np.asarray(o_qty, dtype=np.int64)
    need_idx = np.asarray(need_idx, dtype=np.int64)
    offer_idx = np.asarray(offer_idx, dtype=np.int64)
    cost = np.asarray(cost, dtype=np.int64)
    if (cost < 0).any():
        raise MatchingError("unit costs must be non-negative")
    n_arcs = need_idx.shape[0]
    flow = np.zeros(n_arcs, dtype=np.int64)
    if n_arcs == 0:
        return flow
    no = o_qty.shape[0]
    # nodes: offers 0..no-1, needs no..no+nn-1
    tails = offer_idx
    heads = need_idx + no
    label = _components(no + n_qty.shape[0], tails, heads)
    supply = np.concatenate((o_qty, -n_qty))
    arc_label = label[tails]
    order = np.argsort(arc_label, kind="stable")
    sorted_label = arc_label[order]
    cut = np.flatnonzero(np.diff(sorted_label)) + 1
    starts = np.concatenate(([0], cut)).tolist()
    stops = np.concatenate((cut, [n_arcs])).tolist()

    def _solve(arcs):
        t, h = tails[arcs], heads[arcs]
        nodes = np.unique(np.concatenate((t, h)))
        lt = np.searchsorted(nodes, t).astype(np.int32)
        lh = np.searchsorted(nodes, h).astype(np.int32)
        cap = np.minimum(o_qty[t], n_qty[h - no])
        smcf = min_cost_flow.SimpleMinCostFlow()
        ids = smcf.add_arcs_with_capacity_and_unit_cost(lt, lh, cap, cost[arcs])
        smcf.set_nodes_supplies(np.arange(nodes.shape[0], dtype=np.int32), supply[nodes])
        status = smcf.solve_max_flow_with_min_cost()
        if status != smcf.OPTIMAL:  # pragma: no cover - guarded by the input checks
            raise MatchingError("min-cost flow failed: %s" % status)
        flow[arcs] = smcf.flows(np.asarray(ids, dtype=np.int32))

    batch: list[np.ndarray] = []
    batch_size = 0
    for s, e in zip(starts, stops):
        arcs = order[s:e]
        t = tails[arcs]
        h = heads[arcs]
        if (t == t[0]).all() or (h == h[0]).all():
            # a star: one offer or one need; fill from the cheapest arc (ties by index)
            arcs = arcs[np.lexsort((arcs, cost[arcs]))]
            if (t == t[0]).all():
                left = int(o_qty[t[0]])
                caps = n_qty[heads[arcs] - no]
            else:
                left = int(n_qty[h[0] - no])
                caps = o_qty[tails[arcs]]
            for a, c in zip(arcs.tolist(), caps.tolist()):
                if left <= 0:
                    break
                f = c if c < left else left
                flow[a] = f
                left -= f
            continue
        batch.append(arcs)
        batch_size += arcs.shape[0]
        if batch_size >= batch_arcs:
            _solve(np.concatenate(batch) if len(batch) > 1 else batch[0])
            batch, batch_size = [], 0
    if batch:
        _solve(np.concatenate(batch) if len(batch) > 1 else batch[0])
    return flow


def propose_pairings(needs, offers, *, as_of=None, substitutes=None, declined=(),
                     weights=None, index=None, batch_arcs=1):
    """Optimal pairings of open needs with open offers.

    Finds every pair the hard rules allow and solves the lexicographic optimum over all
    of them: the largest total quantity matched, then the least total cost
    (``sum(quantity * unit_cost)``).  A need may be split over several offers and an
    offer over several needs.

    Parameters
    ----------
    needs : iterable of NeedRecord
    offers : iterable of OfferRecord
    as_of : datetime.date, optional
        The date of the run (default: today).
    substitutes : mapping, optional
        Category -> categories whose offers can meet a need of that category.
    declined : iterable of (need ref, offer ref), optional
        Pairs that must not be proposed.
    weights : mapping, optional
        Unit-cost weights overriding :data:`DEFAULT_WEIGHTS`.
    index : MatchIndex, optional
        A prebuilt index (then ``needs`` ... ``weights`` are ignored).
    batch_arcs : int, optional
        Passed to :func:`solve_pairings`.

    Returns
    -------
    MatchResult

    Examples
    --------
    >>> from datetime import date
    >>> n1 = NeedRecord("N1", "B", "steel", 50, date(2020, 3, 31), 45.7, 126.6,
    ...                 terms=("pay_first",))
    >>> n2 = NeedRecord("N2", "B", "steel", 10, date(2020, 3, 31), 45.7, 126.6)
    >>> o1 = OfferRecord("O1", "S", "steel", 40, date(2020, 3, 1), 45.8, 126.5)
    >>> o2 = OfferRecord("O2", "T", "steel", 15, date(2020, 3, 1), 46.0, 126.5)
    >>> r = propose_pairings([n1, n2], [o1, o2], as_of=date(2020, 3, 16))
    >>> r.objective["matched_quantity"]
    55.0
    >>> [(p.need, p.offer, p.quantity) for p in r.pairings]
    [('N1', 'O1', 40.0), ('N1', 'O2', 10.0), ('N2', 'O2', 5.0)]
    >>> [(u.need, u.quantity) for u in r.unmet]
    [('N2', 5.0)]
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if index is None:
        index = build_index(needs, offers, as_of=as_of, substitutes=substitutes,
                            declined=declined, weights=weights)
    t1 = time.perf_counter()
    timings["index"] = t1 - t0
    ni, oi, cost, dist = index._candidate_arrays()
    t2 = time.perf_counter()
    timings["candidates"] = t2 - t1
    flow = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost, batch_arcs=batch_arcs)
    t3 = time.perf_counter()
    timings["solve"] = t3 - t2
    result = _result(index, ni, oi, cost, dist, flow)
    timings["result"] = time.perf_counter() - t3
    result.timings = timings
    return result


def _result(index: MatchIndex, ni, oi, cost, dist, flow) -> MatchResult:
    used = np.flatnonzero(flow > 0)
    pairings = []
    cache: dict = {}
    needs, offers = index.needs, index.offers
    for n_i, o_i, f, c, d in zip(ni[used].tolist(), oi[used].tolist(), flow[used].tolist(),
                                 cost[used].tolist(), dist[used].tolist()):
        n, o = needs[n_i], offers[o_i]
        pairings.append(ProposedPairing(
            n.ref, o.ref, f / QUANTITY_SCALE, c / COST_SCALE, _round_km(d),
            tuple(pairing_reasons(n, o, d, index=index, cache=cache))))
    matched = np.zeros(len(index.needs), dtype=np.int64)
    np.add.at(matched, ni, flow)
    unmet = [
        UnmetNeed(index.needs[i].ref, int(index.n_qty[i] - matched[i]) / QUANTITY_SCALE)
        for i in np.flatnonzero(matched < index.n_qty).tolist()
    ]
    total_flow = int(flow.sum())
    total_cost = sum(int(f) * int(c) for f, c in zip(flow[used].tolist(), cost[used].tolist()))
    return MatchResult(
        as_of=index.as_of,
        needs=[(n.ref, int(q) / QUANTITY_SCALE) for n, q in zip(index.needs, index.n_qty.tolist())],
        offers=[(o.ref, int(q) / QUANTITY_SCALE) for o, q in zip(index.offers, index.o_qty.tolist())],
        candidates=_CandidateList(index, ni, oi, cost, dist),
        pairings=pairings,
        unmet=unmet,
        objective={
            "matched_quantity": total_flow / QUANTITY_SCALE,
            "total_cost": total_cost / (QUANTITY_SCALE * COST_SCALE),
        },
        timings={},
        weights=dict(index.weights),
    )


def greedy_pairings(index: MatchIndex, candidates=None, order="cost"):
    """Greedy assignment: the baseline the optimum is measured against.

    With ``order="cost"`` (cheapest pair first) the allowed pairs are taken in order of
    unit cost (ties by need, then offer); with ``order="need"`` the needs are served one
    after the other, soonest due first, each from its cheapest allowed offers.  Each pair
    gets as much as both sides still hold.  Neither is optimal in quantity or in cost.

    Parameters
    ----------
    index : MatchIndex
    candidates : tuple of arrays, optional
        ``(need_idx, offer_idx, cost, distance)`` as computed for ``index``.
    order : {"cost", "need"}, optional

    Returns
    -------
    dict
        ``matched_quantity`` and ``total_cost``, as in :attr:`MatchResult.objective`.

    Examples
    --------
    >>> from datetime import date
    >>> n1 = NeedRecord("N1", "B", "x", 1, date(2020, 3, 31), 0.0, 0.0)
    >>> n2 = NeedRecord("N2", "B", "x", 1, date(2020, 3, 31), 0.0, 0.5)
    >>> o1 = OfferRecord("O1", "S", "x", 1, date(2020, 3, 1), 0.0, 0.5)
    >>> o2 = OfferRecord("O2", "T", "x", 1, date(2020, 3, 1), 0.0, 0.0,
    ...                  delivery_radius_km=1)
    >>> index = build_index([n1, n2], [o1, o2], as_of=date(2020, 3, 16))
    >>> greedy_pairings(index)["matched_quantity"]  # O1 takes N2, O2 only reaches N1
    2.0
    """
    if candidates is None:
        candidates = index._candidate_arrays()
    ni, oi, cost, _ = candidates
    if order == "cost":
        order = np.lexsort((oi, ni, cost))
    elif order == "need":
        order = np.lexsort((oi, cost, ni, index.n_due[ni]))
    else:
        raise MatchingError("order must be 'cost' or 'need'")
    n_left = index.n_qty.tolist()
    o_left = index.o_qty.tolist()
    total_flow = 0
    total_cost = 0
    for n, o, c in zip(ni[order].tolist(), oi[order].tolist(), cost[order].tolist()):
        a, b = n_left[n], o_left[o]
        if a <= 0 or b <= 0:
            continue
        f = a if a < b else b
        n_left[n] = a - f
        o_left[o] = b - f
        total_flow += f
        total_cost += f * c
    return {
        "matched_quantity": total_flow / QUANTITY_SCALE,
        "total_cost": total_cost / (QUANTITY_SCALE * COST_SCALE),
    }


# ---------------------------------------------------------------------------
# best partners of one posting


def best_partners(posting, index: MatchIndex, n: int = 10):
    """The top ``n`` allowed partners of one need or offer, cheapest first.

    Answered from the index alone: the posting's category group (with substitutes) is
    cut by the arrival rule, then tested against the other hard rules with vectorised
    arithmetic.  The posting need not be in the index (a new posting can be scored).

    Parameters
    ----------
    posting : NeedRecord or OfferRecord
    index : MatchIndex
    n : int, optional
        How many partners (default 10).

    Returns
    -------
    list of dict
        ``{"ref", "unit_cost", "distance_km", "open_quantity", "reasons"}`` per partner,
        by unit cost, then ref.

    Examples
    --------
    >>> from datetime import date
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
    raise MatchingError("best_partners takes a NeedRecord or an OfferRecord")


def _best_offers(need: NeedRecord, index: MatchIndex, n: int):
    as_of_ord = index.as_of.toordinal()
    if need.status != "open" or need.needed_by.toordinal() < as_of_ord:
        return []
    groups = []
    for scat in index.supply_cats.get(need.category, (need.category,)):
        code = index.cat_code.get(scat)
        g = index.offer_groups.get(code) if code is not None else None
        if g is None:
            continue
        m = int(np.searchsorted(index.o_arrival[g], need.needed_by.toordinal(), side="right"))
        if m:
            groups.append(g[:m])
    if not groups:
        return []
    oi = np.concatenate(groups)
    probe = _probe_for_need(index, need)
    ni = np.zeros(oi.shape[0], dtype=np.int64)
    ni, oi, dist = probe._pairs(ni, oi, cross=False)
    if need.ref in index.need_pos and index.declined_keys.size and ni.size:
        keys = index.need_pos[need.ref] * len(index.offers) + oi
        keep = ~np.isin(keys, index.declined_keys)
        ni, oi, dist = ni[keep], oi[keep], dist[keep]
    cost = probe._unit_costs(ni, oi, dist)
    top = _top(cost, np.array([index.offers[k].ref for k in oi.tolist()], dtype=object), n)
    return [
        {
            "ref": index.offers[int(oi[k])].ref,
            "unit_cost": int(cost[k]) / COST_SCALE,
            "distance_km": _round_km(float(dist[k])),
            "open_quantity": int(index.o_qty[int(oi[k])]) / QUANTITY_SCALE,
            "reasons": pairing_reasons(need, index.offers[int(oi[k])], float(dist[k]), index=index),
        }
        for k in top
    ]


def _best_needs(offer: OfferRecord, index: MatchIndex, n: int):
    as_of_ord = index.as_of.toordinal()
    if (offer.status != "open" or not offer.supplier_live
            or (offer.available_until is not None
                and offer.available_until.toordinal() < as_of_ord)):
        return []
    arrival = max(offer.available_from.toordinal(), as_of_ord) + int(offer.lead_time_days)
    groups = []
    for ncat in index.demand_cats.get(offer.category, (offer.category,)):
        code = index.cat_code.get(ncat)
        g = index.need_groups.get(code) if code is not None else None
        if g is None:
            continue
        s = int(np.searchsorted(index.n_due[g], arrival, side="left"))
        if s < g.shape[0]:
            groups.append(g[s:])
    if not groups:
        return []
    ni = np.concatenate(groups)
    probe = _probe_for_offer(index, offer)
    oi = np.zeros(ni.shape[0], dtype=np.int64)
    ni, oi, dist = probe._pairs(ni, oi, cross=False)
    if offer.ref in index.offer_pos and index.declined_keys.size and ni.size:
        keys = ni * len(index.offers) + index.offer_pos[offer.ref]
        keep = ~np.isin(keys, index.declined_keys)
        ni, oi, dist = ni[keep], oi[keep], dist[keep]
    cost = probe._unit_costs(ni, oi, dist)
    top = _top(cost, np.array([index.needs[k].ref for k in ni.tolist()], dtype=object), n)
    return [
        {
            "ref": index.needs[int(ni[k])].ref,
            "unit_cost": int(cost[k]) / COST_SCALE,
            "distance_km": _round_km(float(dist[k])),
            "open_quantity": int(index.n_qty[int(ni[k])]) / QUANTITY_SCALE,
            "reasons": pairing_reasons(index.needs[int(ni[k])], offer, float(dist[k]), index=index),
        }
        for k in top
    ]


def _top(cost: np.ndarray, refs: np.ndarray, n: int) -> list[int]:
    if cost.size == 0:
        return []
    if cost.size > n:
        kth = np.partition(cost, n - 1)[n - 1]
        cand = np.flatnonzero(cost <= kth)
    else:
        cand = np.arange(cost.size)
    ranked = sorted(cand.tolist(), key=lambda k: (int(cost[k]), refs[k]))
    return ranked[:n]


class _Probe:
    """A view of an index where one side is replaced by a single posting."""


def _probe_for_need(index: MatchIndex, need: NeedRecord):
    probe = _Probe()
    probe.__dict__.update({k: getattr(index, k) for k in _INDEX_ATTRS})
    probe.n_lat = np.array([math.radians(need.lat)])
    probe.n_lon = np.array([math.radians(need.lon)])
    probe.n_due = np.array([need.needed_by.toordinal()], dtype=np.int64)
    probe.n_max = np.array([np.nan if need.max_unit_price is None else float(need.max_unit_price)])
    probe.n_firm = np.array([index.firm_code.get(need.buyer, -1)], dtype=np.int64)
    probe.n_leading = np.array([need.buyer_kind == "leading"])
    probe.n_terms = np.array(
        [len(set(need.terms) & set(ARTICLE_10_TERMS)) / len(ARTICLE_10_TERMS)])
    probe.declined_keys = np.zeros(0, np.int64)
    probe.offers = index.offers
    return _bind(probe)


def _probe_for_offer(index: MatchIndex, offer: OfferRecord):
    probe = _Probe()
    probe.__dict__.update({k: getattr(index, k) for k in _INDEX_ATTRS})
    as_of_ord = index.as_of.toordinal()
    probe.o_lat = np.array([math.radians(offer.lat)])
    probe.o_lon = np.array([math.radians(offer.lon)])
    probe.o_arrival = np.array(
        [max(offer.available_from.toordinal(), as_of_ord) + int(offer.lead_time_days)],
        dtype=np.int64)
    probe.o_lead = np.array([float(offer.lead_time_days)])
    probe.o_price = np.array([np.nan if offer.unit_price is None else float(offer.unit_price)])
    probe.o_radius = np.array(
        [np.inf if offer.delivery_radius_km is None else float(offer.delivery_radius_km)])
    probe.o_firm = np.array([index.firm_code.get(offer.supplier, -1)], dtype=np.int64)
    code = index.cat_code.get(offer.category, -1)
    probe.o_cat = np.array([code if code >= 0 else len(index.categories)], dtype=np.int64)
    if code < 0:
        median = np.nan if offer.unit_price is None else float(offer.unit_price)
        probe.cat_median = np.append(index.cat_median, median)
    probe.o_sme = np.array([offer.supplier_kind == "sme"])
    probe.o_workers = np.array(
        [_UNKNOWN_WORKERS_BACK if offer.workers_back is None else float(offer.workers_back)])
    probe.declined_keys = np.zeros(0, np.int64)
    probe.offers = [offer]
    return _bind(probe)


_INDEX_ATTRS = (
    "weights", "needs", "offers", "n_lat", "n_lon", "n_due", "n_max", "n_firm", "n_cat",
    "n_qty", "n_leading", "n_terms", "o_lat", "o_lon", "o_arrival", "o_lead", "o_price",
    "o_radius", "o_firm", "o_cat", "o_qty", "o_sme", "o_workers", "cat_median",
    "declined_keys",
)


def _bind(probe):
    probe._pairs = MatchIndex._pairs.__get__(probe)
    probe._unit_costs = MatchIndex._unit_costs.__get__(probe)
    return probe


# ---------------------------------------------------------------------------
# reasons


def _fmt_num(x: float) -> str:
    return ("%.2f" % x).rstrip("0").rstrip(".")


def pairing_reasons(need: NeedRecord, offer: OfferRecord, distance_km: float | None = None,
                    *, index: MatchIndex | None = None, cache: dict | None = None) -> list[str]:
    """Human-readable reasons for a pairing, each in Chinese and English.

    Parameters
    ----------
    need : NeedRecord
    offer : OfferRecord
    distance_km : float, optional
        The pair's distance (computed when not given).
    index : MatchIndex, optional
        Supplies the category median price when the need sets no maximum price.
    cache : dict, optional
        Reuse the parts that depend on one posting only across many calls (a run passes
        one dict for all its pairings).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from datetime import date
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
    """
    if distance_km is None:
        distance_km = haversine_km(need.lat, need.lon, offer.lat, offer.lon)
    if cache is None:
        cache = {}
    km = "%.0f" % distance_km
    if need.region and offer.region and need.region == offer.region:
        reasons = ["同县，%s 公里 / same county, %s km" % (km, km)]
    elif need.region and offer.region and need.region[:4] == offer.region[:4]:
        reasons = ["同市，%s 公里 / same city, %s km" % (km, km)]
    else:
        reasons = ["相距 %s 公里 / %s km away" % (km, km)]
    if offer.category != need.category:
        reasons.append("以 %s 替代 %s / %s as a substitute for %s"
                       % (offer.category, need.category, offer.category, need.category))
    if offer.unit_price is not None:
        key = ("price", offer.unit_price, need.max_unit_price, offer.category)
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
        reasons.append("中小企业供应龙头企业 / SME for a leading buyer")
    if len(offer_part) > 1:
        reasons.append(offer_part[1])
    if need.terms:
        key = ("terms", need.terms if isinstance(need.terms, tuple) else tuple(need.terms))
        terms_part = cache.get(key)
        if terms_part is None:
            terms_part = cache[key] = [_TERM_REASONS[t] for t in ARTICLE_10_TERMS if t in need.terms]
        reasons.extend(terms_part)
    return reasons


def _price_reason(need, offer, index):
    price = _fmt_num(float(offer.unit_price))
    if need.max_unit_price is not None:
        # the buyer's cap itself is the buyer's to know: the supplier reads these reasons too
        # (proposals, best partners), so they say the price fits, never what the cap is
        return "单价 %s，在买方限价之内 / unit price %s within the buyer's price cap" % (price, price)
    if index is not None and offer.category in index.cat_code:
        med = float(index.cat_median[index.cat_code[offer.category]])
        if not math.isnan(med):
            m = _fmt_num(med)
            return ("单价 %s，品类中位价 %s / unit price %s, category median %s"
                    % (price, m, price, m))
    return ""


def _offer_reasons(offer):
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
