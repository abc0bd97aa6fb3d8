"""Officials' availability: weekly patterns materialised into slots on working days, one-off additions and
withdrawals (the exceptions). Flush, never commit. Booking a slot is services._book (the UNIQUE booking)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..calendar.services import current_calendar
from ..extensions import db
from ..timeutil import business_to_utc
from .errors import MeetingError
from .models import AvailabilityPattern, MeetingSlot, SlotSource
from .officials import matching_official, official_for

PUBLISH_WEEKS = 4


def publish_week_slots(pattern, first: date, last: date) -> int:
    """Materialise a weekly pattern's slots from ``first`` to ``last`` on working days only; idempotent."""
    calendar = current_calendar()
    existing = set(
        db.session.scalars(
            select(MeetingSlot.starts_at).where(
                MeetingSlot.department_id == pattern.department_id, MeetingSlot.leader == pattern.leader
            )
        )
    )
    created = 0
    day = first
    while day <= last:
        if day.weekday() == pattern.weekday and calendar.is_workday(day):
            starts = business_to_utc(datetime.combine(day, pattern.start_time))
            if starts not in existing:
                slot = _slot(pattern.department_id, pattern.leader, starts, pattern.minutes, pattern.location)
                slot.official_id = pattern.official_id
                db.session.add(slot)
                created += 1
        day += timedelta(days=1)
    db.session.flush()
    return created


def _slot(department_id, leader, starts, minutes, location, source=None) -> MeetingSlot:
    return MeetingSlot(
        department_id=department_id,
        leader=leader,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        location=location,
        source=source or SlotSource.PATTERN,
    )


def who_offers(department_id: int, leader: str, official_id: int | None) -> tuple[str, int | None]:
    """(leader text, official id) of a published time: the official picked (of this department, active), else the
    text an old form typed, linked to the official of that name when there is one. :raise MeetingError:"""
    official = official_for(official_id)
    if official is not None and official.department_id != department_id:
        raise MeetingError("unknown_official")
    if official is None:
        official = matching_official(department_id, leader)
        return leader.strip()[:100], official.id if official else None
    return official.name, official.id


def add_one_off_slot(
    department_id: int,
    leader: str,
    start_local: datetime,
    minutes: int,
    location: str,
    official_id: int | None = None,
):
    """A one-off exception that adds a time; refused on a day off (the working-day calendar is respected)."""
    leader, official_id = who_offers(department_id, leader, official_id)
    if not current_calendar().is_workday(start_local.date()):
        raise MeetingError("not_a_workday")
    if not 15 <= minutes <= 240:
        raise MeetingError("bad_duration")
    slot = _slot(department_id, leader, business_to_utc(start_local), minutes, location, SlotSource.ONE_OFF)
    slot.official_id = official_id
    try:
        with db.session.begin_nested():
            db.session.add(slot)
            db.session.flush()
    except IntegrityError as exists:
        raise MeetingError("slot_exists") from exists
    return slot


def withdraw_slot(slot: MeetingSlot) -> None:
    """A one-off exception that removes a time (leave, another meeting); a booked slot stays until moved."""
    if slot.booking is not None:
        raise MeetingError("slot_booked")
    slot.is_withdrawn = True
    db.session.flush()


def add_pattern(
    department_id: int,
    leader: str,
    weekday: int,
    start,
    minutes: int,
    location: str,
    today: date,
    official_id: int | None = None,
):
    """A weekly pattern, published at once for the next PUBLISH_WEEKS weeks. :raise MeetingError: on bad input."""
    leader, official_id = who_offers(department_id, leader, official_id)
    if not 0 <= weekday <= 6:
        raise MeetingError("bad_weekday")
    if not 15 <= minutes <= 240:
        raise MeetingError("bad_duration")
    pattern = AvailabilityPattern(
        department_id=department_id,
        leader=leader,
        official_id=official_id,
        weekday=weekday,
        start_time=start,
        minutes=minutes,
        location=location.strip()[:200],
    )
    db.session.add(pattern)
    db.session.flush()
    publish_week_slots(pattern, today + timedelta(days=1), today + timedelta(weeks=PUBLISH_WEEKS))
    return pattern
