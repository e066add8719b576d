"""Unit cost of a pair, and the integer scales the solver works on.

Unit cost
---------
The unit cost of a pair is a non-negative, deterministic score (lower is better), the sum
of these terms, each multiplied by its weight (see :data:`DEFAULT_WEIGHTS`):

``distance``
    great-circle distance in units of 100 km;
``price``
    the offer's unit price divided by a reference price: the need's ``max_unit_price``
    when set, otherwise the median unit price of the open offers of the offer's
    category; 1.0 when either is unknown; clipped to ``[0, 3]``;
``lead_time``
    the offer's lead time in weeks;
``not_hand_in_hand``
    0 when an SME supplies a leading buyer ("hand in hand", article 10), else 1;
``workers_away``
    the share of the supplier's workers not back (``1 - workers_back``; 0.5 when unknown);
``no_terms``
    the share of the three article-10 terms (``order_first``, ``supply_first``,
    ``pay_first``) the buyer does *not* offer;
``not_supply_first``
    1 when the buyer is an SME that supplies leading firms (its *customers*, given to
    :func:`~graphs.matching.build_index`) and the offer is not one of theirs, else 0:
    article 10's "supply first" (先供货), a leading firm's offers are preferred for the
    needs of the SMEs it already buys from.

The score is rounded to :data:`COST_SCALE` (0.001) and the rounded value is the one the
solver optimises and the one reported, so anyone can re-check the optimum from the
exported candidates.

Scaling
-------
The min-cost-flow solver works on integers: quantities are scaled by
:data:`QUANTITY_SCALE` (to 0.001 of the category's unit, rounded to nearest) and unit
costs by :data:`COST_SCALE`.  Reported quantities are exact multiples of 0.001.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..exceptions import MatchingError
from ..records import ARTICLE_10_TERMS

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .columns import NeedColumns, OfferColumns

__all__ = ["DEFAULT_WEIGHTS", "QUANTITY_SCALE", "COST_SCALE", "SupplyFirst", "supply_first_codes"]

QUANTITY_SCALE = 1000
"""Quantities are solved in integer units of 1/QUANTITY_SCALE of the category's unit."""

COST_SCALE = 1000
"""Unit costs are rounded to 1/COST_SCALE; the solver works on the scaled integers."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "distance": 1.0,
    "price": 2.0,
    "lead_time": 0.5,
    "not_hand_in_hand": 1.0,
    "workers_away": 1.0,
    "no_terms": 1.0,
    "not_supply_first": 1.0,
}
"""Default weights of the unit-cost terms (all non-negative); see the module notes."""

PRICE_RATIO_CAP = 3.0
"""The price term's ratio is clipped to ``[0, PRICE_RATIO_CAP]``."""

UNKNOWN_WORKERS_BACK = 0.5
"""The share of workers back assumed for a supplier that has not reported it."""


