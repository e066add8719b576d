"""Chain breaks: the six kinds of the weekly dispatch report, and what-if.

This module implements the detection part of the chain-break contract
(``chain-breaks.md``) over a supply graph from
:func:`graphs.build.build_supply_graph`. It knows nothing of weeks, stored
reports or statuses; :func:`escalated_level` and :func:`severity` are the pure
pieces the service applies on top.

A firm is *live* when it is operating and its county's risk is not ``high``
(:func:`graphs.records.firm_is_live`).
The kinds, in report order:

1. ``supplier_down``: a supply edge whose supplier is not live;
2. ``supplier_strained``: a live supplier that reports blockers;
3. ``uncovered_need``: a buyer's open needs in a category, due within the
   horizon and not fully covered by accepted pairings (one break per buyer and
   category);
4. ``chain_gap``: as 3, but no offer with open quantity is allowed for any of
   those needs and the buyer has no live supplier in the category;
5. ``single_source``: a leading buyer with exactly one live supplier in a
   category it has supply edges in;
6. ``upstream_break``: a healthy supply edge ``S -> B`` in ``c`` whose supplier
   ``S`` has a ``supplier_down`` or ``chain_gap`` in an input of ``c``, or an
   ``upstream_break`` in one (recursively).
"""

import math
from datetime import date, timedelta
from typing import NamedTuple

from .build import _inputs_map, is_live
from .exceptions import GraphError, UnknownFirmError, UnknownLevelError
from .records import FACTORS, LEVELS, as_need, firm_is_live

__all__ = [
    "KINDS",
    "HORIZON_DAYS",
    "KIND_WEIGHTS",
    "Break",
    "WhatIf",
    "chain_breaks",
    "single_sources",
    "what_if",
    "base_level",
    "escalated_level",
    "owner_region",
    "order_factors",
    "severity",
]

#: The six kinds of break, in report order.
KINDS = (
    "supplier_down",
    "supplier_strained",
    "uncovered_need",
    "chain_gap",
    "single_source",
    "upstream_break",
)

#: Default horizon of ``uncovered_need``: needs due within 56 days of ``as_of``.
HORIZON_DAYS = 56

#: Weight of each kind in :func:`severity`.
KIND_WEIGHTS = {
    "chain_gap": 1.5,
    "supplier_down": 1.25,
    "uncovered_need": 1.0,
    "upstream_break": 1.0,
    "supplier_strained": 0.75,
    "single_source": 0.5,
}

_FACTOR_RANK = {f: i for i, f in enumerate(FACTORS)}
_MATERIALS = frozenset({"materials"})
_MAX_PASSES = 8  # propagation passes at most (each adds alternatives where a route was blocked)


class Break(NamedTuple):
    """One break as detected (before weeks, status and escalation).

    ``level`` and ``owner_region`` are the *base* owner level and region;
    ``regions`` are the buyer's ``(county, city, province)`` codes so that the
    service can move the owner region when it escalates (:func:`owner_region`).
    ``needs`` holds the refs of the needs behind a kind 3 or 4 break.
    """

    kind: str
    buyer: str
    category: str
    supplier: str | None
    quantity: float
    factors: tuple
    tier: int
    path: tuple
    level: str
    owner_region: str | None
    pending_proposals: int | None = None
    regions: tuple = (None, None, None)
    needs: tuple = ()

    @property
    def key(self):
        """The identity of the break from week to week: kind, buyer, category, supplier."""
        return (self.kind, self.buyer, self.category, self.supplier)

    def as_dict(self):
        """Return the break as the spec's JSON fields (base level and region)."""
        d = {
            "kind": self.kind,
            "buyer": self.buyer,
            "supplier": self.supplier,
            "category": self.category,
            "quantity": self.quantity,
            "factors": list(self.factors),
            "level": self.level,
            "owner_region": self.owner_region,
            "tier": self.tier,
            "path": list(self.path),
        }
        if self.kind in ("uncovered_need", "chain_gap"):
            d["pending_proposals"] = self.pending_proposals or 0
        return d


