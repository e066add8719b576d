"""Fixtures for the hardening tests: users with real bearer tokens, and apps built with a
dedicated configuration (rate limiting on, CSRF on) next to the session's test app."""
import contextlib

import pytest
import sqlalchemy as sa

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db as _db
from matchmaker.infra.extensions import limiter
from matchmaker.services.auth import issue_token
from tests import factories


def bearer(token):
    """Authorization header for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_user(db):
    """Create a committed user of a role and return (user, plain bearer token)."""

    def make(role, firm_row=None, region_code=None, email=None, password="correct horse 1"):
        if region_code:
            factories.region(region_code)
        user = factories.user(role=role, firm_row=firm_row, region_code=region_code, email=email, password=password)
        _db.session.commit()
        return user, issue_token(user)

    return make


def _empty(engine, metadata):
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@contextlib.contextmanager
def dedicated_app(**overrides):
    """A second application with its own configuration (same database URL as the test suite).

    The rate limiter is one extension object shared by every app, and `init_app` switches it on
    or off globally; the previous state is restored afterwards so other tests are not limited.
    """
    saved_enabled = limiter.enabled
    config = type("DedicatedConfig", (TestConfig,), dict(overrides))
    app = create_app(config)
    try:
        with app.app_context():
            _db.create_all()
            try:
                yield app
            finally:
                _db.session.rollback()
                _db.session.remove()
                _empty(_db.engine, _db.metadata)
                _db.engine.dispose()
    finally:
        try:
            limiter.reset()
        except Exception:  # storage never initialised when the limiter was off
            pass
        limiter.enabled = saved_enabled


@pytest.fixture
def limited_app(_app):
    """An app with login rate limiting on (3 attempts per minute)."""
    with dedicated_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute") as app:
        yield app


@pytest.fixture
def csrf_app(_app):
    """An app with CSRF protection on, as in production."""
    with dedicated_app(WTF_CSRF_ENABLED=True) as app:
        yield app
