"""Administrator pages: overview, accounts, station scopes, the working-day calendar.

Every route here is for administrators only: the blueprint refuses everyone else before any view
runs, and each view carries ``admin_required`` as well so that the rule is visible where it applies.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import admin_required
from ..auth.forms import password_hint
from ..auth.models import Role, User
from ..extensions import db
from ..sites.models import ScopeMode
from ..timeutil import business_today, utcnow
from ..web.errors import error_response
from ..web.htmx import is_htmx, render, render_fragment
from ..web.params import int_arg
from . import queries, services
from .forms import (
    MODE_LABELS,
    ROLE_LABELS,
    ActionForm,
    CalendarDayForm,
    CalendarLoadForm,
    CalendarToggleForm,
    ResetPasswordForm,
    ScopeAddForm,
    ScopeModeForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def _administrators_only():
    return None


@bp.context_processor
def _labels():
    return {"role_labels": ROLE_LABELS, "mode_labels": MODE_LABELS}


def _actor() -> User:
    return current_user._get_current_object()


def _page() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1


# --- overview -----------------------------------------------------------------------------------


@bp.route("/")
@admin_required
def index():
    return render("admin/index.html", overview=queries.overview(), load_form=CalendarLoadForm())


# --- accounts -----------------------------------------------------------------------------------


@bp.route("/users")
@admin_required
def users():
    form = UserFilterForm(request.args)
    role = request.args.get("role") if request.args.get("role") in Role.__members__ else None
    station = request.args.get("station") or None
    page = _page()
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


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        user = services.create_user(
            _actor(),
            username=form.username.data,
            display_name=form.display_name.data.strip(),
            role=Role(form.role.data),
            password=form.password.data,
            station=form.station_obj,
            enterprise=form.enterprise_obj,
        )
        db.session.commit()
        flash(_("已创建账号 %(name)s,首次登录时须修改初始密码。", name=user.username), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    status = 422 if request.method == "POST" else 200
    return render("admin/user_new.html", {"user-form": "user_form"}, status=status, form=form, hint=password_hint())


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _edit_page(user: User, form=None, reset_form=None, status: int = 200):
    actor = _actor()
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


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = _get_user(user_id)
    if request.method == "GET":
        return _edit_page(user)
    form = UserEditForm(user=user, actor=_actor())
    if not form.validate_on_submit():
        return _edit_page(user, form=form, status=422)
    role = Role(form.role.data) if "role" in form else user.role
    is_enabled = form.is_enabled.data if "is_enabled" in form else user.is_enabled
    try:
        changes = services.update_user(
            _actor(),
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


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def user_reset_password(user_id: int):
    user = _get_user(user_id)
    if user.id == _actor().id:
        return error_response(403, _("请在“修改密码”页面修改自己的密码。"), "self_modification")
    reset_form = ResetPasswordForm(user=user)
    if not reset_form.validate_on_submit():
        return _edit_page(user, reset_form=reset_form, status=422)
    services.reset_password(_actor(), user, reset_form.password.data)
    db.session.commit()
    flash(_("已重置 %(name)s 的密码,其所有登录已退出,下次登录时须修改密码。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@admin_required
def user_unlock(user_id: int):
    user = _get_user(user_id)
    services.unlock_user(_actor(), user)
    db.session.commit()
    flash(_("已解除 %(name)s 的登录锁定。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@admin_required
def user_disable(user_id: int):
    user = _get_user(user_id)
    if user.id == _actor().id:
        return error_response(403, _("不能停用自己的账号。"), "self_modification")
    services.disable_user(_actor(), user)
    db.session.commit()
    flash(_("已停用 %(name)s,其所有登录已退出。", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


# --- station scopes -----------------------------------------------------------------------------


@bp.route("/stations")
@admin_required
def stations():
    return render("admin/stations.html", rows=queries.stations_with_scope())


def _get_station(code: str):
    station = queries.station_by_code(code)
    if station is None:
        abort(404)
    return station


def _scope_filters() -> dict:
    """The list filter and page (q, mode, page); they ride along in the query string of every row action."""
    q = request.args.get("q", "").strip()[:100]
    mode = request.args.get("mode", "")
    filters: dict = {k: v for k, v in (("q", q), ("mode", mode if mode in ScopeMode.__members__ else "")) if v}
    if _page() > 1:
        filters["page"] = _page()
    return filters


def _scope_context(station, add_form=None, with_rows: bool = True) -> dict:
    filters = _scope_filters()
    page = filters.get("page", 1)
    rows, has_next, total = (
        queries.scope_rows(station, filters.get("q", ""), filters.get("mode", ""), page)
        if with_rows
        else ([], False, 0)
    )
    if with_rows and not rows and page > 1:
        if request.method == "GET":
            abort(404)
        # The last row of a later page was just removed: show the first page instead.
        filters.pop("page")
        page = 1
        rows, has_next, total = queries.scope_rows(station, filters.get("q", ""), filters.get("mode", ""), page)
    return {
        "station": station,
        "rows": rows,
        "has_next": has_next,
        "total": total,
        "page": page,
        "q": filters.get("q", ""),
        "mode": filters.get("mode", ""),
        "filters": filters,
        "add_form": add_form or ScopeAddForm(station=station, formdata=None),
    }


@bp.route("/stations/<code>/scope")
@admin_required
def scope(code: str):
    station = _get_station(code)
    return render("admin/scope.html", {"scope-table": "scope_table"}, **_scope_context(station))


def _scope_panel_answer(station, add_form=None, status: int = 200):
    """htmx: the panel (add form and table) in place, 422 with the form's errors. Without JS: PRG or the page."""
    if is_htmx():
        return render_fragment("admin/scope.html", ["scope_panel"], status=status, **_scope_context(station, add_form))
    if status == 200:
        return redirect(url_for("admin.scope", code=station.code, **_scope_filters()), 303)
    return render("admin/scope.html", status=status, **_scope_context(station, add_form))


