"""A region's agenda of a week as plain dicts: items with names, units, owners, due dates,
decisions and their log, last week's decisions, and the week-over-week summary."""
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from graphs import LEVELS, AgendaItem
from graphs.survival import critical_first
from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.models import Category, Firm, Link, Product, Region, User, WeeklyReport
from matchmaker.rules import AGENDA_SORTS
from matchmaker.models.agenda import AgendaEntry, AgendaEvent
from matchmaker.models.report import Break, BreakEvent, break_key
from matchmaker.models.region import region_prefix
from matchmaker.services.agenda.build import (agenda_region, departments_for, entries_of, firm_names, next_meeting,
                                              previous_report, region_items, report_agenda)
from matchmaker.services.auth import in_scope
from matchmaker.services.reports.read import KIND_RANK, get_report, latest_report_id, require_reader
from matchmaker.services.support.errors import NotFound
from matchmaker.services.survival import survival_by_break

__all__ = ["CASCADE_SHOWN", "discuss_stake", "region_agenda", "agenda_item", "agenda_summary", "item_log", "find_item",
           "decision_of", "item_breaks", "escalated_by_hand", "closed_breaks"]

CASCADE_SHOWN = 5  # firms of an item's cascade named on the agenda (the rest counted)


def _units(items) -> dict:
    """(supplier, buyer, category) and category -> unit code of the quantities the items show."""
    cats = {c for i in items for h in i.buyers + i.cascade for c in (h.category,)}
    units = dict(db.session.execute(sa.select(Category.code, Category.unit).where(Category.code.in_(cats))).all()) \
        if cats else {}
    buyers = {h.buyer for i in items for h in i.buyers + i.cascade}
    if buyers:
        sup, buy = aliased(Firm), aliased(Firm)
        rows = db.session.execute(
            sa.select(sup.ref, buy.ref, Link.category_code, Product.unit)
            .join(sup, Link.supplier_id == sup.id).join(buy, Link.buyer_id == buy.id)
            .join(Product, Link.product_code == Product.code)
            .where(Link.active.is_(True), buy.ref.in_(list(buyers)[:5000]))).all()
        for s, b, c, u in rows:
            units[(s, b, c)] = u
    return units


def _hit(h, names, units, regions=None):
    supplier = h.path[1] if len(h.path) > 1 else None
    return {"kind": h.kind, "buyer": h.buyer, "buyer_name": names.get(h.buyer), "supplier": supplier,
            "category": h.category, "quantity": h.quantity,
            "unit": units.get((supplier, h.buyer, h.category)) or units.get(h.category),
            "share": h.share, "tier": h.tier, "path": list(h.path), "weeks_open": h.weeks_open}


def _state(item, before: dict, by_hand: frozenset = frozenset()) -> str:
    """new, continuing, or escalated: its level rose since the previous week, or one of its breaks
    went up by hand this week (`by_hand`, see :func:`escalated_by_hand`)."""
    if item.key in by_hand:
        return "escalated"
    prev = before.get(item.key)
    if prev is None:
        return "new"
    return "escalated" if LEVELS.index(item.level) > LEVELS.index(prev.level) else "continuing"


#: A break's kind -> (the agenda item's key word, whether the item is its supplier's rather than its buyer's)
_ITEM_OF_BREAK = {"supplier_down": ("supplier", True), "supplier_strained": ("supplier", True),
                  "chain_gap": ("chain_gap", False), "uncovered_need": ("uncovered", False)}


def escalated_by_hand(report: WeeklyReport, items: Iterable[AgendaItem]) -> frozenset:
    """Keys of the items one of whose breaks staff escalated by hand in the report's week (article 6:
    the lower level could not solve it): a down or strained supplier's item (or the risk zone that
    holds the supplier), a buyer's chain gap or uncovered need."""
    keys = db.session.scalars(sa.select(BreakEvent.key).distinct().where(
        BreakEvent.week == report.week, BreakEvent.action == "escalated")).all()
    if not keys:
        return frozenset()
    hit = set()
    for k in keys:
        kind, buyer, _category, supplier = k.split("|", 3)
        if kind in _ITEM_OF_BREAK:
            word, by_supplier = _ITEM_OF_BREAK[kind]
            hit.add(f"{word}|{supplier if by_supplier else buyer}")
    suppliers = {k.split("|", 1)[1] for k in hit if k.startswith("supplier|")}
    return frozenset(i.key for i in items
                     if i.key in hit or (i.kind == "risk_zone" and suppliers.intersection(i.members)))


