"""What a chain break puts at stake, product by product (issue 10, item 7).

Breaks stay per category (``chain-breaks.md``: the category chain is the backbone, and a break
is the same break from week to week by kind, buyer, category and supplier). Within a category,
the links and needs behind a break may name products of the catalogue (``products.md``), each
counted in its own unit. :func:`break_stakes` says what a break puts at stake: its quantity
split by product and unit, as :class:`Stake` records, so that the report can name the goods
and give every quantity its unit.

* ``supplier_down``, ``supplier_strained``, ``single_source``, ``upstream_break``: the
  supply edge ``S -> B`` in ``c``, i.e. the active links from S to B in c (what B stands to
  lose), their ``quantity_per_week`` summed per product and unit;
* ``uncovered_need``, ``chain_gap``: the needs behind the break (``Break.needs``), their
  uncovered quantity summed per product and unit.

A link or need that names no product counts under ``product=None`` in its category's unit.
:func:`stake_unit` is the unit of the break's ``quantity`` when every stake shares one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["Stake", "EDGE_KINDS", "edge_stakes", "edge_stakes_of_columns", "need_stakes", "break_stakes",
           "stake_unit"]

#: The kinds of break whose quantity is that of a supply edge (the others: needs not covered).
EDGE_KINDS = frozenset(("supplier_down", "supplier_strained", "single_source", "upstream_break"))

EdgeKey = tuple[str, str, str]


class Stake(NamedTuple):
    """A product at stake in a break: its code (``None``: goods named by category only), the
    unit its quantity is counted in, and the quantity (per week for a supply edge)."""

    product: str | None
    unit: str | None
    quantity: float


def _sorted(totals: Mapping[tuple[str | None, str | None], float]) -> tuple[Stake, ...]:
    """Stakes of ``{(product, unit): quantity}``, products in code order, unnamed goods last."""
    return tuple(Stake(p, u, q) for (p, u), q in sorted(
        totals.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1] or "")))


def edge_stakes(links: Iterable[Any]) -> dict[EdgeKey, tuple[Stake, ...]]:
    """Return ``{(supplier, buyer, category): stakes}`` of active links.

    Each link is a tuple ``(supplier, buyer, category, quantity_per_week, product, unit)`` or
    an object with those attributes; inactive links (an ``active`` attribute that is false)
    are left out, as :func:`graphs.build.build_supply_graph` leaves them out.

    Examples
    --------
    >>> stakes = edge_stakes([("S", "B", "C1", 10, "P1", "t"), ("S", "B", "C1", 5, "P1", "t"),
    ...                       ("S", "B", "C1", 30, None, "t"), ("S", "B", "C1", 4, "P2", "head")])
    >>> [tuple(s) for s in stakes["S", "B", "C1"]]
    [('P1', 't', 15.0), ('P2', 'head', 4.0), (None, 't', 30.0)]
    """
    if not isinstance(links, (list, tuple)):
        links = list(links)
    keys, products, units, quantities = [], [], [], []
    for link in links:
        if isinstance(link, tuple) and not hasattr(link, "_fields"):
            s, b, c, q, product, unit = link
        else:
            if not getattr(link, "active", True):
                continue
            s, b, c, q = link.supplier, link.buyer, link.category, link.quantity_per_week
            product, unit = link.product, link.unit
        keys.append((s, b, c))
        products.append(product)
        units.append(unit)
        quantities.append(float(q or 0.0))
    return edge_stakes_of_columns(keys, quantities, products, units)


def edge_stakes_of_columns(keys: Sequence[EdgeKey], quantities: Iterable[float], products: Iterable[str | None],
                           units: Iterable[str | None]) -> dict[EdgeKey, tuple[Stake, ...]]:
    """Return what :func:`edge_stakes` returns of active links given as aligned columns: the key
    ``(supplier, buyer, category)`` of each link, its quantity per week (a float), product and unit.

    Examples
    --------
    >>> stakes = edge_stakes_of_columns([("S", "B", "C1"), ("T", "B", "C1"), ("S", "B", "C1")],
    ...                                 [10.0, 2.0, 5.0], ["P1", None, "P2"], ["t", "t", "head"])
    >>> [tuple(s) for s in stakes["S", "B", "C1"]], [tuple(s) for s in stakes["T", "B", "C1"]]
    ([('P1', 't', 10.0), ('P2', 'head', 5.0)], [(None, 't', 2.0)])
    """
    values = list(zip(products, units, quantities))  # (product, unit, quantity) of each link
    # most supply edges carry one link: their one stake is made directly, equal ones shared (a
    # province's 10^5 edges have a few thousand distinct ones); the dict is built in C, in the
    # order of each edge's first link
    shared = {pq: (Stake._make(pq),) for pq in set(values)}
    out = dict(zip(keys, map(shared.__getitem__, values)))
    if len(out) < len(keys):  # edges with more than one link: their quantities summed per product and unit
        more: dict[EdgeKey, dict] = {key: {} for key, n in Counter(keys).items() if n > 1}
        for key, (product, unit, q) in zip(keys, values):
            per = more.get(key)
            if per is not None:
                per[product, unit] = per.get((product, unit), 0.0) + q
        for key, per in more.items():
            out[key] = _sorted(per)
    return out


def need_stakes(needs: Iterable[Any]) -> tuple[Stake, ...]:
    """Return the stakes of needs: what each leaves uncovered (quantity less covered, when above
    zero) summed per product and unit.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import Need
    >>> n1 = Need("N1", "B", "C1", 10.0, date(2020, 3, 20), covered=4.0, product="P1", unit="t")
    >>> n2 = Need("N2", "B", "C1", 3.0, date(2020, 3, 27), product="P1", unit="t")
    >>> [tuple(s) for s in need_stakes([n1, n2])]
    [('P1', 't', 9.0)]
    """
    per: dict = {}
    for need in needs:
        uncovered = float(need.quantity) - float(need.covered or 0.0)
        if uncovered <= 1e-9:
            continue
        key = (need.product, need.unit)
        per[key] = per.get(key, 0.0) + uncovered
    return _sorted(per)


def break_stakes(brk: Any, edges: Mapping[EdgeKey, tuple[Stake, ...]],
                 needs: Mapping[str, Any]) -> tuple[Stake, ...]:
    """Return what a break puts at stake, product by product.

    Parameters
    ----------
    brk : Break
        A break of :func:`graphs.breaks.chain_breaks` (``kind``, ``buyer``, ``category``,
        ``supplier`` and, for kinds 3 and 4, ``needs``: the refs of the needs behind it).
    edges : mapping
        :func:`edge_stakes` of the links the break was detected on.
    needs : mapping
        ``ref -> Need`` of the needs the break was detected on.

    Returns
    -------
    tuple of Stake
        Empty when nothing is known of the goods (e.g. an edge missing from *edges*).

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.detection import Break
    >>> from graphs.records import Need
    >>> edges = edge_stakes([("S", "B", "C1", 40, "P1", "t")])
    >>> down = Break("supplier_down", "B", "C1", "S", 40.0, ("labour",), 1, ("B", "S"),
    ...              "county", "230102")
    >>> break_stakes(down, edges, {})
    (Stake(product='P1', unit='t', quantity=40.0),)
    >>> n = Need("N1", "B", "C2", 12.0, date(2020, 3, 20), product="P7", unit="head")
    >>> gap = Break("chain_gap", "B", "C2", None, 12.0, ("materials",), 1, ("B",), "province",
    ...             "230000", 0, needs=("N1",))
    >>> break_stakes(gap, edges, {"N1": n})
    (Stake(product='P7', unit='head', quantity=12.0),)
    """
    if brk.kind in EDGE_KINDS:
        return edges.get((brk.supplier, brk.buyer, brk.category), ())
    return need_stakes(needs[ref] for ref in brk.needs if ref in needs)


def stake_unit(stakes: Iterable[Stake]) -> str | None:
    """Return the one unit all *stakes* are counted in, or ``None`` (none, or several units).

    Examples
    --------
    >>> stake_unit([Stake("P1", "t", 1.0), Stake(None, "t", 2.0)]), stake_unit([])
    ('t', None)
    >>> print(stake_unit([Stake("P1", "t", 1.0), Stake("P2", "head", 2.0)]))
    None
    """
    units = {s.unit for s in stakes}
    return units.pop() if len(units) == 1 else None
