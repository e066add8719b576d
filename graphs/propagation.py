"""Propagation of ``upstream_break`` over the healthy supply edges (the machinery of kind 6).

A healthy supply edge ``S -> B`` in ``c`` has an ``upstream_break`` when ``S``
has a ``supplier_down`` or a ``chain_gap`` in an input of ``c`` (tier 2), or an
``upstream_break`` on an edge into ``S`` in an input of ``c`` (recursively,
one tier more). :func:`propagate_upstream` finds every such edge with its
tier, path and factors by a level-synchronous breadth-first propagation,
never enumerating paths, so it is safe on cycles and linear in the graph for
bounded ``max_routes``. It runs over edge ids (:func:`propagate_edges`): an edge's pending routes,
labels and best route sit in lists indexed by its id; :func:`graphs.routes.exact_factors` then corrects the
factors where a dropped route left some in.

The inputs are what :func:`graphs.detection.detect_breaks` gathers in its scan
of the supply edges:

``edges``
    the healthy edges (live supplier, no blockers), numbered
    (:class:`graphs.propagation_passes.HealthyEdges`; :func:`propagate_upstream` takes
    ``{supplier: {category: [buyers]}}`` instead);
``inputs``, ``outputs``
    ``{category: frozenset of its inputs}`` and the reverse
    (:func:`graphs.build.input_output_maps`);
``down_in``
    ``{(buyer, category): [(supplier not live, frozenset of its factors)]}``;
``gaps``
    the ``(buyer, category)`` pairs with a ``chain_gap``.
"""

from __future__ import annotations

from .propagation_passes import (SKIP_IDLE_PASSES, HealthyEdges, NextPassDiffers, add_alternatives, add_dropped_factors,
                                 by_firm_set, labels_of, next_pass_differs)

__all__ = ["propagate_upstream", "propagate_edges", "supplier_index", "healthy_edges_of", "GAP_FACTORS",
           "MAX_PASSES"]

HealthyOut = dict[str, dict[str, list[str]]]
CategoryMap = dict[str, frozenset]
DownIn = dict[tuple[str, str], list[tuple[str, frozenset]]]
#: ``{(S, B, c): (tier, path, factors)}``: the tier, smallest path and factors of each edge.
Best = dict[tuple[str, str, str], tuple[int, tuple[str, ...], frozenset]]
#: Per edge id: ``(tier, path, factors)``, or None (no upstream break).
EdgeBest = list

#: Factors of a route rooted in a chain gap.
GAP_FACTORS = frozenset({"materials"})

#: Propagation passes at most (each adds alternatives where a route was blocked).
MAX_PASSES = 8


def healthy_edges_of(healthy_out: HealthyOut) -> HealthyEdges:
    """The :class:`~graphs.propagation_passes.HealthyEdges` of ``{supplier: {category: [buyers]}}``,
    numbered in its order.

    >>> healthy_edges_of({"S": {"car": ["B", "A"]}}).out
    {'S': {'car': [(0, 'B'), (1, 'A')]}}
    """
    firms = {}
    for s, out in healthy_out.items():
        firms.setdefault(s, len(firms))
        for buyers in out.values():
            for b in buyers:
                firms.setdefault(b, len(firms))
    edges = HealthyEdges(firms)
    for s, out in healthy_out.items():
        for c, buyers in out.items():
            for b in buyers:
                edges.add(s, b, c)
    return edges


