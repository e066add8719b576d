"""Liveness and readiness: GET /healthz answers 200 when the database answers, 503 when it does not."""
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.infra.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Check the database with a trivial query; 503 with a clear message when it is down."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.warning("health check: database unavailable: %s", getattr(exc, "orig", exc))
        return jsonify(code=503, status="Service Unavailable", database="unavailable",
                       message="the database is not available right now; please try again shortly"), 503
    finally:
        db.session.remove()
    return jsonify(code=200, status="OK", database="ok")
