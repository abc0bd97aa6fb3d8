"""Engine settings that every connection needs."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Set for requests that write (POST...): on SQLite their transactions start with BEGIN IMMEDIATE,
# so concurrent writers queue on the busy timeout instead of failing when a read snapshot
# is upgraded to a write (WAL's SQLITE_BUSY_SNAPSHOT).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def configure_engine_events(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and real BEGINs so SAVEPOINTs work.

    pysqlite's own transaction handling defers BEGIN and breaks nested transactions;
    the SQLAlchemy-documented recipe takes control of BEGIN instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
