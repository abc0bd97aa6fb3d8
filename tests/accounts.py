"""Accounts for tests: make one, read one back, log in with a given password.

Call these inside a test (the autouse transaction fixture provides the app context and rolls
everything back afterwards).
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from stations.auth.models import AuditEvent, Role, User
from stations.auth.services import hash_password
from stations.extensions import db
from stations.sites.models import Station
from tests.helpers.suite import csrf_token_from

STRONG_PASSWORD = "Kx7#vRq2!mPz"  # passes both profiles and the blocklist


def make_user(username: str, role: Role = Role.STAFF, password: str = STRONG_PASSWORD, **fields) -> User:
    """A new account (staff at LL unless told otherwise), committed so requests see it."""
    if role in (Role.STAFF, Role.CLERK) and "station_id" not in fields:
        fields["station_id"] = db.session.scalar(select(Station.id).where(Station.code == "LL"))
    user = User(
        username=username,
        display_name=fields.pop("display_name", f"测试 {username}"),
        role=role,
        password_hash=hash_password(password),
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user


def get_user(username: str) -> User:
    """The account as stored now (a fresh read, not a cached object)."""
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def audit_rows(event: str | None = None, username: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if event:
        stmt = stmt.where(AuditEvent.event == event)
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    return list(db.session.scalars(stmt))


def login(client: FlaskClient, username: str, password: str, **extra):
    token = csrf_token_from(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **extra)


def logged_in(app, username: str, password: str = STRONG_PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 303, f"login as {username}: {response.status_code}"
    return client
