"""Commitments made at a meeting (domain.md §3.4): each becomes an appeal (企业诉求, source 约见) that tracks it to
closure; its deadline is in working days and its colour the pure rule of domain/commitment_clock.py.

Meetings sit above appeals in .importlinter, so the link is made here, through appeals.origins (the one entry).
The appeal's page links back to the meeting; the meeting's page shows each appeal's number and status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..appeals import origins
from ..appeals.models import Appeal, Category, Nature, SourceChannel
from ..appeals.services import RegisterInput
from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain import commitment_clock
from ..domain.appeal_flow import OPEN_STATUSES, Urgency
from ..domain.deadlines import WarnLevel
from ..extensions import db
from ..timeutil import business_today, to_business
from .models import Meeting, MeetingCommitment


def deadline(promised_on: date, due: date | int | None) -> date:
    """A stated date stands; a number is working days from the day of the promise; nothing is the default."""
    if isinstance(due, date):
        return due
    return commitment_clock.due_on(promised_on, due, current_calendar())


def commitment_to_appeal(commitment: MeetingCommitment, user: User | None = None) -> str | None:
    """THE SEAM: the commitment becomes an appeal (once: an appeal already raised is kept). Returns its number."""
    if commitment.appeal_no:
        return commitment.appeal_no
    meeting: Meeting = commitment.meeting or db.session.get(Meeting, commitment.meeting_id)
    owner = f"({commitment.owner})" if commitment.owner else ""
    due = f",期限 {commitment.due_on.isoformat()}" if commitment.due_on else ""
    data = RegisterInput(
        source_channel=SourceChannel.APPOINTMENT,
        category=Category.GOV_SERVICE,
        nature=Nature.HELP,
        urgency=Urgency.NORMAL,
        description=f"约见 {meeting.meeting_no}「{meeting.topic}」承诺事项{owner}:{commitment.text}{due}",
        enterprise=meeting.enterprise,
        station_id=meeting.station_id,
    )
    appeal = origins.raise_from(origins.MEETING_COMMITMENT, f"{meeting.meeting_no}#{commitment.id}", data, user)
    commitment.appeal_no = appeal.appeal_no
    db.session.flush()
    return appeal.appeal_no


@dataclass
class CommitmentRow:
    commitment: MeetingCommitment
    level: WarnLevel  # 红黄绿, DONE once ticked or its appeal concluded
    appeal: Appeal | None


def rows(meeting: Meeting, today: date | None = None) -> list[CommitmentRow]:
    """The meeting page's commitments with their colour and appeal (one query for all the appeals)."""
    appeals = origins.appeals_by_no(c.appeal_no for c in meeting.commitments)
    today = today or business_today()
    calendar = current_calendar()
    result = []
    for c in meeting.commitments:
        appeal = appeals.get(c.appeal_no or "")
        done = c.done_at is not None or (appeal is not None and appeal.status not in OPEN_STATUSES)
        promised = to_business(c.created_at).date()
        result.append(
            CommitmentRow(c, commitment_clock.colour(today, promised, c.due_on, done=done, calendar=calendar), appeal)
        )
    return result
