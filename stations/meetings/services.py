"""Writes for meetings: request, the events of the machine, slot booking, commitments. Flush, never commit.

Every event checks the caller's ``version`` first (``StaleVersion`` → 409), asks the pure machine
(stations/domain/meeting_flow.py) whether it may happen, then applies its effects and a timeline row.
Booking a slot inserts a ``MeetingBooking`` inside a SAVEPOINT: the UNIQUE slot_id makes a second booking of
the same slot fail in the database (``SlotTaken``), whatever the number of tablets racing for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..catalog.models import Department
from ..counters import bump_counter
from ..domain import meeting_flow as flow
from ..domain.meeting_flow import MeetingEvent, MeetingFacts, MeetingKind, MeetingStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_users, path_for
from ..sites.models import Station, StationKind
from ..timeutil import to_business, utcnow
from .commitments import commitment_to_appeal, deadline
from .errors import FlowRefused, MeetingError, SlotTaken, StaleVersion
from .models import (
    MAX_TEXT,
    MAX_TOPIC,
    Meeting,
    MeetingAttachment,
    MeetingBooking,
    MeetingCommitment,
    MeetingEventRecord,
    MeetingSequence,
    MeetingSlot,
    Official,
)
from .notices import meeting_text, tell, tell_station
from .officials import matching_official, official_for, official_texts

MAX_PREFERRED = 5


def local(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC time as naive business time (what the domain rules read)."""
    return to_business(moment).replace(tzinfo=None) if moment else None


# --- numbering ---------------------------------------------------------------------------------------------------


def _next_number(day: date) -> str:
    last = bump_counter(MeetingSequence, "last", {"day": day}, what="a meeting number")
    return f"YJ{day:%Y%m%d}{last:04d}"


# --- request -----------------------------------------------------------------------------------------------------


@dataclass
class RequestInput:
    kind: MeetingKind
    topic: str
    department_id: int | None = None
    target_leader: str = ""
    target_section: str = ""
    official_id: int | None = None  # wins over the department and texts above (which old clients still send)
    description: str = ""
    preferred_dates: list[date] = field(default_factory=list)
    stored_file_ids: list[int] = field(default_factory=list)


def _handling_station(enterprise: Enterprise, user: User) -> int:
    if user.role in (Role.STAFF, Role.COMMISSIONER) and user.station_id:
        return user.station_id
    if enterprise.station_id:
        return enterprise.station_id
    centre = db.session.scalar(select(Station.id).where(Station.kind == StationKind.CENTER).order_by(Station.id))
    if centre is None:
        raise MeetingError("no_station")
    return centre


def validate_request(data: RequestInput, today: date) -> None:
    if not data.topic.strip() or len(data.topic) > MAX_TOPIC:
        raise MeetingError("topic_required")
    if len(data.description) > MAX_TEXT:
        raise MeetingError("text_too_long")
    if len(data.preferred_dates) > MAX_PREFERRED:
        raise MeetingError("too_many_dates")
    if any(day < today for day in data.preferred_dates):
        raise MeetingError("date_past")


def request_meeting(user: User, enterprise: Enterprise, data: RequestInput, *, now: datetime | None = None) -> Meeting:
    now = now or utcnow()
    now_local = local(now)
    validate_request(data, now_local.date())
    flow.next_status(MeetingFacts(status=None), MeetingEvent.REQUEST, _actor(user))
    official = official_for(data.official_id)
    if official is not None:
        data.department_id = official.department_id
        data.target_leader, data.target_section = official_texts(official)
    else:
        official = matching_official(data.department_id, data.target_leader or data.target_section)
    deadlines = flow.meeting_deadlines(now_local, current_calendar(), data.preferred_dates)
    meeting = Meeting(
        meeting_no=_next_number(now_local.date()),
        kind=data.kind,
        status=MeetingStatus.REQUESTED,
        enterprise_id=enterprise.id,
        station_id=_handling_station(enterprise, user),
        department_id=data.department_id,
        target_leader=data.target_leader.strip()[:100],
        target_section=data.target_section.strip()[:100],
        official_id=official.id if official else None,
        topic=data.topic.strip(),
        description=data.description.strip(),
        preferred_dates=[day.isoformat() for day in sorted(set(data.preferred_dates))],
        requested_by_id=user.id,
        requested_at=now,
        contact_due_on=deadlines.contact_due_on,
        meeting_due_on=deadlines.meeting_due_on,
    )
    db.session.add(meeting)
    db.session.flush()
    for file_id in data.stored_file_ids:
        db.session.add(MeetingAttachment(meeting_id=meeting.id, stored_file_id=file_id))
    _timeline(meeting, MeetingEvent.REQUEST, None, user, data.topic[:200], now)
    link = path_for("meetings.show", meeting_no=meeting.meeting_no)
    staff = db.session.scalars(
        select(User.id).where(User.role == Role.STAFF, User.station_id == meeting.station_id, User.is_enabled)
    )
    notify_users(list(staff), NotificationKind.MEETING_REQUESTED, meeting_text(meeting), link, at=now)
    db.session.flush()
    return meeting


