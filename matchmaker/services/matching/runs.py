"""Matching runs: stored rows -> :mod:`graphs.matching` -> stored proposals (spec/matching.md).

A run loads what remains open through :mod:`matchmaker.services.support.network`, lets
:func:`graphs.matching.propose_pairings` find the optimal pairings, and stores them as proposals
in one transaction; previous proposals still awaiting an answer lapse. It is also the
scheduler's daily job and the ``matchmaker match`` command (which may write the run file, see
:mod:`matchmaker.packages.runfile`).
"""
import os
import time
from collections.abc import Callable
from datetime import date, timedelta, timezone

import sqlalchemy as sa

from graphs import matching as gm
from matchmaker import collector_paused
from matchmaker.infra import clock, queue
from matchmaker.infra.extensions import db
from matchmaker.infra.settings import setting
from matchmaker.infra.sqlite import foreign_keys_off_until_released
from matchmaker.models.base import utcnow
from matchmaker.models import User
from matchmaker.models.pairing import OPEN_PAIRING_STATUSES, MatchRun, Pairing
from matchmaker.packages.runfile import write_run_file
from matchmaker.services.matching import fanout
from matchmaker.services.matching.partners import invalidate_index
from matchmaker.services.matching.proposals import can_read_pairing
from matchmaker.services.matching.stored import insert_proposals
from matchmaker.services.matching.weights import configured_weights
from matchmaker.services.support import common
from matchmaker.services.support import network as net
from matchmaker.services.support.errors import Conflict, Forbidden, Invalid, Message
from matchmaker.services import notifications


def run_matching(as_of: date | None = None, *, started_by: str | None = None, out: str | os.PathLike | None = None,
                 progress: Callable[[str], None] | None = None) -> MatchRun:
    """Run the matcher as of a date, store the run and its proposals, optionally write the run file.

    Previous proposals still awaiting an answer lapse (a later run replaces them); one that a side
    had already accepted carries that acceptance over when the new run proposes the same pair again
    for no more quantity. Returns the stored MatchRun. This is also the scheduler's daily job.
    """
    # the run allocates hundreds of thousands of acyclic objects (rows, records, reasons), which the
    # cyclic collector would walk again and again (about a third of loading and building the result)
    with collector_paused():
        return _run_matching(as_of, started_by, out, progress)


def _run_matching(as_of, started_by, out, progress):
    """The body of run_matching (load, match, store, write)."""
    as_of = as_of or clock.today()
    say = progress or (lambda stage: None)
    timings = {}
    t = time.perf_counter()

    say("load")
    needs, offers, need_ids, offer_ids, skipped, _ = net.load_postings(as_of)
    substitutes = net.load_substitutes()
    declined = net.load_declined()
    product_names = net.load_product_names()
    timings["load"] = time.perf_counter() - t

    say("match")
    solver = fanout.configured_solver()
    try:
        result = gm.propose_pairings(needs, offers, as_of=as_of, substitutes=substitutes,
                                     declined=declined, weights=configured_weights(),
                                     customers=net.load_customers(), product_names=product_names,
                                     solver=solver)
    except gm.MatchingError as exc:
        raise Invalid("cannot run the matcher: %(why)s", why=str(exc)) from None
    timings.update(result.timings)
    if solver is not None:
        timings.update(fanout_groups_sent=solver.sent, fanout_groups_by_workers=solver.solved_by_workers)

    say("store")
    t = time.perf_counter()
    # SQLite: foreign keys are checked once for the whole run (insert_proposals), not per row and key
    references_checked = foreign_keys_off_until_released(db.session)
    now = utcnow()
    run = MatchRun(
        as_of=as_of, weights=result.weights, objective=dict(result.objective),
        needs_count=len(result.needs), offers_count=len(result.offers),
        candidates_count=len(result.candidates), pairings_count=len(result.pairings),
        started_by=started_by or "system", created_at=now, timings={},
    )
    db.session.add(run)
    db.session.flush()
    carried = _half_accepted()
    # a later run replaces the open proposals of earlier runs, not those made from alternates (a person
    # chose them for a break; they lapse only as any proposal does, when their need or offer changes)
    db.session.execute(
        sa.update(Pairing).where(Pairing.status.in_(OPEN_PAIRING_STATUSES), Pairing.run_id.in_(_matcher_runs()))
        .values(status="lapsed", lapsed_at=now).execution_options(synchronize_session=False))
    firm_of = (net.firms_of(needs), net.firms_of(offers))
    per_firm = insert_proposals(run.id, result.pairings, need_ids, offer_ids, carried, now, firm_of,
                                check_references=references_checked)
    # in the run's transaction: the proposals and their news commit together
    notifications.proposals_arrived(run.id, per_firm=per_firm)
    timings["store"] = time.perf_counter() - t
    run.timings = {k: round(v, 4) for k, v in timings.items()}
    if skipped:
        run.timings["skipped_without_coordinates"] = len(skipped)
    db.session.commit()
    invalidate_index()
    if out:
        say("write")
        write_run_file(result, out)
    return run


def _matcher_runs():
    """The ids of the matcher's runs (not the one-click runs of alternates), as a subquery."""
    return sa.select(MatchRun.id).where(MatchRun.alternate_of.is_(None))


