"""Help matching (issue 13, item 3; article 10's 帮营销、帮技术、帮管理): leading firms post help
offers, SMEs' ``help_wanted`` is matched to them, both sides accept, and the help is recorded.

A help offer (:class:`~matchmaker.models.help.HelpOffer`) has a kind, a capacity (how many SMEs)
and a reach (region codes). :func:`run_help_matching` matches every open want (an SME's open offers'
``help_wanted`` of those kinds, one per SME and kind, not already matched) with the open help
offers that have capacity left, all at once by :func:`graphs.help_matching.match_help`: the most
SMEs helped, partners already in the same chain (an active link or a proposal between the two
firms) first, then the nearest. It runs when a help offer is posted and when a firm or staff ask.
When both sides have accepted (:func:`answer_help_match`) the match is ``active``: help given on
that day, counted in the leading firm's scorecard (:func:`help_given`).
"""
import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from graphs import help_matching as gh
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Firm, Link, Need, Offer, Region, User
from matchmaker.models.base import utcnow
from matchmaker.models.help import HELP_OFFER_KINDS, OPEN_HELP_MATCH_STATUSES, HelpMatch, HelpOffer
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, Pairing
from matchmaker.services.auth import scope_prefix
from matchmaker.services.postings import new_ref
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound

__all__ = ["MAX_CAPACITY", "create_help_offer", "list_help_offers", "close_help_offer", "run_help_matching",
           "match_help_now", "list_help_matches", "answer_help_match", "help_given"]

#: The most SMEs one help offer may take.
MAX_CAPACITY = 10_000
_HOLDING = (*OPEN_HELP_MATCH_STATUSES, "active")  # matches that take a place of a help offer's capacity


# --- help offers ------------------------------------------------------------------------------------

def _provider(actor: User, firm_ref: str | None) -> Firm:
    """The firm a help offer is posted for: a leading firm user's own, or the firm an admin names."""
    if actor.role == "firm" and actor.firm is not None:
        firm = actor.firm
    elif actor.role == "admin":
        firm = db.session.scalar(sa.select(Firm).where(Firm.ref == (firm_ref or "")))
        if firm is None:
            raise Invalid("invalid help offer", {"firm": ["unknown firm"]})
    else:
        raise Forbidden("only leading firms post help offers")
    if firm.kind != "leading":
        raise Forbidden("only leading firms post help offers")
    return firm


