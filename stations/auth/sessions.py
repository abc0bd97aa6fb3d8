"""Flask-Login wiring plus server-side session end, idle and absolute timeouts (security.md §2.2).

Cookie sessions alone keep working after logout when the old cookie is replayed (security.md §0).
So the session stores "user id:epoch"; logout, a password change and disabling the account bump the
user's ``session_epoch`` and every older cookie stops loading a user.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.util import identity_key

from ..database import write_now
from ..extensions import db, login_manager
from ..web import change_stamp, outside_transaction, render_cache, stamp_reader
from ..web.caching import is_background_poll
from ..web.errors import error_response
from ..web.htmx import hx_location, is_boosted, is_htmx
from ..web.params import parse_int
from . import audit, tokens
from .models import Role, User
from .services import password_expired
from .user_snapshots import UserSnapshots

SEEN_AT = "seen_at"
LOGIN_AT = "login_at"
MFA_NEXT = "mfa_next"  # where the login was headed, once the second factor is given
MFA_PENDING = "mfa_pending"  # the password was right; the second factor is still to come (security.md A9)
# Reachable while the second factor is pending: the code page, enrolment, sign-out.
MFA_PENDING_ENDPOINTS = frozenset({"mfa.verify", "mfa.enrol", "auth.logout", "static", "health.healthz"})
# Reachable while the password must be changed (expired, or set by an administrator).
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static", "health.healthz"})
USER_SNAPSHOTS = 4096  # users whose row a worker keeps for reused pages (a few hundred bytes each)


# One statement for every signed-in request: SQLAlchemy remembers a statement object's cache key, which
# Session.get() builds afresh each time (0.1 ms of a signed-in request's 1.2 ms, issue 21).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))
# ... and the same with the change stamp read along (web/change_stamp.py), so that a reused page sends no statement
# of its own.
_USER_AND_STAMP = select(User, change_stamp.VALUE_COLUMN).where(User.id == bindparam("user_id"))
# ... and for a page that may be served again (web/render_cache.py), the user's own row without the joined station,
# enterprise and department: a reused page needs none of them, and on PostgreSQL their 38 columns cost 0.5 ms of a
# reused page's 2.7 (issue 21). A page rendered after all loads each one it uses when it first uses it.
_ALONE = (lazyload(User.station), lazyload(User.enterprise), lazyload(User.department))
_USER_ALONE_AND_STAMP = _USER_AND_STAMP.options(*_ALONE)
_USER_ALONE = _USER_BY_ID.options(*_ALONE)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session holds "id:epoch"; a bumped epoch (logout elsewhere, password change) ends it."""
    if tokens.bearer_request():
        return None  # an API call with a bearer token is authenticated by the token alone
    raw_id, _, epoch = token.partition(":")
    user_id = parse_int(raw_id)
    if user_id is None:
        return None
    if identity_key(User, user_id) in db.session.identity_map:  # already loaded in this session (a test's own)
        user = db.session.get(User, user_id)
    elif render_cache.may_reuse():  # this request may be answered with a kept page
        user = _user_for_reusable_page(user_id)
    elif render_cache.wanted() and change_stamp.readable():
        row = db.session.execute(_USER_AND_STAMP, {"user_id": user_id}).unique().one_or_none()
        user = row[0] if row else None
        change_stamp.read_along(row[1] if row else None)
    else:
        user = db.session.execute(_USER_BY_ID, {"user_id": user_id}).unique().scalar_one_or_none()
    if user is None or not user.is_enabled or str(user.session_epoch) != epoch:
        return None
    return user


