"""/takeout/menu-admin: administrators maintain the menu (retire or restore a line) and move it as xlsx.

Editing many lines at once is the xlsx round trip (menu_xlsx.py: all or nothing, row-level errors); the page
lists the lines with a search and flips a line's 在用 in place (htmx)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..extensions import db
from ..timeutil import business_today
from ..web.htmx import render
from . import queries
from .labels import template_labels
from .menu_xlsx import export_menu, import_menu
from .models import MenuLine

MAX_UPLOAD = 5 * 1024 * 1024


@admin_required
def menu_admin():
    text = request.args.get("q", "")
    lines = queries.search_menu(text, limit=100, active_only=False)
    return render("takeout/menu_admin.html", lines=lines, q=text, errors=[], **template_labels())


@admin_required
def toggle(code: str):
    line = db.session.get(MenuLine, _line_id(code))
    line.is_active = not line.is_active
    db.session.commit()
    return render("takeout/_menu_admin_row.html", line=line, **template_labels())


def _line_id(code: str) -> int:
    from sqlalchemy import select

    found = db.session.scalar(select(MenuLine.id).where(MenuLine.code == code.strip().upper()[:16]))
    if found is None:
        abort(404)
    return found


@admin_required
def export():
    name = f"takeout-menu-{business_today():%Y%m%d}.xlsx"
    return Response(
        export_menu(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@admin_required
def upload():
    file = request.files.get("file")
    data = file.read(MAX_UPLOAD + 1) if file else b""
    if not data or len(data) > MAX_UPLOAD:
        errors = [_("请选择不超过5MB的 xlsx 文件。")]
    else:
        result = import_menu(data)
        errors = result.errors
        if not errors:
            db.session.commit()
            flash(_("已导入：新增 %(a)s 项，更新 %(u)s 项。", a=result.added, u=result.updated), "success")
            return redirect(url_for("takeout.menu_admin"), 303)
    db.session.rollback()
    lines = queries.search_menu("", limit=100, active_only=False)
    return render("takeout/menu_admin.html", lines=lines, q="", errors=errors, status=422, **template_labels())
