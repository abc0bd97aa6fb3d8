"""Administrator pages: each station's scope (which items it offers, and how: 全程办理 or 代收转中心)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..extensions import db
from ..sites.models import ScopeMode
from ..web.errors import error_response
from ..web.htmx import is_htmx, render, render_fragment
from . import queries, services
from .forms import (
    ScopeAddForm,
    ScopeModeForm,
)
from .pages import page_arg, signed_in_admin

# --- station scopes -----------------------------------------------------------------------------


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
    if page_arg() > 1:
        filters["page"] = page_arg()
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


@admin_required
def scope_add(code: str):
    station = _get_station(code)
    form = ScopeAddForm(station=station)
    if not form.validate_on_submit():
        return _scope_panel_answer(station, add_form=form, status=422)
    services.add_scope_item(signed_in_admin(), station, form.item, ScopeMode(form.mode.data))
    db.session.commit()
    if not is_htmx():
        flash(_("已添加事项 %(code)s。", code=form.item.code), "success")
    return _scope_panel_answer(station)


def _get_scope_row(station, item_code: str):
    row = queries.scope_row(station, item_code)
    if row is None:
        abort(404)
    return row


@admin_required
def scope_remove(code: str, item_code: str):
    station = _get_station(code)
    row = _get_scope_row(station, item_code)
    services.remove_scope_item(signed_in_admin(), row)
    db.session.commit()
    if not is_htmx():
        flash(_("已移除事项 %(code)s。", code=item_code), "success")
    return _scope_panel_answer(station)


@admin_required
def scope_mode(code: str, item_code: str):
    station = _get_station(code)
    row = _get_scope_row(station, item_code)
    form = ScopeModeForm()
    if not form.validate_on_submit():
        return error_response(422, _("办理方式无效。"), "invalid_mode")
    services.set_scope_mode(signed_in_admin(), row, ScopeMode(form.mode.data))
    db.session.commit()
    if is_htmx():
        context = _scope_context(station, with_rows=False)
        context["row"] = row
        return render_fragment("admin/scope.html", ["scope_row"], **context)
    flash(_("已修改事项 %(code)s 的办理方式。", code=item_code), "success")
    return redirect(url_for("admin.scope", code=station.code, **_scope_filters()), 303)
