"""Propagation of ``upstream_break`` over the healthy supply edges (the machinery of kind 6).

A healthy supply edge ``S -> B`` in ``c`` has an ``upstream_break`` when ``S``
has a ``supplier_down`` or a ``chain_gap`` in an input of ``c`` (tier 2), or an
``upstream_break`` on an edge into ``S`` in an input of ``c`` (recursively,
one tier more). :func:`propagate_upstream` finds every such edge with its
tier, path and factors by a level-synchronous breadth-first propagation,
never enumerating paths, so it is safe on cycles and linear in the graph for
bounded ``max_routes``; :func:`graphs.routes.exact_factors` then corrects the
factors where a dropped route left some in.

The inputs are what :func:`graphs.detection.detect_breaks` gathers in its scan
of the supply edges:

``healthy_out``
    ``{supplier: {category: [buyers]}}`` over the healthy edges (live supplier,
    no blockers);
``inputs``, ``outputs``
    ``{category: frozenset of its inputs}`` and the reverse
    (:func:`graphs.build.input_output_maps`);
``down_in``
    ``{(buyer, category): [(supplier not live, frozenset of its factors)]}``;
``gaps``
    the ``(buyer, category)`` pairs with a ``chain_gap``.
"""

from __future__ import annotations

from .propagation_passes import (REC_BUYERS, REC_LABELS, REC_NEXTS, REC_PAIR, REC_PENDING, REC_STATE, SKIP_IDLE_PASSES,
                                 by_firm_set, NextPassDiffers, next_pass_differs, new_record, Records)

__all__ = ["propagate_upstream", "supplier_index", "GAP_FACTORS", "MAX_PASSES"]

HealthyOut = dict[str, dict[str, list[str]]]
CategoryMap = dict[str, frozenset]
DownIn = dict[tuple[str, str], list[tuple[str, frozenset]]]
#: ``{(S, B, c): (tier, path, factors)}``: the tier, smallest path and factors of each edge.
Best = dict[tuple[str, str, str], tuple[int, tuple[str, ...], frozenset]]

#: Factors of a route rooted in a chain gap.
GAP_FACTORS = frozenset({"materials"})

#: Propagation passes at most (each adds alternatives where a route was blocked).
MAX_PASSES = 8


