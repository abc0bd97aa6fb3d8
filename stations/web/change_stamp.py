"""The change stamp: one value that every committed write changes (issue 21).

A page rendered under a stamp can be served again while the stamp is the same (render_cache.py): nothing in the
database has changed since. That holds only if no write escapes, so the stamp is kept below the ORM, on the engine:
- every statement that writes (INSERT, UPDATE, DELETE; from the ORM, Core or raw SQL) marks its connection;
- the connection's COMMIT first sets the stamp to a new value in the same transaction;
- until then, this connection's own transaction sees writes that no stamp covers, so it reuses nothing.

So the stamp commits with the data: whoever reads a stamp reads data at least that new, and a rolled-back write
leaves the stamp as it was. The stamp is set at commit, the last moment, so a writer holds the stamp's row lock
only while it commits: no writer waits on another's whole transaction for it, and no lock cycle can form through it.

The test suite runs each test in one outer transaction that is rolled back, never committed: its connection asks
for the stamp at each savepoint release instead (``stamp_at_release``), where the tests' commits happen. That is
also why the new value is random, not a counter: after a rollback, a counter would climb to the same value again
over different data.
"""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g
from sqlalchemy import BigInteger, event, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db

STAMP_ID = 1
_DIRTY = "stations_wrote"  # the key, in a DBAPI connection's info, of "this transaction wrote something"
_AT_RELEASE = "stations_stamp_at_release"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Set through the bare DBAPI cursor, in each driver's parameter style: sqlite3's, psycopg's.
READ = "SELECT value FROM change_stamps WHERE id = 1"
_EXISTS_SQLITE = "SELECT max(name) FROM sqlite_master WHERE type = 'table' AND name = 'change_stamps'"
_EXISTS_POSTGRESQL = "SELECT to_regclass('change_stamps')"
_present: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_SET_QMARK = "UPDATE change_stamps SET value = ? WHERE id = ?"
_SET_FORMAT = "UPDATE change_stamps SET value = %s WHERE id = %s"

# Off while Alembic migrates: the table may not exist yet, and a new schema empties every process's cache anyway.
_tracking: ContextVar[bool] = ContextVar("change_stamp_tracking", default=True)


class ChangeStamp(db.Model):
    """The one row (id 1) whose value every committed write changes."""

    __tablename__ = "change_stamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


def new_value() -> int:
    return secrets.randbits(62)  # fits a signed 64-bit column


@event.listens_for(ChangeStamp.__table__, "after_create")
def _first_row(target, connection: Connection, **_kw) -> None:
    """create_all() (the test suite, a fresh SQLite file) gets the row the migration inserts."""
    connection.execute(target.insert().values(id=STAMP_ID, value=new_value()))


def _table_present(conn: Connection) -> bool:
    """Whether the database has the stamp's table: a database not yet migrated to it (new code started before
    `flask db upgrade`; the migration tests' old revisions) must go on working, reusing nothing. Asked of the
    database until the answer is yes, then remembered for the engine."""
    if _present.get(conn.engine):
        return True
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_EXISTS_SQLITE if conn.dialect.name == "sqlite" else _EXISTS_POSTGRESQL)
        present = cursor.fetchone()[0] is not None
    finally:
        cursor.close()
    if present:
        _present[conn.engine] = True
    return present


def table_known_present(engine: Engine) -> bool:
    """Whether the stamp's table is known to exist, without asking the database (see ``_table_present``)."""
    return _present.get(engine, False)


def readable() -> bool:
    """Whether this request's transaction may read the stamp: the table exists (see ``_table_present``)."""
    return _table_present(db.session.connection())


# The stamp as a column, for a statement the request sends anyway (the signed-in user's, auth/sessions.py): on
# PostgreSQL every statement is a round trip, most of what a reused page costs.
VALUE_COLUMN = select(ChangeStamp.value).where(ChangeStamp.id == STAMP_ID).scalar_subquery()
_READ_WITH = "change_stamp_read"  # in flask.g: (value, the session transaction it was read in)
_BEGAN = "stations_began"  # in a session's info: a transaction has begun in it (on a connection) since it opened


