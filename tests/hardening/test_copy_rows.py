"""Rows by COPY on PostgreSQL (a run's proposals, a report's breaks) fail as SQLAlchemy's errors,
and a connection lost mid-way is invalidated, so the rollback after it does not fail again."""
import pytest
import sqlalchemy as sa

from matchmaker.infra.copy import can_copy, copy_rows
from matchmaker.models.report import Break
from matchmaker.services.reports.rows import BREAK_COLUMNS


@pytest.fixture
def pg_connection(db):
    conn = db.session.connection()
    if not can_copy(conn):
        pytest.skip("COPY is PostgreSQL's (psycopg)")
    return conn


def test_a_connection_lost_before_the_copy_is_an_invalidated_operational_error(db, pg_connection):
    pid = pg_connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    engine = sa.create_engine(pg_connection.engine.url, poolclass=sa.pool.NullPool)
    with engine.connect() as other:  # what a server restart does to the session's connection
        assert other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    engine.dispose()
    with pytest.raises(sa.exc.OperationalError) as raised:
        copy_rows(pg_connection, Break.__tablename__, BREAK_COLUMNS, iter(()))
    assert raised.value.connection_invalidated
    db.session.rollback()  # no second error from the dead connection
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1  # a fresh connection from the pool

