"""Second-factor pages: the code at sign-in, enrolment with a QR code, and the administrator's reset."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from ..extensions import db, limiter
from ..web.errors import error_response
from ..web.htmx import render
from . import mfa
from .decorators import admin_required
from .forms import MfaCodeForm
from .models import User
from .sessions import MFA_NEXT, MFA_PENDING, clear_session, landing_url

bp = Blueprint("mfa", __name__)
ENROLLING = "mfa_enrolling"  # the secret being enrolled, between the QR page and the confirming code

MESSAGES = {
    "wrong": _l("验证码不正确，请输入验证器中当前显示的 6 位数字或一个恢复码。"),
    "replayed": _l("这个验证码已经用过，请等待验证器显示下一个验证码。"),
}


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/login/mfa", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["MFA_RATE_LIMIT"], methods=["POST"])
def verify():
    user = _user()
    if not session.get(MFA_PENDING):
        return redirect(landing_url(user))
    if not mfa.enrolled(user):
        return redirect(url_for("mfa.enrol"))
    form = MfaCodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        check = mfa.verify(user, form.code.data)
        db.session.commit()
        if check.ok:
            next_url = session.pop(MFA_NEXT, None)
            session.pop(MFA_PENDING, None)
            if check.reason == "recovery":
                flash(_("已使用一个恢复码登录；恢复码每个只能用一次，用完前请重新绑定验证器。"), "info")
            return redirect(next_url or landing_url(user), 303)
        if check.reason == "locked":
            logout_user()
            clear_session()
            flash(_("验证码连续错误次数过多，账号已锁定15分钟，请稍后再试或联系管理员。"), "error")
            return redirect(url_for("auth.login"), 303)
        error, status = str(MESSAGES[check.reason]), 422
    elif request.method == "POST":
        status = 422
    return render("auth/mfa_verify.html", {"mfa-form": "mfa_form"}, status=status, form=form, error=error)


@bp.route("/account/mfa", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["MFA_RATE_LIMIT"], methods=["POST"])
def enrol():
    """Scan the QR code, type one code: the factor is on, and ten recovery codes are shown once."""
    user = _user()
    if mfa.enrolled(user):
        return render("auth/mfa_enrol.html", enrolled=True, required=mfa.required(user))
    form = MfaCodeForm()
    error, status = None, 200
    if request.method == "GET" or not session.get(ENROLLING):
        session[ENROLLING] = mfa.new_secret()  # shown on the page; stored only once a code proves the scan
    secret = session[ENROLLING]
    if form.validate_on_submit():
        codes = mfa.confirm_enrolment(user, secret, form.code.data)
        db.session.commit()
        if codes is not None:
            session.pop(ENROLLING, None)
            session.pop(MFA_PENDING, None)
            next_url = session.pop(MFA_NEXT, None)
            return render("auth/mfa_enrol.html", enrolled=True, recovery_codes=codes, next_url=next_url)
        error, status = str(MESSAGES["wrong"]), 422
    elif request.method == "POST":
        status = 422
    # segno draws the code as one <path>: the secret is in its geometry, never copied as markup (no script)
    uri = mfa.provisioning_uri(user, secret)
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, svgclass="qr-code"))  # noqa: S704
    fragments = {"mfa-form": "mfa_form"}
    return render(
        "auth/mfa_enrol.html", fragments, status=status, form=form, error=error, enrolled=False, qr=qr, secret=secret
    )


@bp.route("/admin/users/<int:user_id>/mfa/reset", methods=["POST"])
@admin_required
def reset(user_id: int):
    target = db.get_or_404(User, user_id)
    if target.id == _user().id:  # another administrator must do it: a stolen session cannot drop its own factor
        return error_response(403, _("不能重置自己的双因素验证，请联系其他管理员。"), "self_modification")
    mfa.reset(target, by=_user())
    db.session.commit()
    flash(_("已重置 %(name)s 的双因素验证，其下次登录时需重新绑定。", name=target.username), "success")
    return redirect(url_for("admin.user_edit", user_id=target.id), 303)