@bp.route("/stations/<code>/scope", methods=["POST"])
@admin_required
def scope_add(code: str):
    station = _get_station(code)
    form = ScopeAddForm(station=station)
    if not form.validate_on_submit():
        return _scope_panel_answer(station, add_form=form, status=422)
    services.add_scope_item(_actor(), station, form.item, ScopeMode(form.mode.data))
    db.session.commit()
    if not is_htmx():
        flash(_("已添加事项 %(code)s。", code=form.item.code), "success")
    return _scope_panel_answer(station)


def _get_scope_row(station, item_code: str):
    row = queries.scope_row(station, item_code)
    if row is None:
        abort(404)
    return row


@bp.route("/stations/<code>/scope/<item_code>/remove", methods=["POST"])
@admin_required
def scope_remove(code: str, item_code: str):
    station = _get_station(code)
    row = _get_scope_row(station, item_code)
    services.remove_scope_item(_actor(), row)
    db.session.commit()
    if not is_htmx():
        flash(_("已移除事项 %(code)s。", code=item_code), "success")
    return _scope_panel_answer(station)


@bp.route("/stations/<code>/scope/<item_code>/mode", methods=["POST"])
@admin_required
def scope_mode(code: str, item_code: str):
    station = _get_station(code)
    row = _get_scope_row(station, item_code)
    form = ScopeModeForm()
    if not form.validate_on_submit():
        return error_response(422, _("办理方式无效。"), "invalid_mode")
    services.set_scope_mode(_actor(), row, ScopeMode(form.mode.data))
    db.session.commit()
    if is_htmx():
        context = _scope_context(station, with_rows=False)
        context["row"] = row
        return render_fragment("admin/scope.html", ["scope_row"], **context)
    flash(_("已修改事项 %(code)s 的办理方式。", code=item_code), "success")
    return redirect(url_for("admin.scope", code=station.code, **_scope_filters()), 303)


# --- calendar -----------------------------------------------------------------------------------


def _calendar_year() -> int:
    year = int_arg("year") or business_today().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _calendar_page(year: int, day_form=None, load_form=None, load_error: str | None = None, status: int = 200):
    full, partial = queries.calendar_years()
    return render(
        "admin/calendar.html",
        status=status,
        year=year,
        months=queries.year_grid(year),
        is_loaded=year in full,
        is_partial=year in partial,
        library_has_year=queries.library_knows(year),
        full_years=full,
        day_form=day_form or CalendarDayForm(formdata=None),
        load_form=load_form or CalendarLoadForm(formdata=None, data={"year": year}),
        load_error=load_error,
    )


@bp.route("/calendar")
@admin_required
def calendar():
    return _calendar_page(_calendar_year())


@bp.route("/calendar/toggle", methods=["POST"])
@admin_required
def calendar_toggle():
    form = CalendarToggleForm()
    if not form.validate_on_submit():
        return error_response(422, _("日期无效。"), "invalid_day")
    day = form.day.data
    services.toggle_calendar_day(_actor(), day)
    db.session.commit()
    if is_htmx():
        return render_fragment("admin/calendar.html", ["month_grid"], month=queries.one_month(day))
    return redirect(url_for("admin.calendar", year=day.year), 303)


@bp.route("/calendar/day", methods=["POST"])
@admin_required
def calendar_day():
    form = CalendarDayForm()
    if not form.validate_on_submit():
        year = form.day.data.year if form.day.data else _calendar_year()
        return _calendar_page(year, day_form=form, status=422)
    day = form.day.data
    services.set_calendar_day(_actor(), day, form.kind.data == "work", (form.note.data or "").strip() or None)
    db.session.commit()
    flash(_("已设置 %(day)s。", day=day.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=day.year), 303)


@bp.route("/calendar/load", methods=["POST"])
@admin_required
def calendar_load():
    form = CalendarLoadForm()
    if not form.validate_on_submit():
        return _calendar_page(_calendar_year(), load_form=form, status=422)
    year = form.year.data
    try:
        written = services.load_calendar_year(_actor(), year)
    except ValueError:
        db.session.rollback()
        message = _("日历库(chinesecalendar)尚无 %(year)s 年的数据:国务院公布放假安排后升级该库再载入。", year=year)
        return _calendar_page(year, load_form=form, load_error=message, status=422)
    db.session.commit()
    flash(_("已从日历库载入 %(year)s 年,写入 %(n)s 天。", year=year, n=written), "success")
    return redirect(url_for("admin.calendar", year=year), 303)
