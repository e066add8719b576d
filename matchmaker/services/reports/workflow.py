"""The break workflow (交办、升级、销号): assign, note, escalate, close and reopen a break, and its history.

Only breaks of the latest report change, and only by task-force staff of the break's owner
region or above (staff of the other counties on its path see it but do not act on it). Every
change is a :class:`BreakEvent` (kept across weeks under the break's key, stamped in the service's
clock), and the next report carries the workflow over (see :mod:`.write`).

Escalation by hand (article 6: the county could not solve it) needs a reason; the break goes up a
level with its owner region, its assignee is cleared and its status is ``escalated`` until the
higher level takes it up (assigns it). A week in which staff act on a break (assign, note,
escalate, close) is not idle: it does not count toward the automatic escalation
(:func:`graphs.idle_level`). A closed break stays in its week's report with its note, and can be
reopened by the same staff.
"""
import sqlalchemy as sa

from graphs import LEVELS
from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.models.report import OPEN_STATUSES, Break, BreakEvent
from matchmaker.services import notifications
from matchmaker.services.auth import in_scope
from matchmaker.services.reports.read import (break_row, firm_names, latest_report_id, load_break, require_reader,
                                              user_names)
from matchmaker.services.support.errors import Conflict, DomainError, Forbidden, Invalid, Message

__all__ = ["break_history", "get_break", "assign_break", "note_break", "escalate_break", "close_break",
           "reopen_break"]

STAFF_ROLES = ("staff", "admin")


def _refusal(actor: User | None, b: Break, statuses: tuple = OPEN_STATUSES) -> DomainError | None:
    """Why the actor may not change this break now (None when they may); `statuses`: those it may be in."""
    if actor is None or actor.role not in STAFF_ROLES:
        return Forbidden("only task-force staff act on breaks")
    if not in_scope(actor, b.owner_region):
        return Forbidden("only staff of the owner region or above act on this break")
    if b.report_id != latest_report_id():
        return Conflict("only breaks of the latest weekly report can be changed")
    if b.status not in statuses:
        return Conflict("the break is %(status)s", status=Message(b.status))
    return None


def _for_action(actor: User | None, break_id: int, statuses: tuple = OPEN_STATUSES) -> Break:
    """The break, locked, if the actor may change it now; the refusal raised otherwise."""
    if actor is None or actor.role not in STAFF_ROLES:
        raise Forbidden("only task-force staff act on breaks")
    b = load_break(actor, break_id, lock=True)
    refusal = _refusal(actor, b, statuses)
    if refusal is not None:
        raise refusal
    return b


def _event(b: Break, actor: User, action: str, note: str | None = None, assignee_id: int | None = None) -> None:
    """Record a staff action: its event (in the service's clock), and the week is no longer idle."""
    if not b.acted:
        b.acted = True
        b.idle_weeks = max((b.idle_weeks or 0) - 1, 0)
    db.session.add(BreakEvent(key=b.key, week=b.report.week, action=action, actor_id=actor.id,
                              actor=actor.name or actor.email, assignee_id=assignee_id, level=b.level, note=note,
                              at=clock.now()))


def _reason(note: str | None, what: str) -> str:
    """The note stripped; Invalid when empty."""
    if not (note or "").strip():
        raise Invalid(f"{what} needs a note", {"note": ["a note is required"]})
    return note.strip()


def break_history(key: str) -> list[BreakEvent]:
    """Every event of a break (across weeks), oldest first."""
    return db.session.scalars(sa.select(BreakEvent).where(BreakEvent.key == key)
                              .order_by(BreakEvent.at, BreakEvent.id)).all()


