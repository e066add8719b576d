"""Data-package imports started from the admin page, followed by polling from any web server.

The upload runs as the task ``matchmaker.import_package`` (:mod:`matchmaker.tasks`): on a worker
when a task queue is configured, else on a thread of this process. Its progress and outcome are
kept where every web server that may be polled can read them, by one of two job stores:

* :class:`QueuedJobs` (task queue configured): the status in the queue's result backend (the
  task's state), the upload and the problems of a refused package in the shared cache (Redis),
  so a worker on another machine reads the upload and any web server follows the job;
* :class:`FolderJobs` (in-process, the single-machine default): a small JSON file per job in a
  folder (the instance folder), so any worker process of the machine answers the polling.

The problems of a refused package are kept apart from the polled status (a package with
hundreds of thousands of bad rows costs the polling nothing, a page of them only its lines).
"""
import itertools
import json
import logging
import os
import secrets
import tempfile
import time
from typing import Protocol

from matchmaker.infra import queue
from matchmaker.infra.cache import shared_cache
from matchmaker.infra.extensions import db
from matchmaker.infra.files import replacing
from matchmaker.models import User
from matchmaker.packages.problems import PackageInvalid
from matchmaker.services.packages import import_package
from matchmaker.services.support.audit import acting_user, set_acting_user
from matchmaker.services.support.errors import DomainError, Forbidden

log = logging.getLogger(__name__)

_ID_CHARS = set("0123456789abcdef")
MAX_AGE = 7 * 24 * 3600  # status files, stray uploads and shared entries older than this are removed


class Upload(Protocol):
    """An uploaded file: anything that can save itself to a path (werkzeug's FileStorage)."""

    def save(self, dst: str) -> None: ...


def start_import(user_id: int, upload: Upload, filename: str | None, folder: str, background: bool = True) -> str:
    """Keep the uploaded file (anything with `save(path)`) for the import task and start it: queued
    when a task queue is configured, else here (on a thread of its own when `background`);
    returns the job id."""
    job_id = secrets.token_hex(16)
    queued = queue.enabled()
    jobs = job_store(None if queued else folder)
    jobs.save_upload(job_id, upload, os.path.splitext(filename or "")[1].lower())
    jobs.write_status(job_id, _status(user_id, filename, "running"))
    if queued:
        queue.submit(queue.IMPORT_PACKAGE, job_id, user_id, filename, task_id=job_id)
    else:
        queue.submit(queue.IMPORT_PACKAGE, job_id, user_id, filename, folder, background=background)
    return job_id


def read_status(folder: str | None, job_id: str, user_id: int) -> dict | None:
    """The status of a job started by this user (a dict), or None."""
    if not _is_job_id(job_id):
        return None
    status = job_store(None if queue.enabled() else folder).read_status(job_id)
    return status if isinstance(status, dict) and status.get("user_id") == user_id else None


def read_errors(folder: str | None, job_id: str, user_id: int, start: int = 0,
                count: int = 100) -> tuple[list[dict], int] | None:
    """(the problems start..start+count of a failed job started by this user, how many there are
    in all), each a dict of section, row, field and message; None when there is no such job."""
    status = read_status(folder, job_id, user_id)
    if status is None:
        return None
    total = status.get("error_count", len(status.get("errors") or ()))
    if status.get("errors"):  # written inline before the problems had a place of their own
        return status["errors"][start:start + count], total
    return job_store(None if queue.enabled() else folder).read_errors(job_id, start, count), total


def job_store(folder: str | None) -> "FolderJobs | QueuedJobs":
    """Where jobs keep their uploads, statuses and problems: the folder (in-process) or, with
    `folder` None, the task queue and the shared cache."""
    return FolderJobs(folder) if folder else QueuedJobs()


def run_import(jobs: "FolderJobs | QueuedJobs", job_id: str, user_id: int, filename: str) -> dict:
    """The import task's body: import the uploaded package as its admin, record progress and the
    outcome in `jobs`; the upload is removed. Returns the last status."""
    base = dict(user_id=user_id, filename=filename)

    def progress(done, total):
        jobs.write_status(job_id, dict(_status(user_id, filename, "running"), done=done, total=total))

    status = _status(user_id, filename, "failed")
    previous = acting_user()  # the job runs outside the request: it names the admin itself
    try:
        with jobs.upload_path(job_id) as path:
            actor = db.session.get(User, user_id)
            if actor is None or actor.role != "admin":
                raise Forbidden("only administrators import data packages")
            set_acting_user(actor)
            if path is None:
                raise DomainError("the uploaded file is no longer there; upload it again")
            result = import_package(path, filename=filename, progress=progress)
        counts = {s: {"created": result.created[s], "replaced": result.replaced[s]} for s in result.created}
        status = dict(base, state="done", done=1, total=1, section=None, counts=counts, errors=[], message=None)
    except PackageInvalid as exc:
        db.session.rollback()
        status["error_count"] = jobs.write_errors(job_id, exc.problems)
        status["message"] = exc.message
    except DomainError as exc:
        db.session.rollback()
        status["message"] = exc.message
    except Exception as exc:  # noqa: BLE001  (an unreadable file must still end the job)
        db.session.rollback()
        log.exception("import %s failed", job_id)
        status["message"] = f"the file could not be read ({type(exc).__name__})"
    finally:
        set_acting_user(previous)
        db.session.remove()
    jobs.write_status(job_id, status)
    return status


