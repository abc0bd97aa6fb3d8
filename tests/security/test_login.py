"""Login: lockout, generic failures, password storage, audit, rate limit (security.md A1, A2, A7, A10, A11)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from limits import parse

from stations.auth import throttle
from stations.demo import DEMO_PASSWORD
from stations.extensions import db
from stations.timeutil import utcnow
from tests.accounts import STRONG_PASSWORD, audit_rows, get_user, login, make_user

WRONG = "Wrong-Pass-99!"
LOCK_MESSAGE = "已暂停从本地址登录15分钟"
GENERIC_MESSAGE = "用户名或密码错误。"


def lock_out(client, username: str) -> None:
    for attempt in range(5):
        response = login(client, username, WRONG)
        assert response.status_code == 422, f"attempt {attempt + 1}"


@pytest.fixture
def delays(monkeypatch) -> list[float]:
    """The progressive delays the login applied (recorded instead of slept)."""
    applied: list[float] = []
    monkeypatch.setattr(throttle, "pause", applied.append)
    return applied


OTHER_ADDRESS = {"environ_base": {"REMOTE_ADDR": "10.9.8.7"}}


def test_five_wrong_passwords_lock_that_account_from_that_address_only(app, client, delays):
    make_user("lock-me")
    lock_out(client, "lock-me")
    assert get_user("lock-me").locked_until is None  # the account is not locked, only this address for it

    response = login(client, "lock-me", STRONG_PASSWORD)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session

    # The right password from another address signs in, after the delay the failures earned.
    delays.clear()
    response = login(app.test_client(), "lock-me", STRONG_PASSWORD, **OTHER_ADDRESS)
    assert response.status_code == 303
    assert delays and delays[-1] > 0


def test_a_lock_from_the_second_step_holds_and_shows_only_after_the_right_password(app, client, delays):
    make_user("mfa-locked")
    user = get_user("mfa-locked")
    user.locked_until = utcnow() + timedelta(minutes=15)  # five wrong TOTP codes (auth/mfa.py)
    db.session.commit()
    assert login(client, "mfa-locked", WRONG).status_code == 422  # a stranger learns nothing
    response = login(client, "mfa-locked", STRONG_PASSWORD)
    assert response.status_code == 429


def test_the_delay_grows_with_failures_from_every_address_and_is_capped(app, delays):
    make_user("slow-me")
    for n in range(8):
        address = {"environ_base": {"REMOTE_ADDR": f"10.0.0.{n}"}}  # a distributed guesser: no pair lock
        assert login(app.test_client(), "slow-me", WRONG, **address).status_code == 422
    assert delays == sorted(delays) and delays[0] == app.config["LOGIN_DELAY_BASE_SECONDS"]
    assert max(delays) == app.config["LOGIN_DELAY_MAX_SECONDS"]
    assert login(app.test_client(), "slow-me", STRONG_PASSWORD).status_code == 303
    delays.clear()
    assert login(app.test_client(), "slow-me", WRONG).status_code == 422
    assert delays == []  # a success starts the count again


def test_after_the_lock_expires_the_right_password_works(app, client, delays):
    make_user("lock-expire")
    with time_machine.travel(utcnow() - timedelta(minutes=16), tick=False):
        lock_out(client, "lock-expire")
    response = login(client, "lock-expire", STRONG_PASSWORD)
    assert response.status_code == 303
    user = get_user("lock-expire")
    assert user.failed_logins == 0 and user.locked_until is None


def test_unknown_and_known_usernames_are_throttled_alike(app, delays):
    """ASVS V6: the lock, its answer and the delays do not tell which usernames exist."""
    make_user("known-one")
    answers = {}
    for name in ("known-one", "nobody-at-all"):
        client = app.test_client()
        delays.clear()
        statuses = [login(client, name, WRONG).status_code for _ in range(6)]
        body = login(client, name, WRONG).get_data(as_text=True)
        answers[name] = (statuses, list(delays), LOCK_MESSAGE in body)
    assert answers["known-one"] == answers["nobody-at-all"]
    assert answers["known-one"][0] == [422] * 5 + [429]


def test_four_failures_then_success_resets_the_counter(app, client, delays):
    make_user("almost")
    for _attempt in range(4):
        login(client, "almost", WRONG)
    assert login(client, "almost", STRONG_PASSWORD).status_code == 303
    assert get_user("almost").failed_logins == 0


def test_an_administrator_can_unlock_at_once(app, client, login_as, delays):
    """A2: a lockout cannot keep a known user out: the administrator lifts it."""
    make_user("unlock-me")
    lock_out(client, "unlock-me")
    admin = login_as("admin")
    page = admin.get(f"/admin/users/{get_user('unlock-me').id}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = admin.post(f"/admin/users/{get_user('unlock-me').id}/unlock", data={"csrf_token": token})
    assert response.status_code == 303
    assert login(app.test_client(), "unlock-me", STRONG_PASSWORD).status_code == 303
    assert audit_rows("admin.user_unlock", username="admin")


def test_unknown_user_and_wrong_password_get_the_same_answer(app):
    """A10: same status and the same words; only the echoed username differs."""
    make_user("known-user")

    def answer(username: str):
        response = login(app.test_client(), username, WRONG)
        body = response.get_data(as_text=True)
        # CSRF tokens (field and htmx header) and the echoed username are all that may differ.
        body = re.sub(r'value="[^"]*"', 'value=""', body)
        body = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)
        return response.status_code, body

    known = answer("known-user")
    unknown = answer("nobody-here")
    assert known[0] == unknown[0] == 422
    assert GENERIC_MESSAGE in known[1]
    assert known[1] == unknown[1]


def test_disabled_account_gets_the_generic_answer(app):
    make_user("gone", is_enabled=False)
    response = login(app.test_client(), "gone", STRONG_PASSWORD)
    assert response.status_code == 422
    assert GENERIC_MESSAGE in response.get_data(as_text=True)


def test_empty_form_is_422_and_missing_csrf_is_400(client):
    token_page = client.get("/login")
    assert token_page.status_code == 200
    assert client.post("/login", data={"username": "", "password": ""}).status_code == 400
    assert login(client, "", "").status_code == 422


def test_passwords_are_stored_with_scrypt(app, monkeypatch):
    """A7: the suite lowers the scrypt cost for speed; production uses Werkzeug's default scrypt."""
    assert get_user("staff-ll").password_hash.startswith("scrypt:")
    from stations.auth.services import hash_password

    monkeypatch.delitem(app.config, "PASSWORD_HASH_METHOD")
    stored = hash_password(STRONG_PASSWORD)
    assert stored.startswith("scrypt:32768:8:1$")
    assert STRONG_PASSWORD not in stored


