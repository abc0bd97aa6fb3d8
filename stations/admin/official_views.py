"""Administrator pages: the officials an enterprise can book (一键约见): list, add, rename, deactivate.

The writes are the meetings package's (stations/meetings/officials.py); who may make them is stations/access.
htmx posts answer the panel in place (422 with the message next to the form); without JS, PRG or the page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..access import may_maintain_officials
from ..auth.decorators import admin_required
from ..extensions import db
from ..meetings import queries as meeting_queries
from ..meetings.errors import MeetingError
from ..meetings.labels import error_message
from ..meetings.models import Official, OfficialKind
from ..meetings.officials import KIND_LABELS, add_official, rename_official, set_official_active
from ..web.htmx import is_htmx, render, render_fragment
from .pages import signed_in_admin

TEMPLATE = "admin/officials.html"


def _allowed() -> None:
    if not may_maintain_officials(signed_in_admin()):
        abort(403)


def _context(*, error: str | None = None, error_for: int | None = None, typed: dict | None = None) -> dict:
    return {
        "officials": meeting_queries.officials(active_only=False),
        "departments": meeting_queries.departments(),
        "kinds": list(OfficialKind),
        "kind_labels": KIND_LABELS,
        "error": error,
        "error_for": error_for,  # the official whose row failed; None: the add form
        "typed": typed or {},
    }


def _answer(*, error: str | None = None, error_for: int | None = None, typed: dict | None = None):
    status = 422 if error else 200
    context = _context(error=error, error_for=error_for, typed=typed)
    if is_htmx():
        return render_fragment(TEMPLATE, ["officials_panel"], status=status, **context)
    if status == 200:
        return redirect(url_for("admin.officials"), 303)
    return render(TEMPLATE, status=status, **context)


def _official(official_id: int) -> Official:
    official = db.session.get(Official, official_id)
    if official is None:
        abort(404)
    return official


def _department_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@admin_required
def officials():
    _allowed()
    return render(TEMPLATE, **_context())


@admin_required
def official_add():
    _allowed()
    form = request.form
    typed = {"department_id": form.get("department_id", ""), "name": form.get("name", ""), "kind": form.get("kind")}
    try:
        add_official(_department_id(form.get("department_id")), form.get("name", ""), form.get("kind", ""))
    except MeetingError as refused:
        db.session.rollback()
        return _answer(error=error_message(refused.code), typed=typed)
    db.session.commit()
    if not is_htmx():
        flash(_("已添加约见对象。"), "success")
    return _answer()


@admin_required
def official_edit(official_id: int):
    _allowed()
    official = _official(official_id)
    try:
        rename_official(official, request.form.get("name", ""), request.form.get("kind", official.kind.value))
    except MeetingError as refused:
        db.session.rollback()
        typed = {"name": request.form.get("name", ""), "kind": request.form.get("kind")}
        return _answer(error=error_message(refused.code), error_for=official_id, typed=typed)
    db.session.commit()
    if not is_htmx():
        flash(_("已修改约见对象。"), "success")
    return _answer()


@admin_required
def official_active(official_id: int):
    _allowed()
    official = _official(official_id)
    set_official_active(official, request.form.get("active") == "1")
    db.session.commit()
    return _answer()
