"""Who sees a break and which firms ask for help (chain-breaks.md, "Who sees it", "Firms asking for help").

Two pure pieces over plain records, no weeks stored, no database:

* :func:`path_regions`: the six-digit county codes of the firms on a break's
  ``path``, sorted, each once (the break's ``regions``: staff of any of them see it);
* :func:`blocked_firms`: every firm that is not live or reports blockers, linked
  or not, with its factors (as for ``supplier_down``), the weeks it has been
  asking (given the previous report's weeks) and how many breaks pass through it.

And the idle-week rule of automatic escalation: :func:`idle_level` raises a
base level by ``floor((idle_weeks - 1) / 2)`` steps, where only the weeks in
which staff did not act on the break count.
"""

from collections import Counter
from itertools import chain, islice
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .coerce import as_firm
from .detection import order_factors
from .records import LEVELS, Firm, firm_is_live

__all__ = ["BlockedFirm", "path_regions", "firm_factors", "blocked_firms", "idle_level"]


class BlockedFirm(NamedTuple):
    """A firm asking for help: not live, or reporting blockers (one entry of ``blocked_firms``)."""

    firm: str
    county: str | None
    operating: bool
    factors: tuple
    weeks_open: int
    breaks: int

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as the report file's JSON object."""
        return {"firm": self.firm, "county": self.county, "operating": self.operating,
                "factors": list(self.factors), "weeks_open": self.weeks_open, "breaks": self.breaks}


def path_regions(path: Sequence[str], county_of: Mapping[str, str | None]) -> tuple[str, ...]:
    """Return the county codes of the firms on *path*, sorted, each once (firms without one left out).

    Examples
    --------
    >>> path_regions(["B", "S", "X"], {"B": "230102", "S": "230103", "X": "230102"})
    ('230102', '230103')
    >>> path_regions(["B"], {"B": "230102"})
    ('230102',)
    """
    get = county_of.get
    if len(path) == 2:  # a direct break (kinds 1, 2, 5): no set to build
        a, b = get(path[0]), get(path[1])
        if a and b:
            return (a,) if a == b else ((a, b) if a < b else (b, a))
    found = set(map(get, path))
    found.discard(None)
    found.discard("")
    return tuple(sorted(found))


def firm_factors(blockers: Iterable[str], high_risk: bool) -> tuple[str, ...]:
    """Return the factors of a firm that is not live, as for ``supplier_down``: its blockers, plus
    ``risk_zone`` when its county is high-risk, ``other`` when that leaves none.

    For a live firm with blockers (not high-risk) this is its blockers.

    Examples
    --------
    >>> firm_factors(["funds", "labour"], True)
    ('labour', 'funds', 'risk_zone')
    >>> firm_factors([], False)
    ('other',)
    """
    return order_factors(tuple(blockers) + (("risk_zone",) if high_risk else ())) or ("other",)


def blocked_firms(firms: Iterable[Any], paths: Iterable[Iterable[str]],
                  previous_weeks: Mapping[str, int] | None = None) -> list[BlockedFirm]:
    """Return every firm that is not live or reports blockers, whether or not it has links, by ref.

    Parameters
    ----------
    firms : iterable of Firm or mapping
        Firm records (:class:`graphs.records.Firm`, or mappings with its keys).
    paths : iterable of sequences of str
        The ``path`` of each break of the report; a firm's ``breaks`` counts
        the paths it is on other than as their first firm (the buyer).
    previous_weeks : mapping, optional
        ``ref -> weeks_open`` of the firms of the previous stored report's
        ``blocked_firms``; a firm in it continues its run, any other starts at 1.

    Examples
    --------
    >>> firms = [{"ref": "A", "county": "230102", "operating": False},
    ...          {"ref": "B", "county": "230102", "blockers": ["labour"]},
    ...          {"ref": "C", "county": "230103", "county_risk": "high"},
    ...          {"ref": "D", "county": "230103"}]
    >>> for f in blocked_firms(firms, [["D", "A"], ["B", "A"]], {"B": 2}):
    ...     print(f.firm, f.operating, f.factors, f.weeks_open, f.breaks)
    A False ('other',) 1 2
    B True ('labour',) 3 0
    C True ('risk_zone',) 1 0
    """
    previous_weeks = previous_weeks or {}
    # a path never passes the same firm twice (chain-breaks.md), so its firms after the buyer are
    # counted as they come (Counter counts an iterable in C: ~10^5 paths at a province's scale)
    on_path = Counter(chain.from_iterable(islice(path, 1, None) for path in paths))
    out = []
    for raw in firms:
        f = raw if type(raw) is Firm else as_firm(raw)
        high = f.county_risk == "high"
        if firm_is_live(f.operating, f.county_risk) and not f.blockers:
            continue
        out.append(BlockedFirm(f.ref, f.county, bool(f.operating), firm_factors(f.blockers, high),
                               previous_weeks.get(f.ref, 0) + 1, on_path.get(f.ref, 0)))
    out.sort(key=lambda b: b.firm)
    return out


def idle_level(base: str, idle_weeks: int) -> str:
    """Return *base* raised by ``floor((idle_weeks - 1) / 2)`` steps, at most ``province``.

    *idle_weeks* counts the weeks of the break's run in which staff did not act on
    it (assign, note, escalate by hand); with no staff action it is ``weeks_open``
    and this is :func:`graphs.breaks.escalated_level`. Fewer than one idle week
    leaves the base level.

    Examples
    --------
    >>> [idle_level("county", w) for w in range(0, 6)]
    ['county', 'county', 'county', 'city', 'city', 'province']
    """
    steps = max(idle_weeks - 1, 0) // 2
    return LEVELS[min(LEVELS.index(base) + steps, len(LEVELS) - 1)]