def _actor(user: User) -> flow.Actor:
    from ..access import meeting_actor

    actor = meeting_actor(user)
    if actor is None:
        raise FlowRefused("not_permitted")
    return actor


def _timeline(meeting, event, from_status, user, note, now) -> None:
    db.session.add(
        MeetingEventRecord(
            meeting_id=meeting.id,
            event=str(event),
            from_status=str(from_status) if from_status else None,
            to_status=str(meeting.status),
            actor_id=user.id if user else None,
            note=(note or "")[:1000],
            at=now,
        )
    )


# --- events ------------------------------------------------------------------------------------------------------


@dataclass
class EventInput:
    reason: str = ""
    department_id: int | None = None
    target_leader: str | None = None
    official_id: int | None = None  # route: the official picked (sets the department and the leader's text)
    slot_id: int | None = None
    minutes: str = ""
    # (text, owner, deadline): a date, or working days from the meeting (commitments.deadline)
    commitments: list[tuple[str, str, date | int | None]] = field(default_factory=list)
    feedback: str = ""


def facts_for(meeting: Meeting, now: datetime, data: EventInput | None = None, slot: MeetingSlot | None = None):
    data = data or EventInput()
    open_commitments = sum(1 for c in meeting.commitments if c.is_open) + len(data.commitments)
    return MeetingFacts(
        status=meeting.status,
        now_local=local(now),
        reason=data.reason,
        department_chosen=(data.department_id or meeting.department_id) is not None,
        slot_start_local=local(slot.starts_at) if slot else None,
        slot_of_department=slot is None or slot.department_id == meeting.department_id,
        scheduled_start_local=local(meeting.starts_at),
        minutes=data.minutes,
        open_commitments=open_commitments,
        has_feedback=bool(meeting.feedback.strip() or data.feedback.strip()),
    )


def fire(
    meeting: Meeting,
    user: User,
    event: MeetingEvent,
    version: int | None,
    data: EventInput | None = None,
    *,
    now: datetime | None = None,
) -> Meeting:
    """Apply ``event`` by ``user``. :raise MeetingError: stale version, slot taken, or refused by the machine."""
    now = now or utcnow()
    data = data or EventInput()
    if version is not None and version != meeting.version:
        raise StaleVersion()
    official = official_for(data.official_id) if event is MeetingEvent.ROUTE else None
    if official is not None:
        data.department_id, data.target_leader = official.department_id, official_texts(official)[0]
    if data.department_id is not None and db.session.get(Department, data.department_id) is None:
        raise MeetingError("unknown_department")
    slot = _slot_for(data.slot_id) if event in (MeetingEvent.SCHEDULE, MeetingEvent.RESCHEDULE) else None
    if event in (MeetingEvent.SCHEDULE, MeetingEvent.RESCHEDULE) and data.slot_id is not None and slot is None:
        raise MeetingError("slot_unknown")
    try:
        target = flow.next_status(facts_for(meeting, now, data, slot), event, _actor(user))
    except flow.MeetingFlowError as refused:
        raise FlowRefused(refused.code) from refused
    before = meeting.status
    note = EFFECTS[event](meeting, user, data, slot, now)
    meeting.status = target
    # Compare-and-set on the version: two tablets firing at once cannot both win.
    claimed = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.version == meeting.version)
        .values(version=Meeting.version + 1)
    ).rowcount
    if claimed != 1:
        raise StaleVersion()
    db.session.flush()
    db.session.refresh(meeting, ["version"])
    _timeline(meeting, event, before, user, note, now)
    tell(meeting, event, now)
    if _actor(user) in flow.ON_BEHALF and event in (MeetingEvent.RESCHEDULE, MeetingEvent.CANCEL):
        tell_station(meeting, f"{meeting_text(meeting)} · {flow.EVENT_LABELS[event]}", now)
    db.session.flush()
    return meeting


def _slot_for(slot_id: int | None) -> MeetingSlot | None:
    if slot_id is None:
        return None
    slot = db.session.scalar(select(MeetingSlot).where(MeetingSlot.id == slot_id, MeetingSlot.is_withdrawn.is_(False)))
    if slot is not None and slot.official_id is not None and not db.session.get(Official, slot.official_id).is_active:
        return None  # a deactivated official's time is no longer offered
    return slot


def _contact(meeting, user, data, slot, now) -> str:
    meeting.contacted_at = now
    meeting.handler_id = user.id
    return data.reason