def _user_for_reusable_page(user_id: int) -> User | None:
    """The user for a request that may be answered with a kept page, with the change stamp read along.

    A worker that loaded this user before reads the stamp alone and, if it has not moved, takes its copy of the row
    (user_snapshots.py); it reads the stamp on a connection of its own, the session untouched (web/stamp_reader.py),
    unless the session is bound to a connection (the test suite's). Otherwise the row is read with the stamp, in
    one statement, and a copy kept."""
    copies = snapshots()
    if copies.knows(user_id):
        if stamp_reader.usable():
            stamp = stamp_reader.read()
        else:
            outside_transaction.begin()  # PostgreSQL: no BEGIN and ROLLBACK around this request's reads
            stamp = change_stamp.current()  # None: no stamp table yet, or this transaction has written
        if stamp is not None and (copy := copies.get(user_id, stamp)) is not None:
            change_stamp.read_along(stamp)
            return db.session.merge(copy, load=False)
    # The stamp has moved (the page is rendered anyway, and this statement goes with it), or this worker has not
    # seen the user yet.
    outside_transaction.begin()
    if not change_stamp.readable():
        return db.session.execute(_USER_ALONE, {"user_id": user_id}).unique().scalar_one_or_none()
    row = db.session.execute(_USER_ALONE_AND_STAMP, {"user_id": user_id}).unique().one_or_none()
    user, stamp = row if row else (None, None)
    change_stamp.read_along(stamp)
    if user is not None and stamp is not None and not change_stamp.written():
        copies.put(stamp, user)
    return user


def snapshots() -> UserSnapshots:
    return current_app.extensions["user_snapshots"]


def idle_limit(user: User) -> timedelta:
    minutes = (
        current_app.config["PRIVILEGED_IDLE_TIMEOUT_MINUTES"]
        if user.role.is_privileged
        else current_app.config["IDLE_TIMEOUT_MINUTES"]
    )
    return timedelta(minutes=minutes)


def landing_url(user: User) -> str:
    """Where a user lands after login: the administration for administrators, the role's home for others."""
    return url_for("admin.index") if user.role is Role.ADMIN else url_for("home.mine")


def session_clock() -> float:
    """Seconds since the epoch from an aware UTC now. (A naive utcnow() would be read as local time by
    .timestamp(): on a host whose TZ is Asia/Shanghai every stamp was 8 hours in the past.)"""
    return datetime.now(UTC).timestamp()


def start_session(user: User) -> None:
    """Stamp a freshly logged-in session for the idle and absolute timeouts."""
    now = session_clock()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def clear_session() -> None:
    """Empty the session but keep the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def send_to(url: str):
    """Redirect; an htmx request aimed at a small target is sent as a whole-page navigation instead."""
    if is_htmx() and not is_boosted():
        return hx_location(url)
    return redirect(url)


def _next_param() -> str | None:
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def init_app(app: Flask) -> None:
    app.extensions["user_snapshots"] = UserSnapshots(USER_SNAPSHOTS)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.session_protection = "basic"
    tokens.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return error_response(401, code="unauthorized")
        flash(login_manager.login_message, "info")
        return send_to(url_for("auth.login", next=_next_param()))

    @app.before_request
    def enforce_session_rules():
        if request.endpoint in ("static", "health.healthz") or not current_user.is_authenticated:
            return None
        if tokens.via_token():
            return None  # no session to time out (and no cookie to set) for a bearer-token API call
        user = current_user._get_current_object()
        now = session_clock()
        seen_at = session.get(SEEN_AT, now)
        login_at = session.get(LOGIN_AT, now)
        idle = now - seen_at > idle_limit(user).total_seconds()
        too_long = now - login_at > app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600
        if idle or too_long:
            detail = "absolute" if too_long else "idle"
            write_now(lambda: audit.record("session.timeout", "ok", user=user, detail=detail))  # often a GET
            logout_user()
            clear_session()
            flash(_l("长时间未操作或登录时间过长，已自动退出，请重新登录。"), "info")
            return send_to(url_for("auth.login", next=_next_param()))
        # Refresh at most once a minute so the cookie does not change on every request; a page's own background
        # polls (the bell, a message list) are not activity and leave the idle clock running.
        if (now - seen_at > 60 or SEEN_AT not in session) and not is_background_poll():
            session[SEEN_AT] = now
        if session.get(MFA_PENDING) and request.endpoint not in MFA_PENDING_ENDPOINTS:
            if request.path.startswith("/api/"):
                return error_response(401, _("请先完成双因素验证。"), "mfa_required")
            return send_to(url_for("mfa.verify"))
        if request.endpoint not in PASSWORD_CHANGE_ENDPOINTS and password_expired(user):
            if request.path.startswith("/api/"):
                return error_response(403, _("密码已过期，请先修改密码。"), "password_expired")
            return send_to(url_for("auth.change_password"))
        return None
