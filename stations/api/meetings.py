"""JSON API v1 for 一键约见 and 政策宣讲 (contract.md "The station's other services").

Reads go through the meetings package's scoped queries; writes through its services, committed here once.
Errors are ``{"error": {"code", "message"}}``: 409 stale version or slot taken, 422 not allowed now / bad input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import MEETING_REQUEST_ROLES, may_request_meeting_for
from ..auth.models import Role, User
from ..domain import identifiers
from ..domain.meeting_flow import MeetingKind, MeetingStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..meetings import queries
from ..meetings import services as meeting_services
from ..meetings.commitments import rows as commitment_rows
from ..meetings.errors import MeetingError
from ..meetings.forms import parse_event
from ..meetings.labels import error_message
from ..meetings.models import Meeting
from ..meetings.services import RequestInput
from ..timeutil import iso_with_offset, utcnow
from .base import ApiError, body_str, json_body, json_response, page_arg

PAGE_SIZE = 50
CREATE_FIELDS = {
    "kind", "topic", "department", "official_id", "target_leader", "target_section", "description",
    "preferred_dates", "enterprise_uscc",
}  # fmt: skip
EVENT_FIELDS = {"event", "version", "reason", "department_id", "target_leader", "slot_id", "minutes", "commitments"}
EVENT_FIELDS |= {"feedback", "official_id"}


def _user() -> User:
    return current_user._get_current_object()


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting_no": meeting.meeting_no,
        "kind": meeting.kind.value,
        "status": meeting.status.value,
        "department": meeting.department.code if meeting.department else None,
        "official_id": meeting.official_id,
        "target_leader": meeting.target_leader or None,
        "topic": meeting.topic,
        "scheduled_at": iso_with_offset(meeting.starts_at),
        "enterprise_uscc": meeting.enterprise.uscc,
        "version": meeting.version,
        "location": meeting.location or None,
        "due_on": due.isoformat() if (due := queries.due_on_of(meeting)) else None,
        "warn_level": queries.warn_level_of(meeting, utcnow()).name,
        "contact_due_on": meeting.contact_due_on.isoformat(),
        "meeting_due_on": meeting.meeting_due_on.isoformat(),
    }


def meeting_detail_json(meeting: Meeting) -> dict[str, Any]:
    """One meeting's answer: its fields and its commitments (colour and appeal); lists leave those out."""
    return {
        **meeting_json(meeting),
        "commitments": [
            {
                "text": row.commitment.text,
                "owner": row.commitment.owner or None,
                "due_on": row.commitment.due_on.isoformat() if row.commitment.due_on else None,
                "warn_level": row.level.name,
                "appeal_no": row.commitment.appeal_no,
            }
            for row in commitment_rows(meeting)
        ],
    }


def _refused(error: MeetingError) -> ApiError:
    return ApiError(error.status, error.code, error_message(error.code))


@login_required
def list_meetings():
    status = request.args.get("status", "").strip().upper() or None
    if status is not None and status not in MeetingStatus.__members__:
        raise ApiError(400, "invalid_parameter", _("参数 %(name)s 无效。", name="status"))
    page = page_arg()
    rows = queries.meetings_for(_user(), status=status, page=page, size=PAGE_SIZE)
    return json_response(
        {
            "items": [meeting_json(m) for m in rows[:PAGE_SIZE]],
            "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
        }
    )


def _visible(meeting_no: str) -> Meeting:
    meeting = queries.meeting_for(_user(), meeting_no)
    if meeting is None:
        raise ApiError(404, "not_found", _("未找到该约见。"))
    return meeting


@login_required
def get_meeting(meeting_no: str):
    return json_response(meeting_detail_json(_visible(meeting_no)))


def _official_id(value) -> int | None:
    """``official_id`` as a number or a string of digits (liberal); null or absent: none picked."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="official_id"))
    return value


def _request_input(body: dict) -> tuple[Enterprise, RequestInput]:
    user = _user()
    if user.role is Role.ENTERPRISE:
        enterprise = user.enterprise
    else:
        uscc = body_str(body, "enterprise_uscc", 18).strip().upper()
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)) if uscc else None
        if (
            not identifiers.is_valid_uscc(uscc)
            or enterprise is None
            or not may_request_meeting_for(user, enterprise.id)
        ):
            raise ApiError(422, "unknown_enterprise", error_message("unknown_enterprise"))
    kind = body_str(body, "kind", 12) or MeetingKind.MEET.value
    if kind not in MeetingKind.__members__:
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="kind"))
    department_id = None
    if body.get("department"):
        from ..catalog.models import Department

        code = body_str(body, "department", 20)
        department_id = db.session.scalar(select(Department.id).where(Department.code == code))
        if department_id is None:
            raise ApiError(422, "unknown_department", error_message("unknown_department"))
    official_id = _official_id(body.get("official_id"))
    dates = body.get("preferred_dates") or []
    if not isinstance(dates, list) or not all(isinstance(d, str) and "\x00" not in d for d in dates):
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="preferred_dates"))
    try:
        preferred = [date.fromisoformat(d) for d in dates[:10]]
    except ValueError as bad:
        raise ApiError(422, "bad_date", error_message("bad_date")) from bad
    return enterprise, RequestInput(
        kind=MeetingKind(kind),
        topic=body_str(body, "topic", 200),
        department_id=department_id,
        target_leader=body_str(body, "target_leader", 100),
        target_section=body_str(body, "target_section", 100),
        official_id=official_id,
        description=body_str(body, "description", 4000),
        preferred_dates=preferred,
    )


@login_required
@idempotent("api.meetings.create")
def create_meeting():
    if _user().role not in MEETING_REQUEST_ROLES:
        raise ApiError(403, "forbidden", _("您无权进行该操作。"))
    enterprise, data = _request_input(json_body(CREATE_FIELDS))
    try:
        meeting = meeting_services.request_meeting(_user(), enterprise, data)
    except MeetingError as refused:
        db.session.rollback()
        raise _refused(refused) from refused
    db.session.commit()
    response = json_response(meeting_json(meeting), 201)
    response.headers["Location"] = f"/api/v1/meetings/{meeting.meeting_no}"
    return response


@login_required
def post_meeting_event(meeting_no: str):
    meeting = _visible(meeting_no)
    body = json_body(EVENT_FIELDS)
    try:
        event, version, data = parse_event(body)
        if version is None:
            raise MeetingError("version_required")
        meeting_services.fire(meeting, _user(), event, version, data)
    except MeetingError as refused:
        db.session.rollback()
        raise _refused(refused) from refused
    db.session.commit()
    return json_response(meeting_detail_json(meeting))


@login_required
def list_officials():
    """The officials a request can name by ``official_id`` (active ones, by department)."""
    return json_response(
        {
            "items": [
                {"id": o.id, "department": o.department.code, "name": o.name, "kind": o.kind.value}
                for o in queries.officials()
            ]
        }
    )


# --- 政策宣讲 --------------------------------------------------------------------------------------------------------