def _route(meeting, user, data, slot, now) -> str:
    if data.department_id is not None:
        meeting.department_id = data.department_id
    if data.target_leader is not None:
        meeting.target_leader = data.target_leader.strip()[:100]
    if data.official_id is not None:
        official = db.session.get(Official, data.official_id)  # checked active by fire()
        meeting.target_section = official_texts(official)[1]
        meeting.official_id = official.id
    elif data.department_id is not None or data.target_leader is not None:
        official = matching_official(meeting.department_id, meeting.target_leader)
        meeting.official_id = official.id if official else None
    meeting.routed_at = now
    return data.reason


def _book(meeting: Meeting, slot: MeetingSlot) -> None:
    """Free the meeting's old slot and take ``slot``; the UNIQUE slot_id decides races."""
    try:
        with db.session.begin_nested():
            db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id == meeting.id))
            db.session.add(MeetingBooking(slot_id=slot.id, meeting_id=meeting.id))
            db.session.flush()
    except IntegrityError as taken:
        raise SlotTaken() from taken
    meeting.starts_at, meeting.ends_at, meeting.location = slot.starts_at, slot.ends_at, slot.location
    meeting.target_leader = slot.leader or meeting.target_leader
    meeting.official_id = slot.official_id or meeting.official_id


def _schedule(meeting, user, data, slot, now) -> str:
    _book(meeting, slot)
    return f"{local(slot.starts_at):%Y-%m-%d %H:%M} {slot.location}"


def _reschedule(meeting, user, data, slot, now) -> str:
    old = meeting.starts_at
    _book(meeting, slot)
    meeting.ics_sequence += 1
    meeting.change_request = ""
    return f"{local(old):%Y-%m-%d %H:%M} → {local(slot.starts_at):%Y-%m-%d %H:%M} {data.reason}".strip()


def _cancel(meeting, user, data, slot, now) -> str:
    db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id == meeting.id))
    meeting.cancel_reason = data.reason.strip()[:500]
    meeting.ics_sequence += 1
    return data.reason


def _redirect(meeting, user, data, slot, now) -> str:
    meeting.cancel_reason = data.reason.strip()[:500]
    meeting.handler_id = meeting.handler_id or user.id
    return data.reason


def _hold(meeting, user, data, slot, now) -> str:
    meeting.held_at = meeting.starts_at or now
    meeting.minutes = data.minutes.strip()[:MAX_TEXT]
    meeting.minutes_at = now
    meeting.minutes_due_on = flow.minutes_due_on(local(meeting.held_at).date(), current_calendar())
    promised_on = local(now).date()
    for text, owner, due in data.commitments:
        commitment = MeetingCommitment(
            meeting_id=meeting.id, text=text[:500], owner=owner[:100], due_on=deadline(promised_on, due)
        )
        meeting.commitments.append(commitment)
        db.session.flush()
        commitment_to_appeal(commitment, user)  # each promise is tracked to closure as an appeal
    return ""


def _feedback(meeting, user, data, slot, now) -> str:
    meeting.feedback = data.feedback.strip()[:MAX_TEXT]
    meeting.feedback_at = now
    return data.feedback


def _close(meeting, user, data, slot, now) -> str:
    if data.feedback.strip():
        _feedback(meeting, user, data, slot, now)
    meeting.closed_at = now
    return data.reason


EFFECTS = {
    MeetingEvent.CONTACT: _contact,
    MeetingEvent.ROUTE: _route,
    MeetingEvent.REDIRECT: _redirect,
    MeetingEvent.SCHEDULE: _schedule,
    MeetingEvent.RESCHEDULE: _reschedule,
    MeetingEvent.CANCEL: _cancel,
    MeetingEvent.HOLD: _hold,
    MeetingEvent.FEEDBACK: _feedback,
    MeetingEvent.CLOSE: _close,
}


def ask_change(meeting: Meeting, user: User, text: str, *, now: datetime | None = None) -> None:
    """The enterprise asks staff to move or cancel (when no published slot suits it): no phone call needed."""
    text = text.strip()
    if not text or len(text) > 500:
        raise MeetingError("reason_required")
    if meeting.status in flow.FINAL_STATUSES or meeting.status in flow.HAPPENED_STATUSES:
        raise FlowRefused("illegal_transition")
    now = now or utcnow()
    meeting.change_request = text
    _timeline(meeting, "ask_change", meeting.status, user, text, now)
    tell_station(meeting, f"{meeting_text(meeting)} · {text}", now)
    db.session.flush()


# --- commitments -------------------------------------------------------------------------------------------------


def complete_commitment(commitment: MeetingCommitment, *, now: datetime | None = None) -> None:
    if commitment.done_at is None:
        commitment.done_at = now or utcnow()
    db.session.flush()
