"""Account operations. They flush, never commit: the view owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow
from . import audit, throttle
from .models import Role, User

# A real hash to check against when the username is unknown, so both paths cost one KDF
# (no user enumeration by timing, security.md A10).
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASH[method]


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None  # None, "invalid" or "locked"


def authenticate(username: str, password: str) -> LoginResult:
    """Check the password step, throttled by username and address together (throttle.py, security.md A1/A2).

    Known and unknown names take the same path (the same queries, delay and one KDF) and get the same answers.
    A second factor (TOTP) can follow a successful result before the session starts.
    """
    now = utcnow()
    key = throttle.username_key(username)
    limits = throttle.state(key, audit.client_ip(), now)
    if limits.delay_seconds and not limits.locked:
        db.session.rollback()  # hold no lock while waiting (on SQLite a POST's transaction has the write lock)
        throttle.pause(limits.delay_seconds)
    user = db.session.scalar(select(User).where(User.username == key))
    if user is not None and not user.is_enabled:
        user = None
    if limits.locked:
        audit.record("auth.login", "locked", user=user, username=key)
        return LoginResult(None, "locked")
    if user is None or not check_password_hash(user.password_hash, password):
        if user is None:
            check_password_hash(_dummy_hash(), password)
        audit.record("auth.login", "fail", user=user, username=key)
        if user is not None:  # informational (the administrator's user page); never checked to refuse a login
            user.failed_logins = limits.account_failures + 1
        if limits.pair_failures + 1 >= current_app.config["LOGIN_MAX_FAILURES"]:
            audit.record("auth.lockout", "ok", user=user, username=key, detail=f"ip={audit.client_ip()}")
        db.session.flush()
        return LoginResult(None, "invalid")
    if user.locked_until and user.locked_until > now:
        # Set by the second step (five wrong TOTP codes, mfa.py), which only a holder of the password can reach:
        # told only after the right password, so it neither names accounts nor lets strangers lock them.
        audit.record("auth.login", "locked", user=user)
        return LoginResult(None, "locked")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.login", "ok", user=user)
    db.session.flush()
    return LoginResult(user, None)


def password_expired(user: User) -> bool:
    """The dengbao profile expires staff-side passwords after PASSWORD_MAX_AGE_DAYS."""
    if user.must_change_password:
        return True
    if current_app.config["PASSWORD_PROFILE"] != "dengbao" or user.role is Role.ENTERPRISE:
        return False
    return utcnow() - user.password_changed_at > timedelta(days=current_app.config["PASSWORD_MAX_AGE_DAYS"])


def end_all_sessions(user: User) -> None:
    """Every session of this user stops working at its next request."""
    user.session_epoch += 1
    db.session.flush()


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_all_sessions(user)