def _half_accepted():
    """(need_id, offer_id) -> (quantity, buyer_accepted_at, supplier_accepted_at) of open
    proposals one side has accepted."""
    rows = db.session.execute(
        sa.select(Pairing.need_id, Pairing.offer_id, Pairing.quantity, Pairing.buyer_accepted_at,
                  Pairing.supplier_accepted_at).where(Pairing.status == "accepted",
                                                      Pairing.run_id.in_(_matcher_runs()))).all()
    return {(n, o): (q, b, s) for n, o, q, b, s in rows}


#: A run's `as_of` lies in this window: not before the service's data can begin, and at most
#: this many days after today (a far-future date would lapse every open proposal and propose none).
EARLIEST_AS_OF = date(2000, 1, 1)
MAX_DAYS_AHEAD = 14


def may_start_run(actor: User | None) -> bool:
    """Whether the actor may start a (province-wide) run: admins and province task-force staff."""
    if actor is None:
        return False
    if actor.role == "admin":
        return True
    return actor.role == "staff" and actor.region is not None and actor.region.level == "province"


def start_run(actor: User, as_of: date | None = None) -> MatchRun:
    """Start a province-wide run now (province task-force staff and admins).

    `as_of` must lie between :data:`EARLIEST_AS_OF` and :data:`MAX_DAYS_AHEAD` days after today;
    a run started by a person less than ``MATCH_RUN_MIN_INTERVAL`` seconds (default 60) after the
    previous one is refused (checked in the database, so it holds across processes; the
    scheduler's daily run does not go through here). The run itself is the task
    ``matchmaker.run_matching``: on a worker when a task queue is configured (waited for at most
    ``TASK_WAIT_SECONDS``, then ServiceUnavailable while it stays queued), else in this process.
    """
    if not may_start_run(actor):
        raise Forbidden("only province task-force staff and admins start a matching run")
    latest = clock.today() + timedelta(days=MAX_DAYS_AHEAD)
    if as_of is not None and not EARLIEST_AS_OF <= as_of <= latest:
        raise Invalid("as_of is out of range",
                      {"as_of": [Message("must be between %(first)s and %(last)s", first=EARLIEST_AS_OF.isoformat(),
                                           last=latest.isoformat())]})
    _throttle(int(setting("MATCH_RUN_MIN_INTERVAL", 60) or 0))
    # the task `matchmaker.run_matching`: on a worker when a task queue is configured (this request
    # waits for it, at most TASK_WAIT_SECONDS), else here
    done = queue.call(queue.RUN_MATCHING, as_of.isoformat() if as_of else None, actor.email, actor.id,
                      timeout=float(setting("TASK_WAIT_SECONDS", 600)))
    return db.session.get(MatchRun, done["run_id"])


def _throttle(interval: int) -> None:
    """Refuse a run started by a person within `interval` seconds of the previous one."""
    if interval <= 0:
        return
    last = db.session.scalar(sa.select(sa.func.max(MatchRun.created_at)).where(MatchRun.started_by.is_not(None)))
    if last is None:
        return
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    waited = (utcnow() - last).total_seconds()
    if waited < interval:
        raise Conflict("a matching run started %(ago)s s ago; start the next one in %(wait)s s",
                       ago=int(waited), wait=int(interval - waited) + 1)


def list_runs(actor: User, page: int = 1, page_size: int = 20) -> tuple[list[dict], int]:
    """Stored runs, newest first (staff and admins)."""
    _require_staff(actor)
    runs, total = common.page_of(sa.select(MatchRun).order_by(MatchRun.id.desc()), page, page_size)
    return [run_for(actor, run) for run in runs], total


def get_run(actor: User, run_id: int) -> dict:
    """A stored run with the pairings it proposed that the actor may read.

    Who started it is shown to admins and to the starter; the province-wide counts only to those
    who may start a run (province staff and admins): others get the counts of what they may read.
    """
    _require_staff(actor)
    run = common.get_row(MatchRun, run_id, "run")
    pairings = [p for p in db.session.scalars(
        sa.select(Pairing).where(Pairing.run_id == run.id).order_by(Pairing.id)).all()
        if can_read_pairing(actor, p)]
    return {"run": run_for(actor, run, pairings), "pairings": pairings}


def run_for(actor: User, run: MatchRun, readable_pairings: list[Pairing] | None = None) -> dict:
    """A run as the actor may see it (see :func:`get_run`)."""
    out = {name: getattr(run, name) for name in ("id", "as_of", "weights", "timings", "objective", "needs_count",
                                                    "offers_count", "candidates_count", "pairings_count",
                                                    "created_at", "started_by")}
    if not (actor.role == "admin" or actor.email == run.started_by):
        out["started_by"] = None
    if not may_start_run(actor):
        out.update(objective={}, timings={}, needs_count=None, offers_count=None, candidates_count=None,
                   pairings_count=None if readable_pairings is None else len(readable_pairings))
    return out


def _require_staff(actor):
    if actor.role not in ("staff", "admin"):
        raise Forbidden("only task-force staff and admins read matching runs")
