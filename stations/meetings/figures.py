"""Period figures of 一键约见 and 政策宣讲 (domain.md §5.5 meetings row; contract.md `meetings`, `policy_sessions`).

A handful of rows per period: meetings are few (tens a month), so the median is taken in Python.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..calendar.services import current_calendar
from ..domain.meeting_flow import HAPPENED_STATUSES, OPEN_STATUSES, MeetingStatus
from ..domain.workdays import working_days_between
from ..extensions import db
from ..timeutil import business_day, utc_start_of, utcnow
from .models import Meeting
from .policy_models import PolicySession, SessionSignup


@dataclass(frozen=True)
class MeetingFigures:
    requested: int
    held: int
    median_wd_to_meeting: float | None
    minutes_on_time_rate: float | None
    sessions_held: int
    attendance: int
    signups_confirmed: int

    def as_json(self) -> dict:
        return {
            "meetings": {
                "requested": self.requested,
                "held": self.held,
                "median_wd_to_meeting": self.median_wd_to_meeting,
                "minutes_on_time_rate": self.minutes_on_time_rate,
            },
            "policy_sessions": {
                "held": self.sessions_held,
                "attendance": self.attendance,
                "confirmed": self.signups_confirmed,
            },
        }


def period_figures(start: date, end: date) -> MeetingFigures:
    """Business days ``start``..``end`` inclusive: requests made, meetings held, sessions held and attended.

    Two queries (the figures page counts its queries): the period's meetings (requested or held in it), and the
    sessions held in it with their sign-ups.
    """
    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    in_period = lambda column: (column >= low) & (column < high)  # noqa: E731
    rows = db.session.execute(
        select(Meeting.requested_at, Meeting.held_at, Meeting.minutes_at, Meeting.minutes_due_on, Meeting.status).where(
            in_period(Meeting.requested_at) | in_period(Meeting.held_at)
        )
    ).all()
    requested = sum(1 for r in rows if low <= r.requested_at < high)
    held_rows = [r for r in rows if r.held_at is not None and low <= r.held_at < high and r.status in HAPPENED_STATUSES]
    spans = []
    if held_rows:
        calendar = current_calendar()
        spans = [
            working_days_between(business_day(r.requested_at), business_day(r.held_at), calendar) for r in held_rows
        ]
    timed = [r for r in held_rows if r.minutes_due_on is not None]
    on_time = sum(1 for r in timed if r.minutes_at is not None and business_day(r.minutes_at) <= r.minutes_due_on)
    now = utcnow()
    sessions_held, attendance, confirmed = db.session.execute(
        select(
            func.count(func.distinct(PolicySession.id)),
            func.count(SessionSignup.checked_in_at),
            func.count(SessionSignup.id),
        )
        .select_from(PolicySession)
        .outerjoin(
            SessionSignup,
            (SessionSignup.session_id == PolicySession.id) & (SessionSignup.state == "CONFIRMED"),
        )
        .where(
            PolicySession.starts_at >= low,
            PolicySession.starts_at < min(high, now),
            PolicySession.is_cancelled.is_(False),
        )
    ).one()
    return MeetingFigures(
        requested=requested,
        held=len(held_rows),
        median_wd_to_meeting=float(statistics.median(spans)) if spans else None,
        minutes_on_time_rate=round(on_time / len(timed), 4) if timed else None,
        sessions_held=sessions_held,
        attendance=attendance,
        signups_confirmed=confirmed,
    )


@dataclass(frozen=True)
class BoardCounts:
    open: int
    waiting_contact: int
    scheduled_upcoming: int
    sessions_upcoming: int


def board_counts() -> BoardCounts:
    now = utcnow()
    rows = dict(
        db.session.execute(
            select(Meeting.status, func.count()).where(Meeting.status.in_(OPEN_STATUSES)).group_by(Meeting.status)
        ).all()
    )
    upcoming = db.session.scalar(
        select(func.count()).where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now)
    )
    sessions = db.session.scalar(select(func.count()).where(PolicySession.starts_at > now))
    return BoardCounts(
        open=sum(rows.values()),
        waiting_contact=rows.get(MeetingStatus.REQUESTED, 0),
        scheduled_upcoming=upcoming,
        sessions_upcoming=sessions,
    )
