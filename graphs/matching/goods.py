"""Hard rule 2 with products (``spec/products.md``): whose goods may meet whose.

A posting's *goods* are its category, its product (or ``None``) and the unit its
quantities are counted in (the product's, else the category's); a need's goods also
hold ``accepts``, the other products the buyer takes. An offer may serve a need only
when

(a) both name a product and the offer's product is the need's product or one of its
    ``accepts``; or either names none and the offer's category is the need's
    category or one of its substitutes; and
(b) in every case both are counted in the same unit.

:func:`goods_allowed` states the rule once, on one pair of goods.
:class:`GoodsGroups` applies it to groups: the index groups postings by goods
(:mod:`graphs.matching.index`), so the rule is decided once per pair of groups,
never per pair of postings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

__all__ = ["NeedGoods", "OfferGoods", "goods_allowed", "need_goods", "offer_goods", "GoodsGroups"]


class NeedGoods(NamedTuple):
    """What a need asks for: ``category``, ``product`` (or ``None``), ``accepts``
    (sorted tuple of other product codes) and ``unit``."""

    category: str
    product: str | None
    accepts: tuple
    unit: str | None


class OfferGoods(NamedTuple):
    """What an offer offers: ``category``, ``product`` (or ``None``) and ``unit``."""

    category: str
    product: str | None
    unit: str | None


def need_goods(category: str, product: str | None, accepts: Iterable[str], unit: str | None) -> NeedGoods:
    """The goods of a need (``accepts`` as a sorted tuple without repeats).

    >>> need_goods("IO003", "milk", ["goat milk", "milk", "goat milk"], "t")
    NeedGoods(category='IO003', product='milk', accepts=('goat milk', 'milk'), unit='t')
    """
    return NeedGoods(category, product, tuple(sorted(set(accepts or ()))), unit)


def offer_goods(category: str, product: str | None, unit: str | None) -> OfferGoods:
    """The goods of an offer.

    >>> offer_goods("IO003", None, "t")
    OfferGoods(category='IO003', product=None, unit='t')
    """
    return OfferGoods(category, product, unit)


def goods_allowed(need: NeedGoods, offer: OfferGoods,
                  substitutes: Mapping[str, Iterable[str]] | None = None) -> bool:
    """Whether an offer of these goods may serve a need of those (hard rule 2).

    Parameters
    ----------
    need : NeedGoods
    offer : OfferGoods
    substitutes : mapping, optional
        Category -> categories whose offers can meet a need of that category.

    Examples
    --------
    >>> milk = need_goods("IO003", "raw milk", ["goat milk"], "t")
    >>> goods_allowed(milk, offer_goods("IO003", "raw milk", "t"))
    True
    >>> goods_allowed(milk, offer_goods("IO003", "goat milk", "t"))  # accepted
    True
    >>> goods_allowed(milk, offer_goods("IO003", "live hogs", "t"))  # same category, other product
    False
    >>> goods_allowed(milk, offer_goods("IO003", None, "t"))  # the offer names no product
    True
    >>> goods_allowed(milk, offer_goods("IO003", None, "head"))  # (b) another unit
    False
    >>> goods_allowed(need_goods("IO003", None, (), "t"), offer_goods("IO004", "fish", "t"),
    ...               {"IO003": ["IO004"]})  # a substitute category
    True
    """
    if need.unit != offer.unit:
        return False
    if need.product is not None and offer.product is not None:
        return offer.product == need.product or offer.product in need.accepts
    return offer.category == need.category or offer.category in ((substitutes or {}).get(need.category) or ())


class GoodsGroups:
    """Which groups of offers may serve which groups of needs, decided once per pair of groups.

    Parameters
    ----------
    need_keys : sequence of NeedGoods
        The goods of each need group (group ``k`` has ``need_keys[k]``).
    offer_keys : sequence of OfferGoods
        The goods of each offer group.
    substitutes : mapping
        Category -> categories whose offers can meet a need of that category.

    Attributes
    ----------
    supply : list of tuple of int
        ``supply[k]``: the offer groups that may serve need group ``k``, ascending.
    demand : list of tuple of int
        ``demand[g]``: the need groups offer group ``g`` may serve, ascending.

    Examples
    --------
    >>> g = GoodsGroups([need_goods("c", "milk", (), "t"), need_goods("c", None, (), "t")],
    ...                 [offer_goods("c", "milk", "t"), offer_goods("c", "hogs", "head"),
    ...                  offer_goods("c", None, "t")], {})
    >>> g.supply, g.demand
    ([(0, 2), (0, 2)], [(0, 1), (), (0, 1)])
    """

    def __init__(self, need_keys: Sequence[NeedGoods], offer_keys: Sequence[OfferGoods],
                 substitutes: Mapping[str, Iterable[str]]) -> None:
        self.need_keys = list(need_keys)
        self.offer_keys = list(offer_keys)
        self.substitutes = {c: tuple(sorted(set(ss) - {c})) for c, ss in (substitutes or {}).items()}
        self._by_product: dict[str, list[int]] = {}
        self._by_category: dict[str, list[int]] = {}
        self._unnamed_by_category: dict[str, list[int]] = {}
        for g, key in enumerate(self.offer_keys):
            self._by_category.setdefault(key.category, []).append(g)
            if key.product is None:
                self._unnamed_by_category.setdefault(key.category, []).append(g)
            else:
                self._by_product.setdefault(key.product, []).append(g)
        self.supply = [self.supply_of(key) for key in self.need_keys]
        demand: list[list[int]] = [[] for _ in self.offer_keys]
        for k, groups in enumerate(self.supply):
            for g in groups:
                demand[g].append(k)
        self.demand = [tuple(d) for d in demand]

    def supply_cats(self, category: str) -> tuple:
        """The category and its substitutes: whose offers may meet its needs by category."""
        return (category, *self.substitutes.get(category, ()))

    def supply_of(self, key: NeedGoods) -> tuple:
        """The offer groups that may serve a need of these goods (in the index or not)."""
        groups: set[int] = set()
        if key.product is not None:
            for product in (key.product, *key.accepts):
                groups.update(self._by_product.get(product, ()))
            for c in self.supply_cats(key.category):
                groups.update(self._unnamed_by_category.get(c, ()))
        else:
            for c in self.supply_cats(key.category):
                groups.update(self._by_category.get(c, ()))
        return tuple(sorted(g for g in groups if self.offer_keys[g].unit == key.unit))

    def demand_of(self, key: OfferGoods) -> tuple:
        """The need groups an offer of these goods may serve (in the index or not)."""
        subs = self.substitutes
        return tuple(k for k, need in enumerate(self.need_keys) if goods_allowed(need, key, subs))
