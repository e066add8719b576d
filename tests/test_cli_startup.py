"""The console script loads only what a command needs: a batch command (`matchmaker match`) runs on
an app without the web pages, the API and Alembic, and every command is still reachable both as
`matchmaker X` and through `flask --app matchmaker X` (issue 14, item 1: the CLI starts fast)."""
import os
import subprocess
import sys

import pytest

from matchmaker import create_app
from matchmaker.cli import BATCH_COMMANDS, COMMANDS, SHORT_HELP, _listed, _load

HEAVY = ("alembic", "flask_migrate", "flask_smorest", "matchmaker.web", "matchmaker.api")

PROBE = """
import atexit, sys
atexit.register(lambda: print("LOADED", sorted(m for m in %r if m in sys.modules)))
from matchmaker.cli import main
sys.argv = ["matchmaker"] + sys.argv[1:]
main()
""" % (HEAVY,)


@pytest.fixture
def schema_db(tmp_path):
    """A file database with the schema (the subprocess cannot see the tests' in-memory one)."""
    from matchmaker.infra.extensions import db

    url = "sqlite:///" + str(tmp_path / "cli.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _run(url, *args, probe=PROBE):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
    env.pop("MATCHMAKER_REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_batch_command_runs_without_the_web_service(schema_db):
    out = _run(schema_db, "match", "--as-of", "2020-03-16", "--no-progress")
    assert "run 1 as of 2020-03-16" in out
    assert "LOADED []" in out


def test_the_weekly_report_on_sqlite_loads_no_graph_library_nor_postgresql_driver(schema_db):
    """Issue 14, item 2: the report detects over plain maps (no networkx) and locks its week with the
    database's own dialect (a SQLite run does not import the PostgreSQL drivers)."""
    unneeded = ("networkx", "sqlalchemy.dialects.postgresql", "psycopg")
    out = _run(schema_db, "report", "weekly", "--week", "2020-W12", probe=PROBE.replace(repr(HEAVY), repr(unneeded)))
    assert "2020-W12 (as of 2020-03-16): 0 open breaks" in out
    assert "LOADED []" in out


def test_help_lists_every_command(schema_db):
    out = _run(schema_db, "--help")
    for name in COMMANDS:
        assert f"  {name} " in out
    assert "  db " in out  # Flask-Migrate's group is still offered
    assert "LOADED []" in out  # listed from SHORT_HELP: no command and no app was loaded


def test_the_listed_help_is_each_commands_own():
    from flask_migrate.cli import db

    assert set(SHORT_HELP) == set(COMMANDS) | {"db"}
    for name in SHORT_HELP:
        command = db if name == "db" else _load(name)
        for limit in (45, 300):
            assert _listed(name).get_short_help_str(limit) == command.get_short_help_str(limit), name


def test_the_web_command_still_builds_the_whole_app():
    assert "serve" not in BATCH_COMMANDS and "scheduler" not in BATCH_COMMANDS
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SCHEDULER_ENABLED": False})
    assert {"match", "report", "import", "serve", "scheduler"} <= set(app.cli.commands)
    assert "migrate" in app.extensions and any(r.rule.startswith("/api/v1/") for r in app.url_map.iter_rules())


def test_a_batch_app_has_no_pages_and_no_api():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SCHEDULER_ENABLED": False}, web=False,
                     commands=False)
    rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert rules == [] and "migrate" not in app.extensions and not app.cli.commands


def test_serve_starts_the_web_service(schema_db):
    """`matchmaker serve` (the README's demo command ends with it) answers on its port."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=schema_db)
    env.pop("MATCHMAKER_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "matchmaker", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    assert resp.status == 200
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("serve did not answer: " + (proc.stdout.read() if proc.poll() is not None else "still starting"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
