"""Officials' availability pages: a department publishes its slots (weekly patterns, one-off additions and
withdrawals). DEPARTMENT users work on their own department; station staff and the administrator pick one."""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.decorators import roles_required
from ..auth.models import Role
from ..catalog.models import Department
from ..domain.case_vocabulary import N_
from ..extensions import db
from ..timeutil import business_today, utcnow
from ..web.htmx import render
from . import queries, slots
from .errors import MeetingError
from .labels import error_message
from .models import MeetingSlot
from .officials import official_choices
from .views import bp

SLOT_ROLES = (Role.DEPARTMENT, Role.STAFF, Role.ADMIN)
WEEKDAYS = tuple(N_(day) for day in ("周一", "周二", "周三", "周四", "周五", "周六", "周日"))


def _department() -> Department | None:
    user = current_user._get_current_object()
    if user.role is Role.DEPARTMENT:
        return user.department
    code = (request.values.get("department") or "").strip().upper()[:20]
    if not code:
        return None
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        abort(404)
    return department


def _page(department, *, error: str | None = None, status: int = 200):
    return render(
        "meetings/slots.html",
        status=status,
        department=department,
        departments=queries.departments() if current_user.role is not Role.DEPARTMENT else [],
        slots=queries.published_slots(department.id, utcnow()) if department else [],
        officials=official_choices(department.id, named_only=True) if department else [],
        weekdays=WEEKDAYS,
        error=error,
    )


@bp.route("/slots")
@roles_required(*SLOT_ROLES)
def slots_page():
    return _page(_department())


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat((value or "").strip()[:5])
    except ValueError as bad:
        raise MeetingError("bad_time") from bad


def _int(value, code: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as bad:
        raise MeetingError(code) from bad


@bp.route("/slots", methods=["POST"])
@roles_required(*SLOT_ROLES)
def slots_add():
    """One form, two kinds: a weekly pattern (weekday + time) or a one-off slot (date + time)."""
    department = _department()
    if department is None:
        return _page(None, error=error_message("unknown_department"), status=422)
    form = request.form
    try:
        start = _parse_time(form.get("start", ""))
        minutes = _int(form.get("minutes") or 60, "bad_duration")
        leader, location = form.get("leader", "")[:100], form.get("location", "")[:200]
        official_id = _int(form.get("official_id"), "unknown_official") if form.get("official_id") else None
        if form.get("kind") == "weekly":
            weekday = _int(form.get("weekday"), "bad_weekday")
            slots.add_pattern(
                department.id, leader, weekday, start, minutes, location, business_today(), official_id=official_id
            )
        else:
            try:
                day = datetime.fromisoformat((form.get("day") or "").strip()[:10]).date()
            except ValueError as bad:
                raise MeetingError("bad_date") from bad
            start_local = datetime.combine(day, start)
            slots.add_one_off_slot(department.id, leader, start_local, minutes, location, official_id=official_id)
    except MeetingError as refused:
        db.session.rollback()
        return _page(department, error=error_message(refused.code), status=422)
    db.session.commit()
    return redirect(url_for("meetings.slots_page", department=department.code), code=303)


@bp.route("/slots/<int:slot_id>/withdraw", methods=["POST"])
@roles_required(*SLOT_ROLES)
def slots_withdraw(slot_id: int):
    slot = db.session.get(MeetingSlot, slot_id)
    user = current_user._get_current_object()
    if slot is None or (user.role is Role.DEPARTMENT and slot.department_id != user.department_id):
        abort(404)
    try:
        slots.withdraw_slot(slot)
    except MeetingError as refused:
        db.session.rollback()
        return _page(slot.department, error=error_message(refused.code), status=409)
    db.session.commit()
    return redirect(url_for("meetings.slots_page", department=slot.department.code), code=303)
