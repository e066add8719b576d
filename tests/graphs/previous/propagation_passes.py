"""What the upstream propagation (:mod:`graphs.propagation`) keeps from one pass to the next: a
record per healthy supply edge, and whether another pass could change anything.

A record is one mutable list per state ``(s, b, c)``: ``[state, pair, nexts, buyers, labels,
pending]``, kept across passes in :class:`Records`. :func:`next_pass_differs` follows the routes
a next pass would add from what this pass declined, and says whether it could change a best
route, push out an alternative already kept, or add to its factors; when it cannot, the pass is
skipped (:data:`SKIP_IDLE_PASSES`; ``tests/graphs/test_propagation_passes.py`` compares both ways).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .propagation import Best

__all__ = ["REC_STATE", "REC_PAIR", "REC_NEXTS", "REC_BUYERS", "REC_LABELS", "REC_PENDING", "Records", "new_record",
           "by_firm_set", "SKIP_IDLE_PASSES", "next_pass_differs", "NextPassDiffers"]

# fields of a state's record in the propagation (one mutable list per healthy edge, kept across passes)
REC_STATE, REC_PAIR, REC_NEXTS, REC_BUYERS, REC_LABELS, REC_PENDING = range(6)


#: Skip a pass that provably changes nothing (:func:`next_pass_differs`); False runs every pass
#: the alternatives call for (``tests/graphs/test_propagation_passes.py`` compares both ways).
SKIP_IDLE_PASSES = True


def next_pass_differs(declined: tuple[list, list], alt_pairs: set, best: Best, max_routes: int) -> bool:
    """Whether the next pass could find another best route for some edge (or keep a new pair).

    A pass depends on the pairs that keep alternatives (``alt_pairs``) in two places only: a
    first label with routes of other firm sets keeps them as alternatives, and an edge already
    labelled takes further routes, only for such a pair. *declined* holds what this pass dropped
    for want of that: ``(record, tier, its routes of that tier, sorted)`` of first labels, and
    ``(record, buyer, path, factors, tier)`` of routes an edge already labelled dropped (a route
    that would pass its buyer twice left out: blocked on an edge of lower tier, it cannot matter).

    The next pass takes every other decision as this one, except downstream of these. So the
    routes it would add are followed here from them, tier by tier, over this pass's labels
    (``(tier, firm set, path, factors)``), taking the decisions the next pass would take: a
    route that passes every firm of a label the edge has by then is dropped; one that reaches an
    edge without a best route, or at or below its best tier (where it could change the best
    route, its factors, or a blocked route that matters) means the next pass may differ (True);
    so does one that would be kept before labels of this pass of its tier or later (it could
    displace them or change their factors). Otherwise it is dropped as the next pass would drop
    it (no room left, or the pair keeps no alternatives), or kept as an alternative after this
    pass's labels and followed further. When none is left, the next pass would find the same
    best routes and the same blocked routes that matter, and keep no new pair: it would change
    nothing (False).
    """
    firsts, later = declined
    arrivals = {}  # tier -> {id(record): [record, alternatives of its first label, routes]}
    for rec, tier, items in firsts:
        if rec[REC_PAIR] in alt_pairs:
            arrivals.setdefault(tier, {}).setdefault(id(rec), [rec, None, []])[1] = items
    for rec, a, path, f, tier in later:
        if rec[REC_PAIR] in alt_pairs:
            arrivals.setdefault(tier, {}).setdefault(id(rec), [rec, None, []])[2].append(((a,) + path, f))
    extra = {}  # id(record) -> [firm set] of the alternatives the next pass would add
    while arrivals:
        tier = min(arrivals)
        pushed = []
        for rec, items, routes in arrivals.pop(tier).values():
            lab = rec[REC_LABELS]
            added = extra.setdefault(id(rec), [])
            if items is not None:  # the first label's alternatives (its pair kept none)
                if routes or len(lab) > 1:
                    return True  # other routes or labels beside them: they could displace each other
                for fs, (path, f) in by_firm_set(items[1:], exclude=frozenset(items[0][0])):
                    if 1 + len(added) >= max_routes:
                        break
                    added.append(fs)
                    pushed.append((rec[REC_NEXTS], path, f))
                continue
            routes.sort()
            for fs, (path, f) in by_firm_set(routes, exclude=None):
                if kept_by_next_pass(rec, tier, fs, path, f, added, max_routes):
                    added.append(fs)
                    pushed.append((rec[REC_NEXTS], path, f))
        tier += 1
        for nexts, path, f in pushed:
            for rec, a in nexts:
                have = best.get(rec[REC_STATE])
                if have is None or have[0] >= tier:
                    return True  # a best route (or a blocked route that matters) could change
                if rec[REC_PAIR] in alt_pairs and a not in path:  # else dropped, as the next pass drops it
                    arrivals.setdefault(tier, {}).setdefault(id(rec), [rec, None, []])[2].append(((a,) + path, f))
    return False


class NextPassDiffers(Exception):
    """The next pass may differ (raised by :func:`kept_by_next_pass`)."""


def kept_by_next_pass(rec: list, tier: int, fs: frozenset, path: tuple, f: frozenset, added: list,
          max_routes: int) -> bool:
    """Whether the next pass keeps a route (firm set *fs*, *path*, *factors*) arriving at *rec*'s
    edge at *tier* as an alternative after this pass's labels; raises :class:`NextPassDiffers` where it
    could change them."""
    earlier = 0
    for t, lfs, lpath, lf in rec[REC_LABELS]:
        if t < tier or (t == tier and lpath < path):  # met before the route
            if (lfs if lfs is not None else frozenset(lpath)) <= fs:
                if t == tier and lfs == fs and not lf >= f:
                    raise NextPassDiffers  # merged with a label of the same firm set: its factors grow
                return False  # passes every firm of a label met before: dropped
            earlier += 1
    if any(x <= fs for x in added):
        return False
    if earlier + len(added) >= max_routes:
        return False  # no room left when it comes
    if any(t > tier or (t == tier and lpath > path) for t, _, lpath, _ in rec[REC_LABELS]):
        raise NextPassDiffers  # kept before labels of this pass: it could displace them
    return True


class Records(dict):
    """state -> record of the propagation; ``cascades``: (b, c) -> (records, buyers) a break on an
    edge into b in c cascades to; ``pairs``: the one ``(s, b)`` tuple of each firm pair (so that
    set look-ups make no new tuple); ``suppliers``: :func:`supplier_index`, once needed."""

    def __init__(self):
        super().__init__()
        self.cascades = {}
        self.pairs = {}
        self.suppliers = {}

    def release(self) -> None:
        """Break the cycles the records make (a record's cascades hold records that may lead back to
        it): without this they outlive the propagation until the cyclic collector runs, which a
        report run keeps off (at a province's scale ~1.8 million objects, and a second to collect)."""
        for rec in self.values():
            rec[REC_NEXTS] = rec[REC_BUYERS] = rec[REC_LABELS] = rec[REC_PENDING] = None
        self.cascades.clear()
        self.clear()


def new_record(recs: Records, state: tuple[str, str, str]) -> list:
    """A new record for a state: ``[state, pair, nexts, buyers, labels, pending]``."""
    pair = (state[0], state[1])
    return [state, recs.pairs.setdefault(pair, pair), None, None, None, None]


def by_firm_set(items: list, exclude: frozenset | None) -> list[tuple[frozenset, tuple]]:
    """Group routes (sorted by path) by their firm set: ``[(set, (first path, factors))]``."""
    groups = {}
    for path, f in items:
        fs = frozenset(path)
        if fs == exclude:
            continue
        have = groups.get(fs)
        groups[fs] = (path, f) if have is None else (have[0], have[1] | f)
    return list(groups.items())