class WhatIf(NamedTuple):
    """Result of :func:`what_if`: breaks that would appear and would go away."""

    new: list
    resolved: list
    baseline: list
    scenario: list


def order_factors(factors):
    """Return *factors* without duplicates, in the data-package order of factor codes.

    Unknown codes come after the known ones, alphabetically.

    Examples
    --------
    >>> order_factors(["risk_zone", "funds", "labour", "funds", "zz"])
    ('labour', 'funds', 'risk_zone', 'zz')
    """
    return tuple(sorted(set(factors), key=lambda f: (_FACTOR_RANK.get(f, len(FACTORS)), f)))


def base_level(buyer_regions, supplier_regions=None):
    """Return the base owner level for a buyer and (optionally) a supplier.

    ``county`` when both are in the same county or there is no supplier,
    ``city`` when they are in the same city, else ``province``. Regions are
    ``(county, city, province)`` code tuples.

    Examples
    --------
    >>> base_level(("230102", "230100", "230000"), ("230102", "230100", "230000"))
    'county'
    >>> base_level(("230102", "230100", "230000"), ("230103", "230100", "230000"))
    'city'
    >>> base_level(("230102", "230100", "230000"), ("230202", "230200", "230000"))
    'province'
    >>> base_level(("230102", "230100", "230000"))
    'county'
    """
    if supplier_regions is None:
        return "county"
    if buyer_regions[0] is not None and buyer_regions[0] == supplier_regions[0]:
        return "county"
    if buyer_regions[1] is not None and buyer_regions[1] == supplier_regions[1]:
        return "city"
    return "province"


