"""Fixtures in the flaskr style: app, client, login_as, plus a query counter and htmx headers.

The schema and demo data are built once per run; each test runs inside a transaction
that is rolled back (views' commits release savepoints only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
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
