"""The legal clock (stations.domain.legal_clock) on the real calendar: National Day 2026 10-01..10-07 off,
Sat 10-10 worked (see test_deadlines.py for the schedule)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from stations.domain.deadlines import compute_deadline
from stations.domain.legal_clock import (
    corrected_due,
    extended_due,
    is_deemed_accepted,
    last_notice_day,
    moved_deadline,
    resumed_due,
)
from stations.domain.workdays import ChineseWorkCalendar

D = date.fromisoformat
CAL = ChineseWorkCalendar()


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        ("2026-11-23", "2026-11-30"),  # Mon → the next Monday
        ("2026-09-29", "2026-10-12"),  # Tue before the holiday: 09-30, 10-08, 10-09, Sat 10-10, 10-12
        ("2026-09-30", "2026-10-13"),
        ("2026-10-03", "2026-10-13"),  # received online on a holiday: 10-08 is the first day counted
    ],
)
def test_last_notice_day(received, last_day):
    assert last_notice_day(D(received), CAL) == D(last_day)


@pytest.mark.parametrize(
    ("today", "deemed"),
    [("2026-10-09", False), ("2026-10-12", False), ("2026-10-13", True), ("2026-11-02", True)],
)
def test_deemed_accepted_once_day_5_has_passed(today, deemed):
    assert is_deemed_accepted(D("2026-09-29"), D(today), CAL) is deemed


@pytest.mark.parametrize(
    ("due", "extended"),
    [
        ("2026-11-27", "2026-12-11"),  # Fri + 10 WD = two weeks later
        ("2026-09-28", "2026-10-16"),  # across National Day (and the worked Sat 10-10)
    ],
)
def test_extension_adds_ten_working_days(due, extended):
    assert extended_due(D(due), CAL) == D(extended)


@pytest.mark.parametrize(
    ("due", "paused", "resumed", "new_due"),
    [
        ("2026-11-27", "2026-11-23", "2026-11-30", "2026-12-04"),  # a whole week paused: +5
        ("2026-11-27", "2026-11-27", "2026-11-30", "2026-11-30"),  # paused on the due day: 1 day left
        ("2026-11-27", "2026-11-30", "2026-12-04", "2026-11-27"),  # paused after the due date: nothing moves
        ("2026-11-27", "2026-11-25", "2026-11-25", "2026-11-27"),  # resumed the same day: nothing moves
        ("2026-09-30", "2026-09-29", "2026-10-12", "2026-10-13"),  # 2 days left, resumed after the holiday
    ],
)
def test_resumed_due(due, paused, resumed, new_due):
    assert resumed_due(D(due), D(paused), D(resumed), CAL) == D(new_due)


def test_moved_deadline_keeps_the_yellow_rule():
    moved = moved_deadline(D("2026-12-11"), D("2026-11-02"), 20, CAL)
    assert moved.due_on == D("2026-12-11")
    assert moved.warn_on == D("2026-12-02")  # 7 WD before (ceil(20 / 3))
    assert moved.overdue_at_local.isoformat() == "2026-12-12T00:00:00"


# 补正 after the clock was already shifted: the correction's pause moves the CURRENT due date (issue 12).
# Accepted Mon 2026-11-02 with a 20-WD limit: due 2026-11-30; a 延期 made it 2026-12-14.
@pytest.mark.parametrize(
    ("due", "start", "paused", "resumed", "new_due"),
    [
        ("2026-11-30", "2026-11-02", "2026-11-09", "2026-11-16", "2026-12-07"),  # no shift: +5 WD
        ("2026-12-14", "2026-11-02", "2026-11-09", "2026-11-16", "2026-12-21"),  # after 延期: 延期 kept, +5 WD
        ("2026-12-04", "2026-11-02", "2026-11-09", "2026-11-16", "2026-12-11"),  # after a 4-day 特别程序: kept, +5
        ("2026-11-30", "2026-11-02", "2026-11-02", "2026-11-03", "2026-11-30"),  # notice on acceptance day: none lost
        ("2026-11-30", "2026-11-02", "2026-11-09", "2026-11-09", "2026-11-30"),  # corrected the same day
        ("2026-10-13", "2026-09-25", "2026-09-29", "2026-10-12", "2026-10-20"),  # 7 WD left, resumed after the holiday
    ],
)
def test_corrected_due_keeps_earlier_shifts(due, start, paused, resumed, new_due):
    assert corrected_due(D(due), D(start), D(paused), D(resumed), CAL) == D(new_due)


@pytest.mark.parametrize(
    ("accepted", "days", "paused", "resumed"),
    [
        ("2026-11-02", 20, "2026-11-09", "2026-11-16"),
        ("2026-11-02", 20, "2026-11-02", "2026-11-05"),
        ("2026-09-25", 10, "2026-09-29", "2026-10-12"),
        ("2026-11-23", 3, "2026-11-24", "2026-12-01"),
    ],
)
def test_corrected_due_agrees_with_compute_deadline_without_shifts(accepted, days, paused, resumed):
    """Without an earlier shift, moving the due date gives what recomputing with the pause gave before."""
    plain = compute_deadline(datetime.fromisoformat(accepted + "T10:00"), days, CAL).due_on
    pause = (D(paused), D(resumed) - timedelta(days=1))
    recomputed = compute_deadline(datetime.fromisoformat(accepted + "T10:00"), days, CAL, pauses=(pause,)).due_on
    assert corrected_due(plain, D(accepted), D(paused), D(resumed), CAL) == recomputed
