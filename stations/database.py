"""Engine settings that every connection needs."""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Set for requests that write (POST...): on SQLite their transactions start with BEGIN IMMEDIATE,
# so concurrent writers queue on the busy timeout instead of failing when a read snapshot
# is upgraded to a write (WAL's SQLITE_BUSY_SNAPSHOT).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


# Engines whose pooled connections a forked child must not reuse (gunicorn's preload_app forks the workers from a
# master that has built the app, and may have connected: the production guard reads the database at start).
_engines_to_forget_after_fork: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    """In a forked child, drop the parent's pooled connections without closing them: closing would end the
    parent's sessions on the same sockets (SQLAlchemy's "Using Connection Pools with Multiprocessing")."""
    for engine in list(_engines_to_forget_after_fork):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def configure_engine_events(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and real BEGINs so SAVEPOINTs work.

    pysqlite's own transaction handling defers BEGIN and breaks nested transactions;
    the SQLAlchemy-documented recipe takes control of BEGIN instead. Every engine also forgets its pool in a
    forked child.
    """
    _engines_to_forget_after_fork.add(engine)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")  # waiting writers queue; on a loaded host 10 s was too short
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def is_transient(error: BaseException) -> bool:
    """A lock or connection failure that a later attempt can get past (SQLite busy, PostgreSQL restart...)."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig or error).lower()
    return "locked" in text or "busy" in text or error.connection_invalidated or "connection" in text


def write_now(work: Callable[[], T], *, attempts: int = 6, first_delay: float = 0.05) -> T:
    """Run ``work`` in a short write transaction of its own and commit it, retrying transient lock errors.

    Any read transaction the session holds is ended first: on SQLite a read snapshot cannot be upgraded to a
    write once another writer has committed (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not cover).
    With ``write_intent`` set, the new transaction begins IMMEDIATE, so it waits on the busy timeout for the
    write lock instead of failing half-way. Used for writes made during reads (a refusal's audit row) and by
    the outbox worker.
    """
    from .extensions import db

    token = write_intent.set(True)
    try:
        for attempt in range(attempts):
            db.session.rollback()
            try:
                result = work()
                db.session.commit()
                return result
            except OperationalError as error:
                db.session.rollback()
                if not is_transient(error) or attempt == attempts - 1:
                    raise
                delay = first_delay * 2**attempt
                log.warning("database busy (%s), retrying the write in %.2f s", error.orig, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")
    finally:
        write_intent.reset(token)
