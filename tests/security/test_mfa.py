"""Two-factor sign-in (security.md A9, issue 20): enrolment, sign-in, wrong, replayed and recovery codes, lock, reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from stations.auth.models import AuditEvent, MfaFactor, User
from stations.extensions import db
from stations.timeutil import utcnow
from tests.helpers.suite import CSRF_RE, AuthActions, csrf_token_from

SECRET_RE = re.compile(r"<code>([A-Z2-7]{32})</code>")


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def code_for(secret: str, *, steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(utcnow() + timedelta(seconds=steps * totp.interval))


def enrol(client) -> tuple[str, list[str]]:
    """Scan (read the secret off the page), type a code: the factor is on. Returns the secret and recovery codes."""
    page = client.get("/account/mfa").get_data(as_text=True)  # each visit shows a new secret until one is proven
    assert 'class="qr-code"' in page
    secret, token = SECRET_RE.search(page).group(1), CSRF_RE.search(page).group(1)
    response = client.post("/account/mfa", data={"csrf_token": token, "code": code_for(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4})</code>", response.get_data(as_text=True))
    return secret, codes


def submit_code(client, code: str):
    token = csrf_token_from(client, "/login/mfa")
    return client.post("/login/mfa", data={"csrf_token": token, "code": code})


@pytest.fixture
def enrolled_admin(login_as):
    secret, codes = enrol(login_as("admin"))
    return secret, codes


def sign_in(app, username: str = "admin"):
    client = app.test_client()
    response = AuthActions(client).login(username)
    return client, response


def test_enrolment_shows_ten_recovery_codes_once_and_stores_only_digests(login_as):
    _secret, codes = enrol(login_as("staff-ll"))
    assert len(codes) == 10 and len(set(codes)) == 10
    factor = db.session.scalar(select(MfaFactor).where(MfaFactor.user_id == user("staff-ll").id))
    assert factor.confirmed_at is not None
    assert all(code.replace("-", "") not in factor.recovery_hashes for code in codes)


def test_a_wrong_code_does_not_enrol(login_as):
    client = login_as("staff-ll")
    token = csrf_token_from(client, "/account/mfa")
    response = client.post("/account/mfa", data={"csrf_token": token, "code": "000000"})
    assert response.status_code == 422 and "验证码不正确" in response.get_data(as_text=True)
    assert db.session.scalar(select(MfaFactor).where(MfaFactor.user_id == user("staff-ll").id)) is None


def test_sign_in_waits_for_the_second_factor(app, enrolled_admin):
    secret, _codes = enrolled_admin
    client, response = sign_in(app)
    assert response.status_code == 303 and response.headers["Location"].endswith("/login/mfa")
    # half signed in: every other page sends to the code page (A9), the API answers 401
    assert client.get("/admin/").headers["Location"].endswith("/login/mfa")
    assert client.get("/api/v1/metrics/stations").status_code == 401
    wrong = submit_code(client, "123456" if code_for(secret) != "123456" else "654321")
    assert wrong.status_code == 422
    right = submit_code(client, code_for(secret, steps=1))  # next step: enrolment used the current one
    assert right.status_code == 303
    assert client.get("/admin/").status_code == 200


def test_a_code_is_never_accepted_twice(app, enrolled_admin):
    secret, _codes = enrolled_admin
    first, _ = sign_in(app)
    code = code_for(secret, steps=1)
    assert submit_code(first, code).status_code == 303
    second, _ = sign_in(app)
    replay = submit_code(second, code)
    assert replay.status_code == 422 and "已经用过" in replay.get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "auth.mfa", AuditEvent.outcome == "fail"))
        == "replayed"
    )


def test_a_recovery_code_works_once(app, enrolled_admin):
    _secret, codes = enrolled_admin
    client, _ = sign_in(app)
    assert submit_code(client, codes[0].upper()).status_code == 303  # typed from paper, any case
    again, _ = sign_in(app)
    assert submit_code(again, codes[0]).status_code == 422


def test_five_wrong_codes_lock_the_account(app, enrolled_admin):
    secret, _codes = enrolled_admin
    client, _ = sign_in(app)
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    for _ in range(4):
        assert submit_code(client, wrong).status_code == 422
    locked = submit_code(client, wrong)
    assert locked.status_code == 303 and locked.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert user("admin").locked_until > utcnow()


def test_required_for_privileged_roles_when_switched_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED", True)
    client, response = sign_in(app, "central")
    assert response.headers["Location"].endswith("/login/mfa")
    assert client.get("/login/mfa").headers["Location"].endswith("/account/mfa")  # not enrolled: enrol first
    assert client.get("/dashboard").headers["Location"].endswith("/login/mfa")
    _secret, _ = enrol(client)
    assert client.get("/dashboard").status_code == 200
    # staff sign in with the password alone
    _client, staff = sign_in(app, "staff-ll")
    assert not staff.headers["Location"].endswith("/login/mfa")


def test_demo_accounts_sign_in_with_the_password_alone(app):
    for username in ("admin", "central"):
        _client, response = sign_in(app, username)
        assert response.status_code == 303 and "/login/mfa" not in response.headers["Location"]


def test_an_administrator_resets_another_users_factor(app, login_as):
    enrol(login_as("central"))
    admin = login_as("admin")
    target = user("central")
    token = csrf_token_from(admin, f"/admin/users/{target.id}")
    assert admin.post(f"/admin/users/{target.id}/mfa/reset", data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(MfaFactor).where(MfaFactor.user_id == target.id)) is None
    own = admin.post(f"/admin/users/{user('admin').id}/mfa/reset", data={"csrf_token": token})
    assert own.status_code == 403
