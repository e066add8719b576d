"""Propose pairings: the optimum over all allowed pairs, and the greedy baselines.

:func:`propose_pairings` chains the phases of a run (index, allowed pairs,
solver, result with reasons) and times each; :func:`greedy_pairings` is the
cheapest-pair-first (or need-by-need) baseline the benchmark measures the
optimum against.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Iterable, Mapping
from itertools import repeat

import numpy as np

from ..exceptions import MatchingError
from ..records import Need, Offer
from .candidates import candidate_arrays
from .columns import fields_of
from .costs import COST_SCALE, QUANTITY_SCALE
from .geo import round_km
from .index import MatchIndex, build_index
from .reasons import pairings_reasons
from .results import CandidateList, MatchResult, ProposedPairing, UnmetNeed
from .solve import Solver, solve_pairings

__all__ = ["propose_pairings", "greedy_pairings"]


def propose_pairings(needs: Iterable[Need] | None, offers: Iterable[Offer] | None, *,
                     as_of: _dt.date | None = None,
                     substitutes: Mapping[str, Iterable[str]] | None = None,
                     declined: Iterable[tuple[str, str]] = (),
                     weights: Mapping[str, float] | None = None, index: MatchIndex | None = None,
                     batch_arcs: int = 1, customers: Mapping[str, Iterable[str]] | None = None,
                     product_names: Mapping[str, tuple[str, str]] | None = None,
                     solver: Solver | None = None) -> MatchResult:
    """Optimal pairings of open needs with open offers.

    Finds every pair the hard rules allow and solves the lexicographic optimum over all
    of them: the largest total quantity matched, then the least total cost
    (``sum(quantity * unit_cost)``).  A need may be split over several offers and an
    offer over several needs.

    Parameters
    ----------
    needs : iterable of Need
    offers : iterable of Offer
    as_of : datetime.date, optional
        The date of the run (default: today).
    substitutes : mapping, optional
        Category -> categories whose offers can meet a need of that category.
    declined : iterable of (need ref, offer ref), optional
        Pairs that must not be proposed.
    weights : mapping, optional
        Unit-cost weights overriding :data:`DEFAULT_WEIGHTS`.
    index : MatchIndex, optional
        A prebuilt index (then ``needs`` ... ``weights`` and ``customers`` are ignored).
    batch_arcs : int, optional
        Passed to :func:`solve_pairings`.
    customers : mapping, optional
        SME ref -> refs of the leading firms that buy from it (the ``not_supply_first``
        cost term, :func:`~graphs.matching.build_index`).
    product_names : mapping, optional
        Product code -> (Chinese, English) names, for the reasons (see :func:`build_index`).
    solver : callable, optional
        Solves the components' flow problems (passed to :func:`solve_pairings`).

    Returns
    -------
    MatchResult

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
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
                            declined=declined, weights=weights, customers=customers,
                            product_names=product_names)
    t1 = time.perf_counter()
    timings["index"] = t1 - t0
    ni, oi, cost, dist = candidate_arrays(index)
    t2 = time.perf_counter()
    timings["candidates"] = t2 - t1
    flow = solve_pairings(index.n_qty, index.o_qty, ni, oi, cost, batch_arcs=batch_arcs, solver=solver)
    t3 = time.perf_counter()
    timings["solve"] = t3 - t2
    result = _result(index, ni, oi, cost, dist, flow)
    timings["result"] = time.perf_counter() - t3
    result.timings = timings
    return result