def propagate_upstream(healthy_out: HealthyOut, inputs: CategoryMap, outputs: CategoryMap,
                       down_in: DownIn, gaps: set[tuple[str, str]], max_routes: int) -> Best:
    """Return ``{(S, B, c): (tier, path, factors)}`` for every upstream break.

    :func:`propagate_edges` over the edges of *healthy_out* (``{supplier: {category:
    [buyers]}}`` over the healthy edges), keyed by the edges themselves.

    Examples
    --------
    >>> down_in = {("S", "steel"): [("X", frozenset({"labour"}))]}
    >>> propagate_upstream({"S": {"car": ["B"]}, "B": {"bus": ["A"]}},
    ...                    {"car": frozenset({"steel"}), "bus": frozenset({"car"})},
    ...                    {"steel": frozenset({"car"}), "car": frozenset({"bus"})},
    ...                    down_in, set(), max_routes=4)  # doctest: +NORMALIZE_WHITESPACE
    {('S', 'B', 'car'): (2, ('B', 'S', 'X'), frozenset({'labour'})),
     ('B', 'A', 'bus'): (3, ('A', 'B', 'S', 'X'), frozenset({'labour'}))}
    """
    edges = healthy_edges_of(healthy_out)
    best = propagate_edges(edges, inputs, outputs, down_in, gaps, max_routes)
    return {edges.edge[e][:3]: have for e, have in enumerate(best) if have is not None}


def propagate_edges(edges: HealthyEdges, inputs: CategoryMap, outputs: CategoryMap, down_in: DownIn,
                    gaps: set[tuple[str, str]], max_routes: int) -> EdgeBest:
    """Return ``(tier, path, factors)`` of every healthy edge by its id (None: no upstream break).

    The propagation is breadth-first by tier over the healthy supply edges
    (the states), downstream from the roots. A *label* of a state is one
    route ``(tier, path)``; the first tier at which a state gets a label is
    its tier, its path the smallest of that tier's routes, its factors their
    union (a superset where a merged route passes a firm further down; made
    exact afterwards by :func:`graphs.routes.exact_factors`). A route never passes a firm twice,
    so a label cannot be extended to a buyer already on it. An edge whose best route passes one
    of the buyers it feeds keeps up to ``max_routes - 1`` alternative routes (other
    firm sets, or a higher tier through firms not all on a better route).
    Where a blocked extension still matters (the buyer's edge got no route of
    a lower tier, or its pair keeps alternatives: its better routes may be unusable further
    down, and a route of the same tier may sort first or bring factors), the propagation runs
    again with alternatives kept
    along the blocked route and on the edges upstream whose best route passes
    the same firm, until nothing changes (at most ``MAX_PASSES`` passes); a pass
    that provably changes nothing is skipped (:func:`next_pass_differs`).
    Without such conflicts one pass suffices. The routes an edge leaves out for want of room are
    followed after the last pass, so that the factors of the routes further down they lead to are
    handed down all the same (:func:`add_dropped_factors`). Checked against a brute-force
    enumeration of simple routes in ``tests/graphs/test_breaks_bruteforce.py``.

    Parameters
    ----------
    edges, inputs, outputs, down_in, gaps
        As gathered by the detection (see the module notes).
    max_routes : int
        Routes each edge may keep (1: only its best).

    Returns
    -------
    list
        ``(tier, path, factors)`` or None per edge id; the path runs from ``B`` up to the root
        (the supplier down, or the firm with the chain gap).

    Examples
    --------
    >>> edges = healthy_edges_of({"S": {"car": ["B"]}, "B": {"bus": ["A"]}})
    >>> propagate_edges(edges, {"car": frozenset({"steel"}), "bus": frozenset({"car"})},
    ...                 {"steel": frozenset({"car"}), "car": frozenset({"bus"})},
    ...                 {("S", "steel"): [("X", frozenset({"labour"}))]}, set(), max_routes=4)
    [(2, ('B', 'S', 'X'), frozenset({'labour'})), (3, ('A', 'B', 'S', 'X'), frozenset({'labour'}))]
    """
    edges.prepare(outputs)
    seeds = _seeds(edges, inputs, down_in, gaps)
    alt_pairs = set()
    best = [None] * edges.size
    for _ in range(MAX_PASSES):
        firsts, alt_start, alt_added, dropped = [], frozenset(alt_pairs), {}, []
        best, blocked, labels = _bfs({k: list(v) for k, v in seeds.items()}, edges, max_routes,
                                     alt_pairs, firsts.append, alt_added, dropped)
        if max_routes == 1:
            return best
        if not _keep_alternatives(blocked, best, alt_pairs, edges):
            break
        if SKIP_IDLE_PASSES:
            later = _declined_later(edges, outputs, best, labels, alt_pairs, alt_start, alt_added, max_routes)
            skipped = len(dropped)
            pair_of, buyer_of = edges.pair, edges.buyer_of
            firsts = [(e, tier, [((buyer_of[e],) + x[0], x[1]) for x in items]) for e, tier, items in firsts
                      if pair_of[e] in alt_pairs]  # only these count (routes with their buyer again)
            try:
                if not next_pass_differs((firsts, later), alt_pairs, best, max_routes, labels, edges, dropped):
                    break
            except NextPassDiffers:
                pass  # it may differ: run it
            del dropped[skipped:]
    add_dropped_factors(dropped, best, labels, edges)
    return best


