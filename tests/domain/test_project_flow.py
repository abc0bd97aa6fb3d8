"""Key-project procedures (stations.domain.project_flow): transitions, 红黄绿 against the planned date, 销号."""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain.deadlines import WarnLevel
from stations.domain.project_flow import (
    ProcedureEvent,
    ProcedureFlowError,
    ProcedureStatus,
    may_close_out,
    next_status,
    procedure_level,
    project_level,
    yellow_before,
)
from stations.domain.workdays import ChineseWorkCalendar

S, E = ProcedureStatus, ProcedureEvent
D = date.fromisoformat
REAL = ChineseWorkCalendar()


@pytest.mark.parametrize(
    ("status", "event", "target"),
    [
        (S.PLANNED, E.START, S.IN_PROGRESS),
        (S.IN_PROGRESS, E.BLOCK, S.BLOCKED),
        (S.BLOCKED, E.RESUME, S.IN_PROGRESS),
        (S.IN_PROGRESS, E.DONE, S.DONE),
        (S.DONE, E.CLOSE_OUT, S.CLOSED_OUT),
        (S.PLANNED, E.DONE, None),
        (S.BLOCKED, E.DONE, None),
        (S.CLOSED_OUT, E.START, None),
        (S.DONE, E.BLOCK, None),
    ],
)
def test_transitions(status, event, target):
    if target is None:
        with pytest.raises(ProcedureFlowError):
            next_status(status, event)
    else:
        assert next_status(status, event) is target


TODAY = D("2026-03-02")  # Monday, an ordinary week


def test_yellow_before_is_the_sixth_working_day():
    assert yellow_before(TODAY, REAL) == D("2026-03-10")


@pytest.mark.parametrize(
    ("status", "planned", "level"),
    [
        (S.PLANNED, "2026-03-20", WarnLevel.GREEN),
        (S.PLANNED, "2026-03-10", WarnLevel.GREEN),  # 6 working days away
        (S.PLANNED, "2026-03-09", WarnLevel.YELLOW),  # 5 working days away
        (S.IN_PROGRESS, "2026-03-07", WarnLevel.YELLOW),  # a Saturday 4 working days away
        (S.IN_PROGRESS, "2026-03-02", WarnLevel.YELLOW),  # due today
        (S.IN_PROGRESS, "2026-03-01", WarnLevel.RED),
        (S.BLOCKED, "2026-03-01", WarnLevel.PAUSED),
        (S.DONE, "2026-03-01", WarnLevel.DONE),
        (S.CLOSED_OUT, "2026-03-01", WarnLevel.DONE),
        (S.PLANNED, None, WarnLevel.GREEN),
    ],
)
def test_procedure_level(status, planned, level):
    planned_on = D(planned) if planned else None
    assert procedure_level(status, planned_on, TODAY, yellow_before(TODAY, REAL)) is level


@pytest.mark.parametrize(
    ("levels", "level"),
    [
        ([], WarnLevel.DONE),
        ([WarnLevel.DONE, WarnLevel.DONE], WarnLevel.DONE),
        ([WarnLevel.GREEN, WarnLevel.DONE], WarnLevel.GREEN),
        ([WarnLevel.GREEN, WarnLevel.YELLOW], WarnLevel.YELLOW),
        ([WarnLevel.PAUSED, WarnLevel.YELLOW, WarnLevel.RED], WarnLevel.RED),
    ],
)
def test_project_level(levels, level):
    assert project_level(levels) is level


@pytest.mark.parametrize(
    ("statuses", "closable"),
    [
        ([], False),
        ([S.DONE, S.CLOSED_OUT], True),
        ([S.DONE, S.IN_PROGRESS], False),
        ([S.BLOCKED], False),
    ],
)
def test_may_close_out(statuses, closable):
    assert may_close_out(statuses) is closable
