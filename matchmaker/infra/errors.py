"""One JSON error shape for the API ({code, status, message, errors}); HTML pages for the web.

The HTTP edge: domain errors (`matchmaker.errors`) carry no status, `DOMAIN_STATUS` maps each
class to one.
"""
from typing import Optional

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError as OrmStaleDataError
from werkzeug.exceptions import HTTPException

from matchmaker.infra.extensions import db
from matchmaker.infra.labels import message as say, messages as say_all
from matchmaker.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, ServiceUnavailable, Unauthorized

STATUS_NAMES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}

#: The HTTP status of each domain error; a subclass answers as its nearest listed base.
DOMAIN_STATUS = {
    Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, Invalid: 422, ServiceUnavailable: 503,
    DomainError: 400,
}


def status_of(error) -> int:
    """The HTTP status of a domain error (an instance or a class).

    >>> from matchmaker.packages.problems import PackageInvalid
    >>> status_of(NotFound("x")), status_of(PackageInvalid)
    (404, 422)
    """
    cls = error if isinstance(error, type) else type(error)
    return next(DOMAIN_STATUS[base] for base in cls.__mro__ if base in DOMAIN_STATUS)


def wants_json() -> bool:
    """Whether this request gets JSON errors (the API, or a client that asks for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# Headers of an HTTPException worth keeping on the JSON error (405 Allow, 429 Retry-After, ...).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_response(code: int, message, errors: Optional[dict] = None, headers: Optional[dict] = None):
    """The one error shape: JSON {code, status, message, errors} for the API, an HTML page otherwise;
    the message and field messages in the user's language (`infra.i18n.select_locale`)."""
    headers = dict(headers or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="matchmaker"')
    if wants_json():
        body = {"code": code, "status": STATUS_NAMES.get(code, str(code)), "message": say(message)}
        if errors:
            body["errors"] = say_all(errors)
        return jsonify(body), code, headers
    return render_template("error.html", code=code, message=message, errors=errors or {}), code, headers


def flatten_errors(errors) -> Optional[dict]:
    """webargs' {"json": {"field": [...]}} becomes {"field": [...]}; always a dict (or None)."""
    if not errors:
        return None
    if not isinstance(errors, dict):
        return {"_request": errors if isinstance(errors, list) else [str(errors)]}
    if len(errors) == 1:
        location, inner = next(iter(errors.items()))
        if location in ("json", "query", "form", "files", "headers", "path", "cookies", "view_args"):
            return inner if isinstance(inner, dict) else {"_" + location: inner}
    return errors


#: Errors of the database and its driver: the status and message each answers with (the
#: transaction rolled back), and (level, words) of the log line when the database said why.
STORE_ERRORS = (
    # a concurrent edit detected by version_id_col
    (OrmStaleDataError, 409, "the record was changed by someone else; reload and try again", None),
    # a unique or foreign-key constraint refused the write
    (IntegrityError, 409, "the change conflicts with stored data", None),
    # a value the database refuses (out of range, bad encoding): the caller's input, not our fault
    (DataError, 422, "a value is out of range or not storable", ("info", "database refused a value")),
    # a number too large for the database driver
    (OverflowError, 422, "a number is too large", None),
    # the database is unreachable: 503, not 500
    (OperationalError, 503, "the database is not available right now; please try again shortly",
     ("warning", "database unavailable")),
)


def _store_error_handler(app: Flask, status: int, message: str, log: tuple[str, str] | None):
    """The handler of one of `STORE_ERRORS`."""
    def handle(exc):
        db.session.rollback()
        if log is not None:
            level, words = log
            getattr(app.logger, level)(words + ": %s", exc.orig)
        return error_response(status, message)
    return handle


def register_error_handlers(app: Flask) -> None:
    """Map domain, HTTP and database errors to the one error shape."""
    @app.errorhandler(DomainError)
    def _domain(exc):
        """A service's domain exception: the status of its class, its message and field errors."""
        db.session.rollback()
        return error_response(status_of(exc), exc.message, exc.errors)

    @app.errorhandler(HTTPException)
    def _http(exc):
        """Werkzeug/flask-smorest/webargs errors, with webargs' location level flattened."""
        data = getattr(exc, "data", None) or {}
        errors = flatten_errors(data.get("messages") or data.get("errors"))
        message = data.get("message") or exc.description or STATUS_NAMES.get(exc.code, "")
        headers = {k: v for k, v in exc.get_headers() if k in _KEPT_HEADERS} if exc.code else {}
        headers.update({k: v for k, v in (data.get("headers") or {}).items() if k in _KEPT_HEADERS})
        return error_response(exc.code or 500, message, errors, headers)

    for error, status, message, log in STORE_ERRORS:
        app.register_error_handler(error, _store_error_handler(app, status, message, log))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        """Anything else: logged, 500, no internals in the body."""
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_response(500, "internal error")
