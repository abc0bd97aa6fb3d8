"""A reused page's one read outside a transaction on PostgreSQL (stations/web/outside_transaction.py), and everything
else still inside one. Runs on the suite's database engine, on a database of its own that every request commits to
(the per-test rollback binds the session to a connection that is already in a transaction, which this leaves
alone)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from stations.auth.models import AuditEvent
from stations.extensions import db
from stations.timeutil import utcnow
from stations.web import change_stamp, stamp_reader
from stations.web.outside_transaction import READS_ONLY, WriteOutsideTransaction
from tests import dbutil
from tests import factories as f
from tests.helpers.suite import AuthActions, build_database, make_test_app

QUEUE = "/cases/"

pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
def own_app(tmp_path_factory) -> Iterator[Flask]:
    url = dbutil.test_database_url("_reads")
    dbutil.reset_database(url)
    app = make_test_app(url, UPLOAD_ROOT=str(tmp_path_factory.mktemp("uploads")))
    build_database(app, demo_cases=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sent(own_app) -> Iterator[list[tuple[str, str | None]]]:
    """Each statement the app sends, with the isolation level of the connection it went on."""
    statements: list[tuple[str, str | None]] = []

    def record(conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append((statement, conn.get_execution_options().get("isolation_level")))

    with own_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


def signed_in(app: Flask, username: str = "staff-ll"):
    client = app.test_client()
    AuthActions(client).login(username)
    client.get(QUEUE)  # the session's first page makes its CSRF secret: that answer is not kept
    return client


def postgresql(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_reused_page_reads_outside_a_transaction_on_postgresql(own_app, sent):
    client = signed_in(own_app)
    first = client.get(QUEUE)
    own_app.extensions["user_snapshots"].clear()  # a worker that has not seen the user: its row is read
    sent.clear()
    again = client.get(QUEUE)
    assert again.data == first.data
    if postgresql(own_app):
        assert [isolation for _statement, isolation in sent] == ["AUTOCOMMIT"]  # no BEGIN, no ROLLBACK
    else:  # SQLite: BEGIN is a library call, there is nothing to save
        assert sent[0][0] == "BEGIN"
        assert all(isolation is None for _statement, isolation in sent)


def test_a_reused_page_of_a_user_the_worker_knows_leaves_the_session_untouched(own_app, sent):
    """web/stamp_reader.py: the stamp on the worker's own connection, the user from its copy: nothing through the
    session, no pooled connection."""
    client = signed_in(own_app)
    first = client.get(QUEUE)
    sent.clear()
    with own_app.app_context():
        checked_out = db.engine.pool.checkedout()
    again = client.get(QUEUE)
    assert again.data == first.data
    assert sent == []
    assert os.getpid() in stamp_reader._connections
    with own_app.app_context():
        assert db.engine.pool.checkedout() == checked_out  # the reader's connection is not the pool's


def _break(app: Flask, own) -> None:
    """End the worker's own connection under it: the server side on PostgreSQL, the library's on SQLite."""
    if not postgresql(app):
        own.close()
        return
    with app.app_context():
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": own.info.backend_pid})
        db.session.commit()  # (it wrote nothing: the stamp stays, the page is still kept)
        db.session.remove()


def test_a_dropped_own_connection_falls_back_to_the_session_and_is_replaced(own_app, caplog):
    client = signed_in(own_app)
    first = client.get(QUEUE)
    own = stamp_reader._connections[os.getpid()][1].dbapi_connection
    _break(own_app, own)
    again = client.get(QUEUE)
    assert again.status_code == 200 and again.data == first.data
    assert "could not be read on the worker's own connection" in caplog.text
    client.get(QUEUE)
    assert stamp_reader._connections[os.getpid()][1].dbapi_connection is not own


def test_a_worker_that_cannot_open_its_own_connection_reads_through_the_session(own_app, monkeypatch, caplog):
    client = signed_in(own_app)
    first = client.get(QUEUE)
    with own_app.app_context():
        engine = db.engine
        stamp_reader._drop(engine)

    def refused(_engine):  # as the pool raises it when the server refuses a new connection
        raise OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(stamp_reader, "_connection", refused)
    again = client.get(QUEUE)
    assert again.status_code == 200 and again.data == first.data
    assert "could not be read on the worker's own connection" in caplog.text
    assert os.getpid() not in stamp_reader._connections


def test_a_stamp_read_outside_the_session_holds_only_while_the_session_begins_nothing(own_app):
    with own_app.test_request_context(QUEUE):
        committed = db.session.scalar(text(change_stamp.READ))
        db.session.remove()
        change_stamp.read_along(12345)  # as if read on the worker's own connection, before the session began
        assert change_stamp.current() == 12345
        db.session.scalar(text("SELECT 1"))  # the session reads (a guard): its own transaction decides from here
        assert change_stamp.current() == committed
        db.session.remove()


def test_a_page_rendered_after_all_reads_in_a_transaction(own_app, sent):
    client = signed_in(own_app)
    client.get(QUEUE)
    with own_app.app_context():
        case = f.make_case()
        db.session.commit()
        case_no = case.case_no
    sent.clear()
    page = client.get(QUEUE).get_data(as_text=True)
    assert case_no in page  # the write is seen: rendered, not reused
    user_row = next(n for n, (statement, _isolation) in enumerate(sent) if "FROM users" in statement)
    view_statements = sent[user_row + 1 :]
    assert len(view_statements) > 2, "the view read the queue"
    assert all(isolation != "AUTOCOMMIT" for _statement, isolation in view_statements)


def test_the_pool_gets_its_connections_back_as_they_were(own_app):
    client = signed_in(own_app)
    client.get(QUEUE)
    client.get(QUEUE)
    with own_app.app_context():
        connection = db.session.connection()
        assert READS_ONLY not in connection.get_execution_options()
        assert connection.get_execution_options().get("isolation_level") is None
        if db.engine.dialect.name == "postgresql":
            assert connection.connection.dbapi_connection.autocommit is False
        db.session.remove()


def test_a_write_on_the_reads_only_connection_is_refused_before_it_runs(own_app):
    with own_app.app_context():
        before = db.session.scalar(text("SELECT value FROM change_stamps WHERE id = 1"))
        db.session.remove()
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READS_ONLY: True})
        with pytest.raises(WriteOutsideTransaction):
            db.session.execute(text("UPDATE change_stamps SET value = value + 1 WHERE id = 1"))
        db.session.remove()
        assert db.session.scalar(text("SELECT value FROM change_stamps WHERE id = 1")) == before
        db.session.remove()


def test_a_guard_that_writes_before_the_view_writes_in_a_transaction(own_app):
    """The idle timeout's audit row (auth/sessions.py) is written while the request is still reading outside a
    transaction: database.write_now ends that part and commits the row in a transaction of its own."""
    client = signed_in(own_app)
    with own_app.app_context():
        timeouts = db.session.scalar(select(func.count()).where(AuditEvent.event == "session.timeout"))
        db.session.remove()
    with time_machine.travel(utcnow() + timedelta(minutes=45), tick=False):
        answer = client.get(QUEUE)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["Location"]
    with own_app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEvent.event == "session.timeout")) == timeouts + 1
        db.session.remove()
