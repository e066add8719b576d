"""What the row adapters share (:mod:`.network`, :mod:`.ledger_records`): the session's connection for
Core statements, date columns read as ISO text, and JSON list columns decoded once per distinct value."""
import json

import sqlalchemy as sa

from matchmaker.infra.extensions import db


def connection() -> sa.Connection:
    """The session's connection for Core statements, after flushing what the session holds (as
    a query through the session would)."""
    db.session.flush()
    return db.session.connection()


def iso_text(column: sa.ColumnElement) -> sa.ColumnElement:
    """A date column read as ISO text (YYYY-MM-DD) on SQLite and PostgreSQL alike."""
    return sa.cast(column, sa.String)


class DecodedLists:
    """A JSON list column as a tuple: the JSON text (SQLite) decoded once per distinct value, or the
    list a driver already decoded (psycopg). One per load: the cache lives as long as the load
    (terms of needs, blockers of firms: a few distinct values over 10^4 rows)."""

    __slots__ = ("_seen",)

    def __init__(self):
        self._seen = {}

    def __call__(self, raw):
        if raw is None:
            return ()
        if not isinstance(raw, str):
            return tuple(raw)
        value = self._seen.get(raw)
        if value is None:
            value = self._seen[raw] = tuple(json.loads(raw) or ())
        return value

    def column(self, raws: list) -> list:
        """``[self(raw) for raw in raws]``, each distinct text looked at once (a driver's lists one by one)."""
        try:
            decoded = {raw: self(raw) for raw in set(raws)}
        except TypeError:  # lists a driver decoded are not hashable
            return list(map(self, raws))
        return list(map(decoded.__getitem__, raws))
