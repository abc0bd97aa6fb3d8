"""The day-before and hour-before reminders (`flask meetings remind`, every few minutes until a job runner exists).

Idempotent: each reminder goes once per user, meeting, kind and start time, through the notification service's
``dedupe_key`` (UNIQUE per user). A moved meeting has a new start time, so it is reminded afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..domain.meeting_flow import MeetingStatus, Reminder, reminders_due
from ..extensions import db
from ..notifications.models import Notification, NotificationKind
from ..notifications.services import notify, path_for
from ..timeutil import utcnow
from .models import Meeting
from .services import local

LOOK_AHEAD = timedelta(days=15)  # the longest holiday gap between the day-before reminder and the meeting


def reminder_key(meeting: Meeting, reminder: Reminder) -> str:
    return f"meeting:{meeting.id}:{reminder}:{meeting.starts_at:%Y%m%d%H%M}"


def _recipients(meeting: Meeting) -> list[int]:
    """The enterprise's users and the handler (staff), enabled."""
    ids = list(
        db.session.scalars(
            select(User.id).where(
                User.role == Role.ENTERPRISE, User.enterprise_id == meeting.enterprise_id, User.is_enabled
            )
        )
    )
    if meeting.handler_id:
        ids.append(meeting.handler_id)
    return ids


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every reminder whose time has come; returns how many notifications were created."""
    now = now or utcnow()
    calendar = current_calendar()
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now, Meeting.starts_at <= now + LOOK_AHEAD
        )
    ).all()
    created = 0
    for meeting in meetings:
        keys = {reminder: reminder_key(meeting, reminder) for reminder in Reminder}
        sent_keys = set(
            db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys.values())))
        )
        sent = [reminder for reminder, key in keys.items() if key in sent_keys]
        for reminder in reminders_due(local(meeting.starts_at), local(now), calendar, sent):
            text = f"{meeting.meeting_no} · {local(meeting.starts_at):%m-%d %H:%M} · {meeting.location}"[:500]
            link = path_for("meetings.show", meeting_no=meeting.meeting_no)
            for user_id in _recipients(meeting):
                notify(user_id, NotificationKind.MEETING_REMINDER, text, link, at=now, dedupe_key=keys[reminder])
                created += 1
    db.session.flush()
    return created


def remind_job() -> str:
    """The periodic job (stations/jobs, every minute): each reminder is sent once, so reruns are safe."""
    created = send_due_reminders()
    db.session.commit()
    return f"{created} reminders sent"