def _seeds(edges: HealthyEdges, inputs: CategoryMap, down_in: DownIn,
           gaps: set[tuple[str, str]]) -> dict[int, list]:
    """The routes of tier 2: ``{edge: [(path, factors, ())]}`` for each healthy edge out of a firm with
    a supplier down or a chain gap in an input of its category (the path without the edge's buyer,
    as :func:`_bfs` keeps pending routes)."""
    roots = {}
    for (s, c1), downs in down_in.items():
        roots.setdefault(s, []).extend((c1, (s, x), f) for x, f in downs if x != s)
    for s, c1 in gaps:
        roots.setdefault(s, []).append((c1, (s,), GAP_FACTORS))
    seeds = {}
    outs = edges.out
    for s, items in roots.items():
        out = outs.get(s)
        if not out:
            continue
        for c, firms in out.items():
            ins = inputs.get(c)
            if not ins:
                continue
            for c1, tail, f in items:
                if c1 not in ins:
                    continue
                for e, b in firms:
                    if b in tail:  # [B, S, B]: passes B twice
                        continue
                    routes = seeds.get(e)
                    if routes is None:
                        seeds[e] = [(tail, f, ())]
                    else:
                        routes.append((tail, f, ()))
    return seeds


def _keep_alternatives(blocked: list, best: EdgeBest, alt_pairs: set, edges: HealthyEdges) -> bool:
    """Let the firm pairs along each blocked route that still matters keep alternatives, and
    the edges upstream whose best route passes the same firm; return True if any pair was
    added (the propagation must run again).

    A blocked route matters unless the edge it was blocked at has a route of a lower tier and
    keeps no alternatives. A route of the same tier can still be the path that sorts first or
    bring more factors; and where the edge keeps alternatives, a buyer further down is on its
    better routes, so this one may be the only route left for that buyer."""
    grown = False
    pair_key = edges.pair_key
    for path, a, e, tau in blocked:
        have = best[e]
        if have is not None and have[0] < tau and edges.pair[e] not in alt_pairs:
            continue
        flagged = []
        at = path.index(a)
        for i in range(at):
            pair = pair_key(path[i + 1], path[i])
            flagged.append(pair)
            if pair not in alt_pairs:
                alt_pairs.add(pair)
                grown = True
        # upstream edges whose own best route passes a also need their alternatives: the edges into
        # each firm of the route before a, and on up (not only into its first supplier: the pairs
        # flagged above are not walked through)
        suppliers = edges.into
        seen = set(flagged)
        stack = list(path[1:at])
        while stack:
            s = stack.pop()
            for ts in suppliers.get(s, {}).values():
                for t, e1 in ts:
                    pred = best[e1]
                    pair = edges.pair[e1]
                    if pred is None or a not in pred[1] or pair in seen:
                        continue
                    seen.add(pair)
                    stack.append(t)
                    if pair not in alt_pairs:
                        alt_pairs.add(pair)
                        grown = True
    return grown