def agenda_item(item: AgendaItem, report: WeeklyReport, names: dict, units: dict, users: dict,
                entry: AgendaEntry | None, before: dict, last_entry: AgendaEntry | None = None,
                by_hand: frozenset = frozenset()) -> dict:
    """One agenda item as a dict for pages and handouts."""
    default_deps = departments_for(item.factors)
    cascade = [_hit(h, names, units) for h in item.cascade[:CASCADE_SHOWN]]
    d = {"key": item.key, "kind": item.kind, "firm": item.firm, "firm_name": names.get(item.firm),
         "members": [{"firm": r, "name": names.get(r)} for r in item.members],
         "county": item.county, "owner_region": item.owner_region,
         "owner_region_name": names.get(item.owner_region), "level": item.level,
         "categories": list(item.categories), "factors": list(item.factors), "weeks_open": item.weeks_open,
         "stake": item.stake, "regions": list(item.regions), "state": _state(item, before, by_hand),
         "buyers": [_hit(h, names, units) for h in item.buyers], "cascade": cascade,
         "cascade_count": len(item.cascade), "commitments": [dict(c) for c in item.commitments],
         "default_departments": default_deps,
         "departments": list(entry.departments) if entry is not None and entry.departments else default_deps,
         "assignee_id": entry.assignee_id if entry is not None else None,
         "assignee_name": users.get(entry.assignee_id) if entry is not None else None,
         "due": (entry.due if entry is not None and entry.due else next_meeting(report.as_of)),
         "decision": entry.decision if entry is not None else None,
         "decided_by": entry.decided_by if entry is not None else None,
         "last_decision": _decision(last_entry, users) if last_entry is not None and last_entry.decision else None}
    for c in d["commitments"]:
        c["supplier_name"] = names.get(c.get("supplier"))
    return d


def _decision(e: AgendaEntry, users: dict) -> dict:
    return {"week": e.week, "key": e.key, "decision": e.decision, "decided_by": e.decided_by,
            "departments": list(e.departments or []), "assignee_name": users.get(e.assignee_id), "due": e.due,
            "outcome": e.outcome, "outcome_note": e.outcome_note}


def decision_of(e: AgendaEntry) -> dict:
    """A recorded decision (and its outcome) as the agenda shows it, the assignee by name."""
    return _decision(e, _user_names({e.assignee_id}))


def _names_of(items, extra=()):
    """ref -> name of the firms the items show, and code -> name of their regions (a risk zone's
    `firm` is its county)."""
    refs = set(extra)
    codes = set()
    for i in items:
        refs.add(i.firm)
        refs.update(i.members)
        refs.update(r for h in i.buyers + i.cascade[:CASCADE_SHOWN] for r in h.path)
        refs.update(c.get("supplier") for c in i.commitments)
        codes.update((i.owner_region, i.county))
    codes.discard(None)
    names = dict(db.session.execute(sa.select(Region.code, Region.name).where(Region.code.in_(codes))).all()) \
        if codes else {}
    names.update(firm_names(refs))
    return names


def region_agenda(actor: User | None, week: str | None = None, region: str | None = None,
                  sort: str = "stake") -> dict:
    """A region's agenda of a week (the latest by default): the items it owns by stake, with owner,
    departments, due date and decision (`items` to discuss, `routine`, and `walk`: both in order); its firms' items owned elsewhere; matching in progress and
    fragility; last week's decisions with their outcome; whether the actor may act on it.
    ``sort="runs_out"`` orders the items critical first, then by the days until the first of their
    buyers runs out (unknown last; stake order among equals), each item with its ``runs_out``."""
    require_reader(actor)
    report = get_report(week)
    reg = agenda_region(actor, region)
    part = region_items(report_agenda(report), reg)
    prev = previous_report(report)
    before = {i.key: i for i in report_agenda(prev).items} if prev is not None else {}
    shown = part["owned"] + part["concerning"]
    entries = entries_of(report.week, [i.key for i in shown])
    last = _last_decisions(prev, reg) if prev is not None else []
    last_by_key = {e.key: e for e in last}
    users = _user_names({e.assignee_id for e in list(entries.values()) + last})
    names = _names_of(shown, [m.buyer for m in part["matching"]] + [f.buyer for f in part["fragility"]]
                      + [f.supplier for f in part["fragility"]])
    units = _units(shown)
    current = {i.key for i in report_agenda(report).items}
    by_hand = escalated_by_hand(report, shown)

    def item(i):
        return agenda_item(i, report, names, units, users, entries.get(i.key), before, last_by_key.get(i.key),
                           by_hand)

    latest = report.id == latest_report_id()
    owned = [item(i) for i in part["owned"]]
    if sort == "runs_out":
        owned = _by_runs_out(owned, report.week)
    return {
        "week": report.week, "as_of": report.as_of, "previous_week": prev.week if prev is not None else None,
        "region": {"code": reg.code, "name": reg.name, "level": reg.level},
        "next_meeting": next_meeting(report.as_of), "can_act": latest and _can_act(actor, reg.code),
        **_split(owned), "sort": sort if sort in AGENDA_SORTS else "stake",
        "concerning": [item(i) for i in part["concerning"]],
        "below": dict(Counter(i.level for i in part["below"])), "below_count": len(part["below"]),
        "below_regions": _below_regions(part["below"]),
        "matching": [{**m._asdict(), "buyer_name": names.get(m.buyer)} for m in part["matching"]],
        "fragility": [{**f._asdict(), "buyer_name": names.get(f.buyer), "supplier_name": names.get(f.supplier)}
                      for f in part["fragility"]],
        "last_decisions": [{**_decision(e, users), "still_open": e.key in current,
                            "firm_name": names.get(e.key.split("|")[1]) or _one_name(e.key)} for e in last],
        "closed": closed_breaks(report, reg),
    }


