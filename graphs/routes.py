"""Route correction: the exact factors of each ``upstream_break``.

The propagation (:mod:`graphs.propagation`) passes on, for each supply edge,
the union of the factors of all its routes of its tier, including routes that
are dropped further down because they pass a firm twice; :func:`exact_factors`
corrects those unions, tier by tier, with a depth-bounded search of the routes
that are valid.
"""

from __future__ import annotations

from operator import itemgetter

from .propagation import GAP_FACTORS, CategoryMap, DownIn, EdgeBest
from .propagation_passes import HealthyEdges

__all__ = ["exact_factors"]



def exact_factors(best: EdgeBest, edges: HealthyEdges, inputs: CategoryMap, down_in: DownIn,
                  gaps: set[tuple[str, str]]) -> None:
    """Make the factors of every upstream break exactly those of its valid smallest-tier routes.

    *best* is :func:`graphs.propagation.propagate_edges`' ``(tier, path, factors)`` per id of
    the healthy *edges*. The propagation keeps one route (or a few) per edge but passes on the
    union of the factors of all the edge's routes of its tier, so a route that is dropped further
    down because it passes a firm twice can still leave its factors in that union: the propagated
    factors are a superset of the exact ones. No bounded route set can be exact for the union in
    general (the routes that must be kept depend on which firms lie further down), so the factors
    are corrected here, in *best* in place, tier by tier:

    * when the root of the edge's own (valid) best path already has all the propagated factors,
      they are exact (nothing to do; the common case);
    * otherwise a depth-bounded search enumerates the edge's routes of exactly its tier, backward
      and without passing a firm twice, only through edges whose tier is at most the hops left,
      skipping an edge of exactly that tier whose (already exact) factors are all collected, and
      stopping as soon as every propagated factor is found.

    Both steps trust the propagated union to hold the factors of every valid route of the tier
    (true unless a too small ``max_routes`` dropped an alternative that was needed further down);
    the search's depth is the tier, its worst case exponential in it, in practice a small part of
    the detection (``docs/chain-breaks.md``).

    Examples
    --------
    The edge ``S -> B`` in ``car`` got ``funds`` in its union from the route
    ``B <- S <- B`` (``B`` down for ``S``'s steel), which passes ``B`` twice;
    its one valid route of tier 2 is ``B <- S <- X``:

    >>> from .propagation import healthy_edges_of
    >>> best = [(2, ("B", "S", "X"), frozenset({"labour", "funds"}))]
    >>> down_in = {("S", "steel"): [("X", frozenset({"labour"})), ("B", frozenset({"funds"}))]}
    >>> exact_factors(best, healthy_edges_of({"S": {"car": ["B"]}}), {"car": frozenset({"steel"})},
    ...               down_in, set())
    >>> best
    [(2, ('B', 'S', 'X'), frozenset({'labour'}))]
    """
    down_f = None
    todo = []
    for e, have in enumerate(best):
        if have is None:
            continue
        tier, path, factors = have
        if len(factors) < 2:
            continue  # the best path is valid and has at least one factor
        if tier == len(path):
            root = GAP_FACTORS
        else:
            if down_f is None:
                down_f = {x: f for downs in down_in.values() for x, f in downs}
            root = down_f[path[-1]]
        if not root >= factors:
            todo.append((tier, e, root))
    if not todo:
        return
    into = edges.into  # supplier -> {category: its own healthy suppliers and their edges}
    # a category's inputs in the order of their codes: the search stops once it has every propagated
    # factor, so the routes it meets first must not depend on the order of a set (the hash seed)
    ordered = {c: tuple(sorted(ins)) for c, ins in inputs.items()}
    todo.sort(key=itemgetter(0))  # a tier's edges need the exact factors of the tier below
    edge = edges.edge
    visited, got, upper = set(), set(), frozenset()
    roots = {}  # (s, c) -> the roots of its routes of tier 2: (the firm down or None for a gap, factors)

    def collect(s: str, c: str, tier: int) -> bool:
        """Add to *got* the factors of the routes of exactly *tier* from an edge out of *s* in *c*
        that pass no firm in *visited*; return True once *got* holds all of *upper*."""
        if tier == 2:
            found = roots.get((s, c))
            if found is None:
                found = []
                for c1 in ordered.get(c, ()):
                    found += down_in.get((s, c1), ())
                    if (s, c1) in gaps:
                        found.append((None, GAP_FACTORS))  # None: never visited
                roots[s, c] = found
            for x, f in found:
                if x not in visited:
                    got.update(f)
            return got >= upper
        ins = ordered.get(c, ())
        per = into.get(s)
        if per is not None:
            lower = tier - 1
            for c1 in ins:
                for t, e in per.get(c1, ()):
                    if t in visited:
                        continue
                    have = best[e]
                    if have is None or have[0] > lower:
                        continue
                    if have[0] == lower and got >= have[2]:
                        continue
                    visited.add(t)
                    done = collect(t, c1, lower)
                    visited.discard(t)
                    if done:
                        return True
        return got >= upper

    try:
        for tier, e, root in todo:
            s, b, c, _ = edge[e]
            _, path, upper = best[e]
            got = set(root)  # the factors of its best path's root: that route is valid, of its tier
            visited = {s, b}
            collect(s, c, tier)
            best[e] = (tier, path, frozenset(got))
    finally:
        collect = None  # the function held itself (its recursion): a cycle the disabled collector would keep
