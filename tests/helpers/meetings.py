"""Test helpers for meetings (moved out of tests/meetings/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from stations.catalog.models import Department
from stations.domain.meeting_flow import MeetingEvent, MeetingKind
from stations.extensions import db
from stations.meetings import services, slots
from stations.meetings.models import MeetingSlot
from stations.meetings.services import EventInput, RequestInput
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.suite import csrf_token_from


def token(client, url: str = "/meetings/") -> str:
    return csrf_token_from(client, url)


def department(code: str = "KFJS") -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def new_slot(code: str = "KFJS", *, days: int = 3, hour: int = 10, minute: int = 0) -> MeetingSlot:
    """A one-off slot ``days`` ahead at ``hour`` (business time), on a working day."""
    from stations.calendar.services import current_calendar
    from stations.domain.workdays import next_workday

    local_now = services.local(utcnow())
    day = next_workday((local_now + timedelta(days=days)).date(), current_calendar())
    start = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
    return slots.add_one_off_slot(department(code).id, "部长", start, 60, "3楼会议室")


def requested(owner: f.Client | None = None, topic: str = "排水管网接驳") -> object:
    """A meeting asked for by ``owner``'s account (a client of the test's own when none is given)."""
    owner = owner or f.make_client()
    request = RequestInput(kind=MeetingKind.MEET, topic=topic)
    return services.request_meeting(owner.account, owner.enterprise, request)


def routed(code: str = "KFJS", **kwargs):
    meeting = requested(**kwargs)
    staff = f.user("staff-ll")
    services.fire(meeting, staff, MeetingEvent.CONTACT, meeting.version)
    services.fire(meeting, staff, MeetingEvent.ROUTE, meeting.version, EventInput(department_id=department(code).id))
    return meeting


def scheduled(slot: MeetingSlot | None = None, code: str = "KFJS", **kwargs):
    meeting = routed(code, **kwargs)
    slot = slot or new_slot(code)
    services.fire(meeting, f.user("staff-ll"), MeetingEvent.SCHEDULE, meeting.version, EventInput(slot_id=slot.id))
    return meeting
