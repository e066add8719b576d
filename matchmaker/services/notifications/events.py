"""The events users are told about, and `notify`, which writes their inbox rows and, for users who
want that kind by e-mail, their outbox rows: in the caller's transaction, flushed but not committed,
so the event and its messages commit (or roll back) together.

Each function takes the rows of its event; `key` makes one event tell a user once (a reminder
of a commitment is not repeated the next day). Nobody is told of their own action.
"""
import functools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import sqlalchemy as sa

import graphs
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import Link, Need, Notification, Offer, OutboxMail, Pairing, User
from matchmaker.models.base import utcnow
from matchmaker.services.support import network as net

#: How many days ahead a commitment's reminder goes out.
DUE_SOON_DAYS = 3


def notify(users: Iterable[User], kind: str, key: str, params: dict, url: str | None = None,
           skip: User | None = None) -> int:
    """Tell each active user (but `skip`, who acted) once per `key`: an inbox row, and an outbox
    row when the user takes `kind` by e-mail. Returns how many users were newly told.

    Plain inserts in the caller's transaction, without flushing the caller's pending changes: a
    conflict of the event itself still surfaces where the event's service expects it (its commit)."""
    targets = {u.id: u for u in users if u is not None and u.active and (skip is None or u.id != skip.id)}
    if not targets:
        return 0
    with db.session.no_autoflush:
        told = set(db.session.scalars(sa.select(Notification.user_id).where(
            Notification.user_id.in_(targets), Notification.key == key)))
        fresh = [u for uid, u in sorted(targets.items()) if uid not in told]
        if not fresh:
            return 0
        now = utcnow()
        notes = Notification.__table__
        made = db.session.execute(notes.insert().returning(notes.c.id, notes.c.user_id), [
            {"user_id": u.id, "kind": kind, "key": key, "params": params, "url": url, "created_at": now}
            for u in fresh]).all()
        note_of = {user_id: note_id for note_id, user_id in made}
        mails = [{"notification_id": note_of[u.id], "to_address": u.email, "locale": u.locale, "kind": kind,
                  "params": params, "url": url, "created_at": now, "next_attempt_at": now, "attempts": 0}
                 for u in fresh if u.email and kind not in (u.mail_off or [])]
        if mails:
            db.session.execute(OutboxMail.__table__.insert(), mails)
    return len(fresh)


def _in_the_events_transaction(fn):
    """Run an event function without flushing the caller's pending changes (see `notify`)."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        with db.session.no_autoflush:
            return fn(*args, **kwargs)
    return wrapped


#: more firms than this: their users are picked out of every firm user's row, not named in an IN
#: list (a matching run tells ~20,000 firms: binding that many ids costs more than reading them all)
_FIRMS_NAMED = 500


def _firm_users(firm_ids: Iterable[int]) -> dict[int, list[User]]:
    """{firm id: its active users}."""
    ids = set(firm_ids)
    out = {i: [] for i in ids}
    if ids:
        which = User.firm_id.in_(ids) if len(ids) <= _FIRMS_NAMED else User.firm_id.is_not(None)
        for u in db.session.scalars(sa.select(User).where(which, User.active.is_(True))):
            if u.firm_id in out:
                out[u.firm_id].append(u)
    return out


@_in_the_events_transaction
def proposals_arrived(run_id: int, pairing_ids: Iterable[int] | None = None,
                      per_firm: Mapping[int, int] | None = None) -> int:
    """A matching run proposed pairings: each user of a buyer or supplier firm hears once per run how
    many proposals arrived for the firm. ``per_firm`` (firm id -> the run's proposals to it, as
    buyer or supplier) is what the run counted as it stored them; else they are counted in the
    database (a run stores a hundred thousand)."""
    counts: dict[int, int] = dict(per_firm) if per_firm is not None else {}
    for posting in (Need, Offer) if per_firm is None else ():
        stmt = (sa.select(posting.firm_id, sa.func.count()).select_from(Pairing)
                .join(posting, posting.id == (Pairing.need_id if posting is Need else Pairing.offer_id))
                .where(Pairing.run_id == run_id, Pairing.status == "proposed").group_by(posting.firm_id))
        if pairing_ids is not None:
            stmt = stmt.where(Pairing.id.in_(list(pairing_ids)))
        for firm_id, n in db.session.execute(stmt):
            counts[firm_id] = counts.get(firm_id, 0) + n
    users = _firm_users(counts)
    told = 0
    for firm_id, n in sorted(counts.items()):
        told += notify(users[firm_id], "proposal_arrived", f"run:{run_id}:firm:{firm_id}", {"n": n},
                       "/firm/proposals?state=waiting")
    return told


@_in_the_events_transaction
def proposal_answered(pairing: Pairing, side: str, decision: str, actor: User | None = None) -> int:
    """One side accepted or declined: the other side's users hear it."""
    other = pairing.offer.firm if side == "buyer" else pairing.need.firm
    mine = pairing.need.firm if side == "buyer" else pairing.offer.firm
    params = {"firm": mine.name, "decision": decision, "pairing": pairing.id, "need": pairing.need.ref,
              "offer": pairing.offer.ref}
    return notify(_firm_users([other.id])[other.id], "proposal_answered", f"pairing:{pairing.id}:{side}:{decision}",
                  params, "/firm/proposals?state=open", skip=actor)


