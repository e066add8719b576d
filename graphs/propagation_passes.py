"""What the upstream propagation (:mod:`graphs.propagation`) keeps from one pass to the next: the
healthy supply edges numbered once (:class:`HealthyEdges`), and whether another pass could change
anything.

The propagation runs over edge ids: an edge's routes, labels and best route sit in lists indexed
by its id, its firm pair is one int (:meth:`HealthyEdges.pair_key`), and what a break on it
cascades to is a shared tuple of ``(edge, buyer)`` (:meth:`HealthyEdges.nexts`). Routes are
tuples of firm refs, as in the breaks. :func:`next_pass_differs` follows the routes a next pass
would add from what this pass declined, and says whether it could change a best route, push out
an alternative already kept, or add to its factors; when it cannot, the pass is skipped
(:data:`SKIP_IDLE_PASSES`; ``tests/graphs/test_propagation_passes.py`` compares both ways).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

__all__ = ["HealthyEdges", "by_firm_set", "add_alternatives", "add_dropped_factors", "labels_of", "SKIP_IDLE_PASSES",
           "next_pass_differs", "NextPassDiffers",
           "kept_by_next_pass"]


#: Skip a pass that provably changes nothing (:func:`next_pass_differs`); False runs every pass
#: the alternatives call for (``tests/graphs/test_propagation_passes.py`` compares both ways).
SKIP_IDLE_PASSES = True


class HealthyEdges:
    """The healthy supply edges (live supplier, no blockers), numbered ``0 .. size - 1``.

    ``edge`` holds each edge's ``(supplier, buyer, category, quantity)`` by id, ``pair`` its firm
    pair as one int (:meth:`pair_key`: the firms' numbers in *firms*); ``out`` is ``{supplier:
    {category: [(edge, buyer)]}}`` and ``into`` ``{buyer: {category: [(supplier, edge)]}}``, both
    in the order the detection met the edges (the order the propagation takes them in). The
    detection fills them in its scan of the supply edges (:meth:`add` does the same for one edge).
    :meth:`prepare` then gives each edge what a break on it cascades to.

    Examples
    --------
    >>> g = HealthyEdges(["A", "B", "S"])
    >>> g.add("S", "B", "car", 5.0), g.add("B", "A", "bus", 2.0)
    (0, 1)
    >>> g.out
    {'S': {'car': [(0, 'B')]}, 'B': {'bus': [(1, 'A')]}}
    >>> g.into
    {'B': {'car': [('S', 0)]}, 'A': {'bus': [('B', 1)]}}
    >>> g.prepare({"car": frozenset({"bus"})})
    >>> g.nexts_of, g.buyers_of
    ([((1, 'A'),), ()], [frozenset({'A'}), frozenset()])
    """

    __slots__ = ("edge", "pair", "out", "into", "firm_ids", "n_firms", "nexts_of", "buyers_of", "buyer_of")

    def __init__(self, firms: dict[str, int] | Iterable[str]) -> None:
        self.firm_ids = firms if isinstance(firms, dict) else {f: i for i, f in enumerate(firms)}
        self.n_firms = len(self.firm_ids)
        self.edge, self.pair = [], array("q")  # pairs as 64-bit ints: no int object kept per edge
        self.out, self.into = {}, {}
        self.nexts_of = self.buyers_of = self.buyer_of = None  # per edge, once prepared

    @property
    def size(self) -> int:
        """How many edges."""
        return len(self.edge)

    def pair_key(self, s: str, b: str) -> int:
        """The firm pair ``(s, b)`` as one int."""
        ids = self.firm_ids
        return ids[s] * self.n_firms + ids[b]

    def add(self, s: str, b: str, c: str, quantity: float = 0.0) -> int:
        """Number a healthy edge ``s -> b`` in ``c``; return its id."""
        e = len(self.edge)
        self.edge.append((s, b, c, quantity))
        self.pair.append(self.pair_key(s, b))
        self.out.setdefault(s, {}).setdefault(c, []).append((e, b))
        self.into.setdefault(b, {}).setdefault(c, []).append((s, e))
        return e

    def prepare(self, outputs: dict) -> None:
        """Give each edge ``(s, b, c)`` the healthy edges ``(b, a, c2)`` a break on it cascades to
        (``c2`` an output of ``c``), as ``(edge, a)`` in :attr:`out`'s order, in ``nexts_of``, and
        their buyers in ``buyers_of``; edges into one ``(b, c)`` share them. ``buyer_of`` is each
        edge's buyer."""
        size = len(self.edge)
        self.buyer_of = [x[1] for x in self.edge]
        nexts_of, buyers_of = [()] * size, [frozenset()] * size
        self.nexts_of, self.buyers_of = nexts_of, buyers_of
        outs = self.out
        for b, per in self.into.items():
            out = outs.get(b)
            if not out:
                continue
            if len(out) == 1:  # b supplies one category (the common case): one cascade or none
                (c2, firms), = out.items()
                nexts, buyers = tuple(firms), frozenset([a for _, a in firms])
                for c, ts in per.items():
                    into_outputs = outputs.get(c)
                    if into_outputs and c2 in into_outputs:
                        for _, e in ts:
                            nexts_of[e] = nexts
                            buyers_of[e] = buyers
                continue
            for c, ts in per.items():
                into_outputs = outputs.get(c)
                if not into_outputs:
                    continue
                nexts = tuple([x for c2, firms in out.items() if c2 in into_outputs for x in firms])
                if nexts:
                    buyers = frozenset([a for _, a in nexts])
                    for _, e in ts:
                        nexts_of[e] = nexts
                        buyers_of[e] = buyers


