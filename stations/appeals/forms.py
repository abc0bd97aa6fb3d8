"""Reading appeal input from a form or a JSON body into service inputs; bad values raise AppealError (4xx)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select

from ..catalog.models import Department
from ..domain.appeal_flow import AppealEvent, Feedback, Urgency
from ..extensions import db
from .services import AppealError, EventInput, parse_enum

MAX_TEXT = 4000


def _text(values: Mapping, name: str, limit: int = MAX_TEXT) -> str:
    value = values.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise AppealError("text_too_long" if isinstance(value, str) else "bad_value")
    return value.strip()


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise AppealError("bad_date") from None


def parse_version(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AppealError("bad_version") from None


def event_input(values: Mapping, event_name: str | None = None) -> EventInput:
    """An EventInput from form fields or a JSON body (event, version, reason, department_id, due_on, ...)."""
    try:
        event = AppealEvent(str(event_name or values.get("event") or "").strip().lower())
    except ValueError:
        raise AppealError("unknown_event") from None
    feedback = values.get("feedback")
    department = values.get("department_id")
    try:
        department_id = int(department) if department not in (None, "") else None
    except (TypeError, ValueError):
        raise AppealError("unknown_department") from None
    if department_id is None and values.get("department"):  # the API may name the department by its code
        department_id = department_id_of(str(values["department"]))
    return EventInput(
        event=event,
        version=parse_version(values.get("version")),
        reason=_text(values, "reason", 1000),
        department_id=department_id,
        due_on=parse_date(values.get("due_on")),
        reply_text=_text(values, "reply_text"),
        signed_off_by=_text(values, "signed_off_by", 100),
        feedback=parse_enum(Feedback, feedback, "unknown_feedback") if feedback not in (None, "") else None,
        original_no=_text(values, "original_no", 24),
        note=_text(values, "note", 1000),
    )


def department_id_of(code: str) -> int:
    found = db.session.scalar(select(Department.id).where(Department.code == code.strip().upper()))
    if found is None:
        raise AppealError("unknown_department")
    return found


def urgency(value) -> Urgency:
    return parse_enum(Urgency, value or "NORMAL", "unknown_urgency")
