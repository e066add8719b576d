"""Detection of the six kinds of chain break over a supply graph.

The machinery behind :func:`graphs.breaks.chain_breaks` and
:func:`graphs.breaks.what_if`: :func:`detect_breaks` scans the supply edges
once (kinds 1 and 2, and what the other kinds need: the suppliers down and
live per buyer and category, and the healthy edges), groups the needs (kinds
3 and 4), finds the single sources (kind 5) and propagates the upstream
breaks (kind 6, :mod:`graphs.propagation` and :mod:`graphs.routes`). It also
defines what a detected break is (:class:`Break`, :data:`KINDS`) and the order
of its factors; :mod:`graphs.breaks` re-exports them.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import networkx as nx

from .build import ChainLike, input_output_maps
from .exceptions import GraphError, UnknownFirmError
from .propagation import DownIn, EdgeBest, propagate_edges
from .propagation_passes import HealthyEdges
from .coerce import as_need
from .records import FACTORS, LEVELS, Need, firm_is_live
from .routes import exact_factors

__all__ = ["KINDS", "Break", "order_factors", "level_index", "detect_breaks", "detect_in_maps"]

#: The six kinds of break, in report order.
KINDS = (
    "supplier_down",
    "supplier_strained",
    "uncovered_need",
    "chain_gap",
    "single_source",
    "upstream_break",
)

_FACTOR_RANK = {f: i for i, f in enumerate(FACTORS)}
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}

Regions = tuple[str | None, str | None, str | None]


class Break(NamedTuple):
    """One break as detected (before weeks, status and escalation).

    ``level`` and ``owner_region`` are the *base* owner level and region;
    ``regions`` are the buyer's ``(county, city, province)`` codes so that the
    service can move the owner region when it escalates
    (:func:`graphs.breaks.owner_region`). ``needs`` holds the refs of the needs
    behind a kind 3 or 4 break.
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
    def key(self) -> tuple[str, str, str, str | None]:
        """The identity of the break from week to week: kind, buyer, category, supplier."""
        return (self.kind, self.buyer, self.category, self.supplier)

    def as_dict(self) -> dict[str, Any]:
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


def order_factors(factors: Iterable[str]) -> tuple[str, ...]:
    """Return *factors* without duplicates, in the data-package order of factor codes.

    Unknown codes come after the known ones, alphabetically.

    Examples
    --------
    >>> order_factors(["risk_zone", "funds", "labour", "funds", "zz"])
    ('labour', 'funds', 'risk_zone', 'zz')
    """
    return tuple(sorted(set(factors), key=lambda f: (_FACTOR_RANK.get(f, len(FACTORS)), f)))


def level_index(buyer_regions: Regions, supplier_regions: Regions) -> int:
    """Index in :data:`~graphs.records.LEVELS` of the base owner level of a buyer and supplier.

    0 (county) when both are in the same county, 1 (city) in the same city, else 2.

    Examples
    --------
    >>> level_index(("230102", "230100", "230000"), ("230103", "230100", "230000"))
    1
    """
    if buyer_regions[0] is not None and buyer_regions[0] == supplier_regions[0]:
        return 0
    if buyer_regions[1] is not None and buyer_regions[1] == supplier_regions[1]:
        return 1
    return 2