def next_pass_differs(declined: tuple[list, list], alt_pairs: set, best: list, max_routes: int,
                      labels: list, edges: HealthyEdges, dropped: list) -> bool:
    """Whether the next pass could find another best route for some edge (or keep a new pair).

    A pass depends on the pairs that keep alternatives (``alt_pairs``) in two places only: a
    first label with routes of other firm sets keeps them as alternatives, and an edge already
    labelled takes further routes, only for such a pair. *declined* holds what this pass dropped
    for want of that: ``(edge, tier, its routes of that tier, sorted)`` of first labels, and
    ``(edge, buyer, path, factors, tier)`` of routes an edge already labelled dropped (a route
    that would pass its buyer twice left out: blocked on an edge of lower tier, it cannot matter).

    The next pass takes every other decision as this one, except downstream of these. So the
    routes it would add are followed here from them, tier by tier, over this pass's labels
    (:func:`labels_of`: ``[(tier, firm set, path, factors)]``), taking the decisions the next pass
    would take: a route that passes every firm of a label the edge has by then is dropped; one
    that reaches an edge without a best route (``best[edge]``), or at or below its best tier
    (where it could change the best route, its factors, or a blocked route that matters) means
    the next pass may differ (True); so does one that would be kept before labels of this pass
    of its tier or later (it could displace them or change their factors). Otherwise it is
    dropped as the next pass would drop it (no room left, or the pair keeps no alternatives), or
    kept as an alternative after this pass's labels and followed further. When none is left, the
    next pass would find the same best routes and the same blocked routes that matter, and keep
    no new pair: it would change nothing (False). The routes it would leave out for want of room
    are noted in *dropped*, as the pass notes its own.
    """
    firsts, later = declined
    pair_of = edges.pair
    nexts_of = edges.nexts_of
    arrivals = {}  # tier -> {edge: [edge, alternatives of its first label, routes]}
    for e, tier, items in firsts:
        if pair_of[e] in alt_pairs:
            arrivals.setdefault(tier, {}).setdefault(e, [e, None, []])[1] = items
    for e, a, path, f, tier in later:
        if pair_of[e] in alt_pairs:
            arrivals.setdefault(tier, {}).setdefault(e, [e, None, []])[2].append(((a,) + path, f))
    extra = {}  # edge -> [firm set] of the alternatives the next pass would add
    while arrivals:
        tier = min(arrivals)
        pushed = []
        for e, items, routes in arrivals.pop(tier).values():
            lab = labels_of(e, labels, best)
            added = extra.setdefault(e, [])
            if items is not None:  # the first label's alternatives (its pair kept none)
                if routes or len(lab) > 1:
                    return True  # other routes or labels beside them: they could displace each other
                union = frozenset().union(*[f for _, f in items])
                first = [(tier, frozenset(items[0][0]), items[0][0], union)]
                for _, fs, path, f in add_alternatives(first, tier, by_firm_set(items[1:]), max_routes, e,
                                                       dropped):
                    added.append((fs, f, tier))
                    pushed.append((nexts_of[e], path, f))
                continue
            routes.sort()
            for fs, (path, f) in by_firm_set(routes):
                if kept_by_next_pass(lab, tier, fs, path, f, added, max_routes, e, dropped):
                    added.append((fs, f, tier))
                    pushed.append((nexts_of[e], path, f))
        tier += 1
        for nexts, path, f in pushed:
            for e, a in nexts:
                have = best[e]
                if have is None or have[0] >= tier:
                    return True  # a best route (or a blocked route that matters) could change
                if pair_of[e] in alt_pairs and a not in path:  # else dropped, as the next pass drops it
                    arrivals.setdefault(tier, {}).setdefault(e, [e, None, []])[2].append(((a,) + path, f))
    return False


class NextPassDiffers(Exception):
    """The next pass may differ (raised by :func:`kept_by_next_pass`)."""


def kept_by_next_pass(labels: list, tier: int, fs: frozenset, path: tuple, f: frozenset, added: list,
                      max_routes: int, e: int, dropped: list) -> bool:
    """Whether the next pass keeps a route (firm set *fs*, *path*, *factors*) arriving at an edge with
    these *labels* at *tier* as an alternative after this pass's labels (*added*: ``(firm set,
    factors, tier)`` of those it adds); raises :class:`NextPassDiffers` where it could change them."""
    earlier = 0
    for t, lfs, lpath, lf in labels:
        if t < tier or (t == tier and lpath < path):  # met before the route
            if (lfs if lfs is not None else frozenset(lpath)) <= fs:
                if t == tier and not lf >= f:
                    raise NextPassDiffers  # its factors go to a label of its tier: they grow
                return False  # passes every firm of a label met before: dropped
            earlier += 1
    for afs, af, t in added:
        if afs <= fs:
            if t == tier and not af >= f:
                raise NextPassDiffers  # its factors go to a route the next pass adds: they grow
            return False
    if earlier + len(added) >= max_routes:
        dropped.append((e, tier, path, f))
        return False  # no room left when it comes
    if any(t > tier or (t == tier and lpath > path) for t, _, lpath, _ in labels):
        raise NextPassDiffers  # kept before labels of this pass: it could displace them
    return True


