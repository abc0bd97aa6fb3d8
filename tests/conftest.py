"""Fixtures in the flaskr style: app, client, login_as, plus a query counter and htmx headers.

The schema and demo data are built once per run; each test runs inside a transaction
that is rolled back (views' commits release savepoints only).

STATIONS_TEST_NOW=<ISO instant with offset> (e.g. ``2026-12-05T03:30+08:00``) runs the whole session
with the clock travelled to that instant (time-machine, ticking on from there): the suite must pass at
any hour, weekend, holiday or year end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from flask import Flask, request_started
from flask.testing import FlaskClient
from sqlalchemy import event

from stations.extensions import db
from stations.web import change_stamp
from tests.check_translations import compile_stale_catalogs
from tests.dbutil import reset_database, test_database_url
from tests.factories import Client, make_client
from tests.helpers.suite import (
    TEST_NOW_ENV,
    AuthActions,
    QueryCounter,
    _ConnectionBoundSession,
    _fresh_g,
    build_database,
    make_test_app,
    pinned_instant,
)

# Fixtures shared by the whole suite that live in tests/helpers (limited_app, limit_overrides).
pytest_plugins = ["tests.helpers.apps"]


_session_travel: time_machine.travel | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Travel before anything is collected or built (modules, the app, the demo data), for the whole session.

    time-machine patches the clock functions at the C level, so every thread (the browser tests' live
    server, the delivery workers) reads the pinned clock too. Tests may still travel further locally.
    """
    global _session_travel
    value = os.environ.get(TEST_NOW_ENV, "").strip()
    if value and _session_travel is None:
        _session_travel = time_machine.travel(pinned_instant(value), tick=True)
        _session_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def pytest_report_header(config: pytest.Config) -> str | None:
    value = os.environ.get(TEST_NOW_ENV, "").strip()
    return f"clock pinned: {TEST_NOW_ENV}={value} (ticking from there)" if value else None


def pytest_sessionstart(session) -> None:
    """English pages need the compiled catalogue: do what `make translations` does when the .mo is stale."""
    compile_stale_catalogs()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    url = test_database_url()
    reset_database(url)
    application = make_test_app(url)
    build_database(application, demo_cases=False)  # tests make the cases they need (tests/factories.py)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app: Flask) -> Iterator[None]:
    """Every test in its own transaction, rolled back at the end."""
    if "browser" in request.keywords or "own_database" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        change_stamp.stamp_at_release(connection)  # this outer transaction is rolled back, never committed
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
        )
        # Requests reuse this app context, hence its `g`: start each with an empty one as in production,
        # or Flask-Login's cached user and Flask-Babel's locale leak from one request (and client) to the next.
        request_started.connect(_fresh_g, app)
        try:
            yield
        finally:
            request_started.disconnect(_fresh_g, app)
            db.session.remove()
            db.session = original
            outer.rollback()
            change_stamp.stamp_at_release(connection, on=False)
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(app: Flask):
    """login_as("staff-ll") -> a fresh test client signed in as that demo account."""

    def _login(username: str) -> FlaskClient:
        new_client = app.test_client()
        response = AuthActions(new_client).login(username)
        assert response.status_code == 303, f"login as {username} failed: {response.status_code}"
        return new_client

    return _login


@pytest.fixture
def gd() -> Client:
    """An enterprise of the test's own as the contract's ent-gd is one: at LL, a client of clerk-ll, with an account."""
    return make_client(station_code="LL")


@pytest.fixture
def qn() -> Client:
    """Another one as the contract's ent-qn is: at QH, a client of clerk-qh, with an account."""
    return make_client(station_code="QH")


@pytest.fixture
def count_queries(app: Flask):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements run.

    Inside, pages are rendered, never served again from web/render_cache.py: a count is of what the view does.
    ``count_queries(reuse=True)`` counts with pages reused, as in production (the render cache's own tests)."""

    @contextmanager
    def _count(reuse: bool = False) -> Iterator[QueryCounter]:
        counter = QueryCounter()
        reusing = app.config["RENDER_CACHE_ENABLED"]
        app.config["RENDER_CACHE_ENABLED"] = reuse and reusing

        def on_execute(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
            app.config["RENDER_CACHE_ENABLED"] = reusing

    return _count


# --- fixtures shared by several areas ------------------------------------------------------------------------------


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """Uploaded files go to a temporary directory, not the repository's instance/."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root


@pytest.fixture
def partner():
    """A partner 'PX' that signs with KEY (and, for loopback delivery, points at this very app)."""
    from stations.crossregion.models import AgreementKind, PartnerRegion
    from tests.helpers.crossregion import KEY

    row = PartnerRegion(
        code="PX",
        name="测试合作区",
        agreement_kind=AgreementKind.CROSS_REGION,
        shared_key=KEY,
        base_url="http://loopback.test",
    )
    db.session.add(row)
    db.session.commit()  # committed (inside the test's outer transaction): the endpoint's rollbacks keep it
    return row