def escalated_level(base, weeks_open):
    """Return *base* raised by ``floor((weeks_open - 1) / 2)`` steps, at most ``province``.

    Raises
    ------
    UnknownLevelError
        If *base* is not a level.
    GraphError
        If *weeks_open* is below 1.

    Examples
    --------
    >>> [escalated_level("county", w) for w in range(1, 7)]
    ['county', 'county', 'city', 'city', 'province', 'province']
    >>> escalated_level("city", 3)
    'province'
    """
    if base not in LEVELS:
        raise UnknownLevelError(f"unknown level {base!r}")
    if weeks_open < 1:
        raise GraphError("weeks_open must be at least 1")
    return LEVELS[min(LEVELS.index(base) + (weeks_open - 1) // 2, len(LEVELS) - 1)]


def owner_region(regions, level):
    """Return the code of the region among ``(county, city, province)`` matching *level*.

    Examples
    --------
    >>> owner_region(("230102", "230100", "230000"), "city")
    '230100'
    """
    if level not in LEVELS:
        raise UnknownLevelError(f"unknown level {level!r}")
    return regions[LEVELS.index(level)]


def severity(kind, quantity, *, leading_buyer=False, tier=1, weeks_open=1):
    """Return the severity of a break: how urgent it is for the dispatch meeting.

    The measure is the product of

    * the weight of the kind (:data:`KIND_WEIGHTS`: a chain gap 1.5, a supplier
      down 1.25, an uncovered need or upstream break 1, a strained supplier
      0.75, a single source 0.5);
    * the quantity at stake on a log scale, ``1 + log10(1 + quantity)``
      (quantities are in different units, so only their order of magnitude
      counts);
    * 2 when the buyer is a leading firm (article 10's chains hang on them);
    * ``1 / tier`` (a break further upstream is less certain to bite);
    * ``1 + (weeks_open - 1) / 2`` (a break gets more urgent every week
      it stays open);

    rounded to two decimals.

    Examples
    --------
    >>> severity("supplier_down", 40.0, leading_buyer=True)
    6.53
    >>> severity("upstream_break", 40.0, leading_buyer=True, tier=2, weeks_open=3)
    5.23
    >>> severity("single_source", 0)
    0.5
    """
    if kind not in KIND_WEIGHTS:
        raise GraphError(f"unknown kind of break {kind!r}")
    if tier < 1 or weeks_open < 1:
        raise GraphError("tier and weeks_open must be at least 1")
    value = (
        KIND_WEIGHTS[kind]
        * (1.0 + math.log10(1.0 + max(float(quantity), 0.0)))
        * (2.0 if leading_buyer else 1.0)
        / tier
        * (1.0 + (weeks_open - 1) / 2.0)
    )
    return round(value, 2)


def _regions(attrs):
    return (attrs.get("county"), attrs.get("city"), attrs.get("province"))


def _level_index(rb, rs):
    """Index in LEVELS of the base level for buyer regions *rb* and supplier regions *rs*."""
    if rb[0] is not None and rb[0] == rs[0]:
        return 0
    if rb[1] is not None and rb[1] == rs[1]:
        return 1
    return 2


def _detect(G, chain, needs, as_of, allowed, horizon_days, max_routes, stopped, high_risk,
            quantity="quantity_per_week"):
    if max_routes < 1:
        raise GraphError("max_routes must be at least 1")
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    nodes = G._node
    stopped = frozenset(stopped)
    high_risk = frozenset(high_risk)
    inputs, outputs = _inputs_map(chain)

    found = []
    append = found.append
    down_in = {}  # (buyer, category) -> [(down supplier, factors)]
    live_sup = {}  # (buyer, category) -> [live supplier]
    healthy_out = {}  # supplier -> {category: [buyers]} over healthy edges
    regions = {n: (a.get("county"), a.get("city"), a.get("province")) for n, a in nodes.items()}
    factor_cache = {}

    for s, nbrs in G._succ.items():
        a = nodes[s]
        risk = "high" if a.get("county") in high_risk else a.get("county_risk")
        s_live = firm_is_live(a.get("operating", True) and s not in stopped, risk)
        risky = risk == "high"
        s_blockers = tuple(a.get("blockers") or ())
        rs = regions[s]
        out = None
        if not s_live:
            key = (s_blockers, risky)
            sf = factor_cache.get(key)
            if sf is None:
                sf = order_factors(s_blockers + (("risk_zone",) if risky else ())) or ("other",)
                factor_cache[key] = sf
            sfs = frozenset(sf)
            kind = "supplier_down"
        elif s_blockers:
            sf = order_factors(s_blockers)
            kind = "supplier_strained"
        else:
            out = healthy_out.setdefault(s, {})
        for b, keydict in nbrs.items():
            rb = regions[b]
            li = _level_index(rb, rs)
            level, owner = LEVELS[li], rb[li]
            for c, data in keydict.items():
                q = data.get(quantity, 0.0)
                if not s_live:
                    down_in.setdefault((b, c), []).append((s, sfs))
                else:
                    live_sup.setdefault((b, c), []).append(s)
                    if out is not None:
                        out.setdefault(c, []).append(b)
                        continue
                append(Break(kind, b, c, s, q, sf, 1, (b, s), level, owner, None, rb))

    # kinds 3 and 4: needs due within the horizon, not fully covered
    horizon = as_of + timedelta(days=horizon_days)
    groups = {}
    for record in needs:
        need = as_need(record)
        if need.status != "open":
            continue
        if need.buyer not in nodes:
            raise UnknownFirmError(f"need {need.ref} names unknown buyer {need.buyer!r}")
        if not (as_of <= need.needed_by <= horizon):
            continue
        uncovered = need.quantity - need.covered
        if uncovered <= 1e-9:
            continue
        groups.setdefault((need.buyer, need.category), []).append((need, uncovered))
    gaps = set()
    for (b, c), items in groups.items():
        refs = tuple(sorted(n.ref for n, _ in items))
        total = sum(u for _, u in items)
        pending = sum(n.pending_proposals for n, _ in items)
        rb = regions[b]
        if not any(r in allowed for r in refs) and not live_sup.get((b, c)):
            gaps.add((b, c))
            append(Break("chain_gap", b, c, None, total, ("materials",), 1, (b,), "province",
                         rb[2], pending, rb, refs))
        else:
            append(Break("uncovered_need", b, c, None, total, ("materials",), 1, (b,), "county",
                         rb[0], pending, rb, refs))

    # kind 5: a leading buyer with exactly one live supplier in a category
    for (b, c), sups in live_sup.items():
        if len(sups) == 1 and nodes[b].get("kind") == "leading":
            s = sups[0]
            rb = regions[b]
            li = _level_index(rb, regions[s])
            append(Break("single_source", b, c, s, G._succ[s][b][c][quantity], (), 1, (b, s), LEVELS[li],
                         rb[li], None, rb))

    # kind 6: level-synchronous propagation over healthy edges (S, B, c)
    best = _propagate(healthy_out, inputs, outputs, down_in, gaps, max_routes)
    _exact_factors(best, healthy_out, inputs, down_in, gaps)
    ordered = {}
    succ = G._succ
    for (s, b, c), (tier, path, factors) in best.items():
        of = ordered.get(factors)
        if of is None:
            of = ordered[factors] = order_factors(factors)
        rb = regions[b]
        li = 2 if tier == len(path) else _level_index(rb, regions[path[-1]])  # chain-gap root
        append(Break("upstream_break", b, c, s, succ[s][b][c][quantity], of, tier,
                     path, LEVELS[li], rb[li], None, rb))

    rank = {k: i for i, k in enumerate(KINDS)}
    found.sort(key=lambda x: (rank[x.kind], x.buyer, x.category, x.supplier or ""))
    return found


def _propagate(healthy_out, inputs, outputs, down_in, gaps, max_routes):
    """Return ``{(S, B, c): (tier, path, factors)}`` for every upstream break.

    The propagation is breadth-first by tier over the healthy supply edges
    (the states), downstream from the roots. A *label* of a state is one
    route ``(tier, path)``; the first tier at which a state gets a label is
    its tier, its path the smallest of that tier's routes, its factors their
    union (a superset where a merged route passes a firm further down; made
    exact afterwards by :func:`_exact_factors`). A route never passes a firm twice, so a label cannot be extended
    to a buyer already on it. An edge whose best route passes one of the
    buyers it feeds keeps up to ``max_routes - 1`` alternative routes (other
    firm sets, or a higher tier through firms not all on a better route).
    Where a blocked extension still matters (the buyer's edge got no route of
    that tier otherwise), the propagation runs again with alternatives kept
    along the blocked route and on the edges upstream whose best route passes
    the same firm, until nothing changes (at most ``_MAX_PASSES`` passes).
    Without such conflicts one pass suffices. Checked against a brute-force
    enumeration of simple routes in ``tests/graphs/test_breaks_bruteforce.py``.
    """
    roots = {}
    for (s, c1), downs in down_in.items():
        roots.setdefault(s, []).extend((c1, (s, x), f) for x, f in downs if x != s)
    for s, c1 in gaps:
        roots.setdefault(s, []).append((c1, (s,), _MATERIALS))
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
    alt_pairs = set()
    recs = _Records()  # state -> its record (see _bfs), shared by the passes
    healthy_in = None
    for _ in range(_MAX_PASSES):
        best, blocked = _bfs({k: list(v) for k, v in seeds.items()}, healthy_out, outputs,
                             max_routes, alt_pairs, recs)
        if max_routes == 1:
            return best
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
            if healthy_in is None:
                healthy_in = _healthy_in(healthy_out)
            seen = set(flagged)
            stack = [(path[1], path[0])]
            while stack:
                s, b = stack.pop()
                for t, c1 in healthy_in.get(s, ()):
                    pred = best.get((t, s, c1))
                    if pred is None or a not in pred[1] or (t, s) in seen:
                        continue
                    seen.add((t, s))
                    stack.append((t, s))
                    if (t, s) not in alt_pairs:
                        alt_pairs.add((t, s))
                        grown = True
        if not grown:
            break
    return best


def _exact_factors(best, healthy_out, inputs, down_in, gaps):
    """Make the factors of every upstream break exactly those of its valid smallest-tier routes.

    The propagation keeps one route (or a few) per edge but passes on the union of the factors
    of all the edge's routes of its tier, so a route that is dropped further down because it
    passes a firm twice can still leave its factors in that union: the propagated factors are a
    superset of the exact ones. No bounded route set can be exact for the union in general (the
    routes that must be kept depend on which firms lie further down), so the factors are
    corrected here, in *best* in place, tier by tier:

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
    """
    down_f = None
    todo = []
    for state, (tier, path, factors) in best.items():
        if len(factors) < 2:
            continue  # the best path is valid and has at least one factor
        if tier == len(path):
            root = _MATERIALS
        else:
            if down_f is None:
                down_f = {x: f for downs in down_in.values() for x, f in downs}
            root = down_f[path[-1]]
        if not root >= factors:
            todo.append((tier, state))
    if not todo:
        return
    into = {}  # (supplier, category) -> its own healthy suppliers in that category
    for t, out in healthy_out.items():
        for c1, buyers in out.items():
            for s in buyers:
                into.setdefault((s, c1), []).append(t)
    todo.sort(key=lambda x: x[0])  # a tier's edges need the exact factors of the tier below
    for tier, state in todo:
        s, b, c = state
        _, path, upper = best[state]
        got = set()
        _collect(s, c, tier, {s, b}, got, upper, best, into, inputs, down_in, gaps)
        best[state] = (tier, path, frozenset(got))


def _collect(s, c, tier, visited, got, upper, best, into, inputs, down_in, gaps):
    """Add to *got* the factors of the routes of exactly *tier* from an edge out of *s* in *c*
    that pass no firm in *visited*; return True once *got* holds all of *upper*."""
    ins = inputs.get(c, ())
    if tier == 2:
        for c1 in ins:
            for x, f in down_in.get((s, c1), ()):
                if x not in visited:
                    got.update(f)
            if (s, c1) in gaps:
                got.update(_MATERIALS)
        return got >= upper
    for c1 in ins:
        for t in into.get((s, c1), ()):
            if t in visited:
                continue
            have = best.get((t, s, c1))
            if have is None or have[0] > tier - 1:
                continue
            if have[0] == tier - 1 and got >= have[2]:
                continue
            visited.add(t)
            done = _collect(t, c1, tier - 1, visited, got, upper, best, into, inputs, down_in, gaps)
            visited.discard(t)
            if done:
                return True
    return got >= upper


def _healthy_in(healthy_out):
    """supplier -> [(its own supplier, category)] over healthy edges (the reverse of healthy_out)."""
    rev = {}
    for s, out in healthy_out.items():
        for c, buyers in out.items():
            for b in buyers:
                rev.setdefault(b, []).append((s, c))
    return rev


# fields of a state's record in the propagation (one mutable list per healthy edge, kept across passes)
_STATE, _PAIR, _NEXTS, _BUYERS, _LABELS, _PENDING = range(6)


def _bfs(cand, healthy_out, outputs, max_routes, alt_pairs, recs):
    """One level-synchronous pass; returns the best labels and the blocked extensions.

    *recs* (shared by the passes) maps a state ``(s, b, c)`` to its record: the state, its firm
    pair ``(s, b)``, the records it cascades to as ``(record, buyer)`` and their buyers (filled
    when first needed), and this pass's labels ``[(tier, firm set or None)]`` and pending routes.
    """
    for rec in recs.values():
        rec[_LABELS] = rec[_PENDING] = None
    order = []  # the records with pending routes, in the order of their first route
    for state, items in cand.items():
        rec = recs.get(state)
        if rec is None:
            rec = recs[state] = _record(recs, state)
        rec[_PENDING] = items
        order.append(rec)
    best = {}
    blocked = []
    tier = 2
    while order:
        frontier = []
        push = frontier.append
        for rec in order:
            items = rec[_PENDING]
            rec[_PENDING] = None
            state = rec[_STATE]
            nexts = rec[_NEXTS]
            if nexts is None:
                nexts = _fill(recs, healthy_out, outputs, rec)
            lab = rec[_LABELS]
            cap = max_routes if rec[_PAIR] in alt_pairs else 1
            if lab is None:
                if cap == 1 < max_routes:
                    best_path = min(items)[0] if len(items) > 1 else items[0][0]
                    if not rec[_BUYERS].isdisjoint(best_path):  # a buyer downstream is on the route
                        alt_pairs.add(rec[_PAIR])
                        cap = max_routes
                if len(items) == 1:
                    path, f = items[0]
                    best[state] = (tier, path, f)
                    rec[_LABELS] = [(tier, frozenset(path) if cap > 1 else None)]
                    push((nexts, path, f))
                    continue
                items.sort()
                union = frozenset().union(*[f for _, f in items])
                path = items[0][0]
                best[state] = (tier, path, union)
                lab = rec[_LABELS] = [(tier, frozenset(path) if cap > 1 else None)]
                push((nexts, path, union))
                if cap == 1:
                    continue
                for fs, (path, f) in _by_firm_set(items[1:], exclude=lab[0][1]):
                    if len(lab) >= cap:
                        break
                    lab.append((tier, fs))
                    push((nexts, path, f))
            else:
                if len(lab) >= cap:
                    continue
                items.sort()
                for fs, (path, f) in _by_firm_set(items, exclude=None):
                    if len(lab) >= cap:
                        break
                    if any((lfs if lfs is not None else frozenset(best[state][1])) <= fs for _, lfs in lab):
                        continue
                    lab.append((tier, fs))
                    push((nexts, path, f))
        order = []
        add = order.append
        tier += 1
        for nexts, path, f in frontier:
            for rec, a in nexts:
                if a in path:
                    blocked.append((path, a, rec[_STATE], tier))
                    continue
                lab = rec[_LABELS]
                # labels are never empty: without the pair's alternatives one label is the cap
                if lab is not None and (len(lab) >= max_routes or rec[_PAIR] not in alt_pairs):
                    continue
                pending = rec[_PENDING]
                if pending is None:
                    rec[_PENDING] = [((a,) + path, f)]
                    add(rec)
                else:
                    pending.append(((a,) + path, f))
    return best, blocked


def _fill(recs, healthy_out, outputs, rec):
    """Fill a state's record with the healthy edges (b, a, c2) a break on it cascades to (as
    ``(record, a)``) and their buyers; return the former. Edges into one (b, c) share them."""
    s, b, c = rec[_STATE]
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
                            nxt = recs[state] = _record(recs, state)
                        nexts.append((nxt, a))
                        buyers.add(a)
            succ = (tuple(nexts), frozenset(buyers))
        recs.cascades[key] = succ
    rec[_NEXTS], rec[_BUYERS] = succ
    return succ[0]


class _Records(dict):
    """state -> record of the propagation; ``cascades``: (b, c) -> (records, buyers) a break on an
    edge into b in c cascades to; ``pairs``: the one ``(s, b)`` tuple of each firm pair (so that
    set look-ups make no new tuple)."""

    def __init__(self):
        super().__init__()
        self.cascades = {}
        self.pairs = {}


def _record(recs, state):
    """A new record for a state: ``[state, pair, nexts, buyers, labels, pending]``."""
    pair = (state[0], state[1])
    return [state, recs.pairs.setdefault(pair, pair), None, None, None, None]


def _by_firm_set(items, exclude):
    """Group routes (sorted by path) by their firm set: ``[(set, (first path, factors))]``."""
    groups = {}
    for path, f in items:
        fs = frozenset(path)
        if fs == exclude:
            continue
        have = groups.get(fs)
        groups[fs] = (path, f) if have is None else (have[0], have[1] | f)
    return list(groups.items())


def chain_breaks(G, chain=None, needs=(), *, as_of, needs_with_allowed_offer=frozenset(),
                 horizon_days=HORIZON_DAYS, max_routes=4, quantity="quantity_per_week"):
    """Return every break in the supply graph *G* as of a date.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A supply graph from :func:`graphs.build.build_supply_graph`.
    chain : networkx.DiGraph or mapping, optional
        The category chain (:func:`graphs.build.build_category_chain`) or a
        mapping ``code -> inputs``; needed for ``upstream_break``.
    needs : iterable of Need or mapping
        Open needs with the quantity covered by accepted pairings and the
        count of pending proposals.
    as_of : datetime.date or str
        The report date; needs due from it to ``as_of + horizon_days``
        (both ends included) are considered, past-due needs are not.
    needs_with_allowed_offer : set of str
        Refs of the needs for which at least one offer with open quantity
        left is allowed by the matching rules (the caller computes it).
        A group of needs none of which is in this set, whose buyer has no
        live supplier in the category, is a ``chain_gap``.
    horizon_days : int, optional (default 56)
    max_routes : int, optional (default 4)
        How many alternative routes each supply edge keeps while the
        ``upstream_break`` cascade is propagated. Routes never pass the same
        firm twice; alternatives matter only when the best route is blocked
        further down by a firm it already passes.
    quantity : str, optional
        Edge attribute holding the weekly quantity.

    Returns
    -------
    list of Break
        Sorted by kind (in :data:`KINDS` order), buyer, category, supplier.

    Raises
    ------
    UnknownFirmError
        If a need names a buyer not in *G*.

    Notes
    -----
    ``upstream_break`` is found by a breadth-first propagation over healthy
    supply edges, tier by tier, from the roots (``supplier_down`` and
    ``chain_gap``) downstream along the category inputs; it never enumerates
    paths, so it is safe on cycles and linear in the graph for bounded
    *max_routes*. The first tier at which an edge is reached is its tier; its
    path is the smallest (by firm refs) of the routes of that tier and its
    factors the union of the roots of those routes (only those that pass no
    firm twice: where the propagated union may hold factors of a route that
    does, a depth-bounded search of the edge's routes of its tier corrects it).

    Examples
    --------
    >>> from graphs.build import build_supply_graph
    >>> firms = [{"ref": "B", "kind": "leading", "county": "230102"},
    ...          {"ref": "S", "county": "230102"},
    ...          {"ref": "X", "county": "230103", "operating": False, "blockers": ["labour"]}]
    >>> links = [("S", "B", "car", 10), ("X", "S", "steel", 4)]
    >>> G = build_supply_graph(firms, links)
    >>> for b in chain_breaks(G, {"car": ["steel"]}, as_of="2020-03-16"):
    ...     print(b.kind, b.buyer, b.supplier, b.tier, b.path, b.factors, b.level, b.owner_region)
    supplier_down S X 1 ('S', 'X') ('labour',) city 230100
    single_source B S 1 ('B', 'S') () county 230102
    upstream_break B S 2 ('B', 'S', 'X') ('labour',) city 230100
    """
    return _detect(G, chain, needs, as_of, frozenset(needs_with_allowed_offer), horizon_days,
                   max_routes, (), (), quantity)


def single_sources(G, *, kinds=("leading",), stopped=(), high_risk_counties=()):
    """Return ``{(buyer, category): supplier}`` where a buyer has exactly one live supplier.

    Only buyers whose ``kind`` is in *kinds* are considered (``None``: all);
    only categories in which the buyer has supply edges count.

    Examples
    --------
    >>> from graphs.build import build_supply_graph
    >>> G = build_supply_graph([{"ref": "B", "kind": "leading"}, {"ref": "S1"},
    ...                         {"ref": "S2", "operating": False}, {"ref": "S3"}],
    ...     [("S1", "B", "C1", 1), ("S2", "B", "C1", 1), ("S1", "B", "C2", 1),
    ...      ("S3", "B", "C2", 1)])
    >>> single_sources(G)
    {('B', 'C1'): 'S1'}
    """
    nodes = G.nodes
    stopped = frozenset(stopped)
    high_risk = frozenset(high_risk_counties)
    sups = {}
    for s, b, c in G.edges(keys=True):
        if is_live(G, s, stopped=stopped, high_risk_counties=high_risk):
            sups.setdefault((b, c), set()).add(s)
        else:
            sups.setdefault((b, c), set())
    return {
        key: next(iter(found))
        for key, found in sorted(sups.items())
        if len(found) == 1 and (kinds is None or nodes[key[0]].get("kind") in kinds)
    }


def what_if(G, chain=None, needs=(), *, as_of, stopped_firms=(), high_risk_counties=(),
            needs_with_allowed_offer=frozenset(), scenario_needs_with_allowed_offer=None,
            horizon_days=HORIZON_DAYS, max_routes=4):
    """Return the breaks that would appear if firms stopped or counties turned high-risk.

    Parameters
    ----------
    G, chain, needs, as_of, needs_with_allowed_offer, horizon_days, max_routes
        As for :func:`chain_breaks` (the baseline).
    stopped_firms : iterable of str
        Refs of firms that stop operating in the scenario.
    high_risk_counties : iterable of str
        County codes whose risk turns ``high`` in the scenario.
    scenario_needs_with_allowed_offer : set of str, optional
        The needs with an allowed offer in the scenario (offers of stopped
        firms may no longer count); the baseline set when ``None``.

    Returns
    -------
    WhatIf
        ``new``: scenario breaks whose identity (kind, buyer, category,
        supplier) is not in the baseline; ``resolved``: baseline breaks gone
        in the scenario; ``baseline`` and ``scenario``: both full lists.

    Raises
    ------
    UnknownFirmError
        If a stopped firm is not in *G*.

    Examples
    --------
    >>> from graphs.build import build_supply_graph
    >>> G = build_supply_graph(
    ...     [{"ref": "B", "county": "230102"}, {"ref": "S", "county": "230103"}],
    ...     [("S", "B", "C1", 5)])
    >>> [(b.kind, b.buyer, b.supplier, b.factors)
    ...  for b in what_if(G, as_of="2020-03-16", high_risk_counties={"230103"}).new]
    [('supplier_down', 'B', 'S', ('risk_zone',))]
    """
    stopped_firms = frozenset(stopped_firms)
    for f in stopped_firms:
        if f not in G:
            raise UnknownFirmError(f"unknown firm {f!r}")
    needs = list(needs)
    allowed = frozenset(needs_with_allowed_offer)
    scenario_allowed = allowed if scenario_needs_with_allowed_offer is None else frozenset(
        scenario_needs_with_allowed_offer)
    baseline = _detect(G, chain, needs, as_of, allowed, horizon_days, max_routes, (), ())
    scenario = _detect(G, chain, needs, as_of, scenario_allowed, horizon_days, max_routes,
                       stopped_firms, frozenset(high_risk_counties))
    before = {b.key for b in baseline}
    after = {b.key for b in scenario}
    return WhatIf(
        new=[b for b in scenario if b.key not in before],
        resolved=[b for b in baseline if b.key not in after],
        baseline=baseline,
        scenario=scenario,
    )
