"""Helpers for the fault and race tests: throw-away databases, a generated data package,
the `matchmaker` command in a real subprocess, and row counts read from outside the service."""
import contextlib
import itertools
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import sqlalchemy as sa

from matchmaker import ROOT

PG_URL = os.environ.get("MATCHMAKER_TEST_DATABASE_URL", "")
_seq = itertools.count(1)


@contextlib.contextmanager
def temp_pg_database(tag):
    """A fresh, empty PostgreSQL database next to the test database; dropped afterwards.

    Fault tests kill every connection of *their* database, so they never disturb other tests
    (or other people) using the shared server.
    """
    base = sa.engine.make_url(PG_URL)
    name = f"{base.database}_{tag}_{os.getpid()}_{next(_seq)}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def terminate_backends(url):
    """Kill every other connection to the database at `url` (what a server restart does to them)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        killed = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    return killed


def cli_env(url, **extra):
    """Environment for `python -m matchmaker` against the database at `url`."""
    env = dict(os.environ)
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    env.update(MATCHMAKER_DATABASE_URL=url, MATCHMAKER_SECRET_KEY="test-secret", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_cli(url, *args, check=True, timeout=600, **extra_env):
    """Run `python -m matchmaker ARGS` to completion; returns the CompletedProcess."""
    proc = subprocess.run([sys.executable, "-m", "matchmaker", *args], cwd=ROOT, env=cli_env(url, **extra_env),
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"matchmaker {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def kill_at_progress(url, args, low, high=100, deadline=600, **extra_env):
    """Run `python -m matchmaker ARGS` on a pseudo-terminal (so it draws its progress bar), poll
    the bar, and SIGKILL the process once it shows at least `low` and less than `high` percent.

    Returns (returncode, last percentage seen, output).
    """
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "matchmaker", *args], cwd=ROOT, env=cli_env(url, **extra_env),
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    out, seen, stop = b"", None, time.monotonic() + deadline
    try:
        while proc.poll() is None and time.monotonic() < stop:
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                out += os.read(master, 65536)
            except OSError:
                break
            found = re.findall(rb"(\d{1,3})%", out[-400:])
            if found:
                seen = int(found[-1])
                if low <= seen < high:
                    proc.send_signal(signal.SIGKILL)
                    break
    finally:
        if proc.poll() is None and time.monotonic() >= stop:
            proc.kill()
        proc.wait()
        os.close(master)
    return proc.returncode, seen, out.decode("utf-8", "replace")


def counts(url, tables=("firm", "need", "offer", "link")):
    """Row counts per table, read over a fresh connection (what another client would see)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
    finally:
        engine.dispose()


def big_package(firms=2000, needs=15000, offers=15000, links=2000, seed=7):
    """A valid data package on real counties and the shipped categories (JSON-ready)."""
    from matchmaker.infra.reference import load_categories, load_regions

    rng = random.Random(seed)
    counties = sorted(r["code"] for r in load_regions() if r["level"] == "county" and r["lat"] is not None)
    categories = sorted(c["code"] for c in load_categories())
    start = date(2020, 3, 1)
    pkg = {"firms": [], "needs": [], "offers": [], "links": []}
    for i in range(firms):
        pkg["firms"].append({"ref": f"F{i:06d}", "name": f"企业{i}", "kind": "leading" if i % 10 == 0 else "sme",
                             "region": rng.choice(counties), "operating": True, "workers_back": 0.5})
    refs = [f["ref"] for f in pkg["firms"]]
    for i in range(needs):
        pkg["needs"].append({"ref": f"N{i:06d}", "firm": refs[(i * 10) % firms], "category": rng.choice(categories),
                             "quantity": rng.randint(1, 500), "needed_by": str(start + timedelta(days=rng.randint(10, 90)))})
    for i in range(offers):
        pkg["offers"].append({"ref": f"O{i:06d}", "firm": rng.choice(refs), "category": rng.choice(categories),
                              "quantity": rng.randint(1, 500), "available_from": str(start),
                              "delivery_radius_km": 300})
    for i in range(links):
        pkg["links"].append({"ref": f"L{i:06d}", "supplier": refs[(i * 10 + 1 + i % 9) % firms], "buyer": refs[(i * 10) % firms],
                             "category": rng.choice(categories), "quantity_per_week": 10})
    return pkg


def start_cli(url, *args, **extra_env):
    """Start `python -m matchmaker ARGS` in the background; returns the Popen."""
    return subprocess.Popen([sys.executable, "-m", "matchmaker", *args], cwd=ROOT, env=cli_env(url, **extra_env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def start_python(url, code, **extra_env):
    """Start `python -c CODE` with the service's environment; returns the Popen."""
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=cli_env(url, **extra_env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def kill_when(proc, ready, deadline=600):
    """Poll `ready()` while `proc` runs and SIGKILL it as soon as it is true. Returns the exit code."""
    stop = time.monotonic() + deadline
    while proc.poll() is None and time.monotonic() < stop:
        if ready():
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    if proc.poll() is None and time.monotonic() >= stop:
        proc.kill()
    proc.wait()
    return proc.returncode


def writing_to(url, table, hold=0.25):
    """A predicate: another process is inside a write transaction.

    PostgreSQL: a RowExclusiveLock on `table` (held from the first INSERT/UPDATE/DELETE on it
    until the transaction ends). SQLite: another connection has held the database's write lock
    for `hold` seconds (SQLite cannot tell which table is being written)."""
    if url.startswith("sqlite"):
        import sqlite3

        path = sa.engine.make_url(url).database
        first = []

        def ready():
            probe = sqlite3.connect(path, timeout=0)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.rollback()
                first.clear()
                return False
            except sqlite3.OperationalError:  # database is locked: someone is writing
                first[:] = first or [time.monotonic()]
                return time.monotonic() - first[0] >= hold
            finally:
                probe.close()

        return ready
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    query = sa.text("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = :t AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()")

    def ready():
        with engine.connect() as conn:
            return conn.execute(query, {"t": table}).scalar() > 0

    return ready


def waiting_for_lock(url):
    """Whether some connection to the database at `url` is waiting for a lock (PostgreSQL)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database()")).scalar() > 0
    finally:
        engine.dispose()


def snapshot(url, query):
    """All rows of a query, read over a fresh connection."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()
