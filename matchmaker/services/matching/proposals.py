"""The proposal lifecycle: reading proposals, accepting (both sides -> an active link), declining,
lapsing.

A run stores proposals (``proposed``); the buyer and the supplier answer each for their side.
When both have accepted, the quantity is committed on the need and the offer and a link is made
(``active``); a decline is final for the pair; a proposal lapses when its need or offer closes or
changes in a way that matters to matching (signal receivers below), when it no longer fits what
remains open, or when a later run replaces it.
"""
import functools
import math
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.infra.sqlite import ListedJSON
from matchmaker.models import Category, Firm, Link, Need, Offer, Product, User
from matchmaker.models.base import utcnow
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, SIDES, DeclinedPair, MatchRun, Pairing
from matchmaker.services.auth import can_read_firm
from matchmaker.services import notifications
from matchmaker.services.matching.partners import invalidate_index
from matchmaker.services.postings import new_ref
from matchmaker.services.support import common, signals
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, Message
from matchmaker.services.support.network import EPSILON

# Fields of a posting whose change can make its open proposals wrong: they lapse.
_MATCHING_FIELDS = {
    "category_code", "product_code", "accepts", "quantity", "needed_by", "max_unit_price", "available_from",
    "available_until", "lead_time_days", "unit_price", "delivery_radius_km", "status", "firm_id",
}


# --- reading ----------------------------------------------------------------------------------

def can_read_pairing(actor: User, pairing: Pairing) -> bool:
    """Whether the actor may read the proposal: they may read its need's or its offer's firm."""
    return can_read_firm(actor, pairing.need.firm) or can_read_firm(actor, pairing.offer.firm)


def list_my_pairings(actor: User, side: str | None = None, status: str | None = None, page: int = 1,
                     page_size: int = 50) -> tuple[list[Pairing], int]:
    """Proposals where the actor's firm is the buyer (side='buyer'), the supplier, or either;
    staff see those of firms in their region, admins all."""
    stmt = _mine(sa.select(Pairing).join(Need, Pairing.need_id == Need.id).join(Offer, Pairing.offer_id == Offer.id)
                 .join(_BUYER, Need.firm_id == _BUYER.id).join(_SUPPLIER, Offer.firm_id == _SUPPLIER.id),
                 actor, side, status)
    return common.page_of(stmt, page, page_size)


def list_my_pairing_rows(actor: User, side: str | None = None, status: str | None = None, page: int = 1,
                         page_size: int = 50) -> tuple[list[sa.Row], int]:
    """The proposals of :func:`list_my_pairings` as rows, not ORM objects (a list is read, never
    changed), in one select: the proposal's columns, the refs of its need, offer, firms and link, the
    categories and products of both sides and ``unit`` (the need's, as ``Need.unit``)."""
    stmt = common.kept_statement(("pairings", common.scope_key(actor), side, status),
                                 lambda: _mine(_listed_pairings(), actor, side, status))
    return common.rows_page_of(stmt, page, page_size, counted=lambda: _mine(_counted_pairings(), actor, side, status))


_BUYER, _SUPPLIER = aliased(Firm, name="buyer"), aliased(Firm, name="supplier")


def _mine(stmt: sa.Select, actor: User, side: str | None, status: str | None) -> sa.Select:
    """A select of proposals joined to their buyer and supplier, narrowed to the actor's, newest first."""
    if side not in (None, *SIDES):
        raise Invalid("invalid side", {"side": ["must be buyer or supplier"]})
    as_buyer = common.firm_scope(actor, _BUYER)
    as_supplier = common.firm_scope(actor, _SUPPLIER)
    stmt = stmt.where(as_buyer if side == "buyer" else as_supplier if side == "supplier"
                      else sa.or_(as_buyer, as_supplier))
    if status:
        stmt = stmt.where(Pairing.status == status)
    return stmt.order_by(Pairing.id.desc())


