"""Login, logout and the user's own password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..web.htmx import render
from . import audit, mfa, services
from .forms import ChangePasswordForm, LoginForm, password_hint
from .sessions import MFA_NEXT, MFA_PENDING, clear_session, landing_url, start_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no "//" or backslash tricks)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(landing_url(current_user))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            clear_session()  # a fresh session on login (fixation)
            login_user(result.user)
            start_session(result.user)
            if mfa.needed_at_login(result.user):  # the second factor before anything else (security.md A9)
                session[MFA_PENDING] = True
                session[MFA_NEXT] = next_url
                return redirect(url_for("mfa.verify"), 303)
            if services.password_expired(result.user):
                flash(_("您的密码已过期或由管理员重置，请先设置新密码。"), "info")
                return redirect(url_for("auth.change_password"), 303)
            return redirect(next_url or landing_url(result.user), 303)
        if result.error == "locked":
            error = _("此账号在本地址连续登录失败次数过多，已暂停从本地址登录15分钟，请稍后再试或联系管理员解锁。")
            status = 429
        else:
            # The same words for an unknown user, a disabled one and a wrong password (security.md A10).
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
    clear_session()
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.set_password(user, form.new_password.data)
        audit.record("auth.password_change", "ok", user=user)
        db.session.commit()
        # set_password ended every session, this one included: sign this one in again with the new epoch.
        clear_session()
        login_user(user)
        start_session(user)
        flash(_("密码已修改，其他设备上的登录已退出。"), "success")
        return redirect(landing_url(user), 303)
    if request.method == "POST":
        status = 422
        audit.record("auth.password_change", "fail", user=current_user._get_current_object())
        db.session.commit()
    return render(
        "auth/change_password.html",
        {"password-form": "password_form"},
        status=status,
        form=form,
        hint=password_hint(),
        expired=services.password_expired(current_user),
    )
