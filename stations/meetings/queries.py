"""Reads for meetings, always from the access scope (stations/access)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..access import meeting_scope
from ..auth.models import User
from ..catalog.models import Department
from ..domain.meeting_flow import OPEN_STATUSES, MeetingDeadlines, MeetingStatus, meeting_warn_level, step_deadline
from ..extensions import db
from ..timeutil import to_business
from .models import Meeting, MeetingBooking, MeetingEventRecord, MeetingSlot, Official, OfficialKind

SLOT_HORIZON = timedelta(days=45)
NUMBER_RE = re.compile(r"[A-Z0-9]{1,20}")


def meeting_for(user: User, meeting_no: str) -> Meeting | None:
    """The meeting with this number if ``user`` may see it (else None: a 404, not a 403)."""
    number = (meeting_no or "").strip().upper()
    if not NUMBER_RE.fullmatch(number):
        return None
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.meeting_no == number, meeting_scope(user, Meeting))
        .options(selectinload(Meeting.commitments), selectinload(Meeting.attachments))
    )


def meetings_for(user: User, *, status: str | None = None, open_only: bool = False, page: int = 1, size: int = 30):
    query = select(Meeting).where(meeting_scope(user, Meeting))
    if status in MeetingStatus.__members__:
        query = query.where(Meeting.status == MeetingStatus(status))
    elif open_only:
        query = query.where(Meeting.status.in_(OPEN_STATUSES))
    if open_only:  # the staff queue: the most urgent first (contact due, then meeting due)
        query = query.order_by(Meeting.contact_due_on, Meeting.meeting_due_on, Meeting.id)
    else:
        query = query.order_by(Meeting.requested_at.desc(), Meeting.id.desc())
    return list(db.session.scalars(query.limit(size + 1).offset((page - 1) * size)))


def timeline(meeting: Meeting) -> list[MeetingEventRecord]:
    return list(
        db.session.scalars(
            select(MeetingEventRecord)
            .where(MeetingEventRecord.meeting_id == meeting.id)
            .order_by(MeetingEventRecord.id)
        )
    )


def free_slots(
    department_id: int | None, now: datetime, *, official_id: int | None = None, limit: int = 40
) -> list[MeetingSlot]:
    """Published, not withdrawn, not booked, in the future (and within the horizon); of one official when given.
    A deactivated official's slots are no longer offered."""
    if department_id is None:
        return []
    booked = select(MeetingBooking.slot_id)
    inactive = select(Official.id).where(Official.is_active.is_(False))
    query = select(MeetingSlot).where(
        MeetingSlot.department_id == department_id,
        MeetingSlot.is_withdrawn.is_(False),
        MeetingSlot.starts_at > now,
        MeetingSlot.starts_at <= now + SLOT_HORIZON,
        MeetingSlot.id.not_in(booked),
        or_(MeetingSlot.official_id.is_(None), MeetingSlot.official_id.not_in(inactive)),
    )
    if official_id is not None:
        query = query.where(MeetingSlot.official_id == official_id)
    return list(db.session.scalars(query.order_by(MeetingSlot.starts_at, MeetingSlot.id).limit(limit)))


def slots_for(meeting: Meeting, now: datetime) -> list[MeetingSlot]:
    """What scheduling offers: the free slots of the leader or section the meeting names, or, when it names none
    (or that one has no free slot), every free slot of its department."""
    official = meeting.official
    if official is not None and official.kind is not OfficialKind.DEPARTMENT:
        own = free_slots(meeting.department_id, now, official_id=official.id)
        if own:
            return own
    return free_slots(meeting.department_id, now)


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


OFFICIAL_ORDER = {OfficialKind.DEPARTMENT: 0, OfficialKind.LEADER: 1, OfficialKind.SECTION: 2}


def officials(*, active_only: bool = True, department_id: int | None = None) -> list[Official]:
    """The officials that can be booked (all of them, inactive too, for the administrator), by department code,
    then the department itself, its leaders, its sections, then name."""
    query = select(Official).join(Official.department).options(selectinload(Official.department))
    if active_only:
        query = query.where(Official.is_active)
    if department_id is not None:
        query = query.where(Official.department_id == department_id)
    rows = db.session.scalars(query.order_by(Department.code, Official.name, Official.id))
    return sorted(rows, key=lambda o: (o.department.code, OFFICIAL_ORDER[o.kind], o.name))


def department_ids() -> set[int]:
    return set(db.session.scalars(select(Department.id)))


def count_by_status(user: User) -> dict[str, int]:
    rows = db.session.execute(
        select(Meeting.status, func.count()).where(meeting_scope(user, Meeting)).group_by(Meeting.status)
    ).all()
    return {str(status): count for status, count in rows}


def published_slots(department_id: int, now: datetime, limit: int = 100) -> list[MeetingSlot]:
    """The department's future slots, booked or not (the booking is loaded), for its availability page."""
    return list(
        db.session.scalars(
            select(MeetingSlot)
            .where(MeetingSlot.department_id == department_id, MeetingSlot.starts_at > now)
            .options(selectinload(MeetingSlot.booking))
            .order_by(MeetingSlot.starts_at, MeetingSlot.id)
            .limit(limit)
        )
    )


def _stored_deadlines(meeting: Meeting) -> MeetingDeadlines:
    """The due dates as stored; each warns on its due day (the limits are 1 and 5 working days)."""
    return MeetingDeadlines(
        meeting.contact_due_on, meeting.meeting_due_on, meeting.contact_due_on, meeting.meeting_due_on
    )


def step_due_on(meeting: Meeting) -> date:
    """The deadline of the step the meeting waits for (domain step_deadline): the contact, then the meeting."""
    return step_deadline(meeting.status, _stored_deadlines(meeting))[0]


def due_on_of(meeting: Meeting) -> date | None:
    """The date the meeting's current step is due: the contact, then the meeting; None once it is scheduled."""
    if meeting.status in (MeetingStatus.REQUESTED, MeetingStatus.CONTACTED, MeetingStatus.ROUTED):
        return step_due_on(meeting)
    return None


def warn_level_of(meeting: Meeting, now: datetime):
    """红黄绿 of the current step (domain meeting_warn_level); YELLOW on the due day itself."""
    scheduled_on = to_business(meeting.starts_at).date() if meeting.starts_at else None
    now_local = to_business(now).replace(tzinfo=None)
    return meeting_warn_level(meeting.status, _stored_deadlines(meeting), now_local, scheduled_on)