@event.listens_for(Session, "after_begin")
def _note_begin(session, _transaction, _connection) -> None:
    session.info[_BEGAN] = True


def read_along(value: int | None) -> None:
    """Keep a stamp read along with another statement, for ``current()`` in this same transaction; or, read
    outside the session before it began any (web/stamp_reader.py), for as long as it begins none."""
    setattr(g, _READ_WITH, (value, db.session().get_transaction()))


def current() -> int | None:
    """The stamp as this request's transaction sees it. None, and nothing is reused, if the row is missing or this
    transaction has written and not yet committed: it sees its own writes, which no stamp covers yet."""
    kept = g.get(_READ_WITH)
    if kept is not None and kept[1] is None and not db.session().info.get(_BEGAN):
        return kept[0]  # read outside the session (stamp_reader.py), and nothing read or written in it since
    if written() or not _table_present(connection := db.session.connection()):
        return None
    if kept is not None and kept[1] is db.session().get_transaction():  # read in this very transaction
        return kept[0]
    # Plain SQL on the session's connection: it runs on every reused page, and the ORM's execution path cost four
    # times the query's own time here.
    return connection.exec_driver_sql(READ).scalar()


def written() -> bool:
    """Whether this request's transaction has written and not yet committed: what it reads, no stamp covers."""
    return bool(db.session.connection().info.get(_DIRTY))


@contextmanager
def untracked() -> Iterator[None]:
    """Writes inside leave the stamp alone (migrations, which may run before its table exists)."""
    token = _tracking.set(False)
    try:
        yield
    finally:
        _tracking.reset(token)


def stamp_at_release(conn: Connection, on: bool = True) -> None:
    """For a connection whose outer transaction is never committed (the test suite's): each savepoint release
    counts as the commit."""
    if on:
        conn.info[_AT_RELEASE] = True
    else:
        conn.info.pop(_AT_RELEASE, None)


def is_write(context, statement: str) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    return statement.lstrip()[:7].upper().startswith(_WRITES)  # text() and exec_driver_sql()


def _set_stamp(conn: Connection) -> None:
    """Change the stamp inside the transaction being committed, with a bare DBAPI cursor (no events re-entered)."""
    if not conn.info.pop(_DIRTY, False) or not _table_present(conn):
        return
    sql = _SET_QMARK if conn.dialect.paramstyle == "qmark" else _SET_FORMAT
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, (new_value(), STAMP_ID))
    finally:
        cursor.close()


def track_writes(engine: Engine) -> None:
    """Keep the stamp on ``engine``: mark each write, change the stamp when the writes commit."""

    @event.listens_for(engine, "after_cursor_execute")
    def mark_write(conn, _cursor, statement, _parameters, context, _executemany):
        if _tracking.get() and is_write(context, statement):
            conn.info[_DIRTY] = True

    @event.listens_for(engine, "commit")
    def stamp_on_commit(conn):
        _set_stamp(conn)

    @event.listens_for(engine, "release_savepoint")
    def stamp_on_release(conn, _name, _context):
        if conn.info.get(_AT_RELEASE):
            _set_stamp(conn)

    @event.listens_for(engine, "rollback_savepoint")
    def stamp_later(conn, _name, _context):
        # A stamp set inside the savepoint (when an inner one was released) is undone with it, while writes made
        # before the savepoint stay: whatever commits next must change the stamp again.
        conn.info[_DIRTY] = True

    @event.listens_for(engine, "rollback")
    def forget_on_rollback(conn):
        conn.info.pop(_DIRTY, None)

    @event.listens_for(engine, "reset")
    def forget_on_return(_dbapi_connection, record, _state):
        record.info.pop(_DIRTY, None)  # the pool rolled back a connection given back mid-transaction