def detect_breaks(G: nx.MultiDiGraph, chain: ChainLike, needs: Iterable[Any], *,
                  as_of: date | str, allowed: Collection[str], horizon_days: int,
                  max_routes: int, stopped: Iterable[str] = (),
                  high_risk_counties: Iterable[str] = (),
                  quantity: str = "quantity_per_week") -> list[Break]:
    """Return every break of the supply graph *G*, sorted as :func:`graphs.breaks.chain_breaks`.

    Parameters
    ----------
    G, chain, needs, as_of, horizon_days, max_routes, quantity
        As for :func:`graphs.breaks.chain_breaks`.
    allowed : collection of str
        Refs of the needs with an allowed offer.
    stopped, high_risk_counties : iterable of str
        Firms that are not operating and counties that are high-risk in a
        what-if scenario, whatever *G* says.

    Returns
    -------
    list of Break
        By kind (in :data:`KINDS` order), buyer, category, supplier.

    Examples
    --------
    >>> from graphs.build import build_supply_graph
    >>> G = build_supply_graph([{"ref": "B", "kind": "leading"}, {"ref": "S"}],
    ...                        [("S", "B", "C1", 5)])
    >>> [(b.kind, b.supplier) for b in detect_breaks(G, None, (), as_of="2020-03-16", allowed=(),
    ...                                               horizon_days=56, max_routes=4)]
    [('single_source', 'S')]
    >>> [(b.kind, b.factors) for b in detect_breaks(G, None, (), as_of="2020-03-16", allowed=(),
    ...                                             horizon_days=56, max_routes=4, stopped={"S"})]
    [('supplier_down', ('other',))]
    """
    succ = {s: {b: {c: data.get(quantity, 0.0) for c, data in keydict.items()} for b, keydict in nbrs.items()}
            for s, nbrs in G.adjacency()}
    return detect_in_maps(dict(G.nodes(data=True)), succ, chain, needs, as_of=as_of,
                          allowed=allowed, horizon_days=horizon_days, max_routes=max_routes,
                          stopped=stopped, high_risk_counties=high_risk_counties)


def detect_in_maps(nodes: dict, succ: dict, chain: ChainLike, needs: Iterable[Any], *,
                   as_of: date | str, allowed: Collection[str], horizon_days: int,
                   max_routes: int, stopped: Iterable[str] = (),
                   high_risk_counties: Iterable[str] = ()) -> list[Break]:
    """:func:`detect_breaks` over the supply graph's node attributes and weekly quantities, ``{ref:
    attributes}`` and ``{supplier: {buyer: {category: quantity}}}`` in the graph's order
    (:func:`graphs.build.supply_maps` builds them from records without the graph)."""
    if max_routes < 1:
        raise GraphError("max_routes must be at least 1")
    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    regions = {n: (a.get("county"), a.get("city"), a.get("province")) for n, a in nodes.items()}
    groups = _need_groups(needs, nodes, as_of, horizon_days)
    # the buyers whose live suppliers per category count: leading firms (kind 5), buyers of needs
    watched = {b for b, _ in groups}
    watched.update(n for n, a in nodes.items() if a.get("kind") == "leading")
    rank = {n: i for i, n in enumerate(sorted(nodes))}  # firms numbered in the order of their refs
    edges = HealthyEdges(rank)
    inputs, outputs = input_output_maps(chain)
    cat_rank = {c: i for i, c in enumerate(sorted(inputs.keys() | outputs.keys()))}
    # one int per edge: in an array of 64-bit ints where they fit (no int object kept per edge; numpy
    # reads it as it is), a category outside the chain ranked last in the scan (its keys made again)
    fits = edges.n_firms ** 2 * (len(cat_rank) + 1) < 1 << 62
    keys, unranked = array("q") if fits else [], set()
    found, down_in, live_sup = _edge_breaks(nodes, succ, regions, frozenset(stopped),
                                            frozenset(high_risk_counties), edges, watched, cat_rank, keys, unranked)
    if unranked:  # categories outside the chain: every category ranked again, the keys made again
        cat_rank = {c: i for i, c in enumerate(sorted(cat_rank.keys() - unranked | unranked))}
        n, n_cats = edges.n_firms, len(cat_rank) + 1
        keys = [(rank[b] * n_cats + cat_rank[c]) * n + rank[s] for s, b, c, _ in edges.edge]
    need_found, gaps = _need_breaks(groups, regions, allowed, live_sup)
    found += need_found
    found += _single_source_breaks(nodes, succ, regions, live_sup)
    best = propagate_edges(edges, inputs, outputs, down_in, gaps, max_routes)
    exact_factors(best, edges, inputs, down_in, gaps)
    # by kind, buyer, category, supplier: each kind sorted on its own (kinds 3 and 4 have no supplier)
    by_kind = {k: [] for k in KINDS}
    for x in found:
        by_kind[x[0]].append(x)
    out = []
    for k, items in by_kind.items():
        if k == "upstream_break":
            out += _upstream_breaks(best, edges, regions, keys)  # made in that order
            continue
        items.sort(key=_BY_BUYER if k in ("uncovered_need", "chain_gap") else _BY_EDGE)
        out += items
    return out


