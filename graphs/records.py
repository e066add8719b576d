"""Plain records of the :mod:`graphs` library: its one vocabulary of inputs.

The library never sees the database: the service turns its rows into these
named tuples (the break detection also takes plain dicts with the same keys).

Firm
    ``ref``, ``kind`` (``"leading"`` | ``"sme"``), ``county`` (six-digit GB/T 2260
    code), ``city`` and ``province`` (derived from the county when ``None``),
    ``operating``, ``blockers`` (factor codes), ``county_risk`` (``"low"`` |
    ``"medium"`` | ``"high"``).
Category
    ``code``, ``inputs`` (the categories it is made from), ``substitutes`` (those
    whose offers may meet its needs).
Link
    ``supplier``, ``buyer``, ``category``, ``quantity_per_week``, ``active``; an
    accepted pairing is a link too.
Need, Offer
    A buyer's need and a supplier's offer: what is asked or offered (a ``category``
    and, optionally, a ``product`` of the catalogue; a need's ``accepts``: other
    products the buyer also takes), in which ``unit`` its quantities are counted
    (the product's, else the category's), what accepted pairings cover
    (``covered``, ``committed``), when, where (``lat``/``lon`` of the county,
    ``region`` its code), on what terms. One need record serves the break
    detection (quantity, covered, pending proposals) and the matcher (the open
    quantity, place, price, terms), so the service reads the needs once. Both have
    ``firm`` and ``firm_kind``, the posting's own firm whatever its side.
DeclinedPair
    ``need`` and ``offer`` refs of a pairing that was declined.

:func:`NeedRecord` and :func:`OfferRecord` are not a second shape: they build the
same records in the argument order the matcher's callers have always used (the
place right after the date), with the quantity taken as what remains open.

A firm is *live* when it is operating and its county's risk is not ``high``:
:func:`firm_is_live` states the rule once; :func:`graphs.build.is_live`
applies it to a node of a supply graph (with the what-if overrides).

:mod:`graphs.coerce` turns mappings, tuples and objects with the same fields
into these records, checking them (``as_firm``, ``as_need``...).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

__all__ = [
    "Firm",
    "Category",
    "Link",
    "Need",
    "Offer",
    "DeclinedPair",
    "NeedRecord",
    "OfferRecord",
    "FACTORS",
    "LEVELS",
    "ARTICLE_10_TERMS",
    "firm_is_live",
]

#: Factor codes in the order of the data-package spec (article 10's five first).
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "risk_zone", "other")

#: Owner levels from the lowest to the highest.
LEVELS = ("county", "city", "province")

#: The article-10 commitments a buyer can offer (先订货、先供货、先付款).
ARTICLE_10_TERMS = ("order_first", "supply_first", "pay_first")


class Firm(NamedTuple):
    """A firm as the graph library sees it."""

    ref: str
    kind: str = "sme"
    county: str | None = None
    city: str | None = None
    province: str | None = None
    operating: bool = True
    blockers: tuple = ()
    county_risk: str = "low"


class Category(NamedTuple):
    """A category of the product chain, what it is made from and what may replace it."""

    code: str
    inputs: tuple = ()
    substitutes: tuple = ()


class Link(NamedTuple):
    """An existing supply relationship (or an accepted pairing)."""

    supplier: str
    buyer: str
    category: str
    quantity_per_week: float
    active: bool = True


class Need(NamedTuple):
    """A need of a buyer: what is asked, what accepted pairings cover, where and on what terms.

    The break detection reads the fields up to ``status``; the matcher reads the
    open quantity and every field but ``pending_proposals`` (``region`` only words
    its reasons). ``product`` (or ``None``), ``accepts`` (codes of other products
    the buyer takes) and ``unit`` decide, with ``category``, which offers may meet
    it (:mod:`graphs.matching.candidates`, hard rule 2).
    """

    ref: str
    buyer: str
    category: str
    quantity: float
    needed_by: date
    covered: float = 0.0
    pending_proposals: int = 0
    status: str = "open"
    lat: float | None = None
    lon: float | None = None
    buyer_kind: str = "leading"
    max_unit_price: float | None = None
    terms: tuple = ()
    region: str | None = None
    product: str | None = None
    accepts: tuple = ()
    unit: str | None = None

    @property
    def open_quantity(self) -> float:
        """The quantity not yet covered by accepted pairings."""
        return self.quantity - (self.covered or 0.0)

    @property
    def firm(self) -> str:
        """The posting's own firm (the buyer), as for an :class:`Offer`."""
        return self.buyer

    @property
    def firm_kind(self) -> str:
        """The kind of the posting's own firm (the buyer's), as for an :class:`Offer`."""
        return self.buyer_kind


