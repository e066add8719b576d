"""Migration 0005_ledger: links get `since` (a pairing's link: the day, in the service's zone, its
pairing became active; any other link: the day it was stored) and the ledger tables appear.
Downgrade drops them. SQLite and PostgreSQL."""
import importlib.util
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0005_ledger.py"


def _module():
    spec = importlib.util.spec_from_file_location("m0005", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _db(url, *args):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url, MATCHMAKER_TIMEZONE="Asia/Shanghai")
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "matchmaker", "db", *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


_ROWS = """
INSERT INTO region (code, name, level, parent_code, approx_location, risk) VALUES
  ('230000', 'P', 'province', NULL, FALSE, 'low'), ('230100', 'C', 'city', '230000', FALSE, 'low'),
  ('230102', 'X', 'county', '230100', FALSE, 'low');
INSERT INTO category (code, name, unit) VALUES ('C1', 'c', 't');
INSERT INTO firm (id, ref, name, kind, region_code, operating, blockers, version) VALUES
  (1, 'FA', 'a', 'leading', '230102', TRUE, '[]', 1), (2, 'FB', 'b', 'sme', '230102', TRUE, '[]', 1);
INSERT INTO link (id, ref, supplier_id, buyer_id, category_code, quantity_per_week, active, terms, created_at, version)
  VALUES (1, 'L-late-utc', 2, 1, 'C1', 5, TRUE, '[]', '2020-03-01 17:30:00+00', 1),
         (2, 'L-pairing', 2, 1, 'C1', 7, TRUE, '["pay_first"]', '2020-03-02 01:00:00+00', 1),
         (3, 'L-no-date', 2, 1, 'C1', 7, TRUE, '[]', NULL, 1);
INSERT INTO match_run (id, as_of, weights, timings, objective, needs_count, offers_count, candidates_count,
                       pairings_count) VALUES (1, '2020-03-01', '{}', '{}', '{}', 0, 0, 0, 0);
INSERT INTO need (id, ref, firm_id, category_code, quantity, needed_by, terms, status, committed_quantity, version)
  VALUES (1, 'N1', 1, 'C1', 10, '2020-04-01', '[]', 'open', 0, 1);
INSERT INTO offer (id, ref, firm_id, category_code, quantity, available_from, lead_time_days, help_wanted, status,
                   committed_quantity, version) VALUES (1, 'O1', 2, 'C1', 10, '2020-03-01', 0, '[]', 'open', 0, 1);
INSERT INTO pairing (run_id, need_id, offer_id, quantity, unit_cost, reasons, status, link_id, activated_at)
  VALUES (1, 1, 1, 10, 1, '[]', 'active', 2, '2020-03-04 20:00:00+00')
"""


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _check(url):
    module = _module()
    _db(url, "upgrade", module.down_revision)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in filter(str.strip, _ROWS.split(";")):
                conn.execute(sa.text(statement))
        _db(url, "upgrade", module.revision)
        with engine.connect() as conn:
            since = {ref: _day(d) for ref, d in conn.execute(sa.text("SELECT ref, since FROM link"))}
        today = date.today()
        # 17:30 UTC is 01:30 the next day in Beijing; a pairing's link starts the day it became active
        assert since["L-late-utc"] == date(2020, 3, 2)
        assert since["L-pairing"] == date(2020, 3, 5)
        assert abs((since["L-no-date"] - today).days) <= 1
        tables = set(sa.inspect(engine).get_table_names())
        assert {"ledger_order", "ledger_delivery", "ledger_payment"} <= tables
        _db(url, "downgrade", module.down_revision)
        engine.dispose()
        columns = {c["name"] for c in sa.inspect(engine).get_columns("link")}
        assert "since" not in columns and "ledger_order" not in set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_links_get_since_on_sqlite(tmp_path, app):
    _check(f"sqlite:///{tmp_path}/since.sqlite")


@pytest.mark.postgres
def test_links_get_since_on_postgres(app):
    base = os.environ["MATCHMAKER_TEST_DATABASE_URL"]
    name = f"mm_since_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _check(base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
