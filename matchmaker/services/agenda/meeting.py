"""Meeting mode's writes (issue 12, item 3): an item's owner (departments, assignee) and due date,
the decision taken on it (who does what by when), and at the next meeting its outcome.

Only items of the latest report change, only by task-force staff of the item's owner region or
above; each change is an :class:`AgendaEvent` in the item's log and, through the flush hook, an
audit entry.
"""
from datetime import date

import sqlalchemy as sa

from matchmaker.infra import clock
from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.rules import DECISION_MAX
from matchmaker.models.agenda import DECISION_OUTCOMES, AgendaEntry, AgendaEvent
from matchmaker.services.agenda.build import DEPARTMENTS
from matchmaker.services.agenda.read import find_item
from matchmaker.services.auth import in_scope
from matchmaker.services.reports.read import get_report, latest_report_id
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, NotFound

__all__ = ["record_decision", "record_outcome"]



def _check_staff(actor: User | None) -> None:
    if actor is None or actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff act on the agenda")


def _event(key: str, week: str, actor: User, action: str, note: str | None) -> None:
    db.session.add(AgendaEvent(key=key, week=week, action=action, actor_id=actor.id,
                               actor=actor.name or actor.email, note=note, at=clock.now()))


def _entry(week: str, key: str, owner_region: str) -> AgendaEntry:
    entry = db.session.scalar(sa.select(AgendaEntry).where(AgendaEntry.week == week, AgendaEntry.key == key)
                              .with_for_update())
    if entry is None:
        entry = AgendaEntry(week=week, key=key, owner_region=owner_region)
        db.session.add(entry)
    entry.owner_region = owner_region
    return entry


def _assignee(actor: User, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    user = db.session.get(User, assignee_id)
    if user is None or not user.active or user.role != "staff" or not in_scope(actor, user.region_code or ""):
        raise Invalid("choose an active staff member of your region",
                      {"assignee_id": ["not a staff member you can assign"]})
    return user


def record_decision(actor: User | None, key: str, decision: str, departments: list[str] | None = None,
                    assignee_id: int | None = None, due: date | None = None, week: str | None = None) -> AgendaEntry:
    """Record the meeting's decision on an item of the latest report: who does what by when (the
    departments default to the item's factors', the due date to the next meeting)."""
    _check_staff(actor)
    report = get_report(week)
    if report.id != latest_report_id():
        raise Conflict("only the latest week's agenda can be decided")
    item = find_item(report, key)
    if not in_scope(actor, item.owner_region or ""):
        raise Forbidden("only staff of the item's owner region or above decide on it")
    text = (decision or "").strip()
    errors = {}
    if not text:
        errors["decision"] = ["say who does what"]
    elif len(text) > DECISION_MAX:
        errors["decision"] = [f"at most {DECISION_MAX} characters"]
    deps = [d for d in (departments or []) if d]
    if any(d not in DEPARTMENTS for d in deps):
        errors["departments"] = ["unknown department"]
    if due is not None and due < report.as_of:
        errors["due"] = ["must not be before the report's day"]
    if errors:
        raise Invalid("the decision is incomplete", errors)
    user = _assignee(actor, assignee_id)
    entry = _entry(report.week, key, item.owner_region)
    entry.decision = text
    entry.departments = deps or None
    entry.assignee_id = user.id if user is not None else None
    entry.due = due
    entry.decided_by = actor.name or actor.email
    entry.decided_at = clock.now()  # the service's clock, as the break history (issue 12, item 6)
    who = ", ".join(deps) + (f"; {user.name or user.email}" if user is not None else "")
    _event(key, report.week, actor, "decided", f"{text} [{who}{'; ' if who else ''}{due or ''}]".replace("[]", ""))
    db.session.commit()
    return entry


def record_outcome(actor: User | None, week: str, key: str, outcome: str, note: str | None = None) -> AgendaEntry:
    """Say at this week's meeting whether an earlier week's decision was done (done / not_done)."""
    _check_staff(actor)
    if outcome not in DECISION_OUTCOMES:
        raise Invalid("done or not done", {"outcome": ["must be done or not_done"]})
    entry = db.session.scalar(sa.select(AgendaEntry).where(AgendaEntry.week == week, AgendaEntry.key == key)
                              .with_for_update())
    if entry is None or entry.decision is None or not in_scope(actor, entry.owner_region):
        raise NotFound("decision not found")
    entry.outcome = outcome
    entry.outcome_note = (note or "").strip() or None
    _event(key, get_report().week, actor, "outcome", f"{week}: {outcome}" + (f" — {entry.outcome_note}"
                                                                            if entry.outcome_note else ""))
    db.session.commit()
    return entry
