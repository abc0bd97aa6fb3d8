"""Fixtures in the flaskr style: app, client, login_as, plus a query counter and htmx headers.

The schema and demo data are built once per run; each test runs inside a transaction
that is rolled back (views' commits release savepoints only).

STATIONS_TEST_NOW=<ISO instant with offset> (e.g. ``2026-12-05T03:30+08:00``) runs the whole session
with the clock travelled to that instant (time-machine, ticking on from there): the suite must pass at
any hour, weekend, holiday or year end.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import event

from stations import create_app
from stations.config import TestConfig
from stations.demo import DEMO_PASSWORD, seed_demo
from stations.extensions import db
from tests.check_translations import compile_stale_catalogs
from tests.dbutil import reset_database, test_database_url

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


TEST_NOW_ENV = "STATIONS_TEST_NOW"
_session_travel: time_machine.travel | None = None


def pinned_instant(value: str) -> datetime:
    """The instant of STATIONS_TEST_NOW: ISO 8601 with an explicit offset (a naive time would be ambiguous)."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} is not an ISO 8601 instant") from None
    if instant.utcoffset() is None:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} needs an offset, e.g. 2026-12-05T03:30+08:00")
    return instant


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


def make_test_app(url: str, **overrides) -> Flask:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, **overrides)
    return create_app(config)


def build_database(app: Flask, *, demo_cases: bool = True) -> None:
    """Schema plus demo data; ``demo_cases=False`` leaves out the few hundred demo cases (seconds to build)."""
    with app.app_context():
        db.create_all()
        seed_demo(cases=demo_cases)
        db.session.commit()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    url = test_database_url()
    reset_database(url)
    application = make_test_app(url)
    build_database(application, demo_cases=False)  # tests make the cases they need (tests/factories.py)
    yield application
    with application.app_context():
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy 3 picks the app's engine in get_bind() and ignores the session's ``bind``;
    the per-test transaction only isolates anything when every statement goes through its connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _fresh_g(sender: Flask, **extra) -> None:
    g.__dict__.clear()


@pytest.fixture(autouse=True)
def _transaction(request, app: Flask) -> Iterator[None]:
    """Every test in its own transaction, rolled back at the end."""
    if "browser" in request.keywords or "own_database" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
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
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token_from(client: FlaskClient, url: str = "/login") -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf token on {url}"
    return match.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = csrf_token_from(self.client)
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client, "/catalog/")
        return self.client.post("/logout", data={"csrf_token": token})


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


def htmx_headers(target: str | None = None, **extra: str) -> dict[str, str]:
    headers = {"HX-Request": "true"}
    if target:
        headers["HX-Target"] = target
    headers.update(extra)
    return headers


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements run."""

    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()

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

    return _count