def supplier_index(healthy_out: HealthyOut) -> dict[str, dict[str, list[str]]]:
    """``{buyer: {category: [its healthy suppliers]}}``: the reverse of *healthy_out*, suppliers in
    its order.

    >>> supplier_index({"S": {"car": ["B", "A"]}, "T": {"car": ["B"]}})
    {'B': {'car': ['S', 'T']}, 'A': {'car': ['S']}}
    """
    rev = {}
    for s, out in healthy_out.items():
        for c, buyers in out.items():
            for b in buyers:
                rev.setdefault(b, {}).setdefault(c, []).append(s)
    return rev


def _bfs(cand, edges, max_routes, alt_pairs, declined_first, alt_added, dropped):
    """One level-synchronous pass; returns the best labels, the blocked extensions and the labels.

    Per edge id: its pending routes of this tier (one, or a list of them: each ``(path, factors,
    nexts)`` as its predecessor pushed it, the path without the edge's buyer), its
    best label ``(tier, path, factors)`` and its labels ``[(tier, firm set or None, path,
    factors)]`` (the firm set kept where the edge's pair keeps alternatives); the labels are left
    None where they are the best label alone, without its firm set (:func:`labels_of`). A pair
    added to *alt_pairs* in the pass is noted in *alt_added* with its tier.
    """
    size = edges.size
    labels = [None] * size
    pending_of = [None] * size
    best = [None] * size
    pair_of = edges.pair
    nexts_of, buyers_of = edges.nexts_of, edges.buyers_of
    order = []  # the edges with pending routes, in the order of their first route
    for e, items in cand.items():
        pending_of[e] = items if len(items) > 1 else items[0]
        order.append(e)
    buyer_of = edges.buyer_of
    state = bytearray(size)  # per edge: 0 no label yet, 1 labelled (its pair keeping no alternatives), 2 keeping them
    firms = None

    def keep(pair):  # the pair keeps alternatives from now on: its labelled edges take further routes
        nonlocal firms
        alt_pairs.add(pair)
        alt_added[pair] = tier
        if firms is None:
            firms = list(edges.firm_ids)
        n = edges.n_firms
        s, b = firms[pair // n], firms[pair % n]
        for ts in edges.into.get(b, {}).values():
            for t, e1 in ts:
                if t == s and state[e1]:
                    state[e1] = 2
    blocked = []
    tier = 2
    alts = max_routes > 1
    while order:
        frontier = []
        push = frontier.append
        for e in order:
            items = pending_of[e]
            pending_of[e] = None
            have = best[e]
            if have is None:  # its first label
                pair = pair_of[e]
                if items.__class__ is not list:  # one route (the common case)
                    path = (buyer_of[e],) + items[0]
                    f = items[1]
                    best[e] = (tier, path, f)
                    if pair in alt_pairs:
                        labels[e] = [(tier, frozenset(path), path, f)]
                        state[e] = 2
                    elif alts and not buyers_of[e].isdisjoint(path):  # a buyer downstream is on the route
                        keep(pair)
                        labels[e] = [(tier, frozenset(path), path, f)]
                        state[e] = 2
                    else:
                        state[e] = 1
                    push((path, f, nexts_of[e]))
                    continue
                cap = max_routes if pair in alt_pairs else 1
                if len(items) > 1:
                    items.sort()  # the smallest path first (a stable sort: min() would take that one)
                a = buyer_of[e]
                path = (a,) + items[0][0]
                if cap == 1 < max_routes:
                    if not buyers_of[e].isdisjoint(path):  # a buyer downstream is on the best route
                        keep(pair)
                        cap = max_routes
                state[e] = 2 if cap > 1 else 1
                nexts = nexts_of[e]
                if len(items) == 1:
                    f = items[0][1]
                    best[e] = (tier, path, f)
                    if cap > 1:
                        labels[e] = [(tier, frozenset(path), path, f)]
                    push((path, f, nexts))
                    continue
                union = items[0][1]  # the union of their factors (most often one and the same set)
                for x in items:
                    f = x[1]
                    if f is not union and not union >= f:
                        union = union | f
                best[e] = (tier, path, union)
                push((path, union, nexts))
                if cap == 1:
                    if alts:
                        declined_first((e, tier, items))  # alternatives, had its pair kept them (routes without a)
                    continue
                lab = labels[e] = [(tier, frozenset(path), path, union)]
                for _, _, path, f in add_alternatives(lab, tier, by_firm_set([((a,) + x[0], x[1]) for x in items[1:]]),
                                                      cap, e, dropped):
                    push((path, f, nexts))
            else:
                lab = labels[e]
                if lab is None:
                    lab = labels[e] = [(have[0], frozenset(have[1]), have[1], have[2])]
                cap = max_routes if pair_of[e] in alt_pairs else 1
                if cap == 1:
                    continue
                a = buyer_of[e]
                if items.__class__ is not list:
                    items = [((a,) + items[0], items[1])]
                else:
                    items = [((a,) + x[0], x[1]) for x in items]
                    items.sort()
                nexts = nexts_of[e]
                for _, _, path, f in add_alternatives(lab, tier, by_firm_set(items), cap, e, dropped):
                    push((path, f, nexts))
        order = []
        add = order.append
        tier += 1
        for item in frontier:  # (path, factors, the edges it cascades to): pending as it is at each
            path, f, nexts = item
            for e, a in nexts:
                # an edge labelled already takes further routes only if its pair keeps alternatives
                # and it has room (labels are never empty: without the pair's alternatives one label
                # is the cap; what it declines, _declined_later finds again). It is checked first: a
                # route blocked there would not matter, its tier being lower; _keep_alternatives
                # skips such blocked routes.
                st = state[e]
                if st:  # labelled already
                    if st == 1:
                        continue
                    lab = labels[e]
                    if lab is not None and len(lab) >= max_routes:
                        if a not in path:
                            dropped.append((e, tier, (a,) + path, f))  # no room: add_dropped_factors
                        continue
                if a in path:
                    blocked.append((path, a, e, tier))
                    continue
                pending = pending_of[e]
                if pending is None:
                    pending_of[e] = item
                    add(e)
                elif pending.__class__ is list:
                    pending.append(item)
                else:
                    pending_of[e] = [pending, item]
    return best, blocked, labels


def _declined_later(edges, outputs, best, labels, alt_pairs, alt_start, alt_added, max_routes):
    """The routes a pass dropped at an edge labelled already, for want of its pair keeping
    alternatives, of the edges whose pair keeps them now: ``(edge, buyer, path, factors, tier)``.

    What the pass pushed to an edge are its predecessors' labels, each one tier later; it dropped
    a route that would not pass the edge's buyer twice when the edge had a label of a lower tier
    and room for more, and its pair kept no alternatives yet (:func:`next_pass_differs`)."""
    later = []
    firms = list(edges.firm_ids)
    n = edges.n_firms
    into = edges.into
    never = tier_cap = 1 << 60
    for pair in alt_pairs:
        s, b = firms[pair // n], firms[pair % n]
        added = -1 if pair in alt_start else alt_added.get(pair, never)
        for c, ts in into.get(b, {}).items():
            for t, e in ts:
                if t != s or best[e] is None:
                    continue
                first = best[e][0]
                lab_tiers = sorted(x[0] for x in labels_of(e, labels, best))
                full = lab_tiers[max_routes - 1] if len(lab_tiers) >= max_routes else tier_cap
                for c1, ps in into.get(s, {}).items():
                    outs = outputs.get(c1)
                    if not outs or c not in outs:
                        continue
                    for _, p in ps:
                        if best[p] is None:
                            continue
                        for pt, _, path, f in labels_of(p, labels, best):
                            arrival = pt + 1
                            # labelled before, not full, its pair keeping none then, not passing b twice
                            if first < arrival and full >= arrival and added >= arrival and b not in path:
                                later.append((e, b, path, f, arrival))
    return later
