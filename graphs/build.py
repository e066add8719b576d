"""Build the firm-level supply graph and the category chain, and walk them.

The supply graph is a :class:`networkx.MultiDiGraph` whose nodes are firm refs
and whose edges run from supplier to buyer, keyed by category: the edge
``(S, B, c)`` is the *supply edge* of the spec, standing for all active links
from ``S`` to ``B`` in ``c``, with their summed ``quantity_per_week``.

The category chain is a :class:`networkx.DiGraph` with an edge ``i -> c`` for
every input ``i`` of ``c`` (the direction goods flow). It may have cycles.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    import networkx as nx

from .exceptions import GraphError, UnknownFirmError
from .coerce import as_category, as_firm, as_link
from .records import Firm, Link, firm_is_live

__all__ = [
    "build_supply_graph",
    "supply_maps",
    "build_category_chain",
    "category_inputs",
    "input_output_maps",
    "is_live",
    "live_suppliers",
    "upstream",
    "downstream",
]

# networkx is imported where a graph is built: a process that reads plain maps (the weekly report's
# detection) never pays for it (issue 14, item 2)
ChainLike = Union["nx.DiGraph", Mapping[str, Iterable[str]], None]

#: Node attributes copied from the firm records: every field but the ref.
FIRM_ATTRS = Firm._fields[1:]


def build_supply_graph(firms: Iterable[Any], links: Iterable[Any], *,
                       quantity: str = "quantity_per_week") -> nx.MultiDiGraph:
    """Return the supply graph of *firms* and their active *links*.

    Parameters
    ----------
    firms : iterable of Firm or mapping
        Every firm; each becomes a node keyed by its ``ref`` with the
        attributes ``kind``, ``county``, ``city``, ``province``,
        ``operating``, ``blockers`` and ``county_risk``.
    links : iterable of Link or mapping
        Supply links (accepted pairings included). Inactive links are left
        out; active links with the same supplier, buyer and category are
        summed into one edge.
    quantity : str, optional (default ``"quantity_per_week"``)
        Name of the edge attribute holding the weekly quantity.

    Returns
    -------
    G : networkx.MultiDiGraph
        Edges ``(supplier, buyer, category)`` with the summed quantity.

    Raises
    ------
    UnknownFirmError
        If a link names a firm that is not among *firms*.
    InvalidRecordError
        If a record is malformed.

    Examples
    --------
    >>> G = build_supply_graph(
    ...     [{"ref": "B", "kind": "leading", "county": "230102"},
    ...      {"ref": "S", "county": "230103"}],
    ...     [{"supplier": "S", "buyer": "B", "category": "C1", "quantity_per_week": 10},
    ...      {"supplier": "S", "buyer": "B", "category": "C1", "quantity_per_week": 5},
    ...      {"supplier": "S", "buyer": "B", "category": "C2", "quantity_per_week": 1,
    ...       "active": False}])
    >>> sorted(G.edges(keys=True, data="quantity_per_week"))
    [('S', 'B', 'C1', 15.0)]
    >>> G.nodes["B"]["city"]
    '230100'
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    firms = [as_firm(record) for record in firms]
    G.add_nodes_from([firm.ref for firm in firms])
    nodes = G.nodes
    for firm in firms:
        nodes[firm.ref].update(zip(FIRM_ATTRS, firm[1:]))  # the fields after the ref
    known = set(nodes)
    edges = G.edges
    add_edge = G.add_edge
    added = set()
    for record in links:
        s, b, c, q, active = record if type(record) is Link else as_link(record)
        if not active:
            continue
        if s not in known:
            raise UnknownFirmError(f"link names unknown supplier {s!r}")
        if b not in known:
            raise UnknownFirmError(f"link names unknown buyer {b!r}")
        key = (s, b, c)
        if key in added:  # another link of the same supplier, buyer and category: summed
            edges[key][quantity] += q
        else:
            added.add(key)
            add_edge(s, b, c, **{quantity: q})
    return G


