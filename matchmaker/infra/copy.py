"""Bulk insert by PostgreSQL's COPY through psycopg, with the errors SQLAlchemy would raise.

COPY streams the rows in one statement instead of one per row (a matching run's proposals, a
weekly report's breaks). It runs on the driver's cursor, past SQLAlchemy, so a refusal would
surface as psycopg's own class (``ForeignKeyViolation``, ``OperationalError`` ...) that the web's
handlers and the callers do not know. Here it is raised as SQLAlchemy's (``IntegrityError``,
``OperationalError`` ...), as ``executemany`` on the other databases raises it; a lost connection
is invalidated first, so that the rollback that follows does not fail again on a dead socket and
hide the first error (also when the rows' own iterator fails after the server went away).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import sqlalchemy as sa

#: PostgreSQL's SQLSTATE of a foreign key's refusal (``foreign_key_violation``)
FOREIGN_KEY_VIOLATION = "23503"


def can_copy(conn: sa.Connection) -> bool:
    """Whether *conn* can take rows by COPY (PostgreSQL through psycopg 3)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def copy_rows(conn: sa.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY *rows* (tuples in *columns*' order; JSON columns as their text) into *table*."""
    import psycopg

    quote = conn.dialect.identifier_preparer.quote
    sql = "COPY %s (%s) FROM STDIN" % (quote(table), ", ".join(quote(c) for c in columns))
    dbapi_connection = conn.connection.dbapi_connection
    try:
        with dbapi_connection.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    except BaseException as exc:
        # the connection gone: by the driver's error, or under another one (the rows' own iterator
        # failing after the server went away, whose cancel psycopg swallows)
        is_driver_error = isinstance(exc, psycopg.Error)
        lost = dbapi_connection.closed or dbapi_connection.broken or (
            is_driver_error and conn.dialect.is_disconnect(exc, dbapi_connection, None))
        if lost:
            conn.invalidate(exc if isinstance(exc, Exception) else None)
        if not is_driver_error:
            raise
        raise sa.exc.DBAPIError.instance(sql, None, exc, psycopg.Error, connection_invalidated=bool(lost),
                                         dialect=conn.dialect) from exc
