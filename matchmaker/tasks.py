"""The service's background tasks (an edge, like the CLI): each names its actor and calls a service.

Registered on every Celery app with ``shared_task`` (Flask's pattern); :mod:`matchmaker.infra.queue`
queues them when a broker is configured and runs the same functions in-process otherwise.
Arguments and return values are JSON: a domain error comes back as ``{"error": ...}`` (see
:func:`matchmaker.infra.queue.value_of`), a value as ``{"value": ...}``.

* ``matchmaker.import_package``: a data package uploaded on the admin page, with progress;
* ``matchmaker.run_matching``: a matching run (the scheduler's daily one, or one started by staff);
* ``matchmaker.weekly_report``: this week's report unless it exists (the scheduler's job; the
  week's guard row makes two of them at once write one report);
* ``matchmaker.solve_flows``: a group of a matching run's components, when the run fans them out
  over the workers (``MATCH_FANOUT``, :mod:`matchmaker.services.matching.fanout`).

* ``matchmaker.send_mail``: the e-mail outbox over SMTP (leases make several senders safe);
* ``matchmaker.commitment_reminders``: the daily reminders of commitments due in three days and overdue.
"""
from __future__ import annotations

import contextlib
from datetime import date
from typing import Optional

from celery import shared_task

from matchmaker.errors import DomainError
from matchmaker.infra import queue
from matchmaker.services.support.audit import acting_as, acting_user, set_acting_user

from matchmaker.infra.queue import (COMMITMENT_REMINDERS, IMPORT_PACKAGE, RUN_MATCHING, SEND_MAIL, SOLVE_FLOWS,
                                    WEEKLY_REPORT)


@shared_task(name=IMPORT_PACKAGE, ignore_result=False)
def import_package(job_id: str, user_id: int, filename: str, folder: Optional[str] = None) -> dict:
    """Import an uploaded data package as the admin who uploaded it; returns the job's last status
    (progress on the way: in the result backend when queued, in `folder` when run in-process)."""
    from matchmaker.services import package_imports

    return package_imports.run_import(package_imports.job_store(folder), job_id, user_id, filename)


@shared_task(name=RUN_MATCHING, bind=True, ignore_result=False)
def run_matching(self, as_of: Optional[str] = None, started_by: Optional[str] = None,
                 user_id: Optional[int] = None) -> dict:
    """Run the matcher as of a date (ISO; today when None) for `started_by` (the scheduler, or the
    account `user_id` whose writes these are); ``{"value": {"run_id": ..., "pairings": ...}}``."""
    from matchmaker.services import matching

    with acting_as(started_by or "scheduler"), _acting_user(user_id):
        try:
            run = matching.run_matching(date.fromisoformat(as_of) if as_of else None, started_by=started_by,
                                        progress=lambda stage: queue.progress(self, {"stage": stage}))
        except DomainError as exc:
            return queue.error_outcome(exc)
        return {"value": {"run_id": run.id, "pairings": run.pairings_count}}


@contextlib.contextmanager
def _acting_user(user_id: Optional[int]):
    """The account that asked for a task is the actor of its writes (queued: on the worker too)."""
    if user_id is None or acting_user() is not None:
        yield
        return
    from matchmaker.infra.extensions import db
    from matchmaker.models import User

    set_acting_user(db.session.get(User, user_id))
    try:
        yield
    finally:
        set_acting_user(None)


@shared_task(name=WEEKLY_REPORT, ignore_result=False)
def weekly_report() -> dict:
    """Write this week's report unless it exists; ``{"value": {"week": ..., "written": bool}}``."""
    from matchmaker.services import reports

    with acting_as("scheduler"):
        try:
            report, written = reports.write_weekly_report(only_if_missing=True)
        except DomainError as exc:
            return queue.error_outcome(exc)
        return {"value": {"week": report.week, "written": written}}


@shared_task(name=SOLVE_FLOWS, ignore_result=False)
def solve_flows(problems: list) -> dict:
    """Solve a group of a matching run's flow problems (encoded); ``{"value": [encoded flows]}``."""
    from matchmaker.services.matching import fanout

    return {"value": fanout.solve_encoded(problems)}


@shared_task(name=SEND_MAIL, ignore_result=False)
def send_mail() -> dict:
    """Send what is due in the e-mail outbox, each mail in its addressee's language;
    ``{"value": {"sent": n, "failed": n, "batches": n}}``."""
    from matchmaker.infra.notices import mail_text
    from matchmaker.infra.settings import setting
    from matchmaker.services import notifications

    base = setting("MAIL_BASE_URL", "")
    with acting_as("scheduler"):
        return {"value": notifications.send_outbox(
            lambda row: mail_text(row.locale, row.kind, row.params, row.url, base))}


@shared_task(name=COMMITMENT_REMINDERS, ignore_result=False)
def commitment_reminders() -> dict:
    """Tell buyers of their commitments due in three days and overdue (once each); ``{"value": told}``."""
    from matchmaker.services import notifications

    with acting_as("scheduler"):
        return {"value": notifications.commitment_reminders()}
