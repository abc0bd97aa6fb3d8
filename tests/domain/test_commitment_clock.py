"""红黄绿 of meeting commitments: deadlines in working days across the 2026 National Day holiday (table tests)."""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain.commitment_clock import DEFAULT_DAYS, colour, due_on
from stations.domain.deadlines import WarnLevel
from tests.domain.test_meeting_flow import CAL


@pytest.mark.parametrize(
    ("promised", "days", "expected"),
    [
        (date(2026, 9, 28), 5, date(2026, 10, 12)),  # 10-01..08 off, the make-up Saturday 10-10 counts
        (date(2026, 9, 14), None, date(2026, 9, 25)),  # default 10; the make-up Sunday 09-20 counts
        (date(2026, 9, 30), 1, date(2026, 10, 9)),
        (date(2026, 10, 3), 1, date(2026, 10, 9)),  # promised on a holiday
        (date(2026, 9, 11), 1, date(2026, 9, 14)),  # Friday to Monday
    ],
)
def test_due_on_counts_working_days(promised, days, expected):
    assert due_on(promised, days, CAL) == expected


def test_default_is_ten():
    assert DEFAULT_DAYS == 10


@pytest.mark.parametrize("days", [0, -1, 61])
def test_due_on_refuses_out_of_range(days):
    with pytest.raises(ValueError):
        due_on(date(2026, 9, 28), days, CAL)


PROMISED, DUE = date(2026, 9, 28), date(2026, 10, 12)  # 5 working days: yellow from 2 working days before


@pytest.mark.parametrize(
    ("today", "due", "done", "expected"),
    [
        (date(2026, 9, 28), DUE, False, WarnLevel.GREEN),
        (date(2026, 9, 30), DUE, False, WarnLevel.GREEN),
        (date(2026, 10, 8), DUE, False, WarnLevel.GREEN),  # still the holiday
        (date(2026, 10, 9), DUE, False, WarnLevel.YELLOW),
        (date(2026, 10, 10), DUE, False, WarnLevel.YELLOW),
        (date(2026, 10, 12), DUE, False, WarnLevel.YELLOW),  # the last day is yellow, not red
        (date(2026, 10, 13), DUE, False, WarnLevel.RED),
        (date(2026, 11, 30), DUE, False, WarnLevel.RED),
        (date(2026, 11, 30), DUE, True, WarnLevel.DONE),
        (date(2026, 9, 28), DUE, True, WarnLevel.DONE),
        (date(2026, 11, 30), None, False, WarnLevel.GREEN),  # no deadline: never red
        (date(2026, 9, 28), date(2026, 9, 29), False, WarnLevel.YELLOW),  # one day: yellow at once
    ],
)
def test_colour(today, due, done, expected):
    assert colour(today, PROMISED, due, done=done, calendar=CAL) is expected
