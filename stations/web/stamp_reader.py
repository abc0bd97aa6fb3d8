"""The change stamp read on a connection of the worker's own, outside the request's session (issue 21).

A reused page whose user the worker already holds (auth/user_snapshots.py) needs one fact from the database: the
change stamp. Through the session that read cost a pool checkout, SQLAlchemy's execution path and a checkin around
the read itself: on PostgreSQL 0.2 ms of a reused page's 1.4, where the round trip is 0.17; on SQLite 0.25 ms of
1.2. So each worker process keeps one connection, outside a transaction and detached from the pool, for this one
statement, and the request's session begins nothing at all unless the page is rendered after all.

Nothing is read differently: one statement is one snapshot, here or in the session (SQLite's autocommit read is a
read transaction of its own, ended when the cursor is closed). If the page is rendered, its transaction begins after
this read and sees data at least as new as the stamp the page is kept under, the safe side.

A session bound to a connection already in a transaction (the test suite's) reads through it, so that it sees its
own test's writes. A failed read (the server restarted, the connection dropped) is logged, the connection dropped,
and the request reads through its session as before; the next request connects again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from ..extensions import db
from .change_stamp import READ, table_known_present

log = logging.getLogger(__name__)

# pid -> (engine, the pool's wrapper of the connection, detached from the pool). Keyed by process: a forked child must not use its parent's socket, nor close
# it (that would end the parent's session on it), so an inherited entry is left alone, never dropped.
_connections: dict[int, tuple[Engine, PoolProxiedConnection]] = {}
_lock = threading.Lock()  # the development server answers in threads; gunicorn's sync workers in one


def usable() -> bool:
    """Whether this request may read the stamp here: its session is not bound to a connection of its own, nor yet
    in a transaction (whose own writes no stamp covers)."""
    session = db.session()
    if session.in_transaction():
        return False
    return not isinstance(session.get_bind(), Connection) and table_known_present(db.engine)


def read() -> int | None:
    """The committed stamp, or None if it could not be read here (the caller reads through the session)."""
    engine = db.engine
    with _lock:
        try:
            cursor = _connection(engine).cursor()
            try:
                cursor.execute(READ)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except (engine.dialect.loaded_dbapi.Error, DBAPIError) as error:  # (the latter: connecting, via the pool)
            log.warning("the change stamp could not be read on the worker's own connection (%s): reconnecting", error)
            _drop(engine)
            return None
    return row[0] if row else None


def _connection(engine: Engine):
    kept = _connections.get(os.getpid())
    if kept is not None and kept[0] is engine:
        return kept[1].dbapi_connection
    if kept is not None:
        _drop(kept[0])  # another app's engine in this process (the test suite)
    fairy = engine.raw_connection()  # the engine's own connect settings, then out of the pool's count
    fairy.detach()
    dbapi_connection = fairy.dbapi_connection
    if engine.dialect.name == "postgresql":
        dbapi_connection.autocommit = True  # (SQLite's connections are already: database.py takes over BEGIN)
    _connections[os.getpid()] = (engine, fairy)
    return dbapi_connection


def _drop(engine: Engine) -> None:
    kept = _connections.pop(os.getpid(), None)
    if kept is None:
        return
    with contextlib.suppress(engine.dialect.loaded_dbapi.Error):  # already gone
        kept[1].close()