@functools.cache
def _listed_pairings() -> sa.Select:
    """The select of listed proposals (built once)."""
    unit = sa.func.coalesce(Product.unit, Category.unit)  # rules.posting_unit of the need
    columns = [sa.type_coerce(c, ListedJSON).label(c.name) if c.name == "reasons" else c for c in Pairing.__table__.c]
    return (sa.select(*columns, Need.ref.label("need_ref"), Offer.ref.label("offer_ref"),
                      _BUYER.ref.label("buyer_ref"), _SUPPLIER.ref.label("supplier_ref"),
                      Need.category_code.label("need_category"), Offer.category_code.label("offer_category"),
                      Need.product_code.label("need_product"), Offer.product_code.label("offer_product"),
                      unit.label("unit"), Link.ref.label("link_ref"))
            .join(Need, Pairing.need_id == Need.id).join(Offer, Pairing.offer_id == Offer.id)
            .join(_BUYER, Need.firm_id == _BUYER.id).join(_SUPPLIER, Offer.firm_id == _SUPPLIER.id)
            .join(Category, Need.category_code == Category.code)
            .outerjoin(Product, Need.product_code == Product.code)
            .outerjoin(Link, Pairing.link_id == Link.id))


@functools.cache
def _counted_pairings() -> sa.Select:
    """As many rows as :func:`_listed_pairings` (its inner joins, not its outer joins to a product
    or link by their keys, which add no rows): what a list counts."""
    return (sa.select(Pairing.id)
            .join(Need, Pairing.need_id == Need.id).join(Offer, Pairing.offer_id == Offer.id)
            .join(_BUYER, Need.firm_id == _BUYER.id).join(_SUPPLIER, Offer.firm_id == _SUPPLIER.id)
            .join(Category, Need.category_code == Category.code))


def get_pairing(actor: User, pairing_id: int) -> Pairing:
    """One proposal, if the actor may read its need or its offer (404 otherwise)."""
    return common.readable_row(Pairing, pairing_id, "pairing", lambda p: can_read_pairing(actor, p))


# --- proposing one pair (an alternate) ----------------------------------------------------------

def reserved_for_alternates(offer_id: int) -> float:
    """The quantity of an offer held by open proposals made from alternates (one click each)."""
    return float(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Pairing.quantity), 0.0))
        .join(MatchRun, Pairing.run_id == MatchRun.id)
        .where(Pairing.offer_id == offer_id, Pairing.status.in_(OPEN_PAIRING_STATUSES),
               MatchRun.alternate_of.is_not(None))) or 0.0)


def propose_pair(need_id: int, offer_id: int, quantity: float, *, unit_cost: float, distance_km: float | None,
                 reasons: list, as_of: date, started_by: str, alternate_of: str) -> Pairing:
    """Store one proposal outside a run (one click on a break's alternate), to both sides.

    Taken under the locks that answering takes, in the same order (the need, then the offer), so
    racing clicks queue up: Conflict when the pair already has an open proposal or was declined,
    or when the offer no longer holds the quantity beyond what is committed and what open
    alternates' proposals hold. Flushes; the caller commits.
    """
    db.session.execute(sa.select(Need.id).where(Need.id == need_id).with_for_update())
    db.session.execute(sa.select(Offer.id).where(Offer.id == offer_id).with_for_update())
    offer = db.session.execute(sa.select(Offer).where(Offer.id == offer_id)
                               .execution_options(populate_existing=True)).unique().scalar_one()
    need = db.session.execute(sa.select(Need).where(Need.id == need_id)
                              .execution_options(populate_existing=True)).unique().scalar_one()
    if need.status != "open" or offer.status != "open":
        raise Conflict("the need or the offer is closed", {"status": ["closed"]})
    if db.session.scalar(sa.select(Pairing.id).where(
            Pairing.need_id == need_id, Pairing.offer_id == offer_id,
            Pairing.status.in_(OPEN_PAIRING_STATUSES))) is not None:
        raise Conflict("this pair is already proposed", {"offer": ["already proposed"]})
    if db.session.scalar(sa.select(DeclinedPair.id).where(
            DeclinedPair.need_id == need_id, DeclinedPair.offer_id == offer_id)) is not None:
        raise Conflict("this pair was declined", {"offer": ["declined"]})
    left = offer.quantity - (offer.committed_quantity or 0.0) - reserved_for_alternates(offer_id)
    if quantity > left + EPSILON or quantity > need.open_quantity + EPSILON:
        raise Conflict(f"the offer no longer holds {quantity:g} open", {"offer": ["not enough open quantity"]})
    now = utcnow()
    run = MatchRun(as_of=as_of, weights={}, timings={}, objective={}, needs_count=1, offers_count=1,
                   candidates_count=1, pairings_count=1, started_by=started_by, alternate_of=alternate_of,
                   created_at=now)
    db.session.add(run)
    db.session.flush()
    p = Pairing(run_id=run.id, need_id=need_id, offer_id=offer_id, quantity=quantity, unit_cost=unit_cost,
                distance_km=distance_km, reasons=list(reasons), status="proposed", created_at=now)
    db.session.add(p)
    db.session.flush()
    return p


