"""Cross-region hand-off limits (domain.md §4.8 rule 4): each step within 1 working day of the one before.

The intake site forwards within 1 WD of intake and relays a correction notice within 1 WD of receiving it; the
handling site signs within 1 WD of the package's arrival. A step's due day is ``add_working_days(start, 1)``
(the start day itself does not count, as for every limit here). Pure: dates in, verdicts out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from .workdays import WorkCalendar, add_working_days, working_days_between

HANDOFF_WORKING_DAYS = 1


def N_(message: str) -> str:
    return message


class Handoff(enum.StrEnum):
    FORWARD = "forward"  # intake site: intake -> forwarded
    SIGN = "sign"  # handling site: arrival -> signed for
    RELAY = "relay"  # intake site: correction notice received -> supplied material passed on


HANDOFF_LABELS = {
    Handoff.FORWARD: N_("收件后转交合作地区"),
    Handoff.SIGN: N_("对方签收"),
    Handoff.RELAY: N_("转交补正材料"),
}


class HandoffState(enum.StrEnum):
    ON_TIME = "on_time"  # done by its due day
    LATE = "late"  # done after its due day
    PENDING = "pending"  # not done, due day not passed
    OVERDUE = "overdue"  # not done, due day passed


HANDOFF_STATE_LABELS = {
    HandoffState.ON_TIME: N_("按时"),
    HandoffState.LATE: N_("超时"),
    HandoffState.PENDING: N_("待办"),
    HandoffState.OVERDUE: N_("已超时"),
}


@dataclass(frozen=True)
class HandoffCheck:
    step: Handoff
    started_on: date
    due_on: date
    done_on: date | None
    state: HandoffState


def check(step: Handoff, started_on: date, done_on: date | None, today: date, calendar: WorkCalendar) -> HandoffCheck:
    """The verdict on one step that started on ``started_on`` (business days)."""
    due_on = add_working_days(started_on, HANDOFF_WORKING_DAYS, calendar)
    if done_on is not None:
        state = HandoffState.ON_TIME if done_on <= due_on else HandoffState.LATE
    else:
        state = HandoffState.PENDING if today <= due_on else HandoffState.OVERDUE
    return HandoffCheck(step, started_on, due_on, done_on, state)


def elapsed_working_days(received_on: date, until: date, calendar: WorkCalendar) -> int:
    """Working days since intake (the intake day does not count): the total time a cross-region case has taken."""
    return max(0, working_days_between(received_on, until, calendar))
