"""The lexicographic optimum of a bipartite need/offer graph: most quantity, then least cost.

:func:`solve_pairings` works on integers only (quantities and unit costs
scaled by :mod:`graphs.matching.costs`): the largest total flow of least total
``flow * cost``, solved with OR-Tools' min-cost flow per connected component of
the allowed pairs; components with one need or one offer (stars) are filled
exactly from the cheapest pair first, without a solver.

The components are independent problems: :func:`solve_pairings` can hand them, as
:class:`FlowProblem` values, to a ``solver`` that solves a list of them elsewhere (the service fans
them out over task-queue workers) with :func:`solve_flow_problems`; the flow is the same.
"""

from __future__ import annotations

import numpy as np
from collections.abc import Callable, Sequence
from typing import NamedTuple

from numpy.typing import ArrayLike

from ..exceptions import MatchingError

__all__ = ["solve_pairings", "FlowProblem", "solve_flow_problems", "split_problems"]


class FlowProblem(NamedTuple):
    """Whole components of the pair graph as a min-cost flow problem on local node numbers
    ``0 .. len(supply) - 1``: an arc ``tails[k] -> heads[k]`` of capacity ``cap[k]`` and unit cost
    ``cost[k]`` (offers supply, needs demand)."""

    tails: np.ndarray
    heads: np.ndarray
    cap: np.ndarray
    cost: np.ndarray
    supply: np.ndarray


Solver = Callable[[Sequence[FlowProblem]], Sequence[np.ndarray]]
"""Solves a list of problems; returns the flow on each problem's arcs, in order."""


def solve_flow_problems(problems: Sequence[FlowProblem]) -> list[np.ndarray]:
    """The max flow of least cost of each problem (OR-Tools' ``SimpleMinCostFlow``), in order.

    Examples
    --------
    >>> import numpy as np
    >>> p = FlowProblem(np.array([0, 0]), np.array([1, 2]), np.array([5, 5]), np.array([3, 1]),
    ...                 np.array([5, -2, -4]))
    >>> solve_flow_problems([p])[0].tolist()  # the cheaper arc first, then what is left
    [1, 4]
    """
    # imported on first use: loading OR-Tools takes a noticeable fraction of a second, and most
    # importers of graphs (the weekly report, the pages) never solve
    from ortools.graph.python import min_cost_flow

    flows = []
    for p in problems:
        smcf = min_cost_flow.SimpleMinCostFlow()
        ids = smcf.add_arcs_with_capacity_and_unit_cost(
            np.asarray(p.tails, dtype=np.int32), np.asarray(p.heads, dtype=np.int32),
            np.asarray(p.cap, dtype=np.int64), np.asarray(p.cost, dtype=np.int64))
        smcf.set_nodes_supplies(np.arange(len(p.supply), dtype=np.int32), np.asarray(p.supply, dtype=np.int64))
        status = smcf.solve_max_flow_with_min_cost()
        if status != smcf.OPTIMAL:  # pragma: no cover - guarded by the input checks
            raise MatchingError("min-cost flow failed: %s" % status)
        flows.append(np.asarray(smcf.flows(np.asarray(ids, dtype=np.int32)), dtype=np.int64))
    return flows


def split_problems(problems: Sequence[FlowProblem], parts: int) -> list[list[int]]:
    """Indices of `problems` in at most `parts` groups of about the same number of arcs (largest
    first, each to the lightest group), for solving the groups in parallel.

    Examples
    --------
    >>> import numpy as np
    >>> sizes = [5, 1, 3, 3]
    >>> ps = [FlowProblem(*(np.zeros(k),) * 4, np.zeros(2)) for k in sizes]
    >>> split_problems(ps, 2)
    [[0, 1], [2, 3]]
    """
    parts = max(1, min(int(parts), len(problems)))
    groups: list[list[int]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for k in sorted(range(len(problems)), key=lambda k: -len(problems[k].tails)):
        g = loads.index(min(loads))
        groups[g].append(k)
        loads[g] += len(problems[k].tails)
    return [sorted(g) for g in groups if g]


def component_labels(n_nodes: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Connected-component label (smallest node id) of every node; vectorised union-find.

    Parameters
    ----------
    n_nodes : int
        Nodes are ``0 .. n_nodes - 1``.
    tails, heads : numpy.ndarray of int
        The ends of each edge (the direction does not matter).

    Returns
    -------
    numpy.ndarray of int64
        The smallest node of each node's component.

    Examples
    --------
    >>> import numpy as np
    >>> component_labels(5, np.array([0, 3]), np.array([1, 4])).tolist()
    [0, 0, 2, 3, 3]
    """
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


def solve_pairings(n_qty: ArrayLike, o_qty: ArrayLike, need_idx: ArrayLike, offer_idx: ArrayLike,
                   cost: ArrayLike, *, batch_arcs: int = 1, solver: Solver | None = None) -> np.ndarray:
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
    solver : callable, optional
        Solves the list of :class:`FlowProblem` of the batches (default:
        :func:`solve_flow_problems`, here); the service passes one that fans them out.

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
    label = component_labels(no + n_qty.shape[0], tails, heads)
    supply = np.concatenate((o_qty, -n_qty))
    arc_label = label[tails]
    order = np.argsort(arc_label, kind="stable")
    sorted_label = arc_label[order]
    cut = np.flatnonzero(np.diff(sorted_label)) + 1
    starts = np.concatenate(([0], cut)).tolist()
    stops = np.concatenate((cut, [n_arcs])).tolist()

    cap = np.minimum(o_qty[tails], n_qty[heads - no])  # of each arc
    batches: list[np.ndarray] = []
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
                _fill_star(flow, arcs, int(o_qty[t[0]]), n_qty[heads[arcs] - no])
            else:
                _fill_star(flow, arcs, int(n_qty[h[0] - no]), o_qty[tails[arcs]])
            continue
        batch.append(arcs)
        batch_size += arcs.shape[0]
        if batch_size >= batch_arcs:
            batches.append(np.concatenate(batch) if len(batch) > 1 else batch[0])
            batch, batch_size = [], 0
    if batch:
        batches.append(np.concatenate(batch) if len(batch) > 1 else batch[0])
    if batches:
        problems = [_problem(arcs, tails, heads, cap, cost, supply) for arcs in batches]
        flows = (solver or solve_flow_problems)(problems)
        if len(flows) != len(batches):
            raise MatchingError("the solver answered %d of %d problems" % (len(flows), len(batches)))
        for arcs, f in zip(batches, flows):
            flow[arcs] = f
    return flow


def _fill_star(flow: np.ndarray, arcs: np.ndarray, left: int, caps: np.ndarray) -> None:
    """Fill the *arcs* of a star, cheapest first, from its centre's quantity *left*."""
    for a, c in zip(arcs.tolist(), caps.tolist()):
        if left <= 0:
            break
        f = c if c < left else left
        flow[a] = f
        left -= f


def _problem(arcs: np.ndarray, tails: np.ndarray, heads: np.ndarray, cap: np.ndarray, cost: np.ndarray,
             supply: np.ndarray) -> FlowProblem:
    """The min-cost flow problem of *arcs* (whole components), on local node numbers."""
    t, h = tails[arcs], heads[arcs]
    nodes = np.unique(np.concatenate((t, h)))
    return FlowProblem(np.searchsorted(nodes, t).astype(np.int32), np.searchsorted(nodes, h).astype(np.int32),
                       cap[arcs], cost[arcs], supply[nodes])