# --- answering --------------------------------------------------------------------------------

def _side_of(actor, pairing, side):
    """Which side the actor answers for: their firm's side; admins must say which."""
    if actor.role == "firm" and actor.firm_id is not None:
        mine = [s for s, firm_id in (("buyer", pairing.need.firm_id), ("supplier", pairing.offer.firm_id))
                if firm_id == actor.firm_id]
        if not mine:
            raise Forbidden("only the buyer and the supplier answer a proposal")
        if side is not None and side not in mine:
            raise Forbidden(f"your firm is not the {side} of this proposal")
        return mine[0]
    if actor.role == "admin":
        if side not in SIDES:
            raise Invalid("say which side you answer for", {"side": ["must be buyer or supplier"]})
        return side
    raise Forbidden("only the buyer and the supplier answer a proposal")


def _locked_pairing(actor, pairing_id):
    """The proposal, read again under row locks taken in one order everywhere: its need, its
    offer, then the proposal itself (so racing answers queue up instead of deadlocking)."""
    p = get_pairing(actor, pairing_id)
    need_id, offer_id = p.need_id, p.offer_id
    db.session.execute(sa.select(Need.id).where(Need.id == need_id).with_for_update())
    db.session.execute(sa.select(Offer.id).where(Offer.id == offer_id).with_for_update())
    return db.session.execute(
        sa.select(Pairing).where(Pairing.id == p.id).with_for_update(of=Pairing)
        .execution_options(populate_existing=True)).unique().scalar_one()


def accept_pairing(actor: User, pairing_id: int, side: str | None = None) -> Pairing:
    """Accept a proposal for one side; when both sides have accepted it becomes an active link
    and the quantity is committed on the need and the offer (Conflict if either no longer holds it)."""
    p = _locked_pairing(actor, pairing_id)
    side = _side_of(actor, p, side)
    if p.status not in OPEN_PAIRING_STATUSES:
        raise Conflict("this proposal is %(status)s, it can no longer be accepted",
                       {"status": [p.status]}, status=Message(p.status))
    now = utcnow()
    if side == "buyer" and p.buyer_accepted_at is None:
        p.buyer_accepted_at = now
    if side == "supplier" and p.supplier_accepted_at is None:
        p.supplier_accepted_at = now
    if p.buyer_accepted_at is not None and p.supplier_accepted_at is not None:
        _activate(p, now)
    else:
        p.status = "accepted"
    notifications.proposal_answered(p, side, "accepted", actor)
    if p.status == "active":
        notifications.link_formed(p.link)
    db.session.commit()
    invalidate_index()
    return p


def _commit_quantity(model, row_id, quantity, what):
    """Add quantity to a posting's committed_quantity, only if it still holds it (atomic)."""
    res = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == "open",
               model.committed_quantity + quantity <= model.quantity + EPSILON)
        .values(committed_quantity=model.committed_quantity + quantity, version=model.version + 1)
        .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise Conflict(f"the {what} no longer holds %(quantity)s open", {what: ["not enough open quantity"]},
                       quantity=f"{quantity:g}")