def labels_of(e: int, labels: list, best: list) -> list:
    """An edge's labels ``[(tier, firm set or None, path, factors)]`` after a pass: its best label
    alone where the pass kept no list."""
    lab = labels[e]
    if lab is None:
        tier, path, f = best[e]
        lab = labels[e] = [(tier, None, path, f)]
    return lab


def by_firm_set(items: list) -> list[tuple[frozenset, tuple]]:
    """Group routes (sorted by path) by their firm set: ``[(set, (first path, factors))]``."""
    groups = {}
    for path, f in items:
        fs = frozenset(path)
        have = groups.get(fs)
        groups[fs] = (path, f) if have is None else (have[0], have[1] | f)
    return list(groups.items())


def add_alternatives(lab: list, tier: int, groups: list, cap: int, e: int, dropped: list) -> list:
    """Add to an edge's labels ``[(tier, firm set, path, factors)]`` the routes of *tier* grouped by
    firm set (:func:`by_firm_set`, sorted by path) as alternatives, up to *cap* labels; return the
    labels added. A route left out for want of room is noted in *dropped* as ``(e, tier, path,
    factors)`` (:func:`add_dropped_factors`).

    A route whose firm set holds all of a label's is valid further down only where that label is,
    which is of its tier or lower and sorts before it: it is not kept, its factors go to that label
    when it is of its tier (a superset of the factors further down, which
    :func:`graphs.routes.exact_factors` makes exact). Dropping it would lose factors."""
    start = len(lab)
    for fs, (path, f) in groups:
        for i, x in enumerate(lab):
            if x[1] <= fs:
                if x[0] == tier and not x[3] >= f:
                    lab[i] = (tier, x[1], x[2], x[3] | f)
                break
        else:
            if len(lab) < cap:
                lab.append((tier, fs, path, f))
            else:
                dropped.append((e, tier, path, f))
    return lab[start:]


def add_dropped_factors(dropped: list, best: list, labels: list, edges: HealthyEdges) -> None:
    """Add to the factors of the edges (*best*, in place) those of the routes an edge left out for
    want of room (*dropped*: ``(edge, tier, path, factors)``) at every edge further down where an
    extension of such a route that passes no firm twice is of the edge's tier.

    An edge keeps at most ``max_routes`` labels, so what it leaves out is not handed down, and a
    route further down that only it leads to would lose its factors (which
    :func:`graphs.routes.exact_factors`, removing factors only, could not restore). A left-out
    route is followed here unless a label of the edge stands for it: one of a lower tier, or of
    its tier with its factors, whose firm set it holds (valid
    wherever it is). Followed routes meeting at an edge and tier are followed as one, with the
    firms common to their firm sets and the union of their factors: valid wherever one of them
    is, so a superset, which ``exact_factors`` makes exact. It stops where a label stands for it
    in the same way, and past the highest tier."""
    if not dropped:
        return
    nexts_of = edges.nexts_of
    top = max(have[0] for have in best if have is not None)
    arrivals = {}  # tier -> {edge: [firms, factors]}
    for e, tier, path, f in dropped:
        _arrive(arrivals, tier, e, frozenset(path), f)
    while arrivals:
        tier = min(arrivals)
        later = arrivals.setdefault(tier + 1, {}) if tier < top else None
        for e, (fs, f) in arrivals.pop(tier).items():
            have = best[e]
            if have is None:
                continue  # no route of the propagation there: not followed (max_routes too small for its tier)
            lab = labels[e]
            if lab is None:  # its best label alone (labels_of), its firm set not made
                t, lpath, lf = have
                if t <= tier and (t < tier or lf >= f) and fs.issuperset(lpath):
                    continue
            else:
                stands = False
                for t, _, lpath, lf in lab:  # a label's firm set is that of its path
                    if t <= tier and (t < tier or lf >= f) and fs.issuperset(lpath):
                        stands = True
                        break
                if stands:
                    continue
            if have[0] == tier and not have[2] >= f:
                best[e] = (tier, have[1], have[2] | f)
            if later is None:
                continue
            for e2, a in nexts_of[e]:
                if a not in fs:  # _arrive, inlined
                    fs2 = fs | {a}
                    was = later.get(e2)
                    later[e2] = [fs2, f] if was is None else [was[0] & fs2, was[1] | f]


def _arrive(arrivals: dict, tier: int, e: int, fs: frozenset, f: frozenset) -> None:
    at = arrivals.setdefault(tier, {})
    have = at.get(e)
    at[e] = [fs, f] if have is None else [have[0] & fs, have[1] | f]
