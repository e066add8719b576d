"""Plain input records of the :mod:`graphs` library.

The library never sees the database: the service turns its rows into these
records (or into plain dicts with the same keys; every function accepts both).

Firm
    ``ref``, ``kind`` (``"leading"`` | ``"sme"``), ``county`` (six-digit GB/T
    2260 code), ``city`` and ``province`` (derived from the county code when
    ``None``), ``operating`` (bool), ``blockers`` (factor codes the firm
    reports), ``county_risk`` (``"low"`` | ``"medium"`` | ``"high"``).
Category
    ``code`` and ``inputs`` (codes of the categories it is made from).
Link
    ``supplier``, ``buyer`` (firm refs), ``category``, ``quantity_per_week``,
    ``active``; an accepted pairing is passed as a link too.
Need
    ``ref``, ``buyer``, ``category``, ``quantity``, ``needed_by`` (a
    :class:`datetime.date` or ISO text), ``covered`` (quantity covered by
    accepted pairings), ``pending_proposals`` (proposals awaiting acceptance),
    ``status`` (only ``"open"`` needs count).
"""

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from .exceptions import InvalidRecordError

__all__ = [
    "Firm",
    "Category",
    "Link",
    "Need",
    "FACTORS",
    "LEVELS",
    "as_firm",
    "as_category",
    "as_link",
    "as_need",
    "region_codes",
]

#: Factor codes in the order of the data-package spec (article 10's five first).
FACTORS = ("ppe", "labour", "transport", "materials", "funds", "orders", "risk_zone", "other")

#: Owner levels from the lowest to the highest.
LEVELS = ("county", "city", "province")


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
    """A category of the product chain and the categories it is made from."""

    code: str
    inputs: tuple = ()


class Link(NamedTuple):
    """An existing supply relationship (or an accepted pairing)."""

    supplier: str
    buyer: str
    category: str
    quantity_per_week: float
    active: bool = True


class Need(NamedTuple):
    """An open need of a buyer, with what accepted pairings already cover."""

    ref: str
    buyer: str
    category: str
    quantity: float
    needed_by: date
    covered: float = 0.0
    pending_proposals: int = 0
    status: str = "open"


def _coerce(cls, record):
    if isinstance(record, cls):
        return record
    if type(record) in (tuple, list):
        try:
            return cls(*record)
        except TypeError as exc:
            raise InvalidRecordError(f"bad {cls.__name__} record {record!r}: {exc}") from exc
    if isinstance(record, Mapping):
        missing = [f for f in cls._fields if f not in record and f not in cls._field_defaults]
        if missing:
            raise InvalidRecordError(f"{cls.__name__} record lacks {', '.join(missing)}: {record!r}")
        return cls(**{f: record[f] for f in cls._fields if f in record})
    try:
        values = {}
        for f in cls._fields:
            if hasattr(record, f):
                values[f] = getattr(record, f)
            elif f not in cls._field_defaults:
                raise InvalidRecordError(f"{cls.__name__} record lacks {f}: {record!r}")
        return cls(**values)
    except TypeError as exc:  # pragma: no cover - defensive
        raise InvalidRecordError(str(exc)) from exc


def region_codes(county):
    """Return ``(county, city, province)`` six-digit codes for a county code.

    Examples
    --------
    >>> region_codes("230102")
    ('230102', '230100', '230000')
    >>> region_codes(None)
    (None, None, None)
    """
    if not county:
        return (None, None, None)
    county = str(county)
    if len(county) != 6 or not county.isdigit():
        raise InvalidRecordError(f"not a six-digit region code: {county!r}")
    return (county, county[:4] + "00", county[:2] + "0000")


def as_firm(record):
    """Return *record* (a :class:`Firm`, mapping or object) as a :class:`Firm`.

    Missing ``city``/``province`` are derived from the county code and the
    blockers become a tuple.

    Examples
    --------
    >>> as_firm({"ref": "F1", "kind": "leading", "county": "230102"})
    Firm(ref='F1', kind='leading', county='230102', city='230100', province='230000', operating=True, blockers=(), county_risk='low')
    """
    firm = _coerce(Firm, record)
    if firm.kind not in ("leading", "sme"):
        raise InvalidRecordError(f"firm {firm.ref}: kind must be leading or sme, not {firm.kind!r}")
    _, city, province = region_codes(firm.county)
    blockers = tuple(firm.blockers or ())
    return firm._replace(
        city=firm.city or city,
        province=firm.province or province,
        blockers=blockers,
        operating=bool(firm.operating),
        county_risk=firm.county_risk or "low",
    )


def as_category(record):
    """Return *record* as a :class:`Category` (a ``(code, inputs)`` pair also works).

    Examples
    --------
    >>> as_category(("C1", ["C2"]))
    Category(code='C1', inputs=('C2',))
    """
    if isinstance(record, tuple) and not isinstance(record, Category) and len(record) == 2:
        record = Category(record[0], record[1])
    cat = _coerce(Category, record)
    return cat._replace(inputs=tuple(cat.inputs or ()))


def as_link(record):
    """Return *record* as a :class:`Link`, checking its quantity.

    Examples
    --------
    >>> as_link({"supplier": "S", "buyer": "B", "category": "C1", "quantity_per_week": 5})
    Link(supplier='S', buyer='B', category='C1', quantity_per_week=5.0, active=True)
    """
    link = _coerce(Link, record)
    if type(link.quantity_per_week) is float and link.quantity_per_week >= 0 and type(link.active) is bool:
        return link
    try:
        qty = float(link.quantity_per_week)
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(f"link {link.supplier}->{link.buyer}: bad quantity_per_week") from exc
    if qty < 0:
        raise InvalidRecordError(f"link {link.supplier}->{link.buyer}: negative quantity_per_week")
    return link._replace(quantity_per_week=qty, active=bool(link.active))


def as_need(record):
    """Return *record* as a :class:`Need`, parsing ISO dates.

    Examples
    --------
    >>> as_need({"ref": "N1", "buyer": "B", "category": "C1", "quantity": 10,
    ...          "needed_by": "2020-03-20", "covered": 4}).needed_by
    datetime.date(2020, 3, 20)
    """
    need = _coerce(Need, record)
    due = need.needed_by
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due)
        except ValueError as exc:
            raise InvalidRecordError(f"need {need.ref}: bad needed_by {due!r}") from exc
    elif hasattr(due, "date") and callable(due.date):  # a datetime
        due = due.date()
    try:
        return need._replace(
            needed_by=due,
            quantity=float(need.quantity),
            covered=float(need.covered or 0.0),
            pending_proposals=int(need.pending_proposals or 0),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(f"need {need.ref}: bad number") from exc