@_in_the_events_transaction
def link_formed(link: Link) -> int:
    """A link formed (a pairing both sides accepted, or a confirmed request): both sides' users."""
    users = _firm_users([link.supplier_id, link.buyer_id])
    params = {"link": link.ref, "supplier": link.supplier.name, "buyer": link.buyer.name}
    url = f"/firm/links/{link.id}"
    return sum(notify(users[firm_id], "link_formed", f"link:{link.id}:formed", params, url)
               for firm_id in (link.supplier_id, link.buyer_id))


@_in_the_events_transaction
def item_assigned(user_id: int, item: str, title: str, action: str = "assigned", url: str | None = None,
                  actor: User | None = None) -> int:
    """The hook of the agenda: an item (a break, an overdue commitment...) was assigned or escalated
    to a user. `item` identifies it (e.g. "break:12"), `action` is assigned or escalated."""
    user = db.session.get(User, user_id)
    if user is None:
        return 0
    key = f"{item}:{action}:{user_id}:{utcnow().isoformat(timespec='seconds')}"
    return notify([user], "item_assigned", key, {"what": item, "title": title, "action": action}, url, skip=actor)


@_in_the_events_transaction
def report_ready(week: str, report_id: int | None = None) -> int:
    """The weekly report was written: every active task-force member and admin."""
    staff = db.session.scalars(sa.select(User).where(User.role.in_(("staff", "admin")), User.active.is_(True))).all()
    return notify(staff, "report_ready", f"report:{week}", {"week": week}, f"/taskforce/report?week={week}")


def commitment_reminders(today: date | None = None) -> int:
    """The daily job (a use case: it commits): each commitment (spec/article10.md) falling due in
    DUE_SOON_DAYS days reminds its link's buyer, and each overdue one tells the buyer; once each
    (the key names the commitment and its due date)."""
    today = today or clock.today()
    told = 0
    links = {}
    for kind, c in _commitments(today):
        link = links.get(c.link) or db.session.scalar(sa.select(Link).where(Link.ref == c.link))
        if link is None:
            continue
        links[c.link] = link
        params = {"term": c.term, "link": link.ref, "due": c.due.isoformat()}
        key = f"{kind}:{link.id}:{c.term}:{c.delivery or ''}:{c.due.isoformat()}"
        told += notify(_firm_users([link.buyer_id])[link.buyer_id], kind, key, params, f"/firm/links/{link.id}")
    db.session.commit()
    return told


def _commitments(today: date) -> list[tuple[str, "graphs.Commitment"]]:
    """("commitment_overdue", c) for each commitment overdue today, ("commitment_due", c) for each
    that will be overdue once its due day, DUE_SOON_DAYS days from today, has passed unkept."""
    from matchmaker.services.ledger.status import commitment_periods  # (ledger reads links, which tell us)

    periods = commitment_periods()
    later = today + timedelta(days=DUE_SOON_DAYS + 1)
    ledger = net.load_ledger(today)
    out = []
    seen = set()
    for as_of, kind in ((today, "commitment_overdue"), (later, "commitment_due")):
        settlement = graphs.settle(ledger.deliveries, ledger.payments, as_of)
        for c in graphs.overdue_commitments(ledger.links, ledger.orders, ledger.deliveries, ledger.payments, as_of,
                                            settlement=settlement, **periods):
            ident = (c.link, c.term, c.delivery)
            if ident in seen or (kind == "commitment_due" and c.due != later - timedelta(days=1)):
                continue
            seen.add(ident)
            out.append((kind, c))
    return out