def propagate_upstream(healthy_out: HealthyOut, inputs: CategoryMap, outputs: CategoryMap,
                       down_in: DownIn, gaps: set[tuple[str, str]], max_routes: int,
                       suppliers: dict | None = None) -> Best:
    """Return ``{(S, B, c): (tier, path, factors)}`` for every upstream break.

    The propagation is breadth-first by tier over the healthy supply edges
    (the states), downstream from the roots. A *label* of a state is one
    route ``(tier, path)``; the first tier at which a state gets a label is
    its tier, its path the smallest of that tier's routes, its factors their
    union (a superset where a merged route passes a firm further down; made
    exact afterwards by :func:`graphs.routes.exact_factors`). A route never passes a firm twice, so a label cannot be extended
    to a buyer already on it. An edge whose best route passes one of the
    buyers it feeds keeps up to ``max_routes - 1`` alternative routes (other
    firm sets, or a higher tier through firms not all on a better route).
    Where a blocked extension still matters (the buyer's edge got no route of
    that tier otherwise), the propagation runs again with alternatives kept
    along the blocked route and on the edges upstream whose best route passes
    the same firm, until nothing changes (at most ``MAX_PASSES`` passes); a pass
    that provably changes nothing is skipped (:func:`next_pass_differs`).
    Without such conflicts one pass suffices. Checked against a brute-force
    enumeration of simple routes in ``tests/graphs/test_breaks_bruteforce.py``.

    Parameters
    ----------
    healthy_out, inputs, outputs, down_in, gaps
        As gathered by the detection (see the module notes).
    max_routes : int
        Routes each edge may keep (1: only its best).
    suppliers : dict, optional
        Filled with :func:`supplier_index` of *healthy_out* when first needed (an empty dict
        the caller shares with :func:`graphs.routes.exact_factors`, which needs it too).

    Returns
    -------
    dict
        ``{(S, B, c): (tier, path, factors)}``; the path runs from ``B`` up to
        the root (the supplier down, or the firm with the chain gap).

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
    recs = Records()  # state -> its record (see _bfs), shared by the passes
    recs.suppliers = {} if suppliers is None else suppliers
    try:
        return _propagate(healthy_out, inputs, outputs, down_in, gaps, max_routes, recs)
    finally:
        recs.release()


def _propagate(healthy_out, inputs, outputs, down_in, gaps, max_routes, recs):
    seeds = _seeds(healthy_out, inputs, down_in, gaps)
    alt_pairs = set()
    for _ in range(MAX_PASSES):
        declined = ([], [])
        best, blocked = _bfs({k: list(v) for k, v in seeds.items()}, healthy_out, outputs,
                             max_routes, alt_pairs, recs, declined)
        if max_routes == 1:
            return best
        if not _keep_alternatives(blocked, best, alt_pairs, recs, healthy_out):
            break
        if SKIP_IDLE_PASSES:
            try:
                if not next_pass_differs(declined, alt_pairs, best, max_routes):
                    break
            except NextPassDiffers:
                pass  # it may differ: run it
    return best


def _seeds(healthy_out: HealthyOut, inputs: CategoryMap, down_in: DownIn,
           gaps: set[tuple[str, str]]) -> dict[tuple[str, str, str], list]:
    """The routes of tier 2: ``{(S, B, c): [(path, factors)]}`` for each healthy edge out of a
    firm with a supplier down or a chain gap in an input of ``c``."""
    roots = {}
    for (s, c1), downs in down_in.items():
        roots.setdefault(s, []).extend((c1, (s, x), f) for x, f in downs if x != s)
    for s, c1 in gaps:
        roots.setdefault(s, []).append((c1, (s,), GAP_FACTORS))
    seeds = {}
    for s, items in roots.items():
        out = healthy_out.get(s)
        if not out:
            continue
        for c, buyers in out.items():
            ins = inputs.get(c)
            if not ins:
                continue
            for c1, tail, f in items:
                if c1 not in ins:
                    continue
                for b in buyers:
                    if b in tail:  # [B, S, B]: passes B twice
                        continue
                    seeds.setdefault((s, b, c), []).append(((b,) + tail, f))
    return seeds


def _keep_alternatives(blocked: list, best: Best, alt_pairs: set, recs: Records,
                       healthy_out: HealthyOut) -> bool:
    """Let the firm pairs along each blocked route that still matters keep alternatives, and
    the edges upstream whose best route passes the same firm; return True if any pair was
    added (the propagation must run again)."""
    grown = False
    for path, a, state, tau in blocked:
        have = best.get(state)
        if have is not None and have[0] <= tau:
            continue
        flagged = []
        for i in range(path.index(a)):
            pair = (path[i + 1], path[i])
            flagged.append(pair)
            if pair not in alt_pairs:
                alt_pairs.add(pair)
                grown = True
        # upstream edges whose own best route passes a also need their alternatives
        suppliers = recs.suppliers
        if not suppliers:
            suppliers.update(supplier_index(healthy_out))
        seen = set(flagged)
        stack = [(path[1], path[0])]
        while stack:
            s, b = stack.pop()
            for c1, ts in suppliers.get(s, {}).items():
                for t in ts:
                    pred = best.get((t, s, c1))
                    if pred is None or a not in pred[1] or (t, s) in seen:
                        continue
                    seen.add((t, s))
                    stack.append((t, s))
                    if (t, s) not in alt_pairs:
                        alt_pairs.add((t, s))
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
                per = rev.get(b)
                if per is None:
                    rev[b] = {c: [s]}
                else:
                    ts = per.get(c)
                    if ts is None:
                        per[c] = [s]
                    else:
                        ts.append(s)
    return rev


def _bfs(cand, healthy_out, outputs, max_routes, alt_pairs, recs, declined):
    """One level-synchronous pass; returns the best labels and the blocked extensions.

    *recs* (shared by the passes) maps a state ``(s, b, c)`` to its record: the state, its firm
    pair ``(s, b)``, the records it cascades to as ``(record, buyer)`` and their buyers (filled
    when first needed), and this pass's labels ``[(tier, firm set or None)]`` and pending routes.
    """
    for rec in recs.values():
        rec[REC_LABELS] = rec[REC_PENDING] = None
    order = []  # the records with pending routes, in the order of their first route
    for state, items in cand.items():
        rec = recs.get(state)
        if rec is None:
            rec = recs[state] = new_record(recs, state)
        rec[REC_PENDING] = items
        order.append(rec)
    best = {}
    blocked = []
    declined_first, declined_later = declined[0].append, declined[1].append
    tier = 2
    while order:
        frontier = []
        push = frontier.append
        for rec in order:
            items = rec[REC_PENDING]
            rec[REC_PENDING] = None
            state = rec[REC_STATE]
            nexts = rec[REC_NEXTS]
            if nexts is None:
                nexts = _fill(recs, healthy_out, outputs, rec)
            lab = rec[REC_LABELS]
            cap = max_routes if rec[REC_PAIR] in alt_pairs else 1
            if lab is None:
                if cap == 1 < max_routes:
                    best_path = min(items)[0] if len(items) > 1 else items[0][0]
                    if not rec[REC_BUYERS].isdisjoint(best_path):  # a buyer downstream is on the route
                        alt_pairs.add(rec[REC_PAIR])
                        cap = max_routes
                if len(items) == 1:
                    path, f = items[0]
                    best[state] = (tier, path, f)
                    rec[REC_LABELS] = [(tier, frozenset(path) if cap > 1 else None, path, f)]
                    push((nexts, path, f))
                    continue
                items.sort()
                union = frozenset().union(*[f for _, f in items])
                path = items[0][0]
                best[state] = (tier, path, union)
                lab = rec[REC_LABELS] = [(tier, frozenset(path) if cap > 1 else None, path, union)]
                push((nexts, path, union))
                if cap == 1:
                    if max_routes > 1:
                        declined_first((rec, tier, items))  # alternatives, had its pair kept them
                    continue
                for fs, (path, f) in by_firm_set(items[1:], exclude=lab[0][1]):
                    if len(lab) >= cap:
                        break
                    lab.append((tier, fs, path, f))
                    push((nexts, path, f))
            else:
                if len(lab) >= cap:
                    continue
                items.sort()
                for fs, (path, f) in by_firm_set(items, exclude=None):
                    if len(lab) >= cap:
                        break
                    if any((x[1] if x[1] is not None else frozenset(x[2])) <= fs for x in lab):
                        continue
                    lab.append((tier, fs, path, f))
                    push((nexts, path, f))
        order = []
        add = order.append
        tier += 1
        for nexts, path, f in frontier:
            for rec, a in nexts:
                lab = rec[REC_LABELS]
                # labels are never empty: without the pair's alternatives one label is the cap. (An
                # edge labelled already is checked first: a route blocked there would not matter,
                # its tier being lower; _keep_alternatives skips such blocked routes.)
                if lab is not None:
                    if len(lab) >= max_routes:
                        continue
                    if rec[REC_PAIR] not in alt_pairs:
                        if a not in path:
                            declined_later((rec, a, path, f, tier))  # an alternative, had its pair kept them
                        continue
                if a in path:
                    blocked.append((path, a, rec[REC_STATE], tier))
                    continue
                pending = rec[REC_PENDING]
                if pending is None:
                    rec[REC_PENDING] = [((a,) + path, f)]
                    add(rec)
                else:
                    pending.append(((a,) + path, f))
    return best, blocked


def _fill(recs, healthy_out, outputs, rec):
    """Fill a state's record with the healthy edges (b, a, c2) a break on it cascades to (as
    ``(record, a)``) and their buyers; return the former. Edges into one (b, c) share them."""
    s, b, c = rec[REC_STATE]
    key = (b, c)
    succ = recs.cascades.get(key)
    if succ is None:
        out = healthy_out.get(b)
        outs = outputs.get(c)
        if not out or not outs:
            succ = ((), frozenset())
        else:
            nexts = []
            buyers = set()
            for c2, firms in out.items():
                if c2 in outs:
                    for a in firms:
                        state = (b, a, c2)
                        nxt = recs.get(state)
                        if nxt is None:
                            nxt = recs[state] = new_record(recs, state)
                        nexts.append((nxt, a))
                        buyers.add(a)
            succ = (tuple(nexts), frozenset(buyers))
        recs.cascades[key] = succ
    rec[REC_NEXTS], rec[REC_BUYERS] = succ
    return succ[0]
