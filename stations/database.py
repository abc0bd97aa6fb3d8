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
from sqlalchemy.exc import DisconnectionError, OperationalError

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


# A pooled connection idle for longer than this is pinged before use (see ``ping_when_idle``).
IDLE_BEFORE_PING_SECONDS = 1.0
_CHECKED_IN_AT = "stations_checked_in_at"  # in a pool entry's info: when it was last given back (monotonic)


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_BEFORE_PING_SECONDS) -> None:
    """Check a pooled connection with a ping before use, but only if it has lain idle for ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: on PostgreSQL that is a round trip and two autocommit
    switches, 0.2 ms of a reused page's 2.7 ms (issue 21). A connection given back less than a second ago was alive
    then; one that has lain idle across a database restart is found dead here and replaced before the request
    sees it (the pool retries the checkout on DisconnectionError). What is left is the window a ping never closed
    either: a server that goes away while a connection is busy fails that statement, and SQLAlchemy then renews
    the whole pool. The same bargain as HikariCP's aliveBypassWindowMs.
    """

    @event.listens_for(engine, "checkin")
    def note_checkin(_dbapi_connection, record):
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy):
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # new (info is emptied when a connection is replaced), or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                log.warning("a pooled database connection was dead (%s): replacing it", error)
                raise DisconnectionError(str(error)) from error
            raise


def configure_engine_events(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and real BEGINs so SAVEPOINTs work.

    pysqlite's own transaction handling defers BEGIN and breaks nested transactions;
    the SQLAlchemy-documented recipe takes control of BEGIN instead. Every engine also forgets its pool in a
    forked child, and pings a pooled connection that has lain idle before using it.
    """
    _engines_to_forget_after_fork.add(engine)
    ping_when_idle(engine)
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
