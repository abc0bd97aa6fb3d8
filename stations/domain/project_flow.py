"""Key-project procedures (重点项目手续, domain.md §3.7, §4.2): states, 红黄绿 against planned dates, 销号.

PLANNED --start--> IN_PROGRESS --done--> DONE --close_out--> CLOSED_OUT (销号)
IN_PROGRESS --block--> BLOCKED --resume--> IN_PROGRESS
Colours: DONE for DONE / CLOSED_OUT, PAUSED for BLOCKED, RED once the planned date has passed, YELLOW within
5 working days of it, else GREEN. The project's colour is the worst among its open procedures.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from stations.domain.deadlines import WarnLevel
from stations.domain.workdays import WorkCalendar, add_working_days

PROCEDURE_YELLOW_DAYS = 5


class ProcedureStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    BLOCKED = "BLOCKED"
    DONE = "DONE"
    CLOSED_OUT = "CLOSED_OUT"


class ProcedureEvent(enum.StrEnum):
    START = "start"
    BLOCK = "block"
    RESUME = "resume"
    DONE = "done"
    CLOSE_OUT = "close_out"


class ProcedureFlowError(ValueError):
    def __init__(self, status: ProcedureStatus, event: ProcedureEvent):
        super().__init__(f"{event.value} not allowed in {status.value}")
        self.status = status
        self.event = event


TRANSITIONS: dict[tuple[ProcedureStatus, ProcedureEvent], ProcedureStatus] = {
    (ProcedureStatus.PLANNED, ProcedureEvent.START): ProcedureStatus.IN_PROGRESS,
    (ProcedureStatus.IN_PROGRESS, ProcedureEvent.BLOCK): ProcedureStatus.BLOCKED,
    (ProcedureStatus.BLOCKED, ProcedureEvent.RESUME): ProcedureStatus.IN_PROGRESS,
    (ProcedureStatus.IN_PROGRESS, ProcedureEvent.DONE): ProcedureStatus.DONE,
    (ProcedureStatus.DONE, ProcedureEvent.CLOSE_OUT): ProcedureStatus.CLOSED_OUT,
}

FINISHED = frozenset({ProcedureStatus.DONE, ProcedureStatus.CLOSED_OUT})


def is_open(status: ProcedureStatus) -> bool:
    """Still to be done: a dispatch meeting may give it a new time point (a finished one keeps its dates)."""
    return status not in FINISHED


def next_status(status: ProcedureStatus, event: ProcedureEvent) -> ProcedureStatus:
    """:raise ProcedureFlowError: when ``event`` does not apply in ``status``."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise ProcedureFlowError(status, event) from None


def allowed_events(status: ProcedureStatus) -> list[ProcedureEvent]:
    return [event for (source, event) in TRANSITIONS if source is status]


def yellow_before(today: date, calendar: WorkCalendar) -> date:
    """Planned dates before this day are within 5 working days of ``today`` (YELLOW unless already RED).

    Computed once per page, so that a board of thousands of procedures compares dates only (and SQL can too).
    """
    return add_working_days(today, PROCEDURE_YELLOW_DAYS + 1, calendar)


def procedure_level(status: ProcedureStatus, planned_on: date | None, today: date, yellow_from: date) -> WarnLevel:
    """``yellow_from`` = ``yellow_before(today, calendar)``; a procedure without a planned date is GREEN."""
    if status in FINISHED:
        return WarnLevel.DONE
    if status is ProcedureStatus.BLOCKED:
        return WarnLevel.PAUSED
    if planned_on is None:
        return WarnLevel.GREEN
    if planned_on < today:
        return WarnLevel.RED
    if planned_on < yellow_from:
        return WarnLevel.YELLOW
    return WarnLevel.GREEN


_SEVERITY = {WarnLevel.DONE: 0, WarnLevel.GREEN: 1, WarnLevel.PAUSED: 2, WarnLevel.YELLOW: 3, WarnLevel.RED: 4}


def project_level(levels: Iterable[WarnLevel]) -> WarnLevel:
    """The worst colour among the open procedures; DONE when none is open (or there are none)."""
    return max(levels, key=_SEVERITY.__getitem__, default=WarnLevel.DONE)


def may_close_out(statuses: Iterable[ProcedureStatus]) -> bool:
    """销号: a project is closed out when it has procedures and every one is done."""
    listed = list(statuses)
    return bool(listed) and all(status in FINISHED for status in listed)