def supply_maps(firms: Iterable[Any], links: Iterable[Any]) -> tuple[dict, dict]:
    """Return ``(nodes, succ)``: what :func:`build_supply_graph`'s graph holds, without the graph.

    ``nodes`` is ``{ref: attributes}`` and ``succ`` is ``{supplier: {buyer: {category: summed
    quantity}}}`` (the graph's edge attribute *quantity*), both in the order the graph's
    ``G.nodes(data=True)`` and ``G.adjacency()`` give them (every firm in ``succ``, those without
    supply edges with ``{}``):
    the break detection reads only these, and at a province's scale building the networkx graph
    costs as much as the scan (:func:`graphs.breaks.chain_breaks_of`).

    Examples
    --------
    >>> nodes, succ = supply_maps([{"ref": "B", "county": "230102"}, {"ref": "S"}],
    ...                           [("S", "B", "C1", 10), ("S", "B", "C1", 5)])
    >>> succ
    {'B': {}, 'S': {'B': {'C1': 15.0}}}
    >>> nodes["B"]["city"]
    '230100'
    """
    nodes, succ = {}, {}
    attrs = FIRM_ATTRS
    for record in firms:
        firm = as_firm(record)
        nodes[firm.ref] = dict(zip(attrs, firm[1:]))  # a node re-added keeps its place, as in networkx
        succ.setdefault(firm.ref, {})
    for record in links:
        s, b, c, q, active = record if type(record) is Link else as_link(record)
        if not active:
            continue
        out = succ.get(s)
        if out is None:
            raise UnknownFirmError(f"link names unknown supplier {s!r}")
        if b not in succ:
            raise UnknownFirmError(f"link names unknown buyer {b!r}")
        keydict = out.get(b)
        if keydict is None:
            out[b] = {c: q}
        elif c in keydict:  # another link of the same supplier, buyer and category: summed
            keydict[c] += q
        else:
            keydict[c] = q
    return nodes, succ


def build_category_chain(categories: Iterable[Any]) -> nx.DiGraph:
    """Return the category chain: an edge ``i -> c`` for each input ``i`` of ``c``.

    Parameters
    ----------
    categories : iterable of Category, mapping or ``(code, inputs)`` pair

    Returns
    -------
    chain : networkx.DiGraph
        Cycles (a category made partly from itself, or two made from each
        other) are kept: the real input-output chain has them.

    Examples
    --------
    >>> chain = build_category_chain([("steel", ["ore", "steel"]), ("ore", [])])
    >>> sorted(chain.edges)
    [('ore', 'steel'), ('steel', 'steel')]
    >>> category_inputs(chain, "steel")
    ('ore', 'steel')
    """
    import networkx as nx

    chain = nx.DiGraph()
    for record in categories:
        cat = as_category(record)
        chain.add_node(cat.code)
        for code in cat.inputs:
            chain.add_edge(code, cat.code)
    return chain


def category_inputs(chain: ChainLike, category: str) -> tuple[str, ...]:
    """Return the inputs of *category* as a sorted tuple.

    *chain* is a category chain from :func:`build_category_chain` or a plain
    mapping ``code -> inputs``; a category not in it has no inputs.

    Examples
    --------
    >>> category_inputs({"C1": ["C3", "C2"]}, "C1")
    ('C2', 'C3')
    >>> category_inputs({"C1": ["C2"]}, "C9")
    ()
    """
    if chain is None:
        return ()
    if _is_digraph(chain):
        if category not in chain:
            return ()
        return tuple(sorted(chain.predecessors(category)))
    return tuple(sorted(chain.get(category, ()) or ()))


def _is_digraph(chain: Any) -> bool:
    """Whether a chain is a networkx graph (none can be while networkx was never imported)."""
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(chain, nx.DiGraph)


def input_output_maps(chain: ChainLike) -> tuple[dict[str, frozenset], dict[str, frozenset]]:
    """Return ``{code: frozenset(inputs)}`` and ``{code: frozenset(outputs)}`` of a chain.

    *chain* is a category chain from :func:`build_category_chain`, a plain
    mapping ``code -> inputs``, or ``None`` (no chain: both maps empty).
    Categories without inputs (or outputs) are left out of the first (or second).

    Examples
    --------
    >>> inputs, outputs = input_output_maps({"car": ["steel", "paint"], "steel": ["ore"]})
    >>> sorted(inputs["car"]), sorted(outputs["steel"]), "ore" in inputs
    (['paint', 'steel'], ['car'], False)
    """
    inputs, outputs = {}, {}
    if chain is None:
        return inputs, outputs
    if _is_digraph(chain):
        pairs = chain.edges()
    else:
        pairs = [(i, c) for c, ins in chain.items() for i in (ins or ())]
    for i, c in pairs:
        inputs.setdefault(c, set()).add(i)
        outputs.setdefault(i, set()).add(c)
    return ({k: frozenset(v) for k, v in inputs.items()},
            {k: frozenset(v) for k, v in outputs.items()})


