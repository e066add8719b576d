"""Alternate suppliers per break (issue 13, item 5): who could take over, and one click to propose.

For the open breaks of a stored weekly report of the kinds :data:`graphs.ALTERNATE_KINDS` (a
supplier down or strained, a chain gap, an uncovered need), :func:`week_alternates` finds the best
alternate suppliers with spare capacity, allocated over all of them at once by
:func:`graphs.find_alternates` (one min-cost flow on the matcher's allowed pairs and costs), so no
offer's spare capacity is promised to two breaks. Spare capacity is what an offer holds open less
what open proposals made from alternates already hold; a break's ask is reduced the same way. The
result is cached per process (:data:`ALTERNATES_TTL_SECONDS`; at province scale a computation takes
about ten CPU seconds, so it is not redone for every posting edited; a proposal made from an
alternate, or a change of the report or its workflow, is seen at once).

:func:`break_alternates` gives one break's alternates to those who see the break (staff of its
region, the buyer), :func:`firm_alternates` those of the buyer's breaks, and
:func:`propose_alternate` turns an alternate into a proposal to both sides through
:func:`matchmaker.services.matching.proposals.propose_pair` (for a supplier's break, the buyer's
stand-in need is stored first, so the proposal has a need like any other).
"""
import threading
import time
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

import graphs
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.models import Firm, Need, Offer, Product, User
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, MatchRun, Pairing
from matchmaker.models.report import OPEN_STATUSES, Break, WeeklyReport
from matchmaker.services.auth import in_scope
from matchmaker.services.matching.partners import invalidate_index
from matchmaker.services.matching.proposals import propose_pair
from matchmaker.services.matching.weights import configured_weights
from matchmaker.services.postings import new_ref
from matchmaker.services.reports.read import firm_names, latest_report_id, load_break, report_version
from matchmaker.services.reports.write import detection_options
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Conflict, Forbidden, NotFound

__all__ = ["ALTERNATES_TTL_SECONDS", "WeekAlternates", "week_alternates", "invalidate_alternates",
           "break_alternates", "firm_alternates", "may_propose", "propose_alternate"]

#: A week's alternates are recomputed when older than this (setting ``ALTERNATES_TTL_SECONDS``), at
#: once when the report, its workflow or the alternates' own proposals change. Postings edited in
#: between show within this time; a click re-checks the offer's open quantity under its lock anyway.
ALTERNATES_TTL_SECONDS = 120.0

_lock = threading.Lock()
_cache: dict = {}


class WeekAlternates(NamedTuple):
    """The alternates of a week's open breaks: ``by_break`` (break key -> alternate dicts, the
    largest first), ``sought`` (break key -> what its needs still ask), ``proposed`` (break key ->
    the open or made proposals of its alternates), ``as_of``, ``objective`` and ``timings``."""

    week: str
    as_of: date
    by_break: dict
    sought: dict
    proposed: dict
    objective: dict
    timings: dict


def invalidate_alternates() -> None:
    """Forget the cached alternates (after a write that changes what is open)."""
    _cache.clear()


def week_alternates(week: str | None = None) -> WeekAlternates:
    """The alternates of every open break of a stored week's report (default: the latest), for
    every region at once (the allocation is province-wide); the function the agenda calls."""
    report = _report_head(week)
    key = (str(db.engine.url), report.id, report.computed_at, report_version(), _proposed_version())
    ttl = float(setting("ALTERNATES_TTL_SECONDS", ALTERNATES_TTL_SECONDS))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1]
        value = _compute(report)
        _cache.clear()
        _cache[key] = (time.monotonic(), value)
        return value


def _report_head(week: str | None) -> Any:
    """id, week, as_of and computed_at of a stored week's report (the latest when None), without its
    large JSON parts; NotFound when there is none."""
    r = WeeklyReport.__table__.c
    stmt = sa.select(r.id, r.week, r.as_of, r.computed_at)
    stmt = stmt.where(r.week == week) if week else stmt.order_by(r.week.desc()).limit(1)
    head = db.session.execute(stmt).first()
    if head is None:
        raise NotFound(f"no weekly report for {week}" if week else "no weekly report has been written yet")
    return head


def _week_of(b: Break) -> str:
    """The week of a stored break's report (one column, not the report's JSON parts)."""
    return db.session.scalar(sa.select(WeeklyReport.week).where(WeeklyReport.id == b.report_id))


