"""Login and logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..timeutil import utcnow
from ..web.htmx import render
from . import audit, services
from .forms import LoginForm
from .sessions import LOGIN_AT, SEEN_AT

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            lang = session.get("lang")
            session.clear()  # a fresh session on login (fixation)
            if lang:
                session["lang"] = lang
            login_user(result.user)
            now = utcnow().timestamp()
            session[LOGIN_AT] = now
            session[SEEN_AT] = now
            if services.password_expired(result.user):
                return redirect(url_for("auth.change_password"), 303)
            return redirect(next_url or url_for("home.mine"), 303)
        if result.error == "locked":
            error = _("连续登录失败次数过多,账号已锁定15分钟,请稍后再试或联系管理员解锁。")
            status = 429
        else:
            error = _("用户名或密码错误。")
            status = 422
    elif request.method == "POST":
        status = 422
    return render("auth/login.html", {"login-form": "login_form"}, status=status, form=form, error=error)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    services.end_all_sessions(user)
    audit.record("auth.logout", "ok", user=user)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    from .forms import ChangePasswordForm

    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.set_password(user, form.new_password.data)
        audit.record("auth.password_change", "ok", user=user)
        db.session.commit()
        # set_password ended every session, this one included: sign in again with the new epoch.
        login_user(user)
        now = utcnow().timestamp()
        session[LOGIN_AT] = now
        session[SEEN_AT] = now
        return redirect(url_for("home.index"), 303)
    if request.method == "POST":
        status = 422
    return render("auth/change_password.html", {"password-form": "password_form"}, status=status, form=form)
