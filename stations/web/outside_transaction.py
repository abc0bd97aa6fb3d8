"""A reused page's one read, outside a transaction, on PostgreSQL (issue 21).

A page served again (render_cache.py) costs one statement: the change stamp, read on the worker's own connection
(stamp_reader.py) when the worker holds the user's row (auth/user_snapshots.py); otherwise (a user the worker has
not seen, or a stamp that has moved) the signed-in user with the change stamp, through the session. Inside a transaction psycopg sends BEGIN before it and ROLLBACK after it, two
more round trips, 0.4 ms of a reused page's 2.2 ms. So a GET of a reusable page that reads through its session
starts it in autocommit and reads the user and the stamp there.

Nothing is read differently: one statement is one snapshot, in a transaction or not. If the page is not reused
after all, ``end()`` closes the autocommit part before the view runs, and the view reads and writes in a transaction
as any other; begun after the stamp was read, it sees data at least as new as the stamp the page is kept under, the
safe side. A write statement on the autocommit connection before that (none is expected: a guard's audit row goes
through database.write_now, which ends it first) is refused, not committed statement by statement
(``refuse_writes``).

SQLite has no round trip to save (its BEGIN is a call into the library), and a session bound to a connection
that is already in a transaction (the test suite's) is left as it is.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..extensions import db
from .change_stamp import is_write

READS_ONLY = "stations_reads_only"  # a connection's execution option: this checkout runs in autocommit, reads only


class WriteOutsideTransaction(RuntimeError):
    """A statement that writes, sent on a connection opened for a reused page's reads."""


def begin() -> None:
    """Start this request's session outside a transaction, if the database and the session allow it."""
    session = db.session()
    if db.engine.dialect.name != "postgresql" or session.in_transaction():
        return
    if isinstance(session.get_bind(), Connection):
        return  # bound to a connection that holds a transaction of its own (the test suite's)
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READS_ONLY: True})


def end() -> None:
    """Leave the autocommit part, keeping what was loaded (the signed-in user): the next statement begins a
    transaction on a connection with the pool's own settings."""
    session = db.session()
    if not session.in_transaction() or not session.connection().get_execution_options().get(READS_ONLY):
        return
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()  # nothing to commit: it gives the connection back, and the pool resets its isolation
    finally:
        session.expire_on_commit = expire


def refuse_writes(engine: Engine) -> None:
    """A write on a reads-only connection would commit alone, outside any transaction: refuse it before it runs."""

    @event.listens_for(engine, "before_cursor_execute")
    def refuse(conn, _cursor, statement, _parameters, context, _executemany):
        if conn.get_execution_options().get(READS_ONLY) and is_write(context, statement):
            raise WriteOutsideTransaction(f"a write on a reused page's reads-only connection: {statement[:80]}")
