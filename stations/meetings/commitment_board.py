"""The central board's count of meeting commitments by 红黄绿 (issue 14): its own module, hooked into the board
with one line (dashboard/views.py), so the dashboard's split modules need not know commitments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..appeals.models import Appeal
from ..calendar.services import current_calendar
from ..domain import commitment_clock
from ..domain.appeal_flow import OPEN_STATUSES
from ..domain.deadlines import WarnLevel
from ..extensions import db
from ..timeutil import business_today, to_business
from .models import MeetingCommitment


@dataclass(frozen=True)
class CommitmentCounts:
    red: int = 0
    yellow: int = 0
    green: int = 0

    @property
    def open(self) -> int:
        return self.red + self.yellow + self.green


def counts() -> CommitmentCounts:
    """Open commitments (not ticked, and their appeal, if any, not concluded) by colour, today. One query; the
    colour is the pure rule, as on the meeting page."""
    rows = db.session.execute(
        select(MeetingCommitment.created_at, MeetingCommitment.due_on, Appeal.status)
        .outerjoin(Appeal, Appeal.appeal_no == MeetingCommitment.appeal_no)
        .where(MeetingCommitment.done_at.is_(None))
    ).all()
    today, calendar = business_today(), current_calendar()
    tally = {WarnLevel.RED: 0, WarnLevel.YELLOW: 0, WarnLevel.GREEN: 0}
    for created_at, due_on, appeal_status in rows:
        if appeal_status is not None and appeal_status not in OPEN_STATUSES:
            continue
        level = commitment_clock.colour(today, to_business(created_at).date(), due_on, done=False, calendar=calendar)
        tally[level] += 1
    return CommitmentCounts(red=tally[WarnLevel.RED], yellow=tally[WarnLevel.YELLOW], green=tally[WarnLevel.GREEN])
