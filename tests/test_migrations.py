"""`matchmaker db upgrade` builds the whole schema from empty, on SQLite and on PostgreSQL,
and the migration matches the models (nothing left for autogenerate to add)."""
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from matchmaker.infra.extensions import db as _db


def _upgrade_and_check(url):
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=url)
    env.pop("MATCHMAKER_TEST_DATABASE_URL", None)
    up = subprocess.run([sys.executable, "-m", "matchmaker", "db", "upgrade"], env=env,
                        capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr
    engine = sa.create_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    expected = {t.name for t in _db.metadata.sorted_tables}
    assert expected <= names, expected - names
    check = subprocess.run([sys.executable, "-m", "matchmaker", "db", "check"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


def test_upgrade_from_empty_on_sqlite(tmp_path, app):
    _upgrade_and_check(f"sqlite:///{tmp_path}/fresh.sqlite")


@pytest.mark.postgres
def test_upgrade_from_empty_on_postgres(app):
    base = os.environ["MATCHMAKER_TEST_DATABASE_URL"]
    name = f"mm_migr_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _upgrade_and_check(base.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