def closed_breaks(report: WeeklyReport, region: Region) -> list[dict]:
    """The week's breaks closed by staff (销号) that the region owns or that concern its firms, with
    their closing note: a closed break leaves the open items, but it stays on its week's agenda,
    counted as closed, until it is reopened (issue 12, item 4). By kind, buyer, category, supplier."""
    prefix = region_prefix(region.code, region.level)
    rows = db.session.execute(sa.select(
        Break.id, Break.kind, Break.buyer, Break.supplier, Break.category, Break.quantity, Break.unit, Break.note,
        Break.owner_region, Break.regions).where(Break.report_id == report.id, Break.status == "closed")).all()
    rows = [r for r in rows if (r.owner_region or "").startswith(prefix)
            or any(c.startswith(prefix) for c in (r.regions or []))]
    names = firm_names({r.buyer for r in rows} | {r.supplier for r in rows})
    out = [{"id": r.id, "kind": r.kind, "buyer": r.buyer, "buyer_name": names.get(r.buyer), "supplier": r.supplier,
            "supplier_name": names.get(r.supplier), "category": r.category, "quantity": r.quantity, "unit": r.unit,
            "note": r.note, "owner_region": r.owner_region, "owned": (r.owner_region or "").startswith(prefix)}
           for r in rows]
    out.sort(key=lambda r: (KIND_RANK.get(r["kind"], 9), r["buyer"], r["category"], r["supplier"] or ""))
    return out


def discuss_stake() -> float:
    """The stake from which an item is discussed at the meeting (AGENDA_DISCUSS_STAKE, default 1
    input-week: at least one SME's whole weekly supply of one input, or its own stop)."""
    return float(setting("AGENDA_DISCUSS_STAKE", 1.0))


def _by_runs_out(items: list[dict], week: str) -> list[dict]:
    """The items critical first, then soonest run-out first (:func:`graphs.critical_first`, stable),
    each with ``runs_out``: the most pressing :class:`graphs.survival.Survival` of its buyers' breaks."""
    survivals = survival_by_break(week)
    for i in items:
        found = [survivals.get(break_key(h["kind"], h["buyer"], h["category"], h["supplier"])) for h in i["buyers"]]
        found = critical_first([f for f in found if f is not None], lambda f: f)
        i["runs_out"] = found[0] if found else None
    return critical_first(items, lambda i: i["runs_out"])


def _split(items: list[dict]) -> dict[str, list[dict]]:
    """The region's items to discuss (stake at least :func:`discuss_stake`, escalated since last
    week, or last week's decision not done) and the routine ones, handed to their departments
    without discussion; meeting mode walks both, the items to discuss first."""
    floor = discuss_stake()
    out = {"items": [], "routine": []}
    for i in items:
        last = i["last_decision"]
        discuss = i["stake"] >= floor or i["state"] == "escalated" or (last is not None and last["outcome"] == "not_done")
        out["items" if discuss else "routine"].append(i)
    out["walk"] = out["items"] + out["routine"]
    return out


def _below_regions(items) -> list[dict]:
    """The regions below whose agendas hold items, with their names and item counts, by code."""
    counts = Counter(i.owner_region for i in items)
    names = dict(db.session.execute(sa.select(Region.code, Region.name).where(Region.code.in_(list(counts))))
                 .all()) if counts else {}
    return [{"code": c, "name": names.get(c), "items": n} for c, n in sorted(counts.items())]


def _one_name(key: str) -> str | None:
    return firm_names([key.split("|")[1]]).get(key.split("|")[1])


def _can_act(actor: User | None, code: str) -> bool:
    return actor is not None and actor.role in ("staff", "admin") and in_scope(actor, code)


