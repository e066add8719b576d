"""Alternate suppliers per break: who could take over, allocated over all the week's breaks at once.

For every break of the kinds in :data:`ALTERNATE_KINDS` (a supplier down or strained, a
chain gap, an uncovered need), the best alternate suppliers with spare capacity (open
offers: their quantity less what accepted pairings committed) under the hard rules of
``spec/matching.md``. What a break asks for is one or more :class:`~graphs.records.Need`
records (a :class:`BreakDemand`):

* ``uncovered_need`` and ``chain_gap``: the buyer's open needs in the category, due within
  the horizon, with what accepted pairings do not cover (the needs the break is made of);
* ``supplier_down`` and ``supplier_strained``: a *stand-in need* of the buyer for the goods
  of the supply edge (:func:`stand_in_need`): ``weeks`` weeks of its weekly quantity, due
  ``weeks`` weeks after ``as_of``, on the edge's terms; the broken supplier itself is never
  its alternate.

Which offer may serve which need, and at what unit cost, is the matcher's own rule
(:func:`graphs.matching.build_index` and :func:`graphs.matching.candidate_arrays`, so the
hard rules and the cost weights are those of a matching run). The allocation is the matcher's
lexicographic optimum of **one** min-cost-flow problem over every break's needs and every open
offer (:func:`graphs.matching.solve_pairings`, OR-Tools ``SimpleMinCostFlow``): the largest total
quantity, then the least total cost, and an offer's spare capacity is never promised to two
breaks beyond what it holds. The solver is handed the problem one connected component of the
allowed pairs at a time (components share no need and no offer, so the optimum is the same as
in one call, which ``batch_arcs`` still allows; at a province's scale it is ten times faster,
``benchmarks/bench_alternates.py``).
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .records import Need, Offer
from .matching.candidates import candidate_arrays
from .matching.costs import COST_SCALE, QUANTITY_SCALE
from .matching.geo import round_km
from .matching.index import build_index
from .matching.reasons import pairing_reasons
from .matching.solve import solve_pairings

__all__ = [
    "ALTERNATE_KINDS",
    "STAND_IN_PREFIX",
    "BreakDemand",
    "Alternate",
    "AlternatesResult",
    "stand_in_need",
    "break_demands",
    "find_alternates",
]

#: The kinds of break that get alternates.
ALTERNATE_KINDS = ("supplier_down", "supplier_strained", "uncovered_need", "chain_gap")

#: The ref of a stand-in need is this prefix and the break's key (no stored need has it).
STAND_IN_PREFIX = "break:"

#: Weeks of a supply edge's weekly quantity an alternate is sought for (and its due date).
DEFAULT_WEEKS = 2

_SUPPLY_KINDS = ("supplier_down", "supplier_strained")


class BreakDemand(NamedTuple):
    """What one break asks of alternates: its ``key``, ``kind``, ``buyer``, the broken
    ``supplier`` (``None`` for needs; never an alternate of its own break) and ``needs``
    (the Need records an alternate must meet)."""

    key: str
    kind: str
    buyer: str
    supplier: str | None
    needs: tuple


class Alternate(NamedTuple):
    """One alternate of a break: ``quantity`` of ``offer`` (of ``supplier``) for ``need``
    (a stored need's ref, or the stand-in's when ``stand_in``), at ``unit_cost``, over
    ``distance_km``, with the matcher's ``reasons``."""

    break_key: str
    need: str
    offer: str
    supplier: str
    quantity: float
    unit_cost: float
    distance_km: float
    reasons: tuple
    stand_in: bool


class AlternatesResult(NamedTuple):
    """What :func:`find_alternates` returns: ``by_break`` (break key -> its alternates, the
    largest quantity first, then the cheapest), ``sought`` (break key -> the open quantity its
    needs ask), ``objective`` (``matched_quantity``, ``total_cost``) and ``timings`` (s of each stage,
    and ``arcs``: how many pairs the hard rules allow)."""

    by_break: dict
    sought: dict
    objective: dict
    timings: dict