class Offer(NamedTuple):
    """An offer of a supplier: what is offered, from when, where and on what terms.

    ``supplier_live``: :func:`firm_is_live` of the supplier (the matcher's hard
    rule 7); ``workers_back``: its share of workers back (0..1, ``None`` if unknown);
    ``product`` (or ``None``) and ``unit`` as for a :class:`Need`.
    """

    ref: str
    supplier: str
    category: str
    quantity: float
    available_from: date
    lat: float
    lon: float
    supplier_kind: str = "sme"
    available_until: date | None = None
    lead_time_days: int = 0
    unit_price: float | None = None
    delivery_radius_km: float | None = None
    supplier_live: bool = True
    workers_back: float | None = None
    status: str = "open"
    region: str | None = None
    committed: float = 0.0
    product: str | None = None
    unit: str | None = None

    @property
    def open_quantity(self) -> float:
        """The quantity not yet committed to accepted pairings."""
        return self.quantity - (self.committed or 0.0)

    @property
    def firm(self) -> str:
        """The posting's own firm (the supplier), as for a :class:`Need`."""
        return self.supplier

    @property
    def firm_kind(self) -> str:
        """The kind of the posting's own firm (the supplier's), as for a :class:`Need`."""
        return self.supplier_kind


class DeclinedPair(NamedTuple):
    """A need and an offer (refs) whose pairing was declined: never proposed again."""

    need: str
    offer: str


def NeedRecord(ref: str, firm: str, category: str, quantity: float, needed_by: date,
               lat: float, lon: float, firm_kind: str = "leading",
               max_unit_price: float | None = None, terms: Iterable[str] = (),
               status: str = "open", region: str | None = None, *, product: str | None = None,
               accepts: Iterable[str] = (), unit: str | None = None) -> Need:
    """Return the :class:`Need` of what remains open of a need, in the matcher's argument order.

    *quantity* is the open quantity (nothing is covered yet as far as the
    matcher is concerned); *firm* is the buyer.

    Examples
    --------
    >>> n = NeedRecord("N1", "B", "steel", 10, date(2020, 3, 20), 45.7, 126.6)
    >>> n.buyer, n.open_quantity, n.lat, n.buyer_kind, n.product, n.accepts
    ('B', 10.0, 45.7, 'leading', None, ())
    """
    return Need(ref, firm, category, quantity, needed_by, 0.0, 0, status, lat, lon, firm_kind,
                max_unit_price, terms, region, product, tuple(accepts), unit)


def OfferRecord(ref: str, firm: str, category: str, quantity: float, available_from: date,
                lat: float, lon: float, firm_kind: str = "sme",
                available_until: date | None = None, lead_time_days: int = 0,
                unit_price: float | None = None, delivery_radius_km: float | None = None,
                supplier_live: bool = True, workers_back: float | None = None,
                status: str = "open", region: str | None = None, *, product: str | None = None,
                unit: str | None = None) -> Offer:
    """Return the :class:`Offer` of what remains open of an offer, in the matcher's argument order.

    *quantity* is the open quantity; *firm* is the supplier.

    Examples
    --------
    >>> o = OfferRecord("O1", "S", "steel", 5, date(2020, 3, 1), 45.8, 126.5, lead_time_days=2)
    >>> o.supplier, o.open_quantity, o.lead_time_days
    ('S', 5.0, 2)
    """
    return Offer(ref, firm, category, quantity, available_from, lat, lon, firm_kind,
                 available_until, lead_time_days, unit_price, delivery_radius_km, supplier_live,
                 workers_back, status, region, 0.0, product, unit)


def firm_is_live(operating: Any, county_risk: str | None) -> bool:
    """Return True when a firm is *live*: operating, and its county's risk is not ``high``.

    The one statement of the rule, shared by the break detection, the
    matcher's hard rule 7 (:attr:`Offer.supplier_live`) and
    :func:`graphs.build.is_live`; what-if scenarios pass an ``operating`` or
    a ``county_risk`` overridden by the scenario.

    Examples
    --------
    >>> firm_is_live(True, "medium"), firm_is_live(True, "high"), firm_is_live(False, "low")
    (True, False, False)
    """
    return bool(operating) and county_risk != "high"