def _last_decisions(prev, region: Region) -> list[AgendaEntry]:
    return db.session.scalars(sa.select(AgendaEntry).where(
        AgendaEntry.week == prev.week, AgendaEntry.owner_region == region.code, AgendaEntry.decision.is_not(None))
        .order_by(AgendaEntry.decided_at, AgendaEntry.id)).all()


def _user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def item_log(actor: User | None, key: str) -> list[dict]:
    """The action log of an agenda item across weeks, oldest first; only for staff of a region that
    owned the item in one of those weeks, or above it (NotFound otherwise, as for no such item)."""
    require_reader(actor)
    owners = set(db.session.scalars(sa.select(AgendaEntry.owner_region).where(AgendaEntry.key == key)))
    if actor is not None and actor.role != "admin" and owners and not any(in_scope(actor, r) for r in owners):
        raise NotFound("agenda item not found")
    return [{"week": e.week, "action": e.action, "by": e.actor or "", "note": e.note, "at": e.at}
            for e in db.session.scalars(sa.select(AgendaEvent).where(AgendaEvent.key == key)
                                        .order_by(AgendaEvent.at, AgendaEvent.id))]


def agenda_summary(actor: User | None, week: str | None = None, region: str | None = None) -> dict:
    """The one-page summary of a region's agenda: new, continuing, resolved and escalated items, by
    level and by factor, this week against the previous stored week; and `sent_up`: the items of the
    region's firms escalated this week (by hand or since last week) to a level above the region."""
    require_reader(actor)
    report = get_report(week)
    reg = agenda_region(actor, region)
    prev = previous_report(report)

    def scoped(rep):
        if rep is None:
            return []
        part = region_items(report_agenda(rep), reg)
        return part["owned"] + part["below"]

    now, before = scoped(report), scoped(prev)
    before_by_key = {i.key: i for i in before}
    everything = report_agenda(report).items
    everything_now = {i.key for i in everything}
    prefix = region_prefix(reg.code, reg.level)
    above = [i for i in everything if (i.county or "").startswith(prefix)
             and not (i.owner_region or "").startswith(prefix)]
    by_hand = escalated_by_hand(report, now + above)
    states = Counter(_state(i, before_by_key, by_hand) for i in now)
    all_before = {i.key: i for i in report_agenda(prev).items} if prev is not None else {}
    sent_up = sum(1 for i in above if _state(i, all_before, by_hand) == "escalated")
    resolved = [i for i in before if i.key not in everything_now]

    def counts(items, attr):
        c = Counter()
        for i in items:
            for v in (getattr(i, attr) if attr == "factors" else [getattr(i, attr)]):
                c[v] += 1
        return c

    rows = {}
    for attr in ("level", "factors"):
        a, b = counts(now, attr), counts(before, attr)
        rows[attr] = [{"code": k, "now": a.get(k, 0), "before": b.get(k, 0), "change": a.get(k, 0) - b.get(k, 0)}
                      for k in sorted(set(a) | set(b), key=lambda k: (-a.get(k, 0), k))]
    if prev is None:
        for rs in rows.values():
            for r in rs:
                r["before"] = r["change"] = None
    return {"week": report.week, "as_of": report.as_of, "previous_week": prev.week if prev is not None else None,
            "region": {"code": reg.code, "name": reg.name, "level": reg.level},
            "total": len(now), "total_before": len(before) if prev is not None else None,
            "new": states.get("new", 0), "continuing": states.get("continuing", 0),
            "escalated": states.get("escalated", 0), "resolved": len(resolved), "sent_up": sent_up,
            "closed": len(closed_breaks(report, reg)),
            "by_level": rows["level"], "by_factor": rows["factors"]}


def find_item(report: WeeklyReport, key: str) -> AgendaItem:
    """The item of a report's agenda with this key; NotFound when there is none."""
    for i in report_agenda(report).items:
        if i.key == key:
            return i
    raise NotFound("agenda item not found")


def item_breaks(actor: User | None, week: str, item: dict) -> list[dict]:
    """The breaks of a week an agenda item gathers (the buyers it fails directly), with their id,
    status and buyer's name, for meeting mode to open them (escalate or close a break, on its page)."""
    require_reader(actor)
    hits = {break_key(h["kind"], h["buyer"], h["category"], h["supplier"]): h for h in item["buyers"]}
    if not hits:
        return []
    rows = db.session.execute(
        sa.select(Break.id, Break.key, Break.status).join(WeeklyReport, Break.report_id == WeeklyReport.id)
        .where(WeeklyReport.week == week, Break.key.in_(list(hits)[:500])).order_by(Break.key)).all()
    return [{"id": i, "status": status, **{k: hits[key][k] for k in ("kind", "buyer", "buyer_name", "category")}}
            for i, key, status in rows]
