"""Who hears of what happens to a meeting (through the notification service, every channel)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..domain.meeting_flow import MeetingEvent
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_enterprise, notify_users, path_for
from .models import Meeting


def meeting_text(meeting: Meeting) -> str:
    return f"{meeting.meeting_no} · {meeting.topic}"


# What the enterprise hears about.
TOLD = {
    MeetingEvent.CONTACT: NotificationKind.MEETING_CONTACTED,
    MeetingEvent.SCHEDULE: NotificationKind.MEETING_SCHEDULED,
    MeetingEvent.RESCHEDULE: NotificationKind.MEETING_SCHEDULED,
    MeetingEvent.CANCEL: NotificationKind.MEETING_CANCELLED,
    MeetingEvent.REDIRECT: NotificationKind.MEETING_CANCELLED,
}


def tell(meeting: Meeting, event: MeetingEvent, now: datetime) -> None:
    link = path_for("meetings.show", meeting_no=meeting.meeting_no)
    kind = TOLD.get(event)
    if kind is not None:
        notify_enterprise(meeting.enterprise_id, kind, meeting_text(meeting), link, at=now)
    if event is MeetingEvent.ROUTE and meeting.department_id is not None:  # the department's contact (联络员)
        department_users = db.session.scalars(
            select(User.id).where(
                User.role == Role.DEPARTMENT, User.department_id == meeting.department_id, User.is_enabled
            )
        )
        notify_users(list(department_users), NotificationKind.MEETING_REQUESTED, meeting_text(meeting), link, at=now)


def tell_station(meeting: Meeting, text: str, now: datetime) -> None:
    """The station's staff (and the routed department) hear of what the enterprise did itself, without a call."""
    conditions = (User.role == Role.STAFF) & (User.station_id == meeting.station_id)
    if meeting.department_id is not None:
        conditions = conditions | ((User.role == Role.DEPARTMENT) & (User.department_id == meeting.department_id))
    ids = list(db.session.scalars(select(User.id).where(conditions, User.is_enabled)))
    link = path_for("meetings.show", meeting_no=meeting.meeting_no)
    notify_users(ids, NotificationKind.MEETING_REQUESTED, text[:500], link, at=now)
