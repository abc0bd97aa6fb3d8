"""Administrator pages: the overview and the accounts (create, edit, reset a password, unlock, disable)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..auth.forms import password_hint
from ..auth.models import Role, User
from ..extensions import db
from ..timeutil import utcnow
from ..web.errors import error_response
from ..web.htmx import render
from . import queries, services
from .forms import (
    ActionForm,
    CalendarLoadForm,
    ResetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from .pages import page_arg, signed_in_admin

# --- overview -----------------------------------------------------------------------------------


@admin_required
def index():
    return render("admin/index.html", overview=queries.overview(), load_form=CalendarLoadForm())


# --- accounts -----------------------------------------------------------------------------------


@admin_required
def users():
    form = UserFilterForm(request.args)
    role = request.args.get("role") if request.args.get("role") in Role.__members__ else None
    station = request.args.get("station") or None
    page = page_arg()
    rows, has_next = queries.users_page(role, station, page)
    return render(
        "admin/users.html",
        {"user-table": "user_table"},
        form=form,
        users=rows,
        page=page,
        has_next=has_next,
        filters={k: v for k, v in (("role", role), ("station", station)) if v},
        now=utcnow(),
    )


@admin_required
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        user = services.create_user(
            signed_in_admin(),
            username=form.username.data,
            display_name=form.display_name.data.strip(),
            role=Role(form.role.data),
            password=form.password.data,
            station=form.station_obj,
            enterprise=form.enterprise_obj,
        )
        db.session.commit()
        flash(_("已创建账号 %(name)s，首次登录时须修改初始密码。", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    status = 422 if request.method == "POST" else 200
    return render("admin/user_new.html", {"user-form": "user_form"}, status=status, form=form, hint=password_hint())


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _edit_page(user: User, form=None, reset_form=None, status: int = 200):
    actor = signed_in_admin()
    if form is None:
        form = UserEditForm(
            user=user,
            actor=actor,
            data={
                "display_name": user.display_name,
                "role": user.role.value,
                "station": user.station.code if user.station else "",
                "enterprise_uscc": user.enterprise.uscc if user.enterprise else "",
                "is_enabled": user.is_enabled,
            },
        )
    return render(
        "admin/user_edit.html",
        {"user-form": "user_form", "reset-form": "reset_form"},
        status=status,
        user=user,
        is_self=user.id == actor.id,
        is_locked=bool(user.locked_until and user.locked_until > utcnow()),
        form=form,
        reset_form=reset_form or ResetPasswordForm(user=user, formdata=None),
        action_form=ActionForm(),
        hint=password_hint(),
    )


@admin_required
def user_edit(user_id: int):
    user = _get_user(user_id)
    if request.method == "GET":
        return _edit_page(user)
    form = UserEditForm(user=user, actor=signed_in_admin())
    if not form.validate_on_submit():
        return _edit_page(user, form=form, status=422)
    role = Role(form.role.data) if "role" in form else user.role
    is_enabled = form.is_enabled.data if "is_enabled" in form else user.is_enabled
    try:
        changes = services.update_user(
            signed_in_admin(),
            user,
            display_name=form.display_name.data.strip(),
            role=role,
            is_enabled=is_enabled,
            station=form.station_obj,
            enterprise=form.enterprise_obj,
        )
    except services.SelfModificationError:
        db.session.rollback()
        return error_response(403, _("不能修改自己的角色或停用自己的账号。"), "self_modification")
    db.session.commit()
    flash(_("已保存。") if changes else _("没有改动。"), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@admin_required
def user_reset_password(user_id: int):
    user = _get_user(user_id)
    if user.id == signed_in_admin().id:
        return error_response(403, _("请在“修改密码”页面修改自己的密码。"), "self_modification")
    reset_form = ResetPasswordForm(user=user)
    if not reset_form.validate_on_submit():
        return _edit_page(user, reset_form=reset_form, status=422)
    services.reset_password(signed_in_admin(), user, reset_form.password.data)
    db.session.commit()
    flash(_("已重置 %(name)s 的密码，其所有登录已退出，下次登录时须修改密码。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@admin_required
def user_unlock(user_id: int):
    user = _get_user(user_id)
    services.unlock_user(signed_in_admin(), user)
    db.session.commit()
    flash(_("已解除 %(name)s 的登录锁定。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@admin_required
def user_disable(user_id: int):
    user = _get_user(user_id)
    if user.id == signed_in_admin().id:
        return error_response(403, _("不能停用自己的账号。"), "self_modification")
    services.disable_user(signed_in_admin(), user)
    db.session.commit()
    flash(_("已停用 %(name)s，其所有登录已退出。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)