def _proposed_version() -> tuple:
    """What changes when an alternate is proposed, or one of those proposals is answered or lapses,
    in any process: the last one-click run and how many of its kind's proposals are still open."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.max(MatchRun.id)).where(MatchRun.alternate_of.is_not(None)).scalar_subquery(),
        sa.select(sa.func.count(Pairing.id)).join(MatchRun, Pairing.run_id == MatchRun.id)
        .where(MatchRun.alternate_of.is_not(None), Pairing.status.in_(OPEN_PAIRING_STATUSES))
        .scalar_subquery())).one())


def _reserved() -> tuple[dict, dict, dict, list]:
    """What open proposals made from alternates hold: by offer ref, by need ref, by break key, and
    the proposals of alternates (open or made) as rows."""
    n, o = Need.__table__.c, Offer.__table__.c
    rows = db.session.execute(
        sa.select(MatchRun.alternate_of, n.ref, o.ref, Pairing.quantity, Pairing.status, Pairing.id,
                  Firm.ref, Firm.name)
        .join(Pairing, Pairing.run_id == MatchRun.id).join(Need.__table__, n.id == Pairing.need_id)
        .join(Offer.__table__, o.id == Pairing.offer_id).join(Firm, Firm.id == o.firm_id)
        .where(MatchRun.alternate_of.is_not(None), Pairing.status.in_((*OPEN_PAIRING_STATUSES, "active")))
        .order_by(Pairing.id)).all()
    by_offer, by_need, by_key = {}, {}, {}
    for key, need, offer, qty, status, _pid, _s, _name in rows:
        if status in OPEN_PAIRING_STATUSES:
            by_offer[offer] = by_offer.get(offer, 0.0) + qty
            by_need[need] = by_need.get(need, 0.0) + qty
            by_key[key] = by_key.get(key, 0.0) + qty
    return by_offer, by_need, by_key, rows


def _compute(report: Any) -> WeekAlternates:
    """The alternates of a stored report's open breaks (see :func:`week_alternates`)."""
    as_of = max(report.as_of, clock.today())
    b = Break.__table__.c
    breaks = [r._asdict() for r in db.session.execute(
        sa.select(b.key, b.kind, b.buyer, b.supplier, b.category, b.quantity)
        .where(b.report_id == report.id, b.status.in_(OPEN_STATUSES), b.kind.in_(graphs.ALTERNATE_KINDS))
        .order_by(b.severity.desc(), b.key)).all()]
    postings = net.load_postings(as_of)
    by_offer, by_need, by_key, rows = _reserved()
    needs = [n._replace(covered=(n.covered or 0.0) + by_need[n.ref]) if n.ref in by_need else n
             for n in postings.needs]
    offers = [o._replace(committed=(o.committed or 0.0) + by_offer[o.ref]) if o.ref in by_offer else o
              for o in postings.offers]
    edges = {(x["supplier"], x["buyer"], x["category"]) for x in breaks if x["supplier"]}
    demands = graphs.break_demands(breaks, needs, as_of=as_of, places=net.load_places(),
                                   edge_goods=net.load_edge_goods(edges),
                                   weeks=int(setting("ALTERNATE_WEEKS", graphs.alternates.DEFAULT_WEEKS)),
                                   horizon_days=detection_options()["horizon_days"])
    demands = [d._replace(needs=(d.needs[0]._replace(covered=by_key[d.key]),))
               if d.key in by_key and d.needs[0].ref.startswith(graphs.STAND_IN_PREFIX) else d for d in demands]
    result = graphs.find_alternates(demands, offers, as_of=as_of, substitutes=net.load_substitutes(),
                                    weights=configured_weights(), customers=net.load_customers(),
                                    declined=net.load_declined(), product_names=net.load_product_names())
    offer_of = {o.ref: o for o in offers}
    need_of = {n.ref: n for d in demands for n in d.needs}
    names = firm_names({a.supplier for alts in result.by_break.values() for a in alts})
    by_break = {k: [_alternate_row(a, offer_of[a.offer], need_of[a.need], names, postings) for a in alts]
                for k, alts in result.by_break.items()}
    proposed: dict[str, list] = {}
    for key, need, offer, qty, status, pid, supplier, name in rows:
        proposed.setdefault(key, []).append({"pairing_id": pid, "need": need, "offer": offer, "quantity": qty,
                                             "status": status, "supplier": supplier, "supplier_name": name})
    return WeekAlternates(report.week, as_of, by_break, result.sought, proposed, result.objective,
                          {k: round(v, 4) for k, v in result.timings.items()})


def _alternate_row(a: graphs.Alternate, offer: Any, need: Any, names: dict, postings: net.Postings) -> dict:
    """An alternate as pages and the API show it."""
    return {"offer": a.offer, "offer_id": postings.offer_ids.get(a.offer), "supplier": a.supplier,
            "supplier_name": names.get(a.supplier), "need": None if a.stand_in else a.need,
            "need_id": None if a.stand_in else postings.need_ids.get(a.need), "quantity": a.quantity,
            "unit": offer.unit, "product": offer.product, "category": offer.category,
            "needed_by": need.needed_by, "unit_cost": a.unit_cost, "distance_km": a.distance_km,
            "reasons": list(a.reasons), "stand_in": a.stand_in, "terms": list(need.terms),
            "need_category": need.category, "need_product": need.product}


