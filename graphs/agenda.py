"""The dispatch meeting's agenda: one item per problem, not per edge (issue 12, item 2).

A weekly report lists breaks edge by edge: a stopped supplier with seven buyers is seven lines,
and a chain gap is one line plus a line for every firm below it. The meeting acts on problems:
the supplier's factors are secured once, whoever its buyers are. :func:`dispatch_agenda` turns
the breaks of one report (plain mappings with the report file's fields), the firms, the active
supply links and the overdue article-10 commitments into

- ``items``: the problems, one each, sorted by what is at stake;
- ``matching``: uncovered needs with proposals waiting ("matching in progress", not a broken link);
- ``fragility``: single-source warnings (structural; they never escalate by themselves).

Problems (``AgendaItem.kind``):

``supplier_down`` / ``supplier_strained``
    a supplier with every buyer it fails (its ``supplier_down`` or ``supplier_strained`` breaks)
    and the cascade below it (the ``upstream_break`` rows whose path ends at it). Key ``supplier|S``.
``chain_gap``
    a buyer with no live supplier and no allowed offer for one or more categories, with the
    cascade of firms whose supply runs through it. Key ``chain_gap|B``.
``uncovered_need``
    a buyer's uncovered needs for which offers exist but no proposal waits. Key ``uncovered|B``.
``blocked_firm``
    a firm that is not live or reports blockers and is no supplier of the items above (it fails
    nobody yet: it has no links, or only healthy ones). Key ``firm|F``.
``risk_zone``
    a high-risk county's stop: every down supplier and every firm asking for help there whose only
    factor is ``risk_zone`` (article 2: the county's risk level is the one problem; what it stops
    and whom it fails are listed together, ``members`` naming the firms). Key ``risk_zone|county``;
    ``firm`` is the county's code. Base level ``city``: a county does not set its own risk.
``commitment``
    the overdue article-10 commitments of one leading firm towards one supplier; an item of the
    buyer's county (spec/article10.md). Key ``commitment|B|S``.

What is at stake (``stake``), one measure for every unit of quantity
--------------------------------------------------------------------
The stake of an item counts, in *input-weeks*, the weekly inputs that the problem takes from
firms, each firm weighted by its size class (``weights``: a leading firm 3, an SME 1)::

    stake = w(firm) * own
          + sum over the buyers it fails     w(B) * share(B, c) * KIND_SHARE[kind]
          + sum over the cascade below it    w(B) * share(B, c) / tier

``share(B, c)`` is the failing supply edge's ``quantity`` over the buyer's whole weekly supply in
``c`` (all its active links; 1 when unknown), so 40 t of 50 t of coal and 600 of 750 pieces of
components both count 0.8. One unit of stake is an SME losing its whole weekly supply of one
input. ``own`` is 1 for a firm that is not live and 0.5 for a live firm with blockers (it is a
firm asking for help, whether or not it has buyers); ``KIND_SHARE`` counts a strained supply and
an uncovered need (offers exist) at half. A chain gap and an uncovered need count share 1 of the
buyer's supply in the category. An overdue commitment counts ``w(S) * min(1, days_overdue / 60)``:
an SME unpaid for sixty days (the 2020 Regulations' limit) weighs as much as a lost input.

Owner and level: the firm's county owns the item (the supplier's county can secure its factors;
the buyer's county for a commitment and for needs); base level ``county`` (``province`` for a
chain gap, as for its break; ``city`` for a risk zone), raised by :func:`graphs.idle_level` over
the item's idle weeks and by the hand escalations of its breaks (``manual_steps``). As for a break
(spec: automatic escalation counts idle weeks only), a week of the item's run in which staff acted
on it does not count: an item of breaks takes the idle weeks of its longest-idle break (its
``idle_weeks``; ``weeks_open`` when a record has none), and no more than its run less the weeks in
which staff acted on the item itself through the agenda (``acted``: a decision, an owner, a due
date, an outcome); an overdue commitment and a firm asking for help, which have no workflow of
their own, count only the latter. ``regions`` lists the counties of the item's firms and of the buyers it
fails directly (the firms of a cascade see it through their own breaks: a county is not handed
every problem upstream of its firms).
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .coerce import as_firm, region_codes
from .records import FACTORS, LEVELS, firm_is_live
from .visibility import idle_level

__all__ = [
    "AGENDA_KINDS",
    "KIND_SHARE",
    "FIRM_WEIGHTS",
    "Hit",
    "AgendaItem",
    "MatchingEntry",
    "Fragility",
    "Agenda",
    "dispatch_agenda",
    "input_totals",
    "agenda_stake",
]

#: The kinds of agenda item, in the order a tie on stake is broken.
AGENDA_KINDS = ("risk_zone", "supplier_down", "chain_gap", "supplier_strained", "uncovered_need", "commitment",
                "blocked_firm")

#: How much of a failing edge's share counts as lost, by break kind.
KIND_SHARE = {"supplier_down": 1.0, "chain_gap": 1.0, "upstream_break": 1.0,
              "supplier_strained": 0.5, "uncovered_need": 0.5}

#: Weight of a firm in the stake by its size class.
FIRM_WEIGHTS = {"leading": 3.0, "sme": 1.0}

_COMMITMENT_FACTOR = {"order_first": "orders", "pay_first": "funds", "payment_60d": "funds"}


class Hit(NamedTuple):
    """A buyer failed by a problem: one break of the report."""

    kind: str
    buyer: str
    category: str
    quantity: float
    share: float
    tier: int
    path: tuple
    weeks_open: int
    idle_weeks: int = 1  # weeks of the break's run in which staff did not act on it


class AgendaItem(NamedTuple):
    """One problem for the dispatch meeting."""

    key: str
    kind: str
    firm: str
    county: str | None
    categories: tuple
    factors: tuple
    level: str
    owner_region: str | None
    weeks_open: int
    stake: float
    buyers: tuple  # Hit of the firms it fails directly
    cascade: tuple  # Hit of the firms below (upstream breaks), by tier
    commitments: tuple  # the overdue commitments (mappings) of a commitment item
    regions: tuple  # counties of its firms and of the buyers it fails directly, sorted
    members: tuple = ()  # the firms of a risk_zone item
    idle_weeks: int = 1  # weeks of its run in which staff did not act on it (what raised its level)


class MatchingEntry(NamedTuple):
    """An uncovered need with proposals waiting: matching in progress."""

    buyer: str
    category: str
    quantity: float
    pending_proposals: int
    county: str | None
    weeks_open: int


class Fragility(NamedTuple):
    """A leading buyer with a single live supplier in a category (a warning, never escalated)."""

    buyer: str
    supplier: str
    category: str
    quantity: float
    county: str | None
    weeks_open: int


class Agenda(NamedTuple):
    """Result of :func:`dispatch_agenda`."""

    items: list
    matching: list
    fragility: list


def input_totals(links: Iterable[Any]) -> dict[tuple[str, str], float]:
    """Return ``{(buyer, category): weekly quantity}`` over the active links.

    Examples
    --------
    >>> from graphs.records import Link
    >>> input_totals([Link("S1", "B", "c", 40.0), Link("S2", "B", "c", 10.0), Link("S3", "B", "c", 5.0, False)])
    {('B', 'c'): 50.0}
    """
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for link in links:
        if isinstance(link, Mapping):
            if link.get("active") is not False:
                totals[(link["buyer"], link["category"])] += float(link["quantity_per_week"])
        elif getattr(link, "active", True) is not False:
            totals[(link.buyer, link.category)] += float(link.quantity_per_week)
    return dict(totals)


def agenda_stake(own: float, firm_weight: float, hits: Iterable[tuple[float, float, float]]) -> float:
    """Return the stake of an item: ``firm_weight * own`` plus ``weight * share * factor`` of each hit.

    Examples
    --------
    >>> agenda_stake(1.0, 1.0, [(3.0, 0.8, 1.0), (1.0, 1.0, 0.5)])
    3.9
    """
    return round(firm_weight * own + sum(w * s * f for w, s, f in hits), 4)


def _level(base: str, idle_weeks: int, steps: int = 0) -> str:
    auto = idle_level(base, idle_weeks)
    return LEVELS[min(LEVELS.index(auto) + max(steps, 0), len(LEVELS) - 1)]


def _idle_weeks(acted: Mapping[str, Iterable[str]], weeks: tuple, key: str, weeks_open: int) -> int:
    """The weeks of an item's run (the first ``weeks_open`` of ``weeks``) in which staff did not act
    on it through the agenda. The report's own week counts as idle, as it did when the report was
    written: an action this week lowers the level from the next report on (without ``weeks``,
    every week in ``acted`` counts)."""
    done = set(acted.get(key, ()))
    before = weeks[1:weeks_open] if weeks else ()
    return max(weeks_open - (len(done & set(before)) if weeks else len(done)), 0)


def _region(county: str | None, level: str) -> str | None:
    return region_codes(county)[LEVELS.index(level)] if county else None


def _ordered(factors: Iterable[str]) -> tuple:
    seen = set(factors)
    return tuple(f for f in FACTORS if f in seen) + tuple(sorted(seen - set(FACTORS)))


def _firm_factors(firm) -> tuple:
    factors = set(firm.blockers or ())
    if firm.county_risk == "high":
        factors.add("risk_zone")
    if not factors and not firm_is_live(firm.operating, firm.county_risk):
        factors.add("other")
    return _ordered(factors)


def dispatch_agenda(breaks: Iterable[Any], firms: Iterable[Any], links: Iterable[Any] = (),
                    commitments: Iterable[Mapping] = (), blocked_firms: Iterable[Mapping] | None = None, *,
                    weights: Mapping[str, float] | None = None, acted: Mapping[str, Iterable[str]] | None = None,
                    weeks: Iterable[str] = ()) -> Agenda:
    """Return the agenda of one report: its problems, matching in progress and fragility.

    Parameters
    ----------
    breaks : iterable of mappings (or objects)
        The report's open breaks: ``kind``, ``buyer``, ``supplier``, ``category``, ``quantity``,
        ``factors``, ``tier``, ``path``, ``weeks_open``, optionally ``pending_proposals``,
        ``manual_steps`` and ``idle_weeks``.
    firms : iterable of :class:`graphs.Firm` (or mappings)
        Every firm the breaks name, and the firms asking for help.
    links : iterable of :class:`graphs.Link` (or mappings)
        The active supply links, for each buyer's whole weekly supply per category.
    commitments : iterable of mappings
        The report's overdue commitments (``term``, ``buyer``, ``supplier``, ``days_overdue``,
        ``owner_region``, ``weeks_open``...).
    blocked_firms : iterable of mappings, optional
        The report's ``blocked_firms`` (``firm``, ``weeks_open``); derived from ``firms`` when None.
    weights : mapping, optional
        Weight of a firm by kind (default :data:`FIRM_WEIGHTS`).
    acted : mapping, optional
        Item key -> the weeks in which staff acted on the item through the agenda.
    weeks : iterable of str, optional
        The stored reports' weeks, this report's first, then back in time: an item's run is the
        first ``weeks_open`` of them; an action in this report's week counts from the next report
        on (without ``weeks`` every week in ``acted`` counts).

    Returns
    -------
    Agenda
        ``items`` by stake (highest first, then kind and key), ``matching`` and ``fragility``.

    Examples
    --------
    >>> from graphs.records import Firm, Link
    >>> firms = [Firm("S", "sme", "230102", operating=False), Firm("B", "leading", "230102"),
    ...          Firm("C", "sme", "230103")]
    >>> brk = [{"kind": "supplier_down", "buyer": "B", "supplier": "S", "category": "c", "quantity": 40.0,
    ...         "factors": ["other"], "tier": 1, "path": ["B", "S"], "weeks_open": 1},
    ...        {"kind": "upstream_break", "buyer": "C", "supplier": "B", "category": "d", "quantity": 5.0,
    ...         "factors": ["other"], "tier": 2, "path": ["C", "B", "S"], "weeks_open": 1}]
    >>> agenda = dispatch_agenda(brk, firms, [Link("S", "B", "c", 40.0), Link("X", "B", "c", 10.0),
    ...                                       Link("B", "C", "d", 5.0)])
    >>> [(i.key, i.stake, i.level, i.owner_region, i.regions) for i in agenda.items]
    [('supplier|S', 3.9, 'county', '230102', ('230102',))]
    """
    w = dict(FIRM_WEIGHTS if weights is None else weights)
    acted, weeks = acted or {}, tuple(weeks)
    idle_of = functools.partial(_idle_weeks, acted, weeks)
    info = {f.ref: f for f in map(as_firm, firms)}
    totals = input_totals(links)

    def weight(ref):
        f = info.get(ref)
        return w.get(f.kind, 1.0) if f is not None else 1.0

    def county(ref):
        f = info.get(ref)
        return f.county if f is not None else None

    def share(kind, buyer, category, quantity):
        if kind in ("chain_gap", "uncovered_need"):
            return 1.0
        total = totals.get((buyer, category))
        return min(1.0, quantity / total) if total else 1.0

    direct: dict[str, list] = defaultdict(list)
    below: dict[str, list] = defaultdict(list)
    steps: dict[str, int] = defaultdict(int)
    factors: dict[str, set] = defaultdict(set)
    matching, fragility = [], []
    for b in breaks:
        get = b.get if isinstance(b, Mapping) else functools.partial(getattr, b)  # read fields the same way
        kind, buyer, supplier, category = get("kind", None), get("buyer", None), get("supplier", None), \
            get("category", None)
        path = tuple(get("path", None) or ((buyer, supplier) if supplier else (buyer,)))
        tier, run = int(get("tier", None) or 1), int(get("weeks_open", None) or 1)
        idle = get("idle_weeks", None)
        quantity = float(get("quantity", None))
        hit = Hit(kind, buyer, category, quantity, round(share(kind, buyer, category, quantity), 4), tier, path,
                  run, run if idle is None else int(idle))
        if kind == "single_source":
            fragility.append(Fragility(buyer, supplier, category, quantity, county(buyer), run))
            continue
        pending = get("pending_proposals", None) or 0
        if kind == "uncovered_need" and pending > 0:
            matching.append(MatchingEntry(buyer, category, quantity, int(pending), county(buyer), run))
            continue
        if kind in ("supplier_down", "supplier_strained"):
            key = f"supplier|{supplier}"
        elif kind == "chain_gap":
            key = f"chain_gap|{buyer}"
        elif kind == "uncovered_need":
            key = f"uncovered|{buyer}"
        elif kind == "upstream_break":
            # a supplier_down root ends the path at the down supplier (tier = len - 1); a chain-gap
            # root ends it at the firm with the gap (tier = len)
            root = path[-1]
            key = f"supplier|{root}" if tier == len(path) - 1 else f"chain_gap|{root}"
            below[key].append(hit)  # its factors are every root's reached at its tier: not this item's
            continue
        else:
            continue
        direct[key].append(hit)
        steps[key] = max(steps[key], int(get("manual_steps", None) or 0))
        factors[key].update(get("factors", None) or ())

    items = []
    suppliers = set()
    for key, hits in direct.items():
        kind_word, firm = key.split("|", 1)
        if kind_word == "supplier":
            suppliers.add(firm)
            live = not any(h.kind == "supplier_down" for h in hits)  # as the report saw it, not as the firm is now
            kind, own, base = ("supplier_strained" if live else "supplier_down"), (0.5 if live else 1.0), "county"
            weighted = [(weight(h.buyer), h.share, KIND_SHARE[h.kind]) for h in hits]
        else:
            kind = "chain_gap" if kind_word == "chain_gap" else "uncovered_need"
            own, base = 0.0, ("province" if kind == "chain_gap" else "county")
            weighted = [(weight(h.buyer), h.share, KIND_SHARE[h.kind]) for h in hits]
        cascade = sorted(below.pop(key, ()), key=lambda h: (h.tier, h.path, h.category))
        weighted += [(weight(h.buyer), h.share, 1.0 / h.tier) for h in cascade]
        run = max(h.weeks_open for h in hits)
        idle = min(max(h.idle_weeks for h in hits), idle_of(key, run))
        level = _level(base, idle, steps[key])
        firms_on = {firm} | {h.buyer for h in hits}
        items.append(AgendaItem(
            key, kind, firm, county(firm), tuple(sorted({h.category for h in hits})), _ordered(factors[key]),
            level, _region(county(firm), level), run, agenda_stake(own, weight(firm), weighted),
            tuple(sorted(hits, key=lambda h: (h.buyer, h.category))), tuple(cascade), (),
            tuple(sorted({county(r) for r in firms_on} - {None})), idle_weeks=idle))

    items.extend(_blocked_items(info, blocked_firms, suppliers, weight, idle_of))
    items = _risk_zones(items, idle_of)
    items.extend(_commitment_items(commitments, weight, county, idle_of))
    rank = {k: i for i, k in enumerate(AGENDA_KINDS)}
    items.sort(key=lambda i: (-i.stake, rank[i.kind], i.key))
    matching.sort(key=lambda m: (-weight(m.buyer), -m.weeks_open, m.buyer, m.category))
    fragility.sort(key=lambda x: (-x.weeks_open, x.buyer, x.category))
    return Agenda(items, matching, fragility)


def _commitment_items(commitments, weight, county, idle_of):
    """One item per (buyer, supplier) of the overdue commitments."""
    groups: dict[tuple, list] = defaultdict(list)
    for c in commitments:
        groups[(c["buyer"], c["supplier"])].append(dict(c))
    out = []
    for (buyer, supplier), cs in groups.items():
        cs.sort(key=lambda c: (-int(c.get("days_overdue") or 0), c.get("link") or "", c.get("delivery") or ""))
        weeks = max(int(c.get("weeks_open") or 1) for c in cs)
        key = f"commitment|{buyer}|{supplier}"
        idle = idle_of(key, weeks)
        level = _level("county", idle)
        home = cs[0].get("owner_region") or county(buyer)
        days = max(int(c.get("days_overdue") or 0) for c in cs)
        regions = {home, cs[0].get("supplier_region") or county(supplier)} - {None}
        out.append(AgendaItem(
            key, "commitment", buyer, home, (),
            _ordered(_COMMITMENT_FACTOR.get(c["term"], "other") for c in cs), level, _region(home, level), weeks,
            agenda_stake(0.0, 0.0, [(weight(supplier), min(1.0, days / 60.0), 1.0)]), (), (), tuple(cs),
            tuple(sorted(regions)), idle_weeks=idle))
    return out


def _blocked_items(info, blocked_firms, suppliers, weight, idle_of):
    """One item per firm asking for help that is no supplier item's firm."""
    if blocked_firms is None:
        blocked = [{"firm": f.ref, "weeks_open": 1} for f in info.values()
                   if not firm_is_live(f.operating, f.county_risk) or f.blockers]
    else:
        blocked = [dict(x) for x in blocked_firms]
    out = []
    for x in blocked:
        ref = x["firm"]
        f = info.get(ref)
        if ref in suppliers or f is None:
            continue
        if "factors" in x and "operating" in x:  # the report's own record: the firm as it was that week
            factors, home = _ordered(x["factors"]), x.get("county") or f.county
            live = bool(x["operating"]) and "risk_zone" not in factors
        else:
            factors, home, live = _firm_factors(f), f.county, firm_is_live(f.operating, f.county_risk)
        weeks = int(x.get("weeks_open") or 1)
        idle = idle_of(f"firm|{ref}", weeks)
        level = _level("county", idle)
        out.append(AgendaItem(
            f"firm|{ref}", "blocked_firm", ref, home, (), factors, level, _region(home, level),
            weeks, agenda_stake(0.5 if live else 1.0, weight(ref), ()), (), (), (),
            (home,) if home else (), idle_weeks=idle))
    return out


def _risk_zones(items, idle_of):
    """Down suppliers and firms asking for help stopped by their county's high risk alone, one item a county."""
    zones: dict[str, list] = defaultdict(list)
    out = []
    for i in items:
        if i.kind in ("supplier_down", "blocked_firm") and i.factors == ("risk_zone",) and i.county:
            zones[i.county].append(i)
        else:
            out.append(i)
    for code, members in zones.items():
        weeks = max(i.weeks_open for i in members)
        idle = min(max(i.idle_weeks for i in members), idle_of(f"risk_zone|{code}", weeks))
        level = _level("city", idle)
        out.append(AgendaItem(
            f"risk_zone|{code}", "risk_zone", code, code,
            tuple(sorted({c for i in members for c in i.categories})), ("risk_zone",), level, _region(code, level),
            weeks, round(sum(i.stake for i in members), 4),
            tuple(sorted((h for i in members for h in i.buyers), key=lambda h: (h.buyer, h.category, h.path))),
            tuple(sorted((h for i in members for h in i.cascade), key=lambda h: (h.tier, h.path, h.category))), (),
            tuple(sorted({c for i in members for c in i.regions})), tuple(sorted(i.firm for i in members)),
            idle_weeks=idle))
    return out
