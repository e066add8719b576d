"""Faults: the database goes away (503 with a clear message, never 500) and comes back (the
service recovers by itself); a process killed with SIGKILL in the middle of an import leaves
nothing partial."""
import json
import os
import signal

import pytest
import sqlalchemy as sa

from matchmaker import create_app
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db as _db
from matchmaker.services.auth import issue_token
from tests import factories
from tests.hardening import helpers
from tests.hardening.conftest import bearer

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/matchmaker"
_DB_MESSAGE = "database is not available"


def _app_for(url, **config):
    """An app on its own database URL; requests run without an outer app context, as in production,
    so every request checks a connection out of the pool and returns it."""
    return create_app(type("FaultConfig", (TestConfig,), dict(SQLALCHEMY_DATABASE_URI=url, **config)))


def _get_routes(app):
    return sorted({r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments
                   and not r.rule.startswith("/static")})


# --- outage: nothing listens where the database should be -------------------------------------

def test_requests_during_an_outage_get_503_with_a_clear_json_message():
    app = _app_for(UNREACHABLE)
    client = app.test_client()
    for path, headers in (("/healthz", {}), ("/api/v1/audit", bearer("some-token"))):
        response = client.get(path, headers=headers)
        assert response.status_code == 503, (path, response.status_code)
        body = response.get_json()
        assert body["code"] == 503 and _DB_MESSAGE in body["message"], body
        assert "127.0.0.1" not in json.dumps(body) and "psycopg" not in json.dumps(body)  # no internals leaked
        assert response.headers["Content-Security-Policy"]


def test_no_route_answers_500_during_an_outage():
    app = _app_for(UNREACHABLE)
    client = app.test_client()
    routes = _get_routes(app)
    assert "/healthz" in routes and "/login" in routes
    statuses = {}
    for path in routes:
        statuses[path] = client.get(path, headers=bearer("some-token")).status_code
        statuses["anon " + path] = client.get(path).status_code
    assert not {p: s for p, s in statuses.items() if s >= 500 and s != 503}, statuses


def test_signing_in_during_an_outage_shows_the_503_page_not_a_crash():
    app = _app_for(UNREACHABLE)
    response = app.test_client().post("/login", data={"email": "a@example.cn", "password": "whatever 1"})
    assert response.status_code == 503
    assert "text/html" in response.content_type


# --- restart: every connection is killed, the server is back -----------------------------------

def _seeded(url, **config):
    app = _app_for(url, **config)
    with app.app_context():
        _db.create_all()
        factories.region("230100")
        user = factories.user(role="staff", region_code="230100")
        _db.session.commit()
        token = issue_token(user)
        _db.session.remove()
    return app, token


@pytest.mark.postgres
def test_service_recovers_by_itself_after_all_connections_are_killed():
    with helpers.temp_pg_database("restart") as url:
        app, token = _seeded(url)
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
        assert helpers.terminate_backends(url) >= 1  # the pooled connection is now dead
        # pool_pre_ping notices the dead connection at checkout and opens a new one.
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
        assert client.get("/healthz").get_json()["database"] == "ok"
        with app.app_context():
            _db.engine.dispose()


@pytest.mark.postgres
def test_without_pre_ping_the_killed_connection_gives_one_503_then_recovers():
    """Control: shows the connections really died, and that a connection lost in the middle of
    a request is answered with 503 (not 500) and the pool heals on the next request."""
    with helpers.temp_pg_database("nopreping") as url:
        app, token = _seeded(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
        client = app.test_client()
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
        assert helpers.terminate_backends(url) >= 1
        lost = client.get("/api/v1/audit", headers=bearer(token))
        assert lost.status_code == 503 and _DB_MESSAGE in lost.get_json()["message"]
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
        with app.app_context():
            _db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("MATCHMAKER_TEST_PG_RESTART") != "1",
                    reason="restarts the shared PostgreSQL server: set MATCHMAKER_TEST_PG_RESTART=1")
def test_real_server_restart_gives_503_then_recovers():
    import subprocess
    import time

    version = sorted(os.listdir("/etc/postgresql"))[-1]
    with helpers.temp_pg_database("pgctl") as url:
        app, token = _seeded(url)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"], check=True)
        try:
            down = client.get("/api/v1/audit", headers=bearer(token))
            assert down.status_code == 503 and _DB_MESSAGE in down.get_json()["message"]
            assert client.get("/healthz").status_code == 503
        finally:
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        for _ in range(60):  # wait for the server to accept connections again
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
                break
            time.sleep(0.5)
        assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 200
        assert client.get("/healthz").status_code == 200
        with app.app_context():
            _db.engine.dispose()


# --- SIGKILL in the middle of an import ---------------------------------------------------------

_TABLES = ("region", "category", "firm", "need", "offer", "link", "audit_entry")


def _kill_import_midway(url, tmp_path):
    helpers.run_cli(url, "db", "upgrade")
    package = tmp_path / "big.json"
    data = helpers.big_package()
    package.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = helpers.counts(url, _TABLES)
    # The bar's second half is the writing phase (validation is the first): kill while writing.
    # The process pauses after its last write and before committing (matchmaker.infra.faults), so the
    # kill lands inside the transaction however fast the machine is.
    rc, seen, out = helpers.kill_at_progress(url, ["import", "--progress", str(package)], low=70, high=101,
                                             MATCHMAKER_FAULT_PAUSE="import.before_commit:120")
    assert rc == -signal.SIGKILL, f"the import was not killed mid-way (exit {rc}, last {seen}%):\n{out[-2000:]}"
    assert 70 <= seen <= 100
    assert helpers.counts(url, _TABLES) == before, "a killed import left rows behind"
    # Positive control: the same package imports in full afterwards.
    helpers.run_cli(url, "import", "--no-progress", str(package))
    after = helpers.counts(url, _TABLES)
    assert (after["firm"], after["need"], after["offer"], after["link"]) == tuple(
        len(data[s]) for s in ("firms", "needs", "offers", "links"))


@pytest.mark.slow
def test_import_killed_midway_leaves_nothing_on_sqlite(tmp_path):
    _kill_import_midway(f"sqlite:///{tmp_path / 'kill.sqlite'}", tmp_path)


@pytest.mark.postgres
@pytest.mark.slow
def test_import_killed_midway_leaves_nothing_on_postgres(tmp_path):
    with helpers.temp_pg_database("killimport") as url:
        _kill_import_midway(url, tmp_path)