def is_live(G: nx.MultiDiGraph, firm: str, *, stopped: Collection[str] = (),
            high_risk_counties: Collection[str] = ()) -> bool:
    """Return True when *firm*, a node of the supply graph *G*, is live (:func:`firm_is_live`).

    *stopped* (firm refs) and *high_risk_counties* (county codes) override the
    graph, for what-if: a stopped firm is not operating, a county among them is
    high-risk.

    Examples
    --------
    >>> G = build_supply_graph([{"ref": "A", "county": "230102", "county_risk": "high"},
    ...                         {"ref": "B", "county": "230103"}], [])
    >>> is_live(G, "A"), is_live(G, "B"), is_live(G, "B", stopped={"B"})
    (False, True, False)
    """
    try:
        attrs = G.nodes[firm]
    except KeyError:
        raise UnknownFirmError(f"unknown firm {firm!r}") from None
    return firm_is_live(
        attrs.get("operating", True) and firm not in stopped,
        "high" if attrs.get("county") in high_risk_counties else attrs.get("county_risk"),
    )


def live_suppliers(G: nx.MultiDiGraph, buyer: str, category: str) -> list[str]:
    """Return the sorted live suppliers of *buyer* for *category*.

    Examples
    --------
    >>> G = build_supply_graph(
    ...     [{"ref": "B"}, {"ref": "S1"}, {"ref": "S2", "operating": False}],
    ...     [("S1", "B", "C1", 1), ("S2", "B", "C1", 1)])
    >>> live_suppliers(G, "B", "C1")
    ['S1']
    """
    if buyer not in G:
        raise UnknownFirmError(f"unknown firm {buyer!r}")
    return sorted(s for s, _, c in G.in_edges(buyer, keys=True) if c == category and is_live(G, s))


def _walk(G: nx.MultiDiGraph, firm: str, tiers: int | None, category: str | None,
          chain: ChainLike, upstream_: bool) -> dict[str, int]:
    """Breadth-first walk of :func:`upstream` (along in-edges) or :func:`downstream`."""
    if firm not in G:
        raise UnknownFirmError(f"unknown firm {firm!r}")
    if tiers is not None and tiers < 0:
        raise GraphError("tiers must be non-negative")
    inputs, outputs = input_output_maps(chain)
    follow = inputs if upstream_ else outputs
    found = {}
    # states are (firm, category the next hop must be in, or None for any)
    start = (firm, category)
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (node, cat), depth = queue.popleft()
        if tiers is not None and depth >= tiers:
            continue
        adj = G.pred[node] if upstream_ else G.succ[node]
        for other in adj:
            for c in adj[other]:
                if cat is not None and c != cat:
                    continue
                if other != firm and other not in found:
                    found[other] = depth + 1
                if category is None:
                    nexts = [None]
                else:
                    nexts = sorted(follow.get(c, ()))
                for nc in nexts:
                    state = (other, nc)
                    if state not in seen:
                        seen.add(state)
                        queue.append((state, depth + 1))
    return found


def upstream(G: nx.MultiDiGraph, firm: str, tiers: int | None = None, *,
             category: str | None = None, chain: ChainLike = None) -> dict[str, int]:
    """Return the firms upstream of *firm*, each with its tier (hops away).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A supply graph from :func:`build_supply_graph`.
    firm : str
        The firm whose suppliers, their suppliers, ... are wanted.
    tiers : int, optional
        Walk at most this many tiers (all when ``None``).
    category : str, optional
        Follow only *firm*'s supply in this category, then the suppliers'
        supply in its inputs (per *chain*), and so on.
    chain : DiGraph or mapping, optional
        The category chain, needed with *category*.

    Returns
    -------
    dict
        ``{firm ref: smallest tier}``; *firm* itself is left out, also on cycles.

    Examples
    --------
    >>> G = build_supply_graph([{"ref": r} for r in "ABCD"],
    ...     [("B", "A", "car", 1), ("C", "B", "steel", 1), ("D", "A", "paint", 1),
    ...      ("A", "C", "car", 1)])
    >>> upstream(G, "A")
    {'B': 1, 'D': 1, 'C': 2}
    >>> upstream(G, "A", tiers=1)
    {'B': 1, 'D': 1}
    >>> upstream(G, "A", category="car", chain={"car": ["steel"]})
    {'B': 1, 'C': 2}
    """
    return _walk(G, firm, tiers, category, chain, True)


def downstream(G: nx.MultiDiGraph, firm: str, tiers: int | None = None, *,
               category: str | None = None, chain: ChainLike = None) -> dict[str, int]:
    """Return the firms downstream of *firm*, each with its tier (hops away).

    The mirror of :func:`upstream`: with *category*, follows *firm*'s sales in
    that category, then the buyers' sales of the categories made from it.

    Examples
    --------
    >>> G = build_supply_graph([{"ref": r} for r in "ABC"],
    ...     [("C", "B", "steel", 1), ("B", "A", "car", 1), ("B", "C", "car", 1)])
    >>> downstream(G, "C")
    {'B': 1, 'A': 2}
    >>> downstream(G, "C", category="steel", chain={"car": ["steel"]})
    {'B': 1, 'A': 2}
    """
    return _walk(G, firm, tiers, category, chain, False)