def _result(index: MatchIndex, ni: np.ndarray, oi: np.ndarray, cost: np.ndarray, dist: np.ndarray,
            flow: np.ndarray) -> MatchResult:
    """The run's result from the candidate arrays and the solved flow on each."""
    used = np.flatnonzero(flow > 0)
    n_used, o_used, d_used = ni[used], oi[used], dist[used]
    need_refs, = fields_of(index.needs, "ref")
    offer_refs, = fields_of(index.offers, "ref")
    # built by map over plain columns: a run proposes a hundred thousand pairings
    pairings = list(map(ProposedPairing, map(need_refs.__getitem__, n_used.tolist()),
                        map(offer_refs.__getitem__, o_used.tolist()), _unscaled(flow[used], QUANTITY_SCALE),
                        _unscaled(cost[used], COST_SCALE), map(round, d_used.tolist(), repeat(3)),  # round_km
                        pairings_reasons(index, n_used, o_used, d_used)))
    matched = np.zeros(len(index.needs), dtype=np.int64)
    np.add.at(matched, n_used, flow[used])
    short = np.flatnonzero(matched < index.n_qty)
    unmet = [UnmetNeed(need_refs[i], q) for i, q in zip(
        short.tolist(), _unscaled(index.n_qty[short] - matched[short], QUANTITY_SCALE))]
    total_flow = int(flow.sum())
    total_cost = _sum_of_products(flow[used], cost[used])
    return MatchResult(
        as_of=index.as_of,
        needs=list(zip(need_refs, _unscaled(index.n_qty, QUANTITY_SCALE))),
        offers=list(zip(offer_refs, _unscaled(index.o_qty, QUANTITY_SCALE))),
        candidates=CandidateList(index, ni, oi, cost, dist),
        pairings=pairings,
        unmet=unmet,
        objective={
            "matched_quantity": total_flow / QUANTITY_SCALE,
            "total_cost": total_cost / (QUANTITY_SCALE * COST_SCALE),
        },
        timings={},
        weights=dict(index.weights),
        need_goods=_goods(index.needs, "category", "product", "unit", "accepts"),
        offer_goods=_goods(index.offers, "category", "product", "unit"),
    )


def _goods(records: list, *names: str) -> list[tuple]:
    """``(category, product, unit[, tuple(accepts)])`` of each record, zipped from its columns."""
    columns = fields_of(records, *names)
    if names[-1] == "accepts":
        columns[-1] = map(tuple, columns[-1])
    return list(zip(*columns))


def _sum_of_products(a: np.ndarray, b: np.ndarray) -> int:
    """``sum(int(x) * int(y) for x, y in zip(a, b))`` of integer arrays: summed in int64 when no
    product and no partial sum can exceed it (the same integer), else in Python's integers."""
    if not a.size:
        return 0
    bound = int(np.abs(a).max()) * int(np.abs(b).max())
    if bound * a.size < 2 ** 63:
        return int(np.dot(a.astype(np.int64), b.astype(np.int64)))
    return sum(int(x) * int(y) for x, y in zip(a.tolist(), b.tolist()))


def _unscaled(values: np.ndarray, scale: int) -> list[float]:
    """``[int(v) / scale for v in values]`` of scaled integers, divided as an array when every value
    converts to a float exactly (below 2**53 in size), which gives the same floats."""
    if values.size and int(np.abs(values).max()) >= 2 ** 53:
        return [int(v) / scale for v in values.tolist()]
    return (values / scale).tolist()


def greedy_pairings(index: MatchIndex, candidates: tuple[np.ndarray, ...] | None = None,
                    order: str = "cost") -> dict[str, float]:
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
    >>> from graphs.records import NeedRecord, OfferRecord
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
        candidates = candidate_arrays(index)
    ni, oi, cost, _ = candidates
    if order == "cost":
        rank = np.lexsort((oi, ni, cost))
    elif order == "need":
        rank = np.lexsort((oi, cost, ni, index.need_columns.due[ni]))
    else:
        raise MatchingError("order must be 'cost' or 'need'")
    n_left = index.n_qty.tolist()
    o_left = index.o_qty.tolist()
    total_flow = 0
    total_cost = 0
    for n, o, c in zip(ni[rank].tolist(), oi[rank].tolist(), cost[rank].tolist()):
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
