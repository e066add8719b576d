"""SQLite connection settings: enforce foreign keys, WAL for concurrent readers; and
timezone-aware columns read back as aware UTC datetimes, as PostgreSQL returns them."""
import json
import json.scanner
from datetime import timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from matchmaker.models.base import Base

_installed = set()


def install_sqlite_pragmas(app):
    """Turn on foreign keys (and WAL for file databases) for every SQLite connection."""
    if "pragmas" not in _installed:
        _installed.add("pragmas")

        @event.listens_for(Engine, "connect")
        def _pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
            module = type(dbapi_connection).__module__
            if not module.startswith("sqlite3"):
                return
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(Pool, "checkin")
        def _foreign_keys_back_on(dbapi_connection, connection_record):
            # after the pool's rollback, before anyone else can check the connection out
            if connection_record.info.pop(_FOREIGN_KEYS_OFF, False) and dbapi_connection is not None:
                dbapi_connection.execute("PRAGMA foreign_keys=ON")

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and "utc" not in _installed:
        _installed.add("utc")
        event.listen(Base, "load", _aware_on_load, propagate=True)
        event.listen(Base, "refresh", _aware_on_refresh, propagate=True)


_FOREIGN_KEYS_OFF = "matchmaker_foreign_keys_off"


def foreign_keys_off_until_released(session: sa.orm.Session) -> bool:
    """SQLite: stop enforcing foreign keys on the session's connection for the transaction about
    to begin, when none has begun on it yet (SQLite ignores the pragma inside one); the pool turns
    them back on when the connection is returned (after the commit or rollback), before anyone
    else can use it. For a bulk write whose caller checks the references itself, once for the
    whole batch instead of a lookup per row and key. Returns whether they are off."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return False
    fairy = conn.connection
    raw = fairy.dbapi_connection
    if getattr(raw, "in_transaction", True) or "pragmas" not in _installed:
        return False
    raw.execute("PRAGMA foreign_keys=OFF")
    fairy.info[_FOREIGN_KEYS_OFF] = True
    return True


# SQLite stores DateTime(timezone=True) values as text without an offset and returns them
# naive; the API would then print times without an offset (not RFC 3339, and ambiguous).
# Every value the service writes is UTC (models.base.utcnow), so say so on load.
_aware_keys_of = {}


def _aware_keys(cls):
    keys = _aware_keys_of.get(cls)
    if keys is None:
        keys = _aware_keys_of[cls] = tuple(
            prop.key for prop in sa.inspect(cls).column_attrs
            if isinstance(prop.columns[0].type, sa.DateTime) and prop.columns[0].type.timezone
        )
    return keys


def _make_aware(target):
    keys = _aware_keys(type(target))
    if keys:
        loaded = target.__dict__
        for key in keys:
            value = loaded.get(key)
            if value is not None and value.tzinfo is None:
                loaded[key] = value.replace(tzinfo=timezone.utc)


def _aware_on_load(target, context):
    _make_aware(target)


def _aware_on_refresh(target, context, attrs):
    _make_aware(target)


class ListedJSON(sa.types.TypeDecorator):
    """A JSON column as a list reads it (``sa.type_coerce(column, ListedJSON)``): on SQLite the
    stored text is read by the json module's C scanner itself, without json.loads' Python layers
    (2 µs to 0.4 µs a value: a page of 50 proposals' reasons); the same values, any text the
    scanner does not take whole (surrounding blanks) going through json.loads. Other databases'
    drivers decode JSON themselves: the column's own reading."""

    impl = sa.JSON
    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite" or getattr(dialect, "_json_deserializer", None):
            return super().result_processor(dialect, coltype)
        return _read_json


_scan_json = json.scanner.make_scanner(json.JSONDecoder())


def _read_json(text):
    if text is None:
        return None
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)