# --- who sees and who proposes ---------------------------------------------------------------------

def _visible_break(actor: User, break_id: int) -> Break:
    """The break, if the actor sees it: staff of its region (load_break), the buyer's own users."""
    if actor.role == "firm":
        b = db.session.get(Break, break_id)
        if b is None or actor.firm is None or b.buyer != actor.firm.ref:
            raise NotFound(f"break {break_id} not found")
        return b
    return load_break(actor, break_id)


def may_propose(actor: User, b: Break) -> bool:
    """Whether the actor may turn this break's alternates into proposals: the break is open in the
    latest report, and the actor is staff of its owner region or above, an admin, or the buyer."""
    if b.status not in OPEN_STATUSES or b.kind not in graphs.ALTERNATE_KINDS or b.report_id != latest_report_id():
        return False
    if actor.role == "admin":
        return True
    if actor.role == "staff":
        return in_scope(actor, b.owner_region)
    return actor.role == "firm" and actor.firm is not None and actor.firm.ref == b.buyer


def break_alternates(actor: User, break_id: int) -> dict:
    """One break's alternates (for those who see the break): ``alternates``, ``sought``, ``proposed``,
    ``can_propose`` and the date they are computed for."""
    b = _visible_break(actor, break_id)
    if b.kind not in graphs.ALTERNATE_KINDS:
        return {"kind": b.kind, "alternates": [], "sought": 0.0, "proposed": [], "can_propose": False, "as_of": None}
    alts = week_alternates(_week_of(b))
    return {"kind": b.kind, "alternates": alts.by_break.get(b.key, []), "sought": alts.sought.get(b.key, 0.0),
            "proposed": alts.proposed.get(b.key, []), "can_propose": may_propose(actor, b), "as_of": alts.as_of}


def firm_alternates(actor: User) -> dict:
    """Break key -> the alternates of the actor's firm's breaks in the latest report (a buyer's view)."""
    if actor.firm is None or latest_report_id() is None:
        return {}
    alts = week_alternates(None)
    ref = actor.firm.ref
    return {k: v for k, v in alts.by_break.items() if k.split("|")[1] == ref}


def propose_alternate(actor: User, break_id: int, offer_ref: str) -> Pairing:
    """Turn one of a break's alternates into a proposal to both sides (one click).

    The alternate is read again from the week's allocation; for a supplier's break the buyer's
    stand-in need is stored first (the edge's goods and terms, the alternate's quantity, due when
    the stand-in is). Conflict when the alternate is gone or the offer no longer holds it.
    """
    b = _visible_break(actor, break_id)
    if not may_propose(actor, b):
        raise Forbidden("only staff of the break's region and its buyer propose its alternates, "
                        "on the latest report's open breaks")
    alts = week_alternates(_week_of(b))
    chosen = next((a for a in alts.by_break.get(b.key, []) if a["offer"] == offer_ref), None)
    if chosen is None or chosen["offer_id"] is None:
        raise Conflict("this alternate is no longer available", {"offer": ["no longer an alternate"]})
    need_id = chosen["need_id"] if not chosen["stand_in"] else _stand_in(b, chosen).id
    try:
        p = propose_pair(need_id, chosen["offer_id"], chosen["quantity"], unit_cost=chosen["unit_cost"],
                         distance_km=chosen["distance_km"], reasons=chosen["reasons"], as_of=alts.as_of,
                         started_by=actor.email, alternate_of=b.key)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        invalidate_alternates()
        invalidate_index()
    return p


def _stand_in(b: Break, alt: dict) -> Need:
    """Store the buyer's need a supplier's break stands for (its share taken by this alternate)."""
    buyer = db.session.scalar(sa.select(Firm).where(Firm.ref == b.buyer))
    if buyer is None:
        raise NotFound("firm not found")
    category, product = alt["need_category"], alt["need_product"]
    if product is not None and db.session.get(Product, product) is None:
        product = None
    need = Need(ref=new_ref(Need, "N"), firm_id=buyer.id, category_code=category, product_code=product,
                accepts=[], quantity=alt["quantity"], needed_by=alt["needed_by"] or clock.today() + timedelta(days=14),
                terms=alt["terms"], status="open", committed_quantity=0.0,
                note=f"alternate for {b.kind} {b.supplier or ''}".strip())
    db.session.add(need)
    db.session.flush()
    return need