def stand_in_need(key: str, buyer: str, category: str, quantity_per_week: float, *, as_of: _dt.date,
                  place: Sequence[Any], weeks: int = DEFAULT_WEEKS, product: str | None = None,
                  unit: str | None = None, terms: Iterable[str] = ()) -> Need:
    """The need a supply edge's buyer would post to replace it: ``weeks`` weeks of its weekly
    quantity, due ``weeks`` weeks after ``as_of``.

    Parameters
    ----------
    key : str
        The break's key (the need's ref is :data:`STAND_IN_PREFIX` + key).
    buyer, category : str
    quantity_per_week : float
        The supply edge's weekly quantity.
    as_of : datetime.date
    place : sequence
        ``(lat, lon, kind, county)`` of the buyer.
    weeks : int, optional
    product, unit : str, optional
        The goods of the edge's links (the product when they all name the same one).
    terms : iterable of str, optional
        The article-10 terms of the edge's links.

    Examples
    --------
    >>> from datetime import date
    >>> n = stand_in_need("k", "B", "C1", 5.0, as_of=date(2020, 3, 16), place=(45.0, 126.0, "leading", "230102"))
    >>> n.ref, n.quantity, n.needed_by, n.buyer_kind
    ('break:k', 10.0, datetime.date(2020, 3, 30), 'leading')
    """
    lat, lon, kind, county = place
    return Need(STAND_IN_PREFIX + key, buyer, category, float(quantity_per_week) * weeks,
                as_of + _dt.timedelta(days=7 * weeks), 0.0, 0, "open", lat, lon, kind, None,
                tuple(terms), county, product, (), unit)


def _field(b: Any, name: str) -> Any:
    return b[name] if isinstance(b, Mapping) else getattr(b, name)


def break_demands(breaks: Iterable[Any], needs: Iterable[Need], *, as_of: _dt.date,
                  places: Mapping[str, Sequence[Any]],
                  edge_goods: Mapping[tuple, tuple] | None = None, weeks: int = DEFAULT_WEEKS,
                  horizon_days: int = 56) -> list[BreakDemand]:
    """What each break of the :data:`ALTERNATE_KINDS` asks of alternates.

    Parameters
    ----------
    breaks : iterable of mapping or object
        With ``key``, ``kind``, ``buyer``, ``supplier``, ``category``, ``quantity`` (a
        report's breaks); other kinds are skipped.
    needs : iterable of Need
        The open needs (with ``covered``); a need break is made of its buyer's needs in its
        category due from ``as_of`` to ``as_of + horizon_days`` with something uncovered.
    as_of : datetime.date
    places : mapping
        Buyer ref -> ``(lat, lon, kind, county)``; a supply break whose buyer has no place
        is skipped.
    edge_goods : mapping, optional
        ``(supplier, buyer, category)`` -> ``(product, unit, terms)`` of the supply edge.
    weeks, horizon_days : int, optional

    Returns
    -------
    list of BreakDemand
        In the order of *breaks*; a break with nothing to ask is left out.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import Need
    >>> need = Need("N1", "B", "C1", 8.0, date(2020, 3, 20), 3.0)
    >>> d = break_demands([{"key": "u", "kind": "uncovered_need", "buyer": "B", "supplier": None,
    ...                     "category": "C1", "quantity": 5.0}], [need], as_of=date(2020, 3, 16), places={})
    >>> [(x.key, [n.ref for n in x.needs]) for x in d]
    [('u', ['N1'])]
    """
    last = as_of + _dt.timedelta(days=horizon_days)
    by_group: dict[tuple, list[Need]] = {}
    for n in needs:
        if n.status == "open" and as_of <= n.needed_by <= last and n.quantity - (n.covered or 0.0) > 1e-9:
            by_group.setdefault((n.buyer, n.category), []).append(n)
    goods = edge_goods or {}
    out, taken = [], set()
    for b in breaks:
        kind = _field(b, "kind")
        if kind not in ALTERNATE_KINDS:
            continue
        key, buyer, category = _field(b, "key"), _field(b, "buyer"), _field(b, "category")
        supplier = _field(b, "supplier")
        if kind in _SUPPLY_KINDS:
            place = places.get(buyer)
            qty = float(_field(b, "quantity") or 0.0)
            if place is None or place[0] is None or qty <= 0:
                continue
            product, unit, terms = goods.get((supplier, buyer, category), (None, None, ()))
            demand = (stand_in_need(key, buyer, category, qty, as_of=as_of, place=place, weeks=weeks,
                                    product=product, unit=unit, terms=terms),)
        else:
            group = (buyer, category)
            if group in taken or group not in by_group:
                continue
            taken.add(group)
            demand = tuple(by_group[group])
        out.append(BreakDemand(key, kind, buyer, supplier, demand))
    return out


