"""Time to survive and time to recover of a break (issue 13, item 6).

A buyer may state its *days of stock* (on a need or on a link): how long it lasts without the
goods. A supplier may state its *expected restart* date. For a break as of a day:

* the buyer **runs out** on ``as_of + days of stock`` (unknown when it stated none);
* supply **recovers** on the broken supplier's expected restart (``supplier_down``,
  ``supplier_strained``), or, for a buyer's needs (``uncovered_need``, ``chain_gap``), on the
  earliest due date of those needs (the soonest the goods are asked to arrive);
* the break is **critical** when recovery comes after the buyer runs out, and also when a supplier
  that is down states no restart date while the buyer's stock is known (nothing says it comes
  back in time).

:func:`critical_first` orders items critical first, then by days until the buyer runs out
(unknown last), keeping the given order otherwise (e.g. by severity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple, TypeVar

__all__ = ["Survival", "survival", "critical_first"]

T = TypeVar("T")

_SUPPLY_KINDS = ("supplier_down", "supplier_strained")
_NEED_KINDS = ("uncovered_need", "chain_gap")


class Survival(NamedTuple):
    """A break's ``runs_out`` day, ``recovers`` day (either ``None`` when unknown), ``days_left``
    until the buyer runs out (``None`` when unknown; negative when past) and whether it is
    ``critical``."""

    runs_out: date | None
    recovers: date | None
    days_left: int | None
    critical: bool


def survival(kind: str, as_of: date, *, days_of_stock: int | None = None, restart: date | None = None,
             due: date | None = None) -> Survival:
    """When the buyer of a break runs out, when supply recovers, and whether that is too late.

    Parameters
    ----------
    kind : str
        The kind of break.
    as_of : datetime.date
        The day the stock is counted from.
    days_of_stock : int, optional
        The buyer's stated days of stock (the smallest, when several apply).
    restart : datetime.date, optional
        The broken supplier's expected restart (supply breaks).
    due : datetime.date, optional
        The earliest due date of the break's needs (need breaks).

    Returns
    -------
    Survival

    Examples
    --------
    >>> from datetime import date
    >>> d = date(2020, 3, 16)
    >>> survival("supplier_down", d, days_of_stock=10, restart=date(2020, 4, 1)).critical
    True
    >>> survival("supplier_down", d, days_of_stock=10, restart=date(2020, 3, 20))
    Survival(runs_out=datetime.date(2020, 3, 26), recovers=datetime.date(2020, 3, 20), days_left=10, critical=False)
    >>> survival("supplier_down", d, days_of_stock=10).critical  # down, no restart date
    True
    >>> survival("uncovered_need", d, days_of_stock=3, due=date(2020, 3, 18)).critical
    False
    >>> survival("supplier_down", d).critical  # stock unknown
    False
    """
    runs_out = as_of + timedelta(days=int(days_of_stock)) if days_of_stock is not None else None
    if kind in _SUPPLY_KINDS:
        recovers, unknown_is_late = restart, kind == "supplier_down"
    elif kind in _NEED_KINDS:
        recovers, unknown_is_late = due, False
    else:
        recovers, unknown_is_late = None, False
    critical = runs_out is not None and (recovers > runs_out if recovers is not None else unknown_is_late)
    return Survival(runs_out, recovers, None if days_of_stock is None else int(days_of_stock), critical)


def critical_first(items: Iterable[T], of: Callable[[T], Any]) -> list[T]:
    """Items ordered critical first, then by days until the buyer runs out (unknown last); stable.

    ``of(item)`` gives the item's :class:`Survival` (or ``None``: not critical, unknown).

    Examples
    --------
    >>> s = {"a": None, "b": Survival(None, None, 9, False), "c": Survival(None, None, 20, True),
    ...      "d": Survival(None, None, 2, False)}
    >>> critical_first("abcd", s.get)
    ['c', 'd', 'b', 'a']
    """
    def key(item: T) -> tuple:
        s = of(item)
        if s is None:
            return (1, 1, 0)
        return (0 if s.critical else 1, 0 if s.days_left is not None else 1, s.days_left or 0)
    return sorted(items, key=key)
