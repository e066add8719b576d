"""Shared fixtures. SQLite in memory by default; PostgreSQL when MATCHMAKER_TEST_DATABASE_URL is set.

The schema is created once per session; after each test every table is emptied, so tests may
commit freely (services own their commits) and concurrent tests on PostgreSQL see real rows.
"""
import os

import pytest
import sqlalchemy as sa

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db as _db
from matchmaker.infra.viewcache import init_view_cache

ON_POSTGRES = os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set MATCHMAKER_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _app():
    app = create_app(TestConfig)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def app(_app):
    """The application, with an app context pushed for the test and emptied tables afterwards."""
    with _app.app_context():
        yield _app
        _db.session.rollback()
        _db.session.remove()
        _empty_tables()
        init_view_cache(_app)  # views kept by one test are not another's (ids restart in emptied tables)
        _app.config["TODAY"] = TestConfig.TODAY  # a test that pinned another day (or none) does not leak it


def _empty_tables():
    engine = _db.engine
    tables = list(reversed(_db.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    """The flask-sqlalchemy handle (session at db.session)."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
