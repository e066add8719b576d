"""The task queue: Celery with a Redis broker, set up as Flask's documentation describes
("Background Tasks with Celery": a Celery app per Flask app whose tasks run inside an app
context, kept in ``app.extensions["celery"]``; the worker starts from :mod:`matchmaker.worker`).

* **Queued** when a broker is configured (``BROKER_URL``, default ``REDIS_URL``): :func:`submit`
  sends the task to Redis and any worker (``celery -A matchmaker.worker worker``) runs it; its
  progress and result go to the result backend (``RESULT_BACKEND``, default the broker), where
  every web server can read them (:func:`job_state`).
* **In-process** otherwise (the single-machine default, nothing else to start): :func:`submit`
  runs the very same task function here, at once or on a thread of its own.

The tasks themselves are in :mod:`matchmaker.tasks`; they return plain JSON values, and a domain
error inside one comes back to the caller of :func:`call` as the same domain error.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from flask import current_app

from matchmaker import errors as domain_errors

if TYPE_CHECKING:  # Celery is imported when a task is first submitted, not at start-up (0.3 s)
    from celery import Celery, Task

__all__ = ["init_queue", "celery_app", "enabled", "submit", "call", "job_state", "store_state", "progress", "Job",
           "error_outcome", "value_of", "IMPORT_PACKAGE", "RUN_MATCHING", "WEEKLY_REPORT", "SOLVE_FLOWS",
           "SEND_MAIL", "COMMITMENT_REMINDERS"]

# The tasks (defined in matchmaker.tasks), by name.
IMPORT_PACKAGE = "matchmaker.import_package"
RUN_MATCHING = "matchmaker.run_matching"
WEEKLY_REPORT = "matchmaker.weekly_report"
SOLVE_FLOWS = "matchmaker.solve_flows"  # a group of a matching run's components (MATCH_FANOUT)
SEND_MAIL = "matchmaker.send_mail"  # the e-mail outbox (issue 13)
COMMITMENT_REMINDERS = "matchmaker.commitment_reminders"  # the daily reminders of article-10 commitments

_EXTENSION = "matchmaker.queue"
_lock = threading.Lock()


def init_queue(app) -> None:
    """Record the queue's configuration for the app (cheap: the Celery app is made on first use)."""
    broker = app.config.get("BROKER_URL") or app.config.get("REDIS_URL")
    app.config["CELERY"] = dict(
        broker_url=broker or "memory://",  # never used without a broker: tasks then run in-process
        result_backend=app.config.get("RESULT_BACKEND") or broker,
        result_expires=int(app.config.get("TASK_RESULT_EXPIRES", 7 * 24 * 3600)),
        task_ignore_result=True,  # tasks that report say so (ignore_result=False)
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=app.config.get("TASK_QUEUE") or "matchmaker",
        worker_prefetch_multiplier=1,  # long tasks: a worker takes one at a time
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 6 * 3600},
        worker_hijack_root_logger=False,
        **(app.config.get("CELERY_OPTIONS") or {}),
    )
    app.extensions[_EXTENSION] = {"queued": bool(broker)}


def celery_app(app=None) -> "Celery":
    """The app's Celery app (Flask's ``celery_init_app``: tasks run inside an app context), made
    on first use and kept in ``app.extensions["celery"]``."""
    app = app or current_app._get_current_object()
    made = app.extensions.get("celery")
    if made is not None:
        return made
    with _lock:
        if "celery" not in app.extensions:
            from celery import Celery, Task

            from matchmaker import tasks  # noqa: F401  (shared tasks: bound to every Celery app)

            class FlaskTask(Task):
                def __call__(self, *args: object, **kwargs: object) -> object:
                    with app.app_context():
                        return self.run(*args, **kwargs)

            made = Celery(app.import_name, task_cls=FlaskTask)
            made.config_from_object(app.config["CELERY"])
            made.finalize(auto=True)
            app.extensions["celery"] = made
    return app.extensions["celery"]


def enabled() -> bool:
    """Whether tasks go to a broker (else they run in this process)."""
    return bool(current_app.extensions[_EXTENSION]["queued"])


@dataclass
class Job:
    """A submitted task: its id, whether it was queued, and (run here at once) its return value."""

    id: Optional[str]
    queued: bool
    value: Any = None


def submit(name: str, *args: Any, task_id: Optional[str] = None, background: bool = False) -> Job:
    """Queue the task `name` when a broker is configured; else run it here, at once or (background)
    on a thread of its own. Returns the :class:`Job`."""
    task = celery_app().tasks[name]
    if enabled():
        result = task.apply_async(args=list(args), task_id=task_id)
        return Job(result.id, True)
    if background:
        thread = threading.Thread(target=task, args=args, daemon=True, name=f"task-{name.rsplit('.', 1)[-1]}")
        thread.start()
        return Job(task_id, False)
    return Job(task_id, False, task(*args))


def call(name: str, *args: Any, timeout: float = 600) -> Any:
    """Run the task `name` (on a worker when queued, else here) and wait for its value; a domain
    error raised by the task is raised here again; a worker that does not answer within `timeout`
    seconds is ServiceUnavailable."""
    job = submit(name, *args)
    if not job.queued:
        return value_of(job.value)
    from celery.exceptions import TimeoutError as CeleryTimeout

    result = celery_app().AsyncResult(job.id)
    try:
        outcome = result.get(timeout=timeout, propagate=False)
    except CeleryTimeout:
        raise domain_errors.ServiceUnavailable(
            "no task worker answered in time; the task stays queued and runs when one is free") from None
    if result.failed():
        raise domain_errors.ServiceUnavailable(f"the task failed on its worker ({type(outcome).__name__})")
    return value_of(outcome)


def error_outcome(exc: domain_errors.DomainError) -> dict:
    """A domain error as a task's JSON return value (see :func:`value_of`)."""
    return {"error": type(exc).__name__, "message": exc.message, "errors": exc.errors}


def value_of(outcome: Any) -> Any:
    """The value of a task's outcome ``{"value": ...}``, or its domain error raised again."""
    if isinstance(outcome, dict) and "error" in outcome:
        cls = getattr(domain_errors, str(outcome["error"]), None)
        if not (isinstance(cls, type) and issubclass(cls, domain_errors.DomainError)):
            cls = domain_errors.ServiceUnavailable
        raise cls(outcome.get("message") or "the task failed", outcome.get("errors") or {})
    return outcome.get("value") if isinstance(outcome, dict) else outcome


def store_state(task_id: str, state: str, meta: dict) -> None:
    """Record a task's state and meta in the result backend (e.g. before a worker has taken it)."""
    celery_app().backend.store_result(task_id, meta, state)


def job_state(task_id: str) -> tuple[str, Any]:
    """(state, meta or result) of a task from the result backend: ("PENDING", None) when unknown."""
    result = celery_app().AsyncResult(task_id)
    return result.state, result.info


def progress(task: "Task", meta: dict, state: str = "PROGRESS") -> None:
    """Report a running task's progress through the result backend (nothing when run in-process)."""
    if getattr(task.request, "id", None) and not getattr(task.request, "is_eager", False) and enabled():
        task.update_state(state=state, meta=meta)