def test_every_login_event_is_audited_without_the_password(app, delays):
    """A11: success, failure, lockout and logout each leave one row with time, user, address and outcome."""
    make_user("audited")
    client = app.test_client()
    lock_out(client, "audited")
    user = get_user("audited")
    assert login(client, "audited", STRONG_PASSWORD, **OTHER_ADDRESS).status_code == 303
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/home").get_data(as_text=True)
    ).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303

    rows = audit_rows(username="audited")
    kinds = [(row.event, row.outcome) for row in rows]
    assert kinds.count(("auth.login", "fail")) == 5
    assert kinds.count(("auth.lockout", "ok")) == 1
    assert kinds.count(("auth.login", "ok")) == 1
    assert kinds.count(("auth.logout", "ok")) == 1
    for row in rows:
        assert row.at is not None and row.ip in ("127.0.0.1", "10.9.8.7") and row.user_id == user.id
        for value in (row.detail or "", row.username or ""):
            assert WRONG not in value and STRONG_PASSWORD not in value
    unknown = login(app.test_client(), "no-such-user", WRONG)
    assert unknown.status_code == 422
    assert [(r.event, r.outcome) for r in audit_rows(username="no-such-user")] == [("auth.login", "fail")]


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("admin", "/admin/"),
        ("central", "/home"),
        ("staff-ll", "/home"),
        ("staff-qh", "/home"),
        ("clerk-ll", "/home"),
        ("ent-gd", "/home"),
        ("ent-qn", "/home"),
    ],
)
def test_every_demo_account_lands_on_its_home(app, username, landing):
    client = app.test_client()
    response = login(client, username, DEMO_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200
    # Visiting /login again while signed in goes home too.
    assert client.get("/login").headers["Location"] == landing


def test_next_parameter_is_followed_only_on_this_site(app):
    make_user("next-user")

    def login_with_next(target: str) -> str:
        answer = login(app.test_client(), "next-user", STRONG_PASSWORD, query_string={"next": target})
        assert answer.status_code == 303
        return answer.headers["Location"]

    assert login_with_next("/catalog/?q=1") == "/catalog/?q=1"
    assert login_with_next("https://evil.example/") == "/home"
    assert login_with_next("//evil.example/") == "/home"
    assert login_with_next("/\\evil.example") == "/home"


def test_anonymous_request_is_sent_to_login_with_next(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/home")


def test_anonymous_htmx_request_is_sent_to_login_as_a_whole_page(client):
    response = client.get("/admin/users", headers={"HX-Request": "true", "HX-Target": "user-table"})
    assert response.status_code == 200
    assert response.headers["HX-Location"].startswith("/login")


# --- per-address rate limit (contract: at least 60 attempts a minute from one address) --------------


def test_configured_login_rate_allows_at_least_60_a_minute(app):
    limit = parse(app.config["LOGIN_RATE_LIMIT"])
    per_minute = limit.amount * 60 / limit.get_expiry()
    assert per_minute >= 60


@pytest.fixture
def limited_app(app):
    """A second app on the same database with the limiter switched on (the suite's app has it off)."""
    from stations import create_app
    from stations.config import TestConfig
    from stations.extensions import limiter

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True)
    application = create_app(config)
    try:
        yield application
    finally:
        limiter.reset()
        limiter.enabled = False  # the limiter object is shared with the suite's app
        with application.app_context():
            db.engine.dispose()


def test_a_station_sharing_one_address_gets_the_configured_attempts_then_429(limited_app):
    limit = parse(limited_app.config["LOGIN_RATE_LIMIT"])
    assert limit.get_expiry() == 60 and limit.amount >= 60
    client = limited_app.test_client()
    statuses = [login(client, f"tablet-{n}", WRONG).status_code for n in range(limit.amount)]
    assert statuses == [422] * limit.amount  # every attempt within the limit is answered
    response = login(client, "one-too-many", WRONG)
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)