def find_alternates(demands: Iterable[BreakDemand], offers: Iterable[Offer], *, as_of: _dt.date,
                    substitutes: Mapping[str, Iterable[str]] | None = None,
                    weights: Mapping[str, float] | None = None,
                    customers: Mapping[str, Iterable[str]] | None = None,
                    declined: Iterable[tuple[str, str]] = (),
                    product_names: Mapping[str, tuple[str, str]] | None = None,
                    batch_arcs: int | None = 1) -> AlternatesResult:
    """The alternates of every break, allocated jointly as one min-cost flow.

    The offers' spare capacity is shared among all the breaks: the allocation is the
    lexicographic optimum of ``spec/matching.md`` (the largest total quantity, then the least
    total cost) over every pair the matcher's hard rules allow between the breaks' needs and
    the open offers, less the pairs of a supply break with its own broken supplier.

    Parameters
    ----------
    demands : iterable of BreakDemand
        From :func:`break_demands`.
    offers : iterable of Offer
        The open offers (their open quantity is the spare capacity).
    as_of : datetime.date
    substitutes, weights, customers, declined, product_names : optional
        As for :func:`graphs.matching.build_index`.
    batch_arcs : int, optional
        How the flow is handed to the solver (:func:`graphs.matching.solve_pairings`): by default
        (1) each connected component of the allowed pairs alone; a number solves components
        together until a call holds that many arcs, ``None`` all in one call. The optimum is the
        same (components share no capacity); only the time differs.

    Returns
    -------
    AlternatesResult

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> d1 = BreakDemand("k1", "uncovered_need", "B1", None,
    ...                  (NeedRecord("N1", "B1", "steel", 6, date(2020, 3, 31), 45.7, 126.6),))
    >>> d2 = BreakDemand("k2", "uncovered_need", "B2", None,
    ...                  (NeedRecord("N2", "B2", "steel", 6, date(2020, 3, 31), 45.7, 126.7),))
    >>> o = OfferRecord("O1", "S", "steel", 8, date(2020, 3, 1), 45.8, 126.5)
    >>> r = find_alternates([d1, d2], [o], as_of=date(2020, 3, 16))
    >>> r.objective["matched_quantity"]  # O1's 8 shared, never 12
    8.0
    """
    t0 = time.perf_counter()
    demands = list(demands)
    owner: dict[str, BreakDemand] = {}
    needs = []
    for d in demands:
        for n in d.needs:
            if n.ref not in owner:
                owner[n.ref] = d
                needs.append(n)
    index = build_index(needs, offers, as_of=as_of, substitutes=substitutes, declined=declined,
                        weights=weights, customers=customers, product_names=product_names)
    t1 = time.perf_counter()
    ni, oi, cost, dist = candidate_arrays(index)
    if ni.size:
        keep = _not_own_supplier(index, owner, ni, oi)
        ni, oi, cost, dist = ni[keep], oi[keep], cost[keep], dist[keep]
    t2 = time.perf_counter()
    # one flow problem for the whole week, solved component by component unless asked otherwise
    flow = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost,
                          batch_arcs=int(ni.size) + 1 if batch_arcs is None else batch_arcs)
    t3 = time.perf_counter()
    by_break: dict[str, list[Alternate]] = {d.key: [] for d in demands}
    sought: dict[str, float] = {d.key: 0.0 for d in demands}
    for i, q in enumerate(index.n_qty.tolist()):
        sought[owner[index.needs[i].ref].key] += q / QUANTITY_SCALE
    used = np.flatnonzero(flow > 0)
    cache: dict = {}
    total_cost = 0
    for n_i, o_i, f, c, d in zip(ni[used].tolist(), oi[used].tolist(), flow[used].tolist(),
                                 cost[used].tolist(), dist[used].tolist()):
        n, o = index.needs[n_i], index.offers[o_i]
        total_cost += f * c
        key = owner[n.ref].key
        by_break[key].append(Alternate(key, n.ref, o.ref, o.supplier, f / QUANTITY_SCALE, c / COST_SCALE,
                                       round_km(d), tuple(pairing_reasons(n, o, d, index=index, cache=cache)),
                                       n.ref.startswith(STAND_IN_PREFIX)))
    for alts in by_break.values():
        alts.sort(key=lambda a: (-a.quantity, a.unit_cost, a.offer, a.need))
    timings = {"index": t1 - t0, "candidates": t2 - t1, "solve": t3 - t2, "result": time.perf_counter() - t3,
               "arcs": int(ni.size)}
    objective = {"matched_quantity": int(flow.sum()) / QUANTITY_SCALE,
                 "total_cost": total_cost / (QUANTITY_SCALE * COST_SCALE)}
    return AlternatesResult(by_break, {k: round(v, 3) for k, v in sought.items()}, objective, timings)


def _not_own_supplier(index: Any, owner: Mapping[str, BreakDemand], ni: np.ndarray, oi: np.ndarray) -> np.ndarray:
    """Mask of the candidate pairs whose offer is not of the broken supplier of the need's break."""
    code = index.firm_code
    broken = np.array([code.get(owner[n.ref].supplier, -1) for n in index.needs], dtype=np.int64)
    return broken[ni] != index.offer_columns.firm[oi]