def check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Return :data:`DEFAULT_WEIGHTS` overridden by *weights*, checked.

    Raises
    ------
    MatchingError
        On an unknown weight name, or a weight that is negative or not a finite number.

    Examples
    --------
    >>> check_weights({"price": 0})["price"], check_weights(None)["price"]
    (0.0, 2.0)
    >>> check_weights({"colour": 1})
    Traceback (most recent call last):
    ...
    graphs.exceptions.MatchingError: unknown weight(s): colour
    """
    w = dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(DEFAULT_WEIGHTS)
        if unknown:
            raise MatchingError("unknown weight(s): %s" % ", ".join(sorted(unknown)))
        for k, v in weights.items():
            v = float(v)
            if not math.isfinite(v) or v < 0:
                raise MatchingError("weight %s must be a non-negative number" % k)
            w[k] = v
    return w


def scale_quantity(q: float) -> int:
    """A quantity in the solver's integer units (nearest, ties to even like :func:`round`).

    Examples
    --------
    >>> scale_quantity(2.5), scale_quantity(0.0015), scale_quantity(0.0025)
    (2500, 2, 2)
    """
    return int(round(float(q) * QUANTITY_SCALE))


def scale_quantities(quantities: np.ndarray) -> np.ndarray:
    """:func:`scale_quantity` of an array of float quantities (the same integers).

    ``np.rint`` rounds half to even, like :func:`round`.

    Examples
    --------
    >>> import numpy as np
    >>> scale_quantities(np.array([2.5, 0.0015, 0.0025])).tolist()
    [2500, 2, 2]
    """
    return np.rint(quantities * QUANTITY_SCALE).astype(np.int64)


def terms_share(terms: Iterable[str]) -> float:
    """The share of the three article-10 terms among a buyer's *terms*.

    Examples
    --------
    >>> terms_share(("pay_first", "order_first", "other")), terms_share(())
    (0.6666666666666666, 0.0)
    """
    return len(set(terms) & set(ARTICLE_10_TERMS)) / len(ARTICLE_10_TERMS)


class SupplyFirst(NamedTuple):
    """Who supplies first whom, in an index's firm codes: ``smes`` the sorted codes of the SMEs
    that have leading customers, ``pairs`` the sorted keys ``sme * n_firms + customer``."""

    smes: np.ndarray
    pairs: np.ndarray
    n_firms: int


def supply_first_codes(customers: Mapping[str, Iterable[str]] | None,
                       firm_code: Mapping[str, int]) -> SupplyFirst | None:
    """The :class:`SupplyFirst` codes of *customers* (SME ref -> refs of the leading firms that
    buy from it) in the firm codes of an index; ``None`` when there are none.

    Examples
    --------
    >>> sf = supply_first_codes({"S": ["B", "X"], "T": ["Y"]}, {"B": 0, "S": 1, "T": 2})
    >>> sf.smes.tolist(), sf.pairs.tolist(), sf.n_firms
    ([1], [3], 3)
    """
    n = len(firm_code)
    smes, pairs = set(), set()
    for sme, buyers in (customers or {}).items():
        s = firm_code.get(sme)
        if s is None:
            continue
        for b in buyers:
            c = firm_code.get(b)
            if c is not None:
                smes.add(s)
                pairs.add(s * n + c)
    if not smes:
        return None
    return SupplyFirst(np.array(sorted(smes), dtype=np.int64), np.array(sorted(pairs), dtype=np.int64), n)


def not_supply_first(needs: NeedColumns, offers: OfferColumns, ni: np.ndarray, oi: np.ndarray,
                     supply_first: SupplyFirst | None) -> np.ndarray:
    """Whether each pair goes against supply first: the need's buyer has leading customers and
    the offer is none of theirs (boolean array; all False without customers)."""
    if supply_first is None:
        return np.zeros(len(ni), dtype=bool)
    buyer = needs.firm[ni]
    listed = np.isin(buyer, supply_first.smes)
    return listed & ~np.isin(buyer * supply_first.n_firms + offers.firm[oi], supply_first.pairs)


def unit_costs(needs: NeedColumns, offers: OfferColumns, ni: np.ndarray, oi: np.ndarray,
               dist: np.ndarray, *, weights: Mapping[str, float],
               cat_median: np.ndarray, supply_first: SupplyFirst | None = None) -> np.ndarray:
    """Scaled integer unit costs of aligned pairs (see the module notes).

    Parameters
    ----------
    needs, offers : NeedColumns, OfferColumns
        The columns the pairs index into.
    ni, oi : numpy.ndarray of int
        Need and offer rows of each pair (aligned).
    dist : numpy.ndarray
        The pairs' distances (km).
    weights : mapping
        Checked weights (:func:`check_weights`).
    cat_median : numpy.ndarray
        Median open unit price per price reference (``offers.goods``; NaN when none is known).
    supply_first : SupplyFirst, optional
        The index's customers of SMEs (:func:`supply_first_codes`); without, the
        ``not_supply_first`` term is 0.

    Returns
    -------
    numpy.ndarray of int64
        ``round(cost * COST_SCALE)`` of each pair.

    Examples
    --------
    >>> from datetime import date
    >>> from graphs.records import NeedRecord, OfferRecord
    >>> from graphs.matching.columns import NeedColumns, OfferColumns
    >>> firms = {"B": 0, "S": 1}
    >>> n = NeedColumns.of([NeedRecord("N1", "B", "steel", 1, date(2020, 3, 31), 45.0, 126.0)], firms, {})
    >>> o = OfferColumns.of([OfferRecord("O1", "S", "steel", 1, date(2020, 3, 1), 45.0, 126.0,
    ...                                  lead_time_days=7)], firms, {("category", "steel", None): 0},
    ...                     as_of=date(2020, 3, 16))
    >>> pair = np.array([0])
    >>> unit_costs(n, o, pair, pair, np.array([100.0]), weights=DEFAULT_WEIGHTS,
    ...            cat_median=np.array([np.nan])).tolist()  # 1 + 2 + 0.5 + 0 + 0.5 + 1
    [5000]
    """
    w = weights
    ref = needs.max_price[ni]
    ref = np.where(np.isnan(ref), cat_median[offers.goods[oi]], ref)
    ratio = offers.price[oi]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(ratio, ref, out=ratio)
    ratio[~np.isfinite(ratio)] = 1.0
    np.clip(ratio, 0.0, PRICE_RATIO_CAP, out=ratio)
    del ref
    # the terms of one posting alone are weighed once per posting, then taken per pair; the sum is
    # accumulated in place, term after term in the order of the module notes (the same floats as
    # ``a + b + c + ...``), so a run holds few pair-sized arrays at once
    cost = dist / 100.0
    cost *= w["distance"]
    ratio *= w["price"]
    cost += ratio
    del ratio
    cost += (w["lead_time"] * (offers.lead / 7.0))[oi]
    cost += w["not_hand_in_hand"] * ~(offers.sme[oi] & needs.leading[ni])
    cost += (w["workers_away"] * np.clip(1.0 - offers.workers, 0.0, 1.0))[oi]
    cost += (w["no_terms"] * (1.0 - needs.terms))[ni]
    if supply_first is not None:
        cost += w["not_supply_first"] * not_supply_first(needs, offers, ni, oi, supply_first)
    np.maximum(cost, 0.0, out=cost)
    cost *= COST_SCALE
    return np.rint(cost, out=cost).astype(np.int64)
