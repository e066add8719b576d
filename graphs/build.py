"""Build the firm-level supply graph and the category chain, and walk them.

The supply graph is a :class:`networkx.MultiDiGraph` whose nodes are firm refs
and whose edges run from supplier to buyer, keyed by category: the edge
``(S, B, c)`` is the *supply edge* of the spec, standing for all active links
from ``S`` to ``B`` in ``c``, with their summed ``quantity_per_week``.

The category chain is a :class:`networkx.DiGraph` with an edge ``i -> c`` for
every input ``i`` of ``c`` (the direction goods flow). It may have cycles.
"""

from collections import deque

import networkx as nx

from .exceptions import GraphError, UnknownFirmError
from .records import Link, as_category, as_firm, as_link, firm_is_live

__all__ = [
    "build_supply_graph",
    "build_category_chain",
    "category_inputs",
    "is_live",
    "live_suppliers",
    "upstream",
    "downstream",
]

#: Node attributes copied from the firm records.
FIRM_ATTRS = ("kind", "county", "city", "province", "operating", "blockers", "county_risk")


def build_supply_graph(firms, links, *, quantity="quantity_per_week"):
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
    G = nx.MultiDiGraph()
    nodes, succ, pred = G._node, G._succ, G._pred
    for record in firms:
        firm = as_firm(record)
        if firm.ref not in nodes:
            succ[firm.ref] = {}
            pred[firm.ref] = {}
        nodes[firm.ref] = {a: getattr(firm, a) for a in FIRM_ATTRS}
    for record in links:
        link = record if type(record) is Link else as_link(record)
        if not link.active:
            continue
        s, b, c = link.supplier, link.buyer, link.category
        if s not in nodes:
            raise UnknownFirmError(f"link names unknown supplier {s!r}")
        if b not in nodes:
            raise UnknownFirmError(f"link names unknown buyer {b!r}")
        # the same structures networkx's MultiDiGraph.add_edge fills, without its overhead
        keydict = succ[s].get(b)
        if keydict is None:
            keydict = succ[s][b] = pred[b][s] = {}
        data = keydict.get(c)
        if data is None:
            keydict[c] = {quantity: link.quantity_per_week}
        else:
            data[quantity] += link.quantity_per_week
    return G


def build_category_chain(categories):
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
    chain = nx.DiGraph()
    for record in categories:
        cat = as_category(record)
        chain.add_node(cat.code)
        for code in cat.inputs:
            chain.add_edge(code, cat.code)
    return chain


def category_inputs(chain, category):
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
    if isinstance(chain, nx.DiGraph):
        if category not in chain:
            return ()
        return tuple(sorted(chain.predecessors(category)))
    return tuple(sorted(chain.get(category, ()) or ()))


def _inputs_map(chain):
    """Return ``{code: frozenset(inputs)}`` and ``{code: frozenset(outputs)}``."""
    inputs, outputs = {}, {}
    if chain is None:
        return inputs, outputs
    if isinstance(chain, nx.DiGraph):
        pairs = chain.edges()
    else:
        pairs = [(i, c) for c, ins in chain.items() for i in (ins or ())]
    for i, c in pairs:
        inputs.setdefault(c, set()).add(i)
        outputs.setdefault(i, set()).add(c)
    return ({k: frozenset(v) for k, v in inputs.items()},
            {k: frozenset(v) for k, v in outputs.items()})


def is_live(G, firm, *, stopped=(), high_risk_counties=()):
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


def live_suppliers(G, buyer, category):
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


def _walk(G, firm, tiers, category, chain, upstream_):
    if firm not in G:
        raise UnknownFirmError(f"unknown firm {firm!r}")
    if tiers is not None and tiers < 0:
        raise GraphError("tiers must be non-negative")
    inputs, outputs = _inputs_map(chain)
    follow = inputs if upstream_ else outputs
    adj = G._pred if upstream_ else G._succ
    found = {}
    # states are (firm, category the next hop must be in, or None for any)
    start = (firm, category)
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        (node, cat), depth = queue.popleft()
        if tiers is not None and depth >= tiers:
            continue
        for other, keydict in adj[node].items():
            for c in keydict:
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


def upstream(G, firm, tiers=None, *, category=None, chain=None):
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


def downstream(G, firm, tiers=None, *, category=None, chain=None):
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
