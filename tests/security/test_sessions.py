"""Sessions: fixation, server-side logout, idle and absolute timeouts, ending other sessions (security.md S1-S5, S8)."""

from __future__ import annotations

import re
import time

import pytest

from stations.auth.models import Role
from stations.auth.sessions import LOGIN_AT, SEEN_AT, session_clock
from stations.demo import DEMO_PASSWORD
from tests.accounts import STRONG_PASSWORD, audit_rows, get_user, logged_in, login, make_user
from tests.helpers.suite import CLIENT, csrf_token_from, username_of

COOKIE = "session"
LOGOUT_FORM = re.compile(
    r'<form method="post" action="/logout"[^>]*>\s*<input name="csrf_token" type="hidden" value="[^"]+">'
)


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def replay(app, value: str):
    """A new client presenting a saved session cookie, as an attacker who copied it would."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/login")


def post_logout(client):
    return client.post("/logout", data={"csrf_token": csrf_token_from(client, "/account/password")})


def test_login_issues_a_new_session(app, client):
    """S1: the cookie changes on login and the pre-login one does not carry the login."""
    client.get("/login")
    before = cookie_value(client)
    assert before
    assert login(client, "staff-ll", DEMO_PASSWORD).status_code == 303
    after = cookie_value(client)
    assert after and after != before
    assert_sent_to_login(replay(app, before).get("/home"))
    assert replay(app, after).get("/home").status_code == 200


def test_replaying_the_old_cookie_after_logout_is_refused(app, login_as):
    """S2: on plain Flask cookie sessions the replay would still work; the session epoch ends it."""
    client = login_as("staff-ll")
    saved = cookie_value(client)
    assert replay(app, saved).get("/home").status_code == 200
    response = post_logout(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert_sent_to_login(replay(app, saved).get("/home"))
    assert_sent_to_login(client.get("/home"))


def test_logout_needs_post(login_as):
    client = login_as("staff-ll")
    assert client.get("/logout").status_code == 405
    assert client.get("/home").status_code == 200


def set_clock(client, *, seen_minutes_ago: float, login_minutes_ago: float | None = None) -> None:
    now = session_clock()
    with client.session_transaction() as session:
        session[SEEN_AT] = now - seen_minutes_ago * 60
        if login_minutes_ago is not None:
            session[LOGIN_AT] = now - login_minutes_ago * 60


@pytest.mark.parametrize(
    ("username", "limit"),
    [("staff-ll", 30), ("clerk-ll", 30), (CLIENT, 30), ("admin", 15), ("central", 15)],
)
def test_idle_timeout(app, login_as, username, limit, gd):
    """S3: 30 minutes without a request, 15 for the administrator and the central office."""
    username = username_of(username, gd)
    client = login_as(username)
    home = "/admin/" if username == "admin" else "/home"
    set_clock(client, seen_minutes_ago=limit - 1)
    assert client.get(home).status_code == 200
    set_clock(client, seen_minutes_ago=limit + 1)
    response = client.get(home)
    assert_sent_to_login(response)
    assert f"next={home}" in response.headers["Location"]
    assert [r.outcome for r in audit_rows("session.timeout", username=username)] == ["ok"]
    assert_sent_to_login(client.get(home))  # and the session stays ended


def test_activity_keeps_the_session_alive(login_as):
    client = login_as("staff-ll")
    for _step in range(3):
        set_clock(client, seen_minutes_ago=20)
        assert client.get("/home").status_code == 200  # each request moves "last seen" to now
    with client.session_transaction() as session:
        assert session_clock() - session[SEEN_AT] < 5


def test_absolute_timeout_after_ten_hours(login_as):
    """S4: clicking every few minutes does not stretch a session beyond one 10-hour shift."""
    client = login_as("staff-ll")
    set_clock(client, seen_minutes_ago=5, login_minutes_ago=9 * 60 + 55)
    assert client.get("/home").status_code == 200
    set_clock(client, seen_minutes_ago=5, login_minutes_ago=10 * 60 + 5)
    assert_sent_to_login(client.get("/home"))
    assert audit_rows("session.timeout", username="staff-ll")[-1].detail == "absolute"


def test_timeout_answers_htmx_with_a_whole_page_redirect(login_as):
    client = login_as("admin")
    set_clock(client, seen_minutes_ago=16)
    response = client.get("/admin/users", headers={"HX-Request": "true", "HX-Target": "user-table"})
    assert response.headers["HX-Location"].startswith("/login")


def test_disabling_a_user_ends_their_open_sessions(app, login_as):
    """S5: two devices signed in as X; the administrator disables X; both are out at their next request."""
    make_user("two-devices")
    tablet, phone = logged_in(app, "two-devices"), logged_in(app, "two-devices")
    assert tablet.get("/home").status_code == 200 and phone.get("/home").status_code == 200
    admin = login_as("admin")
    user_id = get_user("two-devices").id
    token = csrf_token_from(admin, f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/disable", data={"csrf_token": token}).status_code == 303
    assert_sent_to_login(tablet.get("/home"))
    assert_sent_to_login(phone.get("/home"))
    assert login(app.test_client(), "two-devices", STRONG_PASSWORD).status_code == 422


def test_changing_the_password_ends_the_other_sessions(app):
    make_user("changer")
    tablet, phone = logged_in(app, "changer"), logged_in(app, "changer")
    token = csrf_token_from(tablet, "/account/password")
    response = tablet.post(
        "/account/password",
        data={
            "current_password": STRONG_PASSWORD,
            "new_password": "Yh6%tGb4#wQe",
            "confirm_password": "Yh6%tGb4#wQe",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert tablet.get("/home").status_code == 200  # the device that changed it stays signed in
    assert_sent_to_login(phone.get("/home"))


def test_admin_password_reset_ends_sessions_and_forces_a_change(app, login_as):
    make_user("reset-me")
    device = logged_in(app, "reset-me")
    admin = login_as("admin")
    user_id = get_user("reset-me").id
    token = csrf_token_from(admin, f"/admin/users/{user_id}")
    response = admin.post(
        f"/admin/users/{user_id}/password",
        data={"password": "Yh6%tGb4#wQe", "confirm_password": "Yh6%tGb4#wQe", "csrf_token": token},
    )
    assert response.status_code == 303
    assert_sent_to_login(device.get("/home"))
    fresh = app.test_client()
    response = login(fresh, "reset-me", "Yh6%tGb4#wQe")
    assert response.headers["Location"] == "/account/password"
    assert fresh.get("/home").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("admin", "/admin/"),
        ("central", "/home"),
        ("staff-ll", "/home"),
        ("clerk-ll", "/home"),
        (CLIENT, "/home"),
        ("staff-ll", "/account/password"),
    ],
)
def test_logout_is_on_every_home_page(login_as, username, url, gd):
    """S8 for the home pages (the route-by-role sweep checks every other page)."""
    body = login_as(username_of(username, gd)).get(url).get_data(as_text=True)
    assert LOGOUT_FORM.search(body), "no logout form (POST with CSRF) on the page"


def test_new_accounts_from_the_admin_must_change_the_initial_password(app):
    make_user("brand-new", Role.CLERK, must_change_password=True)
    client = app.test_client()
    assert login(client, "brand-new", STRONG_PASSWORD).headers["Location"] == "/account/password"


@pytest.fixture
def host_timezone(monkeypatch):
    """Set the process's local time zone (TZ + tzset) for the test, restored afterwards."""

    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_session_stamps_are_true_epoch_seconds_whatever_the_host_time_zone(login_as, host_timezone):
    """Issue 20: stamps came from a naive UTC datetime's .timestamp(), read as local time. On a host in
    Asia/Shanghai they were 8 hours in the past, so a host in UTC behind the same proxy ended the session at once."""
    host_timezone("Asia/Shanghai")
    client = login_as("staff-ll")
    with client.session_transaction() as session:
        assert abs(session[LOGIN_AT] - time.time()) < 5 and abs(session[SEEN_AT] - time.time()) < 5
    host_timezone("UTC")  # the next request lands on a host whose clock is set to UTC
    assert client.get("/home").status_code == 200
    assert audit_rows("session.timeout", username="staff-ll") == []
