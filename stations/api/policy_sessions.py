"""JSON API v1 for 政策宣讲 (policy sessions): the calendar and sign-up; for the hosting station's staff, editing a
session and raising a question as an appeal (issue 14). Writes go through the meetings package's services (the same
as the pages), committed here once.

Errors are ``{"error": {"code", "message"}}``: 403 for a role that may not, 404 outside the user's scope, 409 stale
version, 422 not allowed now or bad input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import may_run_session
from ..auth.models import Role, User
from ..extensions import db
from ..idempotency import idempotent
from ..meetings import policy_queries, policy_services
from ..meetings.labels import session_error_message
from ..meetings.policy_models import SessionQuestion
from ..meetings.session_edit import SessionChange, edit_session
from ..timeutil import business_to_utc, iso_with_offset, to_business, utcnow
from .base import ApiError, body_str, json_body, json_response

EDIT_FIELDS = {
    "version",
    "title",
    "starts_at",
    "minutes",
    "capacity",
    "place",
    "live_url",
    "theme",
    "speakers",
    "materials",
}


def _user() -> User:
    return current_user._get_current_object()


def session_json(session, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "starts_at": iso_with_offset(session.starts_at),
        "capacity": session.capacity,
        "confirmed": counts.get("CONFIRMED", 0),
        "waiting": counts.get("WAITING", 0),
        "online": session.online,
        "place": session.place or None,
        "speakers": session.speakers or None,
    }


@login_required
def list_policy_sessions():
    counts = policy_queries.signup_counts()
    now = utcnow()
    sessions = policy_queries.upcoming(now) + policy_queries.past(now)
    return json_response({"items": [session_json(s, counts.get(s.id, {})) for s in sessions], "next_page": None})


@login_required
@idempotent("api.policy_sessions.signup")
def sign_up_policy_session(session_id: int):
    if _user().role is not Role.ENTERPRISE:
        raise ApiError(403, "forbidden", _("只有企业用户可以报名。"))
    try:
        signup = policy_services.sign_up(session_id, _user())
    except policy_services.SessionError as refused:
        db.session.rollback()
        raise ApiError(refused.status, refused.code, session_error_message(refused.code)) from refused
    db.session.commit()
    return json_response({"state": signup.state.value, "session_id": session_id}, 201)


def _door_staff() -> User:
    """Staff or the administrator (403 for anyone else, before anything is looked up)."""
    user = _user()
    if user.role not in (Role.STAFF, Role.ADMIN):
        raise ApiError(403, "forbidden", _("您无权进行该操作。"))
    return user


def _run(session_id: int):
    """The session, when the user runs it (staff of the hosting station, or the administrator); else 403/404."""
    user = _door_staff()
    session = policy_queries.session_by_id(session_id)
    if session is None or not may_run_session(user, session):
        raise ApiError(404, "not_found", session_error_message("not_found"))
    return session


def _int(body: dict, name: str, current: int, low: int, high: int) -> int:
    value = body.get(name, current)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())  # be liberal: "30" as well as 30
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field=name))
    return value


def _starts_at(body: dict, current_utc: datetime) -> datetime:
    """``starts_at`` as ISO 8601; with an offset it is converted, without one it is business time (Asia/Shanghai)."""
    raw = body.get("starts_at")
    if raw is None:
        return current_utc
    try:
        value = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="starts_at")) from error
    if value.tzinfo is not None:
        value = to_business(value).replace(tzinfo=None)
    return business_to_utc(value)


@login_required
def edit_policy_session(session_id: int):
    """PATCH: the fields given change, the others stay; ``version`` is required (409 when stale)."""
    session = _run(session_id)
    body = json_body(EDIT_FIELDS)
    version = _int(body, "version", -1, 1, 10**9)
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    change = SessionChange(
        title=body_str(body, "title", 200) if "title" in body else session.title,
        starts_at=_starts_at(body, session.starts_at),
        minutes=_int(body, "minutes", minutes, 15, 24 * 60),
        capacity=_int(body, "capacity", session.capacity, 1, 10_000),
        place=body_str(body, "place", 200) if "place" in body else session.place or "",
        live_url=body_str(body, "live_url", 300) if "live_url" in body else session.live_url or "",
        theme=body_str(body, "theme", 50) if "theme" in body else session.theme or "",
        speakers=body_str(body, "speakers", 300) if "speakers" in body else session.speakers or "",
        materials=body_str(body, "materials", 5000) if "materials" in body else session.materials or "",
    )
    if not change.title.strip():
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="title"))
    try:
        edited, _moved = edit_session(session.id, change, version, by=_user(), now=utcnow())
    except policy_services.SessionError as refused:
        db.session.rollback()
        raise ApiError(refused.status, refused.code, session_error_message(refused.code)) from refused
    db.session.commit()
    counts = policy_queries.signup_counts().get(edited.id, {})
    return json_response({**session_json(edited, counts), "version": edited.version})


@login_required
def question_to_appeal(question_id: int):
    """Raise a session's question as an appeal (企业诉求): 201 the first time, 200 with the same number after."""
    _door_staff()
    question = db.session.get(SessionQuestion, question_id)
    if question is None:
        raise ApiError(404, "not_found", session_error_message("not_found"))
    _run(question.session_id)
    existed = bool(question.appeal_no)
    appeal_no = policy_services.question_to_appeal(question, _user())
    db.session.commit()
    return json_response({"question_id": question.id, "appeal_no": appeal_no}, 200 if existed else 201)
