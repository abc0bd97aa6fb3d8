"""Cross-region hand-off limits (domain.md §4.8 rule 4): 1 working day per step, across a holiday and a year end."""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain.handoffs import Handoff, HandoffState, check, elapsed_working_days
from stations.domain.workdays import TableCalendar

# National Day 2026: 1-7 October off, Saturday 10 October worked (a make-up day); New Year 2027: 1 January off.
CALENDAR = TableCalendar.from_days(
    {date(2026, 10, d): False for d in range(1, 8)} | {date(2026, 10, 10): True, date(2027, 1, 1): False}
)


@pytest.mark.parametrize(
    ("started", "done", "today", "due", "state"),
    [
        (date(2026, 11, 24), date(2026, 11, 24), date(2026, 11, 27), date(2026, 11, 25), HandoffState.ON_TIME),
        (date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 25), HandoffState.ON_TIME),
        (date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 25), HandoffState.LATE),
        (date(2026, 11, 27), None, date(2026, 11, 30), date(2026, 11, 30), HandoffState.PENDING),  # Fri -> Mon
        (date(2026, 11, 27), None, date(2026, 12, 1), date(2026, 11, 30), HandoffState.OVERDUE),
        # Taken in on 30 September: the holiday does not count, the next working day is 8 October.
        (date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 8), HandoffState.ON_TIME),
        (date(2026, 9, 30), None, date(2026, 10, 5), date(2026, 10, 8), HandoffState.PENDING),
        # Friday 9 October: the make-up Saturday is the next working day.
        (date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 12), date(2026, 10, 10), HandoffState.LATE),
        # Year end: 31 December -> 4 January 2027 (New Year's Day off, then a weekend).
        (date(2026, 12, 31), date(2027, 1, 4), date(2027, 1, 4), date(2027, 1, 4), HandoffState.ON_TIME),
    ],
)
def test_each_step_is_due_one_working_day_after_it_starts(started, done, today, due, state):
    result = check(Handoff.FORWARD, started, done, today, CALENDAR)
    assert (result.due_on, result.state) == (due, state)
    assert (result.started_on, result.done_on, result.step) == (started, done, Handoff.FORWARD)


def test_elapsed_working_days_skip_the_holiday_and_never_go_negative():
    assert elapsed_working_days(date(2026, 9, 30), date(2026, 10, 12), CALENDAR) == 4  # 8, 9, 10 (make-up), 12
    assert elapsed_working_days(date(2026, 11, 27), date(2026, 11, 27), CALENDAR) == 0
    assert elapsed_working_days(date(2026, 11, 27), date(2026, 11, 26), CALENDAR) == 0
