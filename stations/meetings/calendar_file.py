"""The .ics file of a scheduled meeting (RFC 5545, the icalendar library).

The UID is stable per meeting (its number), so a calendar application replaces the event it imported before:
SEQUENCE is bumped on every reschedule and on cancel, and a cancelled meeting is sent as METHOD:CANCEL with
STATUS:CANCELLED.
"""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar, Event

from ..domain.meeting_flow import MeetingStatus
from .models import Meeting

UID_DOMAIN = "stations.jinghe.example"
PRODID = "-//Jinghe New City stations//一键约见//ZH"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.meeting_no}@{UID_DOMAIN}"


def has_calendar_file(meeting: Meeting) -> bool:
    """A file exists once a time was set (also after cancel: it carries the cancellation)."""
    return meeting.starts_at is not None


def ics_bytes(meeting: Meeting, *, department_name: str = "", stamp=None) -> bytes:
    cancelled = meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.REDIRECTED)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", (stamp or meeting.starts_at).replace(tzinfo=UTC))
    event.add("dtstart", meeting.starts_at.replace(tzinfo=UTC))
    event.add("dtend", (meeting.ends_at or meeting.starts_at).replace(tzinfo=UTC))
    who = " ".join(part for part in (department_name, meeting.target_leader) if part)
    event.add("summary", f"一键约见 {who} · {meeting.topic}".strip())
    event.add("location", meeting.location or "")
    event.add("description", f"{meeting.meeting_no} {meeting.topic}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
