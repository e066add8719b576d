"""Rows by COPY on PostgreSQL (a run's proposals, a report's breaks) fail as SQLAlchemy's errors,
and a connection lost mid-way is invalidated, so the rollback after it does not fail again."""
import pytest
import sqlalchemy as sa

from matchmaker.infra.copy import can_copy, copy_rows
from matchmaker.models.report import Break
from matchmaker.services.reports.rows import BREAK_COLUMNS
from tests.hardening import helpers


@pytest.fixture
def pg_connection(db):
    conn = db.session.connection()
    if not can_copy(conn):
        pytest.skip("COPY is PostgreSQL's (psycopg)")
    conn.exec_driver_sql("CREATE TEMP TABLE copy_probe (a int PRIMARY KEY)")
    return conn


def test_a_connection_lost_before_the_copy_is_an_invalidated_operational_error(db, pg_connection):
    assert helpers.terminate_backends(pg_connection.engine.url)  # a server restart: the session's connection too
    with pytest.raises(sa.exc.OperationalError) as raised:
        copy_rows(pg_connection, Break.__tablename__, BREAK_COLUMNS, iter(()))
    assert raised.value.connection_invalidated
    db.session.rollback()  # no second error from the dead connection
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1  # a fresh connection from the pool


def test_rows_that_fail_after_the_connection_is_lost_raise_their_own_error_and_invalidate_it(db, pg_connection):
    """The rows' own iterator failing after the server went away: psycopg swallows its failed cancel,
    so the error is the iterator's; the connection is invalidated all the same, so the rollback the
    callers run does not replace that error with one of the dead socket."""
    def rows():
        yield (1,)
        assert helpers.terminate_backends(pg_connection.engine.url)
        raise ValueError("a row could not be made")

    with pytest.raises(ValueError, match="a row could not be made"):
        copy_rows(pg_connection, "copy_probe", ("a",), rows())
    assert pg_connection.invalidated
    db.session.rollback()
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


def test_a_refusal_other_than_a_foreign_key_is_not_a_deleted_posting(db, pg_connection):
    """A run's store turns the foreign keys' refusal of its COPY into Conflict (a need or an offer
    deleted while it ran); any other refusal (here NOT NULL) is a fault and stays IntegrityError,
    as the same rows raise it on SQLite."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from matchmaker.models import MatchRun
    from matchmaker.services.matching.stored import insert_proposals
    from tests import factories as f

    need, offer = f.need(f.firm("B")), f.offer(f.firm("S"))
    run = MatchRun(as_of=datetime(2020, 3, 16).date(), weights={}, objective={}, timings={})
    db.session.add(run)
    db.session.flush()
    proposal = SimpleNamespace(need="N", offer="O", quantity=1.0, unit_cost=None, distance_km=1.0, reasons=())
    with pytest.raises(sa.exc.IntegrityError, match="unit_cost"):
        insert_proposals(run.id, [proposal], {"N": need.id}, {"O": offer.id}, {},
                         datetime(2020, 3, 16, tzinfo=timezone.utc), ({need.id: 1}, {offer.id: 2}))
    db.session.rollback()
