"""Open needs and offers as aligned numpy columns: what the vectorised rules and costs read.

Row ``i`` of :class:`NeedColumns` is the ``i``-th need of an index (row ``j`` of
:class:`OfferColumns` its ``j``-th offer). Coordinates are in radians, dates are
ordinals, unknown prices are NaN, an unset delivery radius is infinite, and
firms, categories and price references (:func:`price_key`) are integer codes of
the index (-1 for one it does not know). The same builders make the one-row columns of a posting scored against
an index (:func:`graphs.matching.best_partners`). Records loaded column by column come as
:class:`Records`, which keep their columns: :func:`fields_of` reads those instead of every record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from itertools import repeat
from operator import attrgetter, itemgetter

import numpy as np

from ..records import Need, Offer
from .costs import UNKNOWN_WORKERS_BACK, terms_share

__all__ = ["NeedColumns", "OfferColumns", "Records", "price_key"]


def _floats(values: Sequence) -> np.ndarray:
    return np.array(values, dtype=np.float64)


class Records(tuple):
    """Records of one named-tuple type that carry their fields as columns: what a loader that reads
    rows column by column has already (:func:`fields_of` then reads a column, not every record).

    A tuple, so the records cannot change under their columns; ``columns`` maps a field name to
    the list of that field of every record, in order (the caller guarantees that they agree), and
    may hold more columns aligned with the records (a loader's stored ids), which :meth:`take` keeps.

    Examples
    --------
    >>> from graphs.records import Link
    >>> links = Records.of(Link, [["S", "T"], ["B", "B"], ["c", "c"], [1.0, 2.0], [True, True]])
    >>> links[1], fields_of(links, "supplier")
    (Link(supplier='T', buyer='B', category='c', quantity_per_week=2.0, active=True), [['S', 'T']])
    >>> links.take([1]).columns["quantity_per_week"]
    [2.0]
    """

    columns: dict

    @classmethod
    def of(cls, kind: type, columns: Sequence[list]) -> Records:
        """The records of a named-tuple type made of its fields' columns (one list per field, in
        the type's order)."""
        self = cls(map(tuple.__new__, repeat(kind), zip(*columns)))
        self.columns = dict(zip(kind._fields, columns))
        return self

    def take(self, rows: Sequence[int]) -> Records:
        """The records at these positions, with their columns."""
        out = Records(map(self.__getitem__, rows))
        out.columns = {name: list(map(column.__getitem__, rows)) for name, column in self.columns.items()}
        return out


def fields_of(records: Sequence, *names: str) -> list[list]:
    """The named fields of every record, one list per field.

    Read from the columns of :class:`Records` (not to be changed), else by position when the
    records are all of one named-tuple type (a tuple item is read faster than a named attribute),
    else by name.

    Examples
    --------
    >>> from graphs.records import Link
    >>> fields_of([Link("S", "B", "c", 1.0), Link("T", "B", "c", 2.0)], "supplier", "quantity_per_week")
    [['S', 'T'], [1.0, 2.0]]
    """
    columns = getattr(records, "columns", None)
    if columns is not None and all(name in columns for name in names):
        return [columns[name] for name in names]
    if len(records) == 1:  # a posting scored against an index
        return [[getattr(records[0], name)] for name in names]
    kinds = set(map(type, records))
    layout = getattr(kinds.pop(), "_fields", None) if len(kinds) == 1 else None
    if layout is not None:
        return [list(map(itemgetter(layout.index(name)), records)) for name in names]
    return [list(map(attrgetter(name), records)) for name in names]


def _coded(codes: Mapping[str, int], keys: Sequence[str]) -> np.ndarray:
    """The code of each key, -1 for a key *codes* does not hold."""
    try:
        values = list(map(codes.__getitem__, keys))  # an index knows its postings' firms, categories
    except KeyError:
        values = [codes.get(k, -1) for k in keys]
    return np.array(values, dtype=np.int64)


def price_key(category: str, product: str | None, unit: str | None) -> tuple:
    """The price reference of an offer (compared with when the buyer sets no maximum): the open
    offers of the same product when it names one, else those of its category naming none; in
    the same unit either way.

    Examples
    --------
    >>> price_key("IO003", "raw milk", "t"), price_key("IO003", None, "t")
    (('product', 'raw milk', 't'), ('category', 'IO003', 't'))
    """
    if product is not None:
        return ("product", product, unit)
    return ("category", category, unit)


def _hashable(terms: Sequence) -> Sequence:
    """The terms of each need as given, or as tuples if some are lists."""
    if all(type(t) is tuple for t in terms):
        return terms
    return [tuple(t) for t in terms]


class NeedColumns:
    """Columns of needs: ``lat``, ``lon`` (radians), ``coslat`` (the cosine of ``lat``), ``due``
    (ordinal), ``max_price`` (NaN if unset), ``firm`` and ``cat`` (codes), ``qty`` (scaled open quantity, ``None``
    for a posting that is only scored), ``leading`` (the buyer is a leading firm),
    ``terms`` (share of the article-10 terms offered)."""

    __slots__ = ("lat", "lon", "coslat", "due", "max_price", "firm", "cat", "qty", "leading", "terms")

    @classmethod
    def of(cls, needs: Sequence[Need], firm_code: Mapping[str, int], cat_code: Mapping[str, int],
           qty: np.ndarray | None = None) -> NeedColumns:
        """Return the columns of *needs*, coded with the index's *firm_code* and *cat_code*.

        Examples
        --------
        >>> from graphs.records import NeedRecord
        >>> c = NeedColumns.of([NeedRecord("N1", "B", "steel", 1, date(2020, 3, 20), 45.0, 126.0,
        ...                                terms=("pay_first",))], {"B": 3}, {})
        >>> c.firm.tolist(), c.cat.tolist(), c.due.tolist(), round(float(c.terms[0]), 3)
        ([3], [-1], [737504], 0.333)
        """
        lat, lon, due, price, buyer, cat, kind, terms = fields_of(
            needs, "lat", "lon", "needed_by", "max_unit_price", "buyer", "category", "buyer_kind",
            "terms")
        self = cls()
        self.lat = np.radians(_floats(lat))
        self.lon = np.radians(_floats(lon))
        self.coslat = np.cos(self.lat)
        self.due = np.array(list(map(date.toordinal, due)), dtype=np.int64)
        self.max_price = _floats([np.nan if p is None else float(p) for p in price])
        self.firm = _coded(firm_code, buyer)
        self.cat = _coded(cat_code, cat)
        self.qty = qty
        self.leading = np.array([k == "leading" for k in kind], dtype=bool)
        shares: dict = {}  # per distinct terms: few buyers' terms differ
        self.terms = _floats([shares[t] if t in shares else shares.setdefault(t, terms_share(t))
                              for t in _hashable(terms)])
        return self


class OfferColumns:
    """Columns of offers: ``lat``, ``lon`` (radians), ``coslat`` (the cosine of ``lat``), ``arrival``
    (ordinal of the earliest arrival, ``max(available_from, as_of) + lead_time_days``), ``lead`` (days), ``price``
    (NaN if unset), ``radius`` (km, infinite if unset), ``firm`` and ``goods`` (the code of
    its :func:`price_key`),
    ``qty`` (scaled open quantity, ``None`` for a posting that is only scored), ``sme``
    (the supplier is an SME), ``workers`` (share back, :data:`UNKNOWN_WORKERS_BACK` if
    unknown) and ``live`` (hard rule 7)."""

    __slots__ = ("lat", "lon", "coslat", "arrival", "lead", "price", "radius", "firm", "goods", "qty", "sme",
                 "workers", "live")

    @classmethod
    def of(cls, offers: Sequence[Offer], firm_code: Mapping[str, int], price_code: Mapping[tuple, int],
           *, as_of: date, qty: np.ndarray | None = None, goods: np.ndarray | None = None) -> OfferColumns:
        """Return the columns of *offers* as of a date, coded with the index's codes (firms, and
        price references: :func:`price_key`; ``goods`` gives the price reference codes when the
        caller has them already).

        Examples
        --------
        >>> from graphs.records import OfferRecord
        >>> c = OfferColumns.of([OfferRecord("O1", "S", "steel", 1, date(2020, 3, 1), 45.0, 126.0,
        ...                                  lead_time_days=2)], {"S": 0}, {},
        ...                     as_of=date(2020, 3, 16))
        >>> date.fromordinal(int(c.arrival[0])), c.radius.tolist(), c.workers.tolist()
        (datetime.date(2020, 3, 18), [inf], [0.5])
        """
        (lat, lon, start, lead, price, radius, supplier, kind, workers,
         live) = fields_of(offers, "lat", "lon", "available_from", "lead_time_days", "unit_price",
                         "delivery_radius_km", "supplier", "supplier_kind", "workers_back", "supplier_live")
        lead = np.array(list(map(int, lead)), dtype=np.int64)
        self = cls()
        self.lat = np.radians(_floats(lat))
        self.lon = np.radians(_floats(lon))
        self.coslat = np.cos(self.lat)
        self.arrival = np.maximum(np.array(list(map(date.toordinal, start)), dtype=np.int64),
                                  as_of.toordinal()) + lead
        self.lead = lead.astype(np.float64)
        self.price = _floats([np.nan if p is None else float(p) for p in price])
        self.radius = _floats([np.inf if r is None else float(r) for r in radius])
        self.firm = _coded(firm_code, supplier)
        if goods is None:
            cat, product, unit = fields_of(offers, "category", "product", "unit")
            goods = _coded(price_code, list(map(price_key, cat, product, unit)))
        self.goods = goods
        self.qty = qty
        self.sme = np.array([k == "sme" for k in kind], dtype=bool)
        self.workers = _floats([UNKNOWN_WORKERS_BACK if w is None else float(w) for w in workers])
        self.live = np.array(list(map(bool, live)), dtype=bool)
        return self