def _checked(data: dict) -> dict:
    """The help offer's fields, checked (Invalid with every field's errors)."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind not in HELP_OFFER_KINDS:
        errors["kind"] = ["must be one of " + ", ".join(HELP_OFFER_KINDS)]
    try:
        capacity = int(data.get("capacity"))
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValueError
    except (TypeError, ValueError):
        capacity = None
        errors["capacity"] = [f"a whole number from 1 to {MAX_CAPACITY}"]
    reach = sorted({str(c).strip() for c in data.get("reach") or [] if str(c).strip()})
    known = set(db.session.scalars(sa.select(Region.code).where(Region.code.in_(reach)))) if reach else set()
    if not reach:
        errors["reach"] = ["name at least one region"]
    elif set(reach) - known:
        errors["reach"] = ["unknown region: " + ", ".join(sorted(set(reach) - known))[:200]]
    note = data.get("note") or None
    if note is not None and len(note) > 2000:
        errors["note"] = ["at most 2000 characters"]
    if errors:
        raise Invalid("invalid help offer", errors)
    return {"kind": kind, "capacity": capacity, "reach": reach, "note": note}


def create_help_offer(actor: User, data: dict) -> HelpOffer:
    """Post a help offer for a leading firm (its own user, or an admin naming it), then match the open
    wants of help at once; one commit."""
    firm = _provider(actor, data.get("firm"))
    row = HelpOffer(ref=new_ref(HelpOffer, "H"), firm_id=firm.id, status="open", **_checked(data))
    db.session.add(row)
    db.session.flush()
    run_help_matching()
    db.session.commit()
    return row


def _readable(actor: User) -> sa.ColumnElement[bool]:
    """Which help offers the actor reads: a firm its own, staff those of firms in their region, admins all."""
    if actor.role == "admin":
        return sa.true()
    if actor.role == "firm":
        return HelpOffer.firm_id == (actor.firm_id or -1)
    if actor.role == "staff" and scope_prefix(actor) is not None:
        return HelpOffer.firm.has(Firm.region_code.startswith(scope_prefix(actor)))
    return sa.false()


def list_help_offers(actor: User) -> list[HelpOffer]:
    """The help offers the actor reads, newest first."""
    return list(db.session.scalars(sa.select(HelpOffer).where(_readable(actor)).order_by(HelpOffer.id.desc())))


def close_help_offer(actor: User, offer_id: int) -> HelpOffer:
    """Close a help offer (its firm or an admin); its matches not yet accepted by both lapse."""
    row = db.session.get(HelpOffer, offer_id)
    if row is None or not (actor.role == "admin" or (actor.role == "firm" and actor.firm_id == row.firm_id)):
        raise NotFound(f"help offer {offer_id} not found")
    row.status = "closed"
    db.session.execute(sa.update(HelpMatch).where(HelpMatch.help_offer_id == row.id,
                                                  HelpMatch.status.in_(OPEN_HELP_MATCH_STATUSES))
                       .values(status="lapsed").execution_options(synchronize_session=False))
    db.session.commit()
    return row


# --- matching -------------------------------------------------------------------------------------

def _places() -> dict[int, tuple]:
    """firm id -> (ref, kind, county, lat, lon)."""
    f, r = Firm.__table__.c, Region.__table__.c
    return {i: (ref, kind, county, lat, lon) for i, ref, kind, county, lat, lon in db.session.execute(
        sa.select(f.id, f.ref, f.kind, f.region_code, r.lat, r.lon).join_from(Firm.__table__, Region.__table__,
                                                                              f.region_code == r.code))}


def _chain(places: dict[int, tuple]) -> set[frozenset]:
    """Pairs of firms (refs) already in the same chain: an active link or a proposal either way."""
    pairs = set(db.session.execute(sa.select(Link.supplier_id, Link.buyer_id).where(Link.active.is_(True))).all())
    pairs |= set(db.session.execute(
        sa.select(Offer.firm_id, Need.firm_id).join(Pairing, Pairing.offer_id == Offer.id)
        .join(Need, Need.id == Pairing.need_id)
        .where(Pairing.status.in_((*OPEN_PAIRING_STATUSES, "active")))).all())
    return {frozenset((places[a][0], places[b][0])) for a, b in pairs if a in places and b in places}


def run_help_matching() -> list[HelpMatch]:
    """Match every open want of help with the open help offers (see the module notes); stores the new
    matches as proposals and flushes (the caller commits). The open help offers are locked first, so
    two runs never give away the same place twice."""
    offers = list(db.session.scalars(sa.select(HelpOffer).where(HelpOffer.status == "open")
                                     .order_by(HelpOffer.id).with_for_update(of=HelpOffer)))
    if not offers:
        return []
    places = _places()
    holding = dict(db.session.execute(sa.select(HelpMatch.help_offer_id, sa.func.count(HelpMatch.id))
                                      .where(HelpMatch.status.in_(_HOLDING)).group_by(HelpMatch.help_offer_id)).all())
    existing = db.session.execute(sa.select(HelpOffer.ref, HelpOffer.kind, HelpMatch.sme_id, HelpMatch.status)
                                  .join(HelpOffer, HelpOffer.id == HelpMatch.help_offer_id)).all()
    taken = {(ref, places[sme][0]) for ref, _k, sme, _s in existing if sme in places}
    served = {(places[sme][0], kind) for _r, kind, sme, status in existing if status in _HOLDING and sme in places}
    supplies = []
    for h in offers:
        ref, _kind, _county, lat, lon = places[h.firm_id]
        if lat is not None:
            left = h.capacity - holding.get(h.id, 0)
            supplies.append(gh.HelpSupply(h.ref, ref, h.kind, left, tuple(h.reach), lat, lon))
    wants = set()
    for firm_id, raw in db.session.execute(sa.select(Offer.firm_id, sa.type_coerce(Offer.help_wanted, sa.String))
                                           .where(Offer.status == "open")):
        ref, kind, county, lat, lon = places.get(firm_id, (None, None, None, None, None))
        if kind != "sme" or lat is None or not raw:
            continue
        for wanted in (json.loads(raw) if isinstance(raw, str) else raw) or ():
            if wanted in HELP_OFFER_KINDS and (ref, wanted) not in served:
                wants.add(gh.HelpWant(ref, wanted, county, lat, lon))
    matches = gh.match_help(wants, supplies, chain=_chain(places), taken=taken)
    offer_id = {h.ref: h.id for h in offers}
    firm_id = {v[0]: k for k, v in places.items()}
    rows = [HelpMatch(help_offer_id=offer_id[m.supply], sme_id=firm_id[m.sme], same_chain=m.same_chain,
                      distance_km=m.distance_km, status="proposed", created_at=utcnow()) for m in matches]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def match_help_now(actor: User) -> int:
    """Run the help matching now (any signed-in firm, staff or admin); returns how many matches it proposed."""
    if actor.role not in ("firm", "staff", "admin"):
        raise Forbidden("sign in to match help")
    rows = run_help_matching()
    db.session.commit()
    return len(rows)


# --- answering ------------------------------------------------------------------------------------

def _match_scope(actor: User) -> sa.ColumnElement[bool]:
    """Which matches the actor reads: a firm those it gives or gets, staff those of their region."""
    if actor.role == "admin":
        return sa.true()
    if actor.role == "firm":
        fid = actor.firm_id or -1
        return sa.or_(HelpMatch.sme_id == fid, HelpMatch.help_offer.has(HelpOffer.firm_id == fid))
    if actor.role == "staff" and scope_prefix(actor) is not None:
        prefix = scope_prefix(actor)
        return sa.or_(HelpMatch.sme.has(Firm.region_code.startswith(prefix)),
                      HelpMatch.help_offer.has(HelpOffer.firm.has(Firm.region_code.startswith(prefix))))
    return sa.false()


def list_help_matches(actor: User, status: str | None = None) -> list[HelpMatch]:
    """The help matches the actor reads (optionally of one status), newest first."""
    stmt = sa.select(HelpMatch).where(_match_scope(actor))
    if status:
        stmt = stmt.where(HelpMatch.status == status)
    return list(db.session.scalars(stmt.order_by(HelpMatch.id.desc())))


def answer_help_match(actor: User, match_id: int, accept: bool, side: str | None = None) -> HelpMatch:
    """Accept or decline a help match for the actor's side (the giving firm or the SME; an admin says
    which); when both sides have accepted, the help is given today. Conflict when it is no longer open."""
    row = db.session.scalar(sa.select(HelpMatch).where(HelpMatch.id == match_id, _match_scope(actor))
                            .with_for_update(of=HelpMatch))
    if row is None:
        raise NotFound(f"help match {match_id} not found")
    if actor.role == "admin":
        if side not in ("provider", "sme"):
            raise Invalid("say which side you answer for", {"side": ["must be provider or sme"]})
    elif actor.role == "firm" and actor.firm_id in (row.sme_id, row.help_offer.firm_id):
        side = "sme" if actor.firm_id == row.sme_id else "provider"
    else:
        raise Forbidden("only the two firms answer a help match")
    if row.status not in OPEN_HELP_MATCH_STATUSES:
        raise Conflict(f"this help match is {row.status}", {"status": [row.status]})
    now = utcnow()
    if not accept:
        row.status, row.declined_by = "declined", side
    else:
        if side == "sme":
            row.sme_accepted_at = row.sme_accepted_at or now
        else:
            row.provider_accepted_at = row.provider_accepted_at or now
        both = row.sme_accepted_at is not None and row.provider_accepted_at is not None
        row.status = "active" if both else "accepted"
        if both:
            row.given_on = clock.today()
    db.session.commit()
    return row


def help_given(as_of: date) -> dict[str, int]:
    """Leading firm ref -> how many SMEs it has given help to (matches both sides accepted by ``as_of``)."""
    giver = aliased(Firm)
    return dict(db.session.execute(
        sa.select(giver.ref, sa.func.count(HelpMatch.id)).join(HelpOffer, HelpOffer.id == HelpMatch.help_offer_id)
        .join(giver, giver.id == HelpOffer.firm_id)
        .where(HelpMatch.status == "active", HelpMatch.given_on <= as_of).group_by(giver.ref)).all())
