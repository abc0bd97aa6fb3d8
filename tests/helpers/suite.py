"""Test helpers for the whole suite (moved out of tests/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from stations import create_app
from stations.demo import DEMO_PASSWORD, seed_demo
from stations.extensions import db
from tests.helpers.apps import suite_config

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


TEST_NOW_ENV = "STATIONS_TEST_NOW"


def pinned_instant(value: str) -> datetime:
    """The instant of STATIONS_TEST_NOW: ISO 8601 with an explicit offset (a naive time would be ambiguous)."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} is not an ISO 8601 instant") from None
    if instant.utcoffset() is None:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} needs an offset, e.g. 2026-12-05T03:30+08:00")
    return instant


def make_test_app(url: str, **overrides) -> Flask:
    """An app for ``url`` that writes its files under the session's temporary roots (tests/helpers/apps.py)."""
    return create_app(suite_config(url, **overrides))


def build_database(app: Flask, *, demo_cases: bool = True) -> None:
    """Schema plus demo data; ``demo_cases=False`` leaves out the few hundred demo cases (seconds to build)."""
    with app.app_context():
        db.create_all()
        seed_demo(cases=demo_cases)
        db.session.commit()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy 3 picks the app's engine in get_bind() and ignores the session's ``bind``;
    the per-test transaction only isolates anything when every statement goes through its connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _fresh_g(sender: Flask, **extra) -> None:
    g.__dict__.clear()


def csrf_token_from(client: FlaskClient, url: str = "/login") -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf token on {url}"
    return match.group(1)


# In a list of usernames a test is parametrised over: the enterprise account of the test's own client (the ``gd``
# fixture), signed in as ``login_as(username_of(who, gd))``.
CLIENT = "client"
OTHER_CLIENT = "another client"  # an enterprise of the test's own that is not the one the data belongs to


def username_of(who: str, client, other=None) -> str:
    """``who`` itself, or the account name of ``client`` (a tests.factories.Client) when ``who`` is CLIENT, of
    ``other`` when it is OTHER_CLIENT."""
    if who == OTHER_CLIENT:
        return other.username
    return client.username if who == CLIENT else who


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD):
        token = csrf_token_from(self.client)
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client, "/catalog/")
        return self.client.post("/logout", data={"csrf_token": token})


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