_BY_EDGE, _BY_BUYER = itemgetter(1, 2, 3), itemgetter(1, 2)


def _edge_breaks(nodes: dict, succ: dict, regions: dict[str, Regions], stopped: frozenset,
                 high_risk: frozenset, edges: HealthyEdges, watched: set, cat_rank: dict[str, int], keys: list,
                 unranked: set) -> tuple[list[Break], DownIn, dict[tuple[str, str], list[str]]]:
    """Kinds 1 and 2 from one scan of the supply edges, with what the other kinds need: the
    suppliers down (with their factors) per buyer and category, the live ones of the *watched*
    buyers, and the healthy edges, numbered into *edges*, with their *keys* in the order of the
    upstream breaks (categories ranked in *cat_rank*; any other in *unranked*)."""
    found = []
    append, new = found.append, tuple.__new__  # each Break made as Break(...) makes it, directly
    down_in = {}  # (buyer, category) -> [(down supplier, factors)]
    live_sup = {}  # (buyer, category) -> [live supplier], for the watched buyers
    outs, into = edges.out, edges.into
    edge, pair_of = edges.edge, edges.pair
    add_edge, add_pair = edge.append, pair_of.append
    ids, n = edges.firm_ids, edges.n_firms
    e = len(edge)
    add_key = keys.append
    # the upstream breaks' order, by buyer, category, supplier, as one int per edge: firms numbered by
    # ref in *edges*, categories by code in *cat_rank* (one outside it ranked after the scan: its key
    # then made again)
    n_cats = len(cat_rank) + 1

    def late(c):
        unranked.add(c)
        return n_cats - 1  # any rank: the keys are made again after the scan

    factor_cache = {}
    for s, nbrs in succ.items():
        if not nbrs:
            continue
        a = nodes[s]
        risk = "high" if a.get("county") in high_risk else a.get("county_risk")
        s_live = firm_is_live(a.get("operating", True) and s not in stopped, risk)
        s_blockers = tuple(a.get("blockers") or ())
        if s_live and not s_blockers:  # healthy: its edges are numbered for the propagation
            out = outs.get(s)
            if out is None:
                out = outs[s] = {}
            key0, rank_s = ids[s] * n, ids[s]
            for b, keydict in nbrs.items():
                rank_b = ids[b]
                pair = key0 + rank_b
                by_b = rank_b * n_cats
                watch = b in watched
                per = into.get(b)
                if per is None:
                    per = into[b] = {}
                for c, q in keydict.items():
                    add_edge((s, b, c, q))
                    add_pair(pair)
                    cr = cat_rank.get(c)
                    if cr is None:  # a category outside the chain: ranked after the scan
                        cr = cat_rank[c] = late(c)
                    add_key((by_b + cr) * n + rank_s)
                    to = out.get(c)
                    if to is None:
                        out[c] = [(e, b)]
                    else:
                        to.append((e, b))
                    to = per.get(c)
                    if to is None:
                        per[c] = [(s, e)]
                    else:
                        to.append((s, e))
                    e += 1
                    if watch:
                        sups = live_sup.get((b, c))
                        if sups is None:
                            live_sup[b, c] = [s]
                        else:
                            sups.append(s)
            continue
        risky = risk == "high"
        rs = regions[s]
        if not s_live:
            key = (s_blockers, risky)
            sf = factor_cache.get(key)
            if sf is None:
                sf = order_factors(s_blockers + (("risk_zone",) if risky else ())) or ("other",)
                factor_cache[key] = sf
            sfs = frozenset(sf)
            kind = "supplier_down"
        else:
            sf = order_factors(s_blockers)
            kind = "supplier_strained"
        for b, keydict in nbrs.items():
            rb = regions[b]
            # level_index(rb, rs), inlined
            li = 0 if rb[0] is not None and rb[0] == rs[0] else 1 if rb[1] is not None and rb[1] == rs[1] else 2
            level, owner = LEVELS[li], rb[li]
            watch = s_live and b in watched
            for c, q in keydict.items():
                if not s_live:
                    down_in.setdefault((b, c), []).append((s, sfs))
                elif watch:
                    live_sup.setdefault((b, c), []).append(s)
                append(new(Break, (kind, b, c, s, q, sf, 1, (b, s), level, owner, None, rb, ())))
    return found, down_in, live_sup


