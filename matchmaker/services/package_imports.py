"""Data-package imports started from the admin page: the upload is imported in a background
thread, and the job's progress and outcome are kept in a small JSON file per job (so any worker
process can answer the page's polling).

The caller (the web edge) gives the folder of the status files and a `context` factory: a
zero-argument callable returning the context manager inside which the database session may be
used (the application's `app_context`), since the job runs on a thread of its own.
"""
import itertools
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from matchmaker.infra.extensions import db
from matchmaker.models import User
from matchmaker.packages.problems import PackageInvalid
from matchmaker.services.packages import import_package
from matchmaker.services.support.audit import acting_user, set_acting_user
from matchmaker.services.support.errors import DomainError, Forbidden

log = logging.getLogger(__name__)

_ID_CHARS = set("0123456789abcdef")
MAX_AGE = 7 * 24 * 3600  # status files and stray uploads older than this are removed


class Upload(Protocol):
    """An uploaded file: anything that can save itself to a path (werkzeug's FileStorage)."""

    def save(self, dst: str) -> None: ...


def start_import(user_id: int, upload: Upload, filename: str | None, folder: str,
                 context: Callable[[], AbstractContextManager], background: bool = True) -> str:
    """Save the uploaded file (anything with `save(path)`) in `folder` and import it, on a thread
    of its own when `background`, else at once; returns the job id."""
    os.makedirs(folder, exist_ok=True)
    _forget_old(folder)
    job_id = secrets.token_hex(16)
    ext = os.path.splitext(filename or "")[1].lower()
    path = os.path.join(folder, f"{job_id}.upload{ext}")
    upload.save(path)
    _write_status(folder, job_id, user_id=user_id, state="running", filename=filename, done=0, total=0,
                  section=None, counts={}, errors=[], message=None)
    args = (folder, context, job_id, user_id, path, filename)
    if background:
        threading.Thread(target=_run, args=args, daemon=True, name=f"import-{job_id[:8]}").start()
    else:
        _run(*args)
    return job_id


def read_status(folder: str, job_id: str, user_id: int) -> dict | None:
    """The status of a job started by this user (a dict), or None."""
    if not job_id or set(job_id) - _ID_CHARS or len(job_id) != 32:
        return None
    try:
        with open(_status_path(folder, job_id), encoding="utf-8") as fh:
            status = json.load(fh)
    except (OSError, ValueError):
        return None
    return status if status.get("user_id") == user_id else None


def read_errors(folder: str, job_id: str, user_id: int, start: int = 0,
                count: int = 100) -> tuple[list[dict], int] | None:
    """(the problems start..start+count of a failed job started by this user, how many there are
    in all), each a dict of section, row, field and message; None when there is no such job.

    The problems are kept one per line in a file of their own, so a package with hundreds of
    thousands of bad rows costs the status polling nothing and a page of them only its lines."""
    status = read_status(folder, job_id, user_id)
    if status is None:
        return None
    total = status.get("error_count", len(status.get("errors") or ()))
    if status.get("errors"):  # written inline before the problems had a file of their own
        return status["errors"][start:start + count], total
    errors = []
    try:
        with open(_errors_path(folder, job_id), encoding="utf-8") as fh:
            for line in itertools.islice(fh, start, start + count):
                errors.append(json.loads(line))
    except (OSError, ValueError):
        return [], 0
    return errors, total


def _status_path(folder, job_id):
    return os.path.join(folder, f"{job_id}.json")


def _errors_path(folder, job_id):
    return os.path.join(folder, f"{job_id}.errors.jsonl")


def _write_errors(folder, job_id, problems):
    """The problems of a failed import, one JSON object a line; how many there are."""
    path = _errors_path(folder, job_id)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        for p in problems:
            fh.write(json.dumps(dict(section=p.section, row=p.row, field=p.field, message=p.message),
                                ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)
    return len(problems)


def _write_status(folder, job_id, **status):
    """Replace the job's status file atomically."""
    path = _status_path(folder, job_id)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(status, fh, ensure_ascii=False, default=str)
    os.replace(tmp, path)


def _forget_old(folder, max_age=MAX_AGE):
    """Remove status files (and stray uploads) older than `max_age` seconds."""
    cutoff = time.time() - max_age
    for name in os.listdir(folder):
        full = os.path.join(folder, name)
        try:
            if os.path.getmtime(full) < cutoff:
                os.remove(full)
        except OSError:
            pass


def _run(folder, context, job_id, user_id, path, filename):
    """Import one package inside `context()` and record the outcome; the upload is removed."""
    with context():
        base = dict(user_id=user_id, filename=filename)

        def progress(done, total):
            _write_status(folder, job_id, state="running", done=done, total=total, section=None, counts={},
                          errors=[], message=None, **base)

        previous = acting_user()  # the job runs outside the request: it names the admin itself
        try:
            actor = db.session.get(User, user_id)
            if actor is None or actor.role != "admin":
                raise Forbidden("only administrators import data packages")
            set_acting_user(actor)
            result = import_package(path, filename=filename, progress=progress)
            counts = {s: {"created": result.created[s], "replaced": result.replaced[s]} for s in result.created}
            _write_status(folder, job_id, state="done", done=1, total=1, section=None, counts=counts, errors=[],
                          message=None, **base)
        except PackageInvalid as exc:
            db.session.rollback()
            count = _write_errors(folder, job_id, exc.problems)
            _write_status(folder, job_id, state="failed", done=0, total=0, section=None, counts={},
                          errors=[], error_count=count, message=exc.message, **base)
        except DomainError as exc:
            db.session.rollback()
            _write_status(folder, job_id, state="failed", done=0, total=0, section=None, counts={},
                          errors=[], message=exc.message, **base)
        except Exception as exc:  # noqa: BLE001  (an unreadable file must still end the job)
            db.session.rollback()
            log.exception("import %s failed", job_id)
            _write_status(folder, job_id, state="failed", done=0, total=0, section=None, counts={}, errors=[],
                          message=f"the file could not be read ({type(exc).__name__})", **base)
        finally:
            set_acting_user(previous)
            db.session.remove()
            try:
                os.remove(path)
            except OSError:
                pass