def get_break(actor: User | None, break_id: int) -> dict:
    """One break with names, its history and whether the actor may act on it (visible to staff of
    its region and above)."""
    require_reader(actor)
    b = load_break(actor, break_id)
    d = break_row(b, firm_names([b.buyer, b.supplier]), user_names([b.assignee_id]))
    d["history"] = [{"at": e.at, "week": e.week, "action": e.action, "by": e.actor or "", "note": e.note,
                     "level": e.level, "assignee_id": e.assignee_id} for e in break_history(b.key)]
    d["can_act"] = actor is not None and _refusal(actor, b) is None
    d["can_reopen"] = actor is not None and _refusal(actor, b, ("closed",)) is None
    return d


def assign_break(actor: User | None, break_id: int, assignee_id: int | None,
                 note: str | None = None) -> Break:
    """Assign an open break to an active task-force staff member of the actor's jurisdiction
    (the people `lookups.list_staff` offers; administrators are not task-force members)."""
    b = _for_action(actor, break_id)
    user = db.session.get(User, assignee_id) if assignee_id is not None else None
    if (user is None or not user.active or user.role != "staff"
            or not in_scope(actor, user.region_code or "")):
        raise Invalid("choose an active staff member of your region",
                      {"assignee_id": ["not a staff member you can assign"]})
    b.assignee_id = user.id
    b.status = "assigned"
    _event(b, actor, "assigned", note, user.id)
    notifications.item_assigned(user.id, f"break:{b.id}", _title(b), "assigned", f"/taskforce/breaks/{b.id}", actor)
    db.session.commit()
    return b


def _title(b: Break) -> str:
    """How a notification names a break: its kind, buyer, category and supplier (codes)."""
    return " · ".join(x for x in (b.kind, b.buyer, b.category, b.supplier) if x)


def note_break(actor: User | None, break_id: int, note: str | None) -> Break:
    """Add a note to an open break (what was done this week): the week is not idle."""
    b = _for_action(actor, break_id)
    note = _reason(note, "a note")
    _event(b, actor, "noted", note)
    db.session.commit()
    return b


def escalate_break(actor: User | None, break_id: int, note: str | None = None) -> Break:
    """Raise an open break one level by hand, with the reason (article 6: what the county cannot
    solve goes up): its owner region goes up with it, its assignee is cleared and its status is
    ``escalated`` until the higher level assigns it; the lower level keeps reading it."""
    b = _for_action(actor, break_id)
    index = LEVELS.index(b.level)
    if index == len(LEVELS) - 1:
        raise Conflict("the break is already at province level")
    note = _reason(note, "escalating a break")
    b.manual_steps = (b.manual_steps or 0) + 1
    b.level = LEVELS[index + 1]
    county = b.buyer_region
    b.owner_region = (county, county[:4] + "00", county[:2] + "0000")[index + 1]
    b.assignee_id = None
    b.status = "escalated"
    _event(b, actor, "escalated", note)
    # "escalated to you": the staff of the region that now owns it
    for user_id in db.session.scalars(sa.select(User.id).where(
            User.role == "staff", User.active.is_(True), User.region_code == b.owner_region)):
        notifications.item_assigned(user_id, f"break:{b.id}", _title(b), "escalated", f"/taskforce/breaks/{b.id}",
                                    actor)
    db.session.commit()
    return b


def close_break(actor: User | None, break_id: int, note: str | None) -> Break:
    """Close a break with a note (销号): it stays in its week's report as closed, and comes back
    reopened next week if its condition holds."""
    note = _reason(note, "closing a break")
    b = _for_action(actor, break_id)
    b.status = "closed"
    b.note = note
    _event(b, actor, "closed", b.note)
    db.session.commit()
    return b


def reopen_break(actor: User | None, break_id: int, note: str | None = None) -> Break:
    """Reopen a break closed in the latest report (by staff who may act on it): ``assigned`` again
    when it has an assignee, else ``reopened``; the closing note stays in its history."""
    b = _for_action(actor, break_id, ("closed",))
    b.status = "assigned" if b.assignee_id is not None else "reopened"
    _event(b, actor, "reopened", (note or "").strip() or None)
    db.session.commit()
    return b