def _need_groups(needs: Iterable[Any], nodes: dict, as_of: date, horizon_days: int
                 ) -> dict[tuple[str, str], list[tuple[Need, float]]]:
    """The open needs due within the horizon and not fully covered, by buyer and category, with
    their uncovered quantity."""
    horizon = as_of + timedelta(days=horizon_days)
    groups: dict[tuple[str, str], list[tuple[Need, float]]] = {}
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
    return groups


def _need_breaks(groups: dict[tuple[str, str], list[tuple[Need, float]]], regions: dict[str, Regions],
                 allowed: Collection[str], live_sup: dict[tuple[str, str], list[str]]
                 ) -> tuple[list[Break], set[tuple[str, str]]]:
    """Kinds 3 and 4: one break per buyer and category of the needs' *groups*; also the set of
    ``(buyer, category)`` with a chain gap."""
    found = []
    gaps = set()
    for (b, c), items in groups.items():
        refs = tuple(sorted(n.ref for n, _ in items))
        total = sum(u for _, u in items)
        pending = sum(n.pending_proposals for n, _ in items)
        rb = regions[b]
        if not any(r in allowed for r in refs) and not live_sup.get((b, c)):
            gaps.add((b, c))
            found.append(Break("chain_gap", b, c, None, total, ("materials",), 1, (b,), "province",
                               rb[2], pending, rb, refs))
        else:
            found.append(Break("uncovered_need", b, c, None, total, ("materials",), 1, (b,), "county",
                               rb[0], pending, rb, refs))
    return found, gaps


def _single_source_breaks(nodes: dict, succ: dict, regions: dict[str, Regions],
                          live_sup: dict[tuple[str, str], list[str]]) -> list[Break]:
    """Kind 5: a leading buyer with exactly one live supplier in a category."""
    found = []
    for (b, c), sups in live_sup.items():
        if len(sups) == 1 and nodes[b].get("kind") == "leading":
            s = sups[0]
            rb = regions[b]
            li = level_index(rb, regions[s])
            found.append(Break("single_source", b, c, s, succ[s][b][c], (), 1, (b, s),
                               LEVELS[li], rb[li], None, rb))
    return found


def _upstream_breaks(best: EdgeBest, edges: HealthyEdges, regions: dict[str, Regions], keys: list[int]
                     ) -> list[Break]:
    """Kind 6: the breaks of the propagated edges (tier, path and exact factors in *best*), in the
    order of the edges' *keys* (by buyer, category and supplier)."""
    edge = edges.edge
    found = []
    append, new = found.append, tuple.__new__  # ~10^5 breaks: each made as Break(...) makes it, directly
    ordered = {}
    for e in _argsort(keys):
        have = best[e]
        if have is None:
            continue
        tier, path, factors = have
        s, b, c, q = edge[e]
        of = ordered.get(factors)
        if of is None:
            of = ordered[factors] = order_factors(factors)
        rb = regions[b]
        if tier == len(path):  # chain-gap root
            li = 2
        else:  # level_index(rb, regions[path[-1]]), inlined (~10^5 breaks)
            rs = regions[path[-1]]
            li = 0 if rb[0] is not None and rb[0] == rs[0] else 1 if rb[1] is not None and rb[1] == rs[1] else 2
        append(new(Break, ("upstream_break", b, c, s, q, of, tier, path, LEVELS[li], rb[li], None, rb, ())))
    return found


def _argsort(keys: list[int] | array) -> list[int]:
    """The indices of *keys* (distinct non-negative ints, a list or an array of 64-bit ints) in the
    order of their keys: numpy's argsort where they fit in 63 bits (~10^5 upstream breaks: a tenth of
    sorting a range by its keys)."""
    if not keys or (keys.__class__ is not array and max(keys) >= 1 << 62):
        return sorted(range(len(keys)), key=keys.__getitem__)
    import numpy as np  # imported here: the graphs package imports without it until a detection runs

    values = np.frombuffer(keys, dtype=np.int64) if keys.__class__ is array else np.array(keys, dtype=np.int64)
    return np.argsort(values, kind="stable").tolist()
