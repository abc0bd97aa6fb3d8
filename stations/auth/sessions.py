"""Flask-Login wiring plus server-side session end, idle and absolute timeouts (security.md §2.2)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..extensions import db, login_manager
from ..timeutil import utcnow
from . import audit
from .models import User

SEEN_AT = "seen_at"
LOGIN_AT = "login_at"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session holds "id:epoch"; a bumped epoch (logout elsewhere, password change) ends it."""
    user_id, _, epoch = token.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_enabled or str(user.session_epoch) != epoch:
        return None
    return user


def idle_limit(user: User) -> timedelta:
    minutes = (
        current_app.config["PRIVILEGED_IDLE_TIMEOUT_MINUTES"]
        if user.role.is_privileged
        else current_app.config["IDLE_TIMEOUT_MINUTES"]
    )
    return timedelta(minutes=minutes)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.session_protection = "basic"

    @app.before_request
    def enforce_session_timeouts():
        if request.endpoint in ("static", "health.healthz") or not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        seen_at = session.get(SEEN_AT, now)
        login_at = session.get(LOGIN_AT, now)
        idle = now - seen_at > idle_limit(current_user).total_seconds()
        too_long = now - login_at > app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
        if idle or too_long:
            audit.record("session.timeout", "ok", user=current_user._get_current_object())
            db.session.commit()
            logout_user()
            session.clear()
            flash(_l("长时间未操作,已自动退出,请重新登录。"), "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        # Refresh at most once a minute so the cookie does not change on every request.
        if now - seen_at > 60 or SEEN_AT not in session:
            session[SEEN_AT] = now
        return None
