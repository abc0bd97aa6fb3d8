"""The session cookie remembered once verified (stations/web/session_cookie.py): served from memory only while it would
still verify, and never shared between requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from stations.timeutil import utcnow
from stations.web.session_cookie import RememberingSessionInterface


@pytest.fixture
def interface() -> RememberingSessionInterface:
    return RememberingSessionInterface(capacity=2)


def cookie_for(app: Flask, interface: RememberingSessionInterface, data: dict) -> str:
    return interface.get_signing_serializer(app).dumps(data)


def open_with(app: Flask, interface: RememberingSessionInterface, cookie: str | None):
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers) as context:
        return interface.open_session(app, context.request)


@pytest.fixture
def verifications(app, interface, monkeypatch) -> list[str]:
    """Each cookie whose signature the interface checks."""
    checked: list[str] = []
    serializer = interface.get_signing_serializer(app)
    real_loads = serializer.loads

    def counting_loads(value, *args, **kwargs):
        checked.append(value)
        return real_loads(value, *args, **kwargs)

    monkeypatch.setattr(serializer, "loads", counting_loads)
    return checked


def test_a_cookie_is_verified_once_and_then_read_from_memory(app, interface, verifications):
    cookie = cookie_for(app, interface, {"_user_id": "7:0", "csrf_token": "abc"})
    first = open_with(app, interface, cookie)
    again = open_with(app, interface, cookie)
    assert dict(first) == dict(again) == {"_user_id": "7:0", "csrf_token": "abc"}
    assert verifications == [cookie]
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)  # built once


def test_each_request_gets_its_own_copy(app, interface):
    cookie = cookie_for(app, interface, {"_flashes": [["info", "已保存"]]})
    first = open_with(app, interface, cookie)
    first["_flashes"].append(["error", "x"])
    first["extra"] = 1
    assert dict(open_with(app, interface, cookie)) == {"_flashes": [["info", "已保存"]]}


def test_an_altered_or_foreign_cookie_opens_an_empty_session_and_is_not_remembered(app, interface, verifications):
    cookie = cookie_for(app, interface, {"_user_id": "7:0"})
    altered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    foreign = URLSafeTimedSerializer("another secret", salt="cookie-session").dumps({"_user_id": "1:0"})
    for bad in (altered, foreign, altered):
        assert dict(open_with(app, interface, bad)) == {}
    assert verifications == [altered, foreign, altered]  # checked every time: nothing unverified is kept


def test_a_remembered_cookie_still_expires_with_the_session_lifetime(app, interface, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(hours=1))
    cookie = cookie_for(app, interface, {"_user_id": "7:0"})
    assert dict(open_with(app, interface, cookie)) == {"_user_id": "7:0"}
    with time_machine.travel(utcnow() + timedelta(minutes=59), tick=False):
        assert dict(open_with(app, interface, cookie)) == {"_user_id": "7:0"}
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        assert dict(open_with(app, interface, cookie)) == {}


def test_a_remembered_cookie_is_not_good_under_a_new_secret_key(app, interface, monkeypatch):
    cookie = cookie_for(app, interface, {"_user_id": "7:0"})
    assert dict(open_with(app, interface, cookie)) == {"_user_id": "7:0"}
    monkeypatch.setattr(app, "secret_key", "a rotated key, the old one retired")
    assert dict(open_with(app, interface, cookie)) == {}


def test_it_remembers_the_latest_cookies_within_its_capacity(app, interface, verifications):
    cookies = [cookie_for(app, interface, {"n": n}) for n in range(3)]
    for cookie in cookies:
        open_with(app, interface, cookie)
    open_with(app, interface, cookies[2])
    open_with(app, interface, cookies[0])  # forgotten: the oldest of three, with room for two
    assert verifications == [*cookies, cookies[0]]


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, RememberingSessionInterface)