def _status(user_id, filename, state):
    return dict(user_id=user_id, filename=filename, state=state, done=0, total=0, section=None, counts={},
                errors=[], message=None)


def _is_job_id(job_id):
    return bool(job_id) and len(job_id) == 32 and not set(job_id) - _ID_CHARS


def _problem(p):
    return dict(section=p.section, row=p.row, field=p.field, message=p.message)


class _Upload:
    """Context manager: the path of a job's upload (None when gone), removed afterwards."""

    def __init__(self, path, cleanup):
        self.path, self.cleanup = path, cleanup

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self.cleanup()


class FolderJobs:
    """Jobs of one machine: the upload, a JSON status file and a problems file per job in a folder."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def _path(self, job_id, suffix):
        return os.path.join(self.folder, f"{job_id}{suffix}")

    def save_upload(self, job_id: str, upload: Upload, ext: str) -> None:
        self._forget_old()
        upload.save(self._path(job_id, ".upload" + ext))

    def upload_path(self, job_id: str) -> "_Upload":
        names = [n for n in os.listdir(self.folder) if n.startswith(job_id + ".upload")]
        path = os.path.join(self.folder, names[0]) if names else None

        def remove():
            if path:
                try:
                    os.remove(path)
                except OSError:
                    pass

        return _Upload(path, remove)

    def write_status(self, job_id: str, status: dict) -> None:
        """Replace the job's status file atomically."""
        path = self._path(job_id, ".json")
        with replacing(path, "w") as fh:
            json.dump(status, fh, ensure_ascii=False, default=str)

    def read_status(self, job_id: str) -> dict | None:
        try:
            with open(self._path(job_id, ".json"), encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def write_errors(self, job_id: str, problems: list) -> int:
        """The problems of a refused import, one JSON object a line; how many there are."""
        path = self._path(job_id, ".errors.jsonl")
        with replacing(path, "w") as fh:
            for p in problems:
                fh.write(json.dumps(_problem(p), ensure_ascii=False) + "\n")
        return len(problems)

    def read_errors(self, job_id: str, start: int, count: int) -> list[dict]:
        errors = []
        try:
            with open(self._path(job_id, ".errors.jsonl"), encoding="utf-8") as fh:
                for line in itertools.islice(fh, start, start + count):
                    errors.append(json.loads(line))
        except (OSError, ValueError):
            return []
        return errors

    def _forget_old(self, max_age=MAX_AGE):
        """Remove status files (and stray uploads) older than `max_age` seconds."""
        cutoff = time.time() - max_age
        for name in os.listdir(self.folder):
            full = os.path.join(self.folder, name)
            try:
                if os.path.getmtime(full) < cutoff:
                    os.remove(full)
            except OSError:
                pass


class QueuedJobs:
    """Jobs of a task queue: the status is the task's state in the result backend; the upload and
    the problems (in blocks of :data:`PROBLEMS_PER_BLOCK`) wait in the shared cache for a week."""

    PROBLEMS_PER_BLOCK = 1000

    def __init__(self) -> None:
        self.cache = shared_cache()

    def save_upload(self, job_id: str, upload: Upload, ext: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "upload" + ext)
            upload.save(path)
            with open(path, "rb") as fh:
                self.cache.set(f"import:{job_id}:upload", fh.read(), MAX_AGE)
        self.cache.set(f"import:{job_id}:ext", ext, MAX_AGE)

    def upload_path(self, job_id: str) -> "_Upload":
        data = self.cache.get(f"import:{job_id}:upload")
        ext = (self.cache.get(f"import:{job_id}:ext") or b"").decode()
        tmp = tempfile.TemporaryDirectory(prefix="matchmaker-import-")
        path = None
        if data is not None:
            path = os.path.join(tmp.name, "upload" + ext)
            with open(path, "wb") as fh:
                fh.write(data)
        del data

        def remove():
            tmp.cleanup()
            self.cache.delete(f"import:{job_id}:upload")

        return _Upload(path, remove)

    def write_status(self, job_id: str, status: dict) -> None:
        queue.store_state(job_id, "PROGRESS" if status.get("state") == "running" else "DONE", status)

    def read_status(self, job_id: str) -> dict | None:
        state, info = queue.job_state(job_id)
        return info if isinstance(info, dict) else None

    def write_errors(self, job_id: str, problems: list) -> int:
        block = self.PROBLEMS_PER_BLOCK
        for i in range(0, len(problems), block):
            text = "\n".join(json.dumps(_problem(p), ensure_ascii=False) for p in problems[i:i + block])
            self.cache.set(f"import:{job_id}:problems:{i // block}", text, MAX_AGE)
        return len(problems)

    def read_errors(self, job_id: str, start: int, count: int) -> list[dict]:
        block = self.PROBLEMS_PER_BLOCK
        errors = []
        for b in range(start // block, (start + count - 1) // block + 1 if count else 0):
            text = self.cache.get(f"import:{job_id}:problems:{b}")
            lines = text.decode("utf-8").split("\n") if text else []
            first = b * block
            errors.extend(json.loads(line) for k, line in enumerate(lines)
                          if start <= first + k < start + count)
        return errors
