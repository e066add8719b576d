"""Help matching (article 10's 帮营销、帮技术、帮管理): SMEs that want help, leading firms that offer it.

A leading firm's :class:`HelpSupply` offers one kind of help (marketing, technology, management,
funds, materials) to at most ``capacity`` SMEs within its ``reach`` (region codes: a county, a
city or the province). An SME's :class:`HelpWant` asks for one kind. A want may be met by a
supply when

1. the kinds are the same;
2. the SME is not the supplying firm;
3. the SME's county lies within the reach (:func:`in_reach`);
4. the pair is not already matched (or declined) before (``taken``).

:func:`match_help` assigns each want at most one supply and each supply at most its capacity:
the most SMEs helped, then the least cost, where a partner already in the same chain (an
existing link or proposal between the two firms, ``chain``) costs :data:`NOT_SAME_CHAIN` less
than any other, and nearer is cheaper (1 per km). It is the matcher's lexicographic optimum
(:func:`graphs.matching.solve_pairings`, one min-cost flow) on these integer data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

import numpy as np

from .matching.geo import haversine_km
from .matching.solve import solve_pairings

__all__ = ["NOT_SAME_CHAIN", "HelpWant", "HelpSupply", "HelpMatch", "in_reach", "match_help"]

#: The cost of a partner not yet in the same chain (above any distance in km within a province).
NOT_SAME_CHAIN = 100_000


class HelpWant(NamedTuple):
    """An SME (``sme`` ref) in ``county`` at ``lat``/``lon`` wants help of ``kind``."""

    sme: str
    kind: str
    county: str
    lat: float
    lon: float


class HelpSupply(NamedTuple):
    """Help offer ``ref`` of ``firm`` at ``lat``/``lon``: ``kind`` for at most ``capacity`` more
    SMEs in the regions of ``reach``."""

    ref: str
    firm: str
    kind: str
    capacity: int
    reach: tuple
    lat: float
    lon: float


class HelpMatch(NamedTuple):
    """A proposed match: the ``sme`` of a want of ``kind`` with help offer ``supply``;
    ``same_chain`` when the two firms already trade, ``distance_km`` between them."""

    sme: str
    kind: str
    supply: str
    same_chain: bool
    distance_km: float


def in_reach(county: str, reach: Iterable[str]) -> bool:
    """Whether a county lies within one of the region codes (county, city or province).

    Examples
    --------
    >>> in_reach("230102", ["230100"]), in_reach("230102", ["230000"]), in_reach("230102", ["230202"])
    (True, True, False)
    >>> in_reach("230102", ["230102"]), in_reach("230102", [])
    (True, False)
    """
    for code in reach:
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        if county.startswith(prefix):
            return True
    return False


def match_help(wants: Iterable[HelpWant], supplies: Iterable[HelpSupply], *,
               chain: Collection[frozenset] = frozenset(),
               taken: Collection[tuple[str, str]] = frozenset()) -> list[HelpMatch]:
    """Match SMEs' wants of help with help offers: the most SMEs helped, the same chain first.

    Parameters
    ----------
    wants : iterable of HelpWant
        One per SME and kind (repeats are dropped).
    supplies : iterable of HelpSupply
        ``capacity``: how many more SMEs each may take.
    chain : collection of frozenset
        ``frozenset({a, b})`` of the firms that already trade (a link or a proposal either way).
    taken : collection of (supply ref, sme ref)
        Pairs matched before (in any state): never matched again.

    Returns
    -------
    list of HelpMatch
        Sorted by supply, then SME.

    Examples
    --------
    >>> wants = [HelpWant("S1", "technology", "230102", 45.7, 126.6),
    ...          HelpWant("S2", "technology", "230102", 45.7, 126.6)]
    >>> supply = HelpSupply("H1", "L1", "technology", 1, ("230100",), 45.8, 126.6)
    >>> [(m.sme, m.same_chain) for m in match_help(wants, [supply], chain={frozenset({"L1", "S2"})})]
    [('S2', True)]
    """
    wants = sorted(set(wants))
    supplies = sorted(s for s in supplies if s.capacity > 0)
    taken = set(taken)
    ni, oi, cost, dist = [], [], [], []
    by_kind: dict[str, list[int]] = {}
    for j, s in enumerate(supplies):
        by_kind.setdefault(s.kind, []).append(j)
    for i, w in enumerate(wants):
        for j in by_kind.get(w.kind, ()):
            s = supplies[j]
            if s.firm == w.sme or (s.ref, w.sme) in taken or not in_reach(w.county, s.reach):
                continue
            d = float(haversine_km(w.lat, w.lon, s.lat, s.lon))
            ni.append(i)
            oi.append(j)
            dist.append(d)
            cost.append((0 if frozenset((s.firm, w.sme)) in chain else NOT_SAME_CHAIN) + int(round(d)))
    if not ni:
        return []
    flow = solve_pairings(np.ones(len(wants), dtype=np.int64), np.array([s.capacity for s in supplies], dtype=np.int64),
                          np.array(ni), np.array(oi), np.array(cost, dtype=np.int64), batch_arcs=len(ni) + 1)
    out = [HelpMatch(wants[i].sme, wants[i].kind, supplies[j].ref, c < NOT_SAME_CHAIN, round(d, 1))
           for i, j, c, d, f in zip(ni, oi, cost, dist, flow.tolist()) if f > 0]
    return sorted(out, key=lambda m: (m.supply, m.sme))
