"""Migration 0003_link_confirmation: links one firm declared about another under the old rules
become requests awaiting that firm; imported, admin-made, pairing-made and since-confirmed links
stay links. Downgrade brings the awaiting ones back as links. SQLite and PostgreSQL."""
import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0003_link_confirmation.py"


def _down_revision():
    spec = importlib.util.spec_from_file_location("m0003", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


def _db(url, *args):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
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
  (1, 'FA', 'a', 'leading', '230102', TRUE, '[]', 1), (2, 'FB', 'b', 'sme', '230102', TRUE, '[]', 1),
  (3, 'FC', 'c', 'sme', '230102', TRUE, '[]', 1);
INSERT INTO user_account (id, email, name, password_hash, role, firm_id, active) VALUES
  (1, 'a@x.cn', 'a', 'h', 'firm', 1, TRUE), (2, 'b@x.cn', 'b', 'h', 'firm', 2, TRUE),
  (3, 'admin@x.cn', 'adm', 'h', 'admin', NULL, TRUE);
INSERT INTO link (id, ref, supplier_id, buyer_id, category_code, quantity_per_week, active, terms, version) VALUES
  (1, 'L-declared', 2, 1, 'C1', 5, TRUE, '["pay_first"]', 1),
  (2, 'L-admin', 3, 1, 'C1', 6, TRUE, '[]', 1),
  (3, 'L-pairing', 2, 1, 'C1', 7, TRUE, '[]', 1),
  (4, 'L-answered', 2, 1, 'C1', 3, TRUE, '[]', 2),
  (5, 'L-imported', 3, 1, 'C1', 9, TRUE, '[]', 1),
  (6, 'L-supplier-declared', 2, 3, 'C1', 4, FALSE, '[]', 1),
  (7, 'L-admin-edited', 3, 2, 'C1', 8, TRUE, '[]', 2);
INSERT INTO audit_entry (at, actor_id, actor, action, entity, entity_id) VALUES
  ('2020-03-01 10:00:00+00', 1, 'a@x.cn', 'create', 'link', 'L-declared'),
  ('2020-03-01 10:00:00+00', 3, 'admin@x.cn', 'create', 'link', 'L-admin'),
  ('2020-03-01 10:00:00+00', 1, 'a@x.cn', 'create', 'link', 'L-pairing'),
  ('2020-03-01 10:00:00+00', 1, 'a@x.cn', 'create', 'link', 'L-answered'),
  ('2020-03-02 10:00:00+00', 2, 'b@x.cn', 'update', 'link', 'L-answered'),
  ('2020-03-01 10:00:00+00', NULL, 'cli import', 'import', 'package', NULL),
  ('2020-03-01 10:00:00+00', 2, 'b@x.cn', 'create', 'link', 'L-supplier-declared'),
  ('2020-03-01 10:00:00+00', 2, 'b@x.cn', 'create', 'link', 'L-admin-edited'),
  ('2020-03-02 10:00:00+00', 3, 'admin@x.cn', 'update', 'link', 'L-admin-edited');
INSERT INTO match_run (id, as_of, weights, timings, objective, needs_count, offers_count, candidates_count,
                       pairings_count) VALUES (1, '2020-03-01', '{}', '{}', '{}', 0, 0, 0, 0);
INSERT INTO need (id, ref, firm_id, category_code, quantity, needed_by, terms, status, committed_quantity, version)
  VALUES (1, 'N1', 1, 'C1', 10, '2020-04-01', '[]', 'open', 0, 1);
INSERT INTO offer (id, ref, firm_id, category_code, quantity, available_from, lead_time_days, help_wanted, status,
                   committed_quantity, version) VALUES (1, 'O1', 2, 'C1', 10, '2020-03-01', 0, '[]', 'open', 0, 1);
INSERT INTO pairing (run_id, need_id, offer_id, quantity, unit_cost, reasons, status, link_id)
  VALUES (1, 1, 1, 10, 1, '[]', 'active', 3);
"""


def _list(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def _check(url):
    previous = _down_revision()
    _db(url, "upgrade", previous)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in filter(str.strip, _ROWS.split(";")):
                conn.execute(sa.text(statement))
            if engine.dialect.name == "postgresql":
                for table in ("firm", "user_account", "link", "match_run", "need", "offer"):
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))
        _db(url, "upgrade", "0003_link_confirmation")
        with engine.connect() as conn:
            refs = set(conn.execute(sa.text("SELECT ref FROM link")).scalars())
            requests = conn.execute(sa.text(
                "SELECT firm_id, awaiting_ref, supplier_ref, buyer_ref, category_code, quantity_per_week, active, "
                "terms, status, kind "
                "FROM link_request ORDER BY supplier_ref, buyer_ref")).all()
        # created by a firm user, no pairing, never edited by a user of the other side: a request
        # (an admin's edit is no confirmation by the other firm)
        assert refs == {"L-admin", "L-pairing", "L-answered", "L-imported"}
        awaiting = ("awaiting_confirmation", "new")
        assert [tuple(r[:7]) + (_list(r[7]),) + tuple(r[8:]) for r in requests] == [
            (1, "FB", "FB", "FA", "C1", 5.0, True, ["pay_first"], *awaiting),
            (2, "FC", "FB", "FC", "C1", 4.0, False, [], *awaiting),
            (2, "FC", "FC", "FB", "C1", 8.0, True, [], *awaiting),
        ]
        _db(url, "downgrade", previous)
        with engine.connect() as conn:
            back = conn.execute(sa.text("SELECT supplier_id, buyer_id, quantity_per_week, active FROM link "
                                        "WHERE ref LIKE 'L-R%' ORDER BY quantity_per_week")).all()
        assert [tuple(r) for r in back] == [(2, 3, 4.0, False), (2, 1, 5.0, True), (3, 2, 8.0, True)]
    finally:
        engine.dispose()


def test_declared_links_become_requests_on_sqlite(tmp_path, app):
    _check(f"sqlite:///{tmp_path}/links.sqlite")


@pytest.mark.postgres
def test_declared_links_become_requests_on_postgres(app):
    base = os.environ["MATCHMAKER_TEST_DATABASE_URL"]
    name = f"mm_links_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _check(base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
