"""What the matcher returns: allowed pairs (candidates), proposed pairings, unmet needs, a run.

All plain values (refs, floats, dates), so a result can be written to the run
file of ``spec/matching.md`` (:meth:`MatchResult.to_dict`) or stored by the
service without knowing the index it came from.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .costs import COST_SCALE
from .geo import round_km

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .index import MatchIndex

__all__ = ["Candidate", "CandidateList", "ProposedPairing", "UnmetNeed", "MatchResult"]


class Candidate(tuple):
    """One allowed pair: ``(need, offer, unit_cost, distance_km)`` (refs and floats).

    Examples
    --------
    >>> c = Candidate("N1", "O1", 1.25, 14.0)
    >>> c.offer, c.as_dict()["unit_cost"]
    ('O1', 1.25)
    """

    __slots__ = ()
    _fields = ("need", "offer", "unit_cost", "distance_km")

    def __new__(cls, need: str, offer: str, unit_cost: float, distance_km: float) -> Candidate:
        return tuple.__new__(cls, (need, offer, unit_cost, distance_km))

    need = property(lambda self: self[0])
    offer = property(lambda self: self[1])
    unit_cost = property(lambda self: self[2])
    distance_km = property(lambda self: self[3])

    def __repr__(self) -> str:
        return "Candidate(need=%r, offer=%r, unit_cost=%r, distance_km=%r)" % tuple(self)

    def as_dict(self) -> dict[str, Any]:
        """The pair as the run file writes it."""
        return dict(zip(self._fields, self))


class CandidateList:
    """A read-only sequence of :class:`Candidate` backed by numpy arrays.

    ``need_idx``/``offer_idx`` are the pairs' rows in the index's needs and
    offers, ``cost`` the scaled integer unit costs, ``distance`` the distances
    (km, unrounded); a pair becomes a :class:`Candidate` only when read.
    """

    __slots__ = ("index", "need_idx", "offer_idx", "cost", "distance")

    def __init__(self, index: MatchIndex, need_idx: np.ndarray, offer_idx: np.ndarray,
                 cost: np.ndarray, distance: np.ndarray) -> None:
        self.index = index
        self.need_idx = need_idx
        self.offer_idx = offer_idx
        self.cost = cost
        self.distance = distance

    def __len__(self) -> int:
        return int(self.need_idx.shape[0])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return Candidate(
            self.index.needs[int(self.need_idx[i])].ref,
            self.index.offers[int(self.offer_idx[i])].ref,
            int(self.cost[i]) / COST_SCALE,
            round_km(float(self.distance[i])),
        )

    def __iter__(self) -> Iterator[Candidate]:
        needs, offers = self.index.needs, self.index.offers
        for n, o, c, d in zip(
            self.need_idx.tolist(),
            self.offer_idx.tolist(),
            self.cost.tolist(),
            self.distance.tolist(),
        ):
            yield Candidate(needs[n].ref, offers[o].ref, c / COST_SCALE, round_km(d))

    def columns(self, start: int = 0, stop: int | None = None,
                need_labels: Sequence[Any] | None = None,
                offer_labels: Sequence[Any] | None = None) -> tuple[list, list, list, list]:
        """Candidates ``start:stop`` as four plain lists: need refs, offer refs, unit costs,
        distances (km) -- the values iterating yields, without a tuple per pair.

        ``need_labels``/``offer_labels`` (optional) replace the refs: sequences aligned with the
        index's needs/offers (the result's ``needs``/``offers``), e.g. refs already encoded.
        """
        part = slice(start, stop)
        if need_labels is None:
            need_labels = [n.ref for n in self.index.needs]
        if offer_labels is None:
            offer_labels = [o.ref for o in self.index.offers]
        return (
            [need_labels[i] for i in self.need_idx[part].tolist()],
            [offer_labels[i] for i in self.offer_idx[part].tolist()],
            [c / COST_SCALE for c in self.cost[part].tolist()],
            [round(d, 3) for d in self.distance[part].tolist()],  # round_km
        )

    def __repr__(self) -> str:
        return "<%d candidates>" % len(self)


@dataclasses.dataclass(slots=True)
class ProposedPairing:
    """A pairing the run proposes: ``quantity`` of ``offer`` for ``need``."""

    need: str
    offer: str
    quantity: float
    unit_cost: float
    distance_km: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The pairing as plain values (reasons as a list)."""
        return {
            "need": self.need,
            "offer": self.offer,
            "quantity": self.quantity,
            "unit_cost": self.unit_cost,
            "distance_km": self.distance_km,
            "reasons": list(self.reasons),
        }


@dataclasses.dataclass(slots=True)
class UnmetNeed:
    """The part of a need the run could not cover."""

    need: str
    quantity: float


@dataclasses.dataclass(slots=True)
class MatchResult:
    """Plain result of a matching run.

    ``needs``/``offers`` are ``(ref, open_quantity)`` of every open posting considered,
    ``need_goods``/``offer_goods`` what each of them trades, aligned with them:
    ``(category, product, unit, accepts)`` of a need, ``(category, product, unit)`` of an
    offer; ``candidates`` every allowed pair (a sequence of :class:`Candidate`),
    ``pairings`` the proposals, ``unmet`` each need not fully covered, ``objective`` the
    matched quantity and total cost, ``timings`` seconds per phase.
    """

    as_of: _dt.date
    needs: list[tuple[str, float]]
    offers: list[tuple[str, float]]
    candidates: Any
    pairings: list[ProposedPairing]
    unmet: list[UnmetNeed]
    objective: dict[str, float]
    timings: dict[str, float]
    weights: dict[str, float]
    need_goods: list[tuple] = dataclasses.field(default_factory=list)
    offer_goods: list[tuple] = dataclasses.field(default_factory=list)

    def need_entries(self) -> Iterator[dict[str, Any]]:
        """The run file's ``needs``: ref, open quantity, category, product (None), unit, accepts."""
        goods = self.need_goods or [(None, None, None, ())] * len(self.needs)
        for (r, q), (c, p, u, a) in zip(self.needs, goods):
            yield {"ref": r, "open_quantity": q, "category": c, "product": p, "unit": u, "accepts": list(a)}

    def offer_entries(self) -> Iterator[dict[str, Any]]:
        """The run file's ``offers``: ref, open quantity, category, product (None), unit."""
        goods = self.offer_goods or [(None, None, None)] * len(self.offers)
        for (r, q), (c, p, u) in zip(self.offers, goods):
            yield {"ref": r, "open_quantity": q, "category": c, "product": p, "unit": u}

    def to_dict(self) -> dict[str, Any]:
        """The run in the shape of the run file of ``spec/matching.md`` (and ``spec/products.md``)."""
        return {
            "as_of": self.as_of.isoformat(),
            "needs": list(self.need_entries()),
            "offers": list(self.offer_entries()),
            "candidates": [c.as_dict() for c in self.candidates],
            "pairings": [
                {"need": p.need, "offer": p.offer, "quantity": p.quantity,
                 "reasons": list(p.reasons)}
                for p in self.pairings
            ],
            "unmet": [{"need": u.need, "quantity": u.quantity} for u in self.unmet],
            "objective": dict(self.objective),
        }
