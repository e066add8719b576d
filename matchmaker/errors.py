"""One JSON error shape for the API ({code, status, message, errors}); HTML pages for the web."""
from flask import jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError as OrmStaleDataError
from werkzeug.exceptions import HTTPException

from matchmaker.extensions import db
from matchmaker.services.errors import DomainError

STATUS_NAMES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


def wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code, message, errors=None):
    if wants_json():
        body = {"code": code, "status": STATUS_NAMES.get(code, str(code)), "message": message}
        if errors:
            body["errors"] = errors
        return jsonify(body), code
    return render_template("error.html", code=code, message=message, errors=errors or {}), code


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def _domain(exc):
        db.session.rollback()
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(HTTPException)
    def _http(exc):
        data = getattr(exc, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        if errors and isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in ("json", "query", "form", "files", "headers", "path"):
            errors = next(iter(errors.values()))
        message = data.get("message") or exc.description or STATUS_NAMES.get(exc.code, "")
        return error_response(exc.code or 500, message, errors)

    @app.errorhandler(OrmStaleDataError)
    def _stale(exc):
        db.session.rollback()
        return error_response(409, "the record was changed by someone else; reload and try again")

    @app.errorhandler(IntegrityError)
    def _integrity(exc):
        db.session.rollback()
        return error_response(409, "the change conflicts with stored data")

    @app.errorhandler(OperationalError)
    def _db_down(exc):
        db.session.rollback()
        app.logger.warning("database unavailable: %s", exc.orig)
        return error_response(503, "the database is not available right now; please try again shortly")

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return error_response(500, "internal error")