def _activate(p, now):
    """Both sides accepted: commit the quantity on the (locked) need and offer, make the link (it
    takes the need's terms and starts today, the day the second side accepted)."""
    # need and offer are locked already (_locked_pairing); read their current values
    need = db.session.execute(
        sa.select(Need).where(Need.id == p.need_id).execution_options(populate_existing=True)
    ).unique().scalar_one()
    offer = db.session.execute(
        sa.select(Offer).where(Offer.id == p.offer_id).execution_options(populate_existing=True)
    ).unique().scalar_one()
    if need.status != "open" or offer.status != "open":
        raise Conflict("the need or the offer of this proposal is closed", {"status": ["closed"]})
    if not offer.firm.live:
        raise Conflict("the supplier is not live now (not operating, or its county is high-risk)",
                       {"supplier": ["not live"]})
    _commit_quantity(Need, need.id, p.quantity, "need")
    _commit_quantity(Offer, offer.id, p.quantity, "offer")
    db.session.expire(need)
    db.session.expire(offer)
    # what is supplied: the offer's product, else the need's; the link's category is that product's
    product = offer.product or need.product
    link = Link(ref=new_ref(Link, "L"), supplier_id=offer.firm_id, buyer_id=need.firm_id,
                category_code=product.category_code if product is not None else need.category_code,
                product_code=product.code if product is not None else None,
                quantity_per_week=quantity_per_week(p.quantity, need.needed_by),
                active=True, terms=list(need.terms or []), since=clock.today())
    db.session.add(link)
    db.session.flush()
    p.link_id = link.id
    p.status = "active"
    p.activated_at = now
    db.session.flush()
    _lapse_unfillable(need.id, offer.id, now)


def quantity_per_week(quantity: float, needed_by: date, today: date | None = None) -> float:
    """The pairing's quantity spread evenly over the weeks until the need is due (at least one;
    a started week counts)."""
    days = (needed_by - (today or clock.today())).days
    weeks = max(1, math.ceil(days / 7))
    return quantity / weeks


def _lapse_unfillable(need_id, offer_id, now):
    """Open proposals of this need or offer that no longer fit what remains open lapse."""
    db.session.flush()
    need_left = sa.select(Need.quantity - Need.committed_quantity).where(Need.id == Pairing.need_id).scalar_subquery()
    offer_left = sa.select(Offer.quantity - Offer.committed_quantity).where(Offer.id == Pairing.offer_id).scalar_subquery()
    db.session.execute(
        sa.update(Pairing)
        .where(Pairing.status.in_(OPEN_PAIRING_STATUSES),
               sa.or_(Pairing.need_id == need_id, Pairing.offer_id == offer_id),
               sa.or_(Pairing.quantity > need_left + EPSILON, Pairing.quantity > offer_left + EPSILON))
        .values(status="lapsed", lapsed_at=now).execution_options(synchronize_session=False))


def decline_pairing(actor: User, pairing_id: int, side: str | None = None) -> Pairing:
    """Decline a proposal for one side; the pair is never proposed again."""
    p = _locked_pairing(actor, pairing_id)
    side = _side_of(actor, p, side)
    if p.status not in OPEN_PAIRING_STATUSES:
        raise Conflict("this proposal is %(status)s, it can no longer be declined", {"status": [p.status]},
                       status=Message(p.status))
    now = utcnow()
    p.status = "declined"
    p.declined_by = side
    p.declined_at = now
    exists = db.session.scalar(sa.select(DeclinedPair.id).where(
        DeclinedPair.need_id == p.need_id, DeclinedPair.offer_id == p.offer_id))
    if exists is None:
        db.session.add(DeclinedPair(need_id=p.need_id, offer_id=p.offer_id, declined_by=side,
                                    pairing_id=p.id, created_at=now))
    notifications.proposal_answered(p, side, "declined", actor)
    db.session.commit()
    invalidate_index()
    return p


# --- lapsing when a posting changes -------------------------------------------------------------

def lapse_for_posting(kind: str, posting: Need | Offer) -> None:
    """Lapse the open proposals of a need or offer (inside the caller's transaction)."""
    column = Pairing.need_id if kind == "need" else Pairing.offer_id
    db.session.execute(
        sa.update(Pairing).where(column == posting.id, Pairing.status.in_(OPEN_PAIRING_STATUSES))
        .values(status="lapsed", lapsed_at=utcnow()).execution_options(synchronize_session=False))
    invalidate_index()


@signals.posting_closed.connect
def _on_posting_closed(sender, posting=None, **kw):
    """A need or offer closed: its open proposals lapse."""
    if sender in ("need", "offer") and posting is not None:
        lapse_for_posting(sender, posting)


@signals.posting_changed.connect
def _on_posting_changed(sender, posting=None, changed=(), **kw):
    """A need or offer changed in a way that matters to matching: its open proposals lapse."""
    if sender in ("need", "offer") and posting is not None and set(changed or ()) & _MATCHING_FIELDS:
        lapse_for_posting(sender, posting)
