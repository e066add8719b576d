"""Records from whatever the caller holds: :mod:`graphs.records` from mappings, tuples or
objects with the same fields, checked and put in shape (ISO dates parsed, quantities as
floats, city and province derived from the county), raising
:class:`~graphs.exceptions.InvalidRecordError` on a record that cannot be one.

The service's own records are already in shape and pass through without a copy.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from .exceptions import InvalidRecordError
from .records import Category, Firm, Link, Need

__all__ = [
    "as_firm",
    "as_category",
    "as_link",
    "as_need",
    "region_codes",
    "substitutes_map",
]

_R = TypeVar("_R", bound=tuple)


def _coerce(cls: type[_R], record: Any) -> _R:
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


def region_codes(county: str | None) -> tuple[str | None, str | None, str | None]:
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


def as_firm(record: Any) -> Firm:
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
    if (firm.city and firm.province and type(firm.blockers) is tuple
            and type(firm.operating) is bool and firm.county_risk):
        return firm  # already in shape (the service's records): no copy
    blockers = tuple(firm.blockers or ())
    return firm._replace(
        city=firm.city or city,
        province=firm.province or province,
        blockers=blockers,
        operating=bool(firm.operating),
        county_risk=firm.county_risk or "low",
    )


def as_category(record: Any) -> Category:
    """Return *record* as a :class:`Category` (a ``(code, inputs)`` pair also works).

    Examples
    --------
    >>> as_category(("C1", ["C2"]))
    Category(code='C1', inputs=('C2',), substitutes=())
    """
    if isinstance(record, tuple) and not isinstance(record, Category) and len(record) == 2:
        record = Category(record[0], record[1])
    cat = _coerce(Category, record)
    return cat._replace(inputs=tuple(cat.inputs or ()), substitutes=tuple(cat.substitutes or ()))


def as_link(record: Any) -> Link:
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


def as_need(record: Any) -> Need:
    """Return *record* as a :class:`Need`, parsing ISO dates.

    Examples
    --------
    >>> as_need({"ref": "N1", "buyer": "B", "category": "C1", "quantity": 10,
    ...          "needed_by": "2020-03-20", "covered": 4}).needed_by
    datetime.date(2020, 3, 20)
    """
    need = _coerce(Need, record)
    due = need.needed_by
    if (type(due) is date and type(need.quantity) is float and type(need.covered) is float
            and type(need.pending_proposals) is int):
        return need  # already in shape (the service's records): no copy
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


def substitutes_map(categories: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """Return ``{code: substitutes}`` of the categories that have substitutes.

    The ``substitutes`` argument of :func:`graphs.matching.build_index`.

    Examples
    --------
    >>> substitutes_map([Category("steel", ("ore",), ("iron",)), Category("ore")])
    {'steel': ('iron',)}
    """
    out = {}
    for record in categories:
        cat = as_category(record)
        if cat.substitutes:
            out[cat.code] = cat.substitutes
    return out
