"""Data-package imports started from the admin page: run in a background thread, progress in a small
JSON file in the instance folder (so any worker process can answer the page's polling)."""
import json
import os
import secrets
import threading

from flask import current_app

_ID_CHARS = set("0123456789abcdef")


def _dir(app):
    path = os.path.join(app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def _status_path(app, job_id):
    return os.path.join(_dir(app), f"{job_id}.json")


def write_status(app, job_id, **status):
    """Replace the job's status file atomically."""
    path = _status_path(app, job_id)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(status, fh, ensure_ascii=False, default=str)
    os.replace(tmp, path)


def read_status(job_id, user_id):
    """The status of a job started by this user, or None."""
    if not job_id or set(job_id) - _ID_CHARS or len(job_id) != 32:
        return None
    try:
        with open(_status_path(current_app, job_id), encoding="utf-8") as fh:
            status = json.load(fh)
    except (OSError, ValueError):
        return None
    return status if status.get("user_id") == user_id else None


def start(user_id, upload, filename):
    """Save the uploaded file and import it (in a thread unless IMPORT_IN_BACKGROUND is false); the job id."""
    app = current_app._get_current_object()
    _forget_old(app)
    job_id = secrets.token_hex(16)
    ext = os.path.splitext(filename or "")[1].lower()
    path = os.path.join(_dir(app), f"{job_id}.upload{ext}")
    upload.save(path)
    write_status(app, job_id, user_id=user_id, state="running", filename=filename, done=0, total=0,
                 section=None, counts={}, errors=[], message=None)
    background = app.config.get("IMPORT_IN_BACKGROUND", not app.testing)
    if background:
        threading.Thread(target=_run, args=(app, job_id, user_id, path, filename), daemon=True,
                         name=f"import-{job_id[:8]}").start()
    else:
        _run(app, job_id, user_id, path, filename)
    return job_id


def _forget_old(app, max_age=7 * 24 * 3600):
    """Remove status files (and stray uploads) older than a week."""
    import time

    folder = _dir(app)
    cutoff = time.time() - max_age
    for name in os.listdir(folder):
        full = os.path.join(folder, name)
        try:
            if os.path.getmtime(full) < cutoff:
                os.remove(full)
        except OSError:
            pass


def _run(app, job_id, user_id, path, filename):
    """Import one package inside an app context and record the outcome."""
    from matchmaker.infra.extensions import db
    from matchmaker.models import User
    from matchmaker.services import packages
    from matchmaker.packages.problems import PackageInvalid
    from matchmaker.services.support.errors import DomainError, Forbidden

    with app.app_context():
        base = dict(user_id=user_id, filename=filename)

        def progress(done, total):
            write_status(app, job_id, state="running", done=done, total=total, section=None, counts={},
                         errors=[], message=None, **base)

        try:
            actor = db.session.get(User, user_id)
            if actor is None or actor.role != "admin":
                raise Forbidden("only administrators import data packages")
            result = packages.import_package(path, filename=filename, progress=progress)
            counts = {s: {"created": result.created[s], "replaced": result.replaced[s]} for s in result.created}
            write_status(app, job_id, state="done", done=1, total=1, section=None, counts=counts, errors=[],
                         message=None, **base)
        except PackageInvalid as exc:
            db.session.rollback()
            problems = [dict(section=p.section, row=p.row, field=p.field, message=p.message) for p in exc.problems]
            write_status(app, job_id, state="failed", done=0, total=0, section=None, counts={},
                         errors=problems, message=exc.message, **base)
        except DomainError as exc:
            db.session.rollback()
            write_status(app, job_id, state="failed", done=0, total=0, section=None, counts={},
                         errors=[], message=exc.message, **base)
        except Exception as exc:  # noqa: BLE001  (an unreadable file must still end the job)
            db.session.rollback()
            app.logger.exception("import %s failed", job_id)
            write_status(app, job_id, state="failed", done=0, total=0, section=None, counts={}, errors=[],
                         message=f"the file could not be read ({type(exc).__name__})", **base)
        finally:
            db.session.remove()
            try:
                os.remove(path)
            except OSError:
                pass
