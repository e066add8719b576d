"""Chain breaks: the six kinds of the weekly dispatch report, and what-if.

This module is the public face of the detection part of the chain-break
contract (``chain-breaks.md``) over a supply graph from
:func:`graphs.build.build_supply_graph`. It knows nothing of weeks, stored
reports or statuses; :func:`escalated_level` and :func:`severity` are the pure
pieces the service applies on top. The machinery lives in
:mod:`graphs.detection` (the scan, kinds 1 to 5, and :class:`Break`),
:mod:`graphs.propagation` (kind 6) and :mod:`graphs.routes` (the exact
factors of kind 6).

A firm is *live* when it is operating and its county's risk is not ``high``
(:func:`graphs.records.firm_is_live`). The kinds, in report order:

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
from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import networkx as nx

from .build import ChainLike, is_live, supply_maps
# what a detected break is (Break, KINDS, the order of factors) is defined beside the detection
from .detection import KINDS, Break, Regions, detect_breaks, detect_in_maps, level_index, order_factors
from .exceptions import GraphError, UnknownFirmError, UnknownLevelError
from .records import LEVELS

__all__ = [
    "KINDS",
    "HORIZON_DAYS",
    "KIND_WEIGHTS",
    "Break",
    "WhatIf",
    "chain_breaks",
    "chain_breaks_of",
    "single_sources",
    "what_if",
    "base_level",
    "escalated_level",
    "owner_region",
    "order_factors",
    "severity",
]

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

class WhatIf(NamedTuple):
    """Result of :func:`what_if`: breaks that would appear and would go away."""

    new: list[Break]
    resolved: list[Break]
    baseline: list[Break]
    scenario: list[Break]


def base_level(buyer_regions: Regions, supplier_regions: Regions | None = None) -> str:
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
    return LEVELS[level_index(buyer_regions, supplier_regions)]


def escalated_level(base: str, weeks_open: int) -> str:
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


def owner_region(regions: Regions, level: str) -> str | None:
    """Return the code of the region among ``(county, city, province)`` matching *level*.

    Examples
    --------
    >>> owner_region(("230102", "230100", "230000"), "city")
    '230100'
    """
    if level not in LEVELS:
        raise UnknownLevelError(f"unknown level {level!r}")
    return regions[LEVELS.index(level)]


def severity(kind: str, quantity: float, *, leading_buyer: bool = False, tier: int = 1,
             weeks_open: int = 1) -> float:
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


def chain_breaks(G: nx.MultiDiGraph, chain: ChainLike = None, needs: Iterable[Any] = (), *,
                 as_of: date | str, needs_with_allowed_offer: Collection[str] = frozenset(),
                 horizon_days: int = HORIZON_DAYS, max_routes: int = 4,
                 quantity: str = "quantity_per_week") -> list[Break]:
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
    return detect_breaks(G, chain, needs, as_of=as_of, allowed=frozenset(needs_with_allowed_offer),
                         horizon_days=horizon_days, max_routes=max_routes, quantity=quantity)


def chain_breaks_of(firms: Iterable[Any], links: Iterable[Any], chain: ChainLike = None,
                    needs: Iterable[Any] = (), *, as_of: date | str,
                    needs_with_allowed_offer: Collection[str] = frozenset(),
                    horizon_days: int = HORIZON_DAYS, max_routes: int = 4) -> list[Break]:
    """:func:`chain_breaks` of the supply graph of *firms* and *links*, without building it.

    The same breaks as ``chain_breaks(build_supply_graph(firms, links), ...)`` (the detection
    reads the graph's nodes and adjacency only: :func:`graphs.build.supply_maps` makes them
    directly, which at a province's scale saves building ~10^5 networkx edges).

    Examples
    --------
    >>> firms = [{"ref": "B", "kind": "leading", "county": "230102"},
    ...          {"ref": "S", "county": "230102", "operating": False}]
    >>> [(b.kind, b.supplier, b.factors) for b in chain_breaks_of(firms, [("S", "B", "car", 10)],
    ...                                                            as_of="2020-03-16")]
    [('supplier_down', 'S', ('other',))]
    """
    nodes, succ = supply_maps(firms, links)
    return detect_in_maps(nodes, succ, chain, needs, as_of=as_of,
                          allowed=frozenset(needs_with_allowed_offer), horizon_days=horizon_days,
                          max_routes=max_routes)


def single_sources(G: nx.MultiDiGraph, *, kinds: Collection[str] | None = ("leading",),
                   stopped: Iterable[str] = (), high_risk_counties: Iterable[str] = ()
                   ) -> dict[tuple[str, str], str]:
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


def what_if(G: nx.MultiDiGraph, chain: ChainLike = None, needs: Iterable[Any] = (), *,
            as_of: date | str, stopped_firms: Iterable[str] = (),
            high_risk_counties: Iterable[str] = (),
            needs_with_allowed_offer: Collection[str] = frozenset(),
            scenario_needs_with_allowed_offer: Collection[str] | None = None,
            horizon_days: int = HORIZON_DAYS, max_routes: int = 4) -> WhatIf:
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
    baseline = detect_breaks(G, chain, needs, as_of=as_of, allowed=allowed,
                             horizon_days=horizon_days, max_routes=max_routes)
    scenario = detect_breaks(G, chain, needs, as_of=as_of, allowed=scenario_allowed,
                             horizon_days=horizon_days, max_routes=max_routes,
                             stopped=stopped_firms, high_risk_counties=high_risk_counties)
    before = {b.key for b in baseline}
    after = {b.key for b in scenario}
    return WhatIf(
        new=[b for b in scenario if b.key not in before],
        resolved=[b for b in baseline if b.key not in after],
        baseline=baseline,
        scenario=scenario,
    )
