"""Chain breaks: the six kinds of the weekly dispatch report, and what-if.

This module implements the detection part of the chain-break contract
(``chain-breaks.md``) over a supply graph from
:func:`graphs.build.build_supply_graph`. It knows nothing of weeks, stored
reports or statuses; :func:`escalated_level` and :func:`severity` are the pure
pieces the service applies on top.

A firm is *live* when it is operating and its county's risk is not ``high``.
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from .build import _inputs_map
from .exceptions import GraphError, UnknownFirmError, UnknownLevelError
from .records import FACTORS, LEVELS, as_need

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


@dataclass(frozen=True, slots=True)
class Break:
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
    needs: tuple = field(default=())

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

    risky = {}
    live = {}
    for n, a in nodes.items():
        r = a.get("county_risk") == "high" or a.get("county") in high_risk
        risky[n] = r
        live[n] = bool(a.get("operating", True)) and n not in stopped and not r

    found = []
    down_in = {}  # (buyer, category) -> [(down supplier, factors)]
    live_sup = {}  # (buyer, category) -> [live supplier]
    healthy_out = {}  # supplier -> {category: [buyers]} over healthy edges
    qty = {}  # (supplier, buyer, category) -> quantity per week
    regions = {n: _regions(a) for n, a in nodes.items()}

    for s, nbrs in G._succ.items():
        s_live = live[s]
        s_blockers = nodes[s].get("blockers") or ()
        for b, keydict in nbrs.items():
            for c, data in keydict.items():
                q = float(data.get(quantity, 0.0))
                qty[(s, b, c)] = q
                if not s_live:
                    factors = list(s_blockers)
                    if risky[s]:
                        factors.append("risk_zone")
                    factors = order_factors(factors) or ("other",)
                    down_in.setdefault((b, c), []).append((s, frozenset(factors)))
                    found.append(Break("supplier_down", b, c, s, q, factors, 1, (b, s),
                                       base_level(regions[b], regions[s]), None,
                                       regions=regions[b]))
                    continue
                live_sup.setdefault((b, c), []).append(s)
                if s_blockers:
                    found.append(Break("supplier_strained", b, c, s, q, order_factors(s_blockers), 1,
                                       (b, s), base_level(regions[b], regions[s]), None,
                                       regions=regions[b]))
                else:
                    healthy_out.setdefault(s, {}).setdefault(c, []).append(b)

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
        if not any(r in allowed for r in refs) and not live_sup.get((b, c)):
            gaps.add((b, c))
            found.append(Break("chain_gap", b, c, None, total, ("materials",), 1, (b,), "province",
                               None, pending, regions[b], refs))
        else:
            found.append(Break("uncovered_need", b, c, None, total, ("materials",), 1, (b,), "county",
                               None, pending, regions[b], refs))

    # kind 5: a leading buyer with exactly one live supplier in a category
    for (b, c), sups in live_sup.items():
        if len(sups) == 1 and nodes[b].get("kind") == "leading":
            s = sups[0]
            found.append(Break("single_source", b, c, s, qty[(s, b, c)], (), 1, (b, s),
                               base_level(regions[b], regions[s]), None, regions=regions[b]))

    # kind 6: level-synchronous propagation over healthy edges (S, B, c)
    best = _propagate(healthy_out, outputs, down_in, gaps, max_routes)
    for (s, b, c), (tier, path, factors) in best.items():
        if tier == len(path):  # a chain-gap root
            level = "province"
        else:
            level = base_level(regions[b], regions[path[-1]])
        found.append(Break("upstream_break", b, c, s, qty[(s, b, c)], order_factors(factors), tier,
                           path, level, None, regions=regions[b]))

    result = []
    rank = {k: i for i, k in enumerate(KINDS)}
    for brk in found:
        result.append(_with_owner(brk))
    result.sort(key=lambda x: (rank[x.kind], x.buyer, x.category, x.supplier or ""))
    return result


def _with_owner(brk):
    return Break(brk.kind, brk.buyer, brk.category, brk.supplier, brk.quantity, brk.factors,
                 brk.tier, brk.path, brk.level, owner_region(brk.regions, brk.level),
                 brk.pending_proposals, brk.regions, brk.needs)


def _propagate(healthy_out, outputs, down_in, gaps, max_routes):
    """Return ``{(S, B, c): (tier, path, factors)}`` for every upstream break.

    Labels are ``(tier, path, firm set, factors)``; a state keeps at most
    *max_routes* labels, and a label is dropped when a label of smaller tier
    passes through a subset of its firms (it can never do better). Routes
    with the same tier and the same firms are merged (factors united).
    """
    labels = {}  # state -> [(tier, firmset)]
    best = {}
    # seeds at tier 2: S's own supplier_down or chain_gap in an input of c
    cand = {}
    roots = {}
    for (s, c1), downs in down_in.items():
        roots.setdefault((s, c1), []).extend(((s, x), f) for x, f in downs)
    for (s, c1) in gaps:
        roots.setdefault((s, c1), []).append(((s,), _MATERIALS))
    for (s, c1), tails in roots.items():
        out = healthy_out.get(s)
        if not out:
            continue
        for c in outputs.get(c1, ()):
            for b in out.get(c, ()):
                for tail, factors in tails:
                    if b in tail:
                        continue
                    path = (b,) + tail
                    if len(set(path)) != len(path):
                        continue
                    _offer(cand, (s, b, c), path, factors)
    tier = 2
    while cand:
        frontier = []
        for state, byset in cand.items():
            items = sorted(byset.items(), key=lambda kv: kv[1][0])
            if state not in best:
                factors = frozenset().union(*(f for _, (_, f) in items))
                best[state] = (tier, items[0][1][0], factors)
            lab = labels.setdefault(state, [])
            for fs, (path, factors) in items:
                if len(lab) >= max_routes:
                    break
                if any(t < tier and lfs <= fs for t, lfs in lab):
                    continue
                lab.append((tier, fs))
                frontier.append((state, path, factors))
        cand = {}
        tier += 1
        for (s, b, c), path, factors in frontier:
            out = healthy_out.get(b)
            if not out:
                continue
            for c2 in outputs.get(c, ()):
                for a in out.get(c2, ()):
                    if a in path:
                        continue
                    state = (b, a, c2)
                    lab = labels.get(state)
                    if lab is not None and len(lab) >= max_routes:
                        continue
                    _offer(cand, state, (a,) + path, factors)
    return best


def _offer(cand, state, path, factors):
    byset = cand.get(state)
    if byset is None:
        byset = cand[state] = {}
    fs = frozenset(path)
    have = byset.get(fs)
    if have is None:
        byset[fs] = (path, factors)
    else:
        byset[fs] = (min(have[0], path), have[1] | factors)


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
    factors the union of those routes' roots.

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
    nodes = G._node
    stopped = frozenset(stopped)
    high_risk = frozenset(high_risk_counties)
    sups = {}
    for s, b, c in G.edges(keys=True):
        a = nodes[s]
        if (a.get("operating", True) and s not in stopped and a.get("county_risk") != "high"
                and a.get("county") not in high_risk):
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
