"""Due dates and colours (stations.domain.deadlines) on the real calendar (chinesecalendar 1.11.0) and tables.

Every expected date was counted by hand from the library's 2025/2026 schedules before it was written here:
Spring Festival 2025 01-28..02-04 off (Sun 01-26, Sat 02-08 worked); 2026 02-15..02-23 off (Sat 02-14, Sat 02-28
worked); National Day 2025 10-01..10-08 off (Sun 09-28, Sat 10-11 worked); 2026 10-01..10-07 off (Sun 09-20, Sat 10-10
worked; Mid-Autumn Fri 09-25 off); New Year 2026 01-01..03 off (Sun 01-04 worked).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from stations.domain.deadlines import (
    Deadline,
    WarnLevel,
    acceptance_day,
    compute_deadline,
    deficiency_deadline,
    deficiency_warn_on,
    remaining_working_days,
    warn_level,
    working_days_before,
    yellow_days,
)
from stations.domain.workdays import ChineseWorkCalendar, TableCalendar, days_of_year

D = date.fromisoformat
T = datetime.fromisoformat
REAL = ChineseWorkCalendar()
CLOSING = time(17, 0)


@pytest.mark.parametrize(
    ("accepted", "expected"),
    [
        ("2025-09-30 09:00", "2025-09-30"),
        ("2025-09-30 16:59", "2025-09-30"),  # before closing: the day itself
        ("2025-09-30 17:00", "2025-10-09"),  # at closing: next working day, across National Day
        ("2025-09-30 23:59", "2025-10-09"),
        ("2025-10-04 10:00", "2025-10-09"),  # on a holiday (a Saturday inside National Day)
        ("2025-10-11 10:00", "2025-10-11"),  # make-up Saturday is a working day
        ("2025-10-11 17:30", "2025-10-13"),
        ("2025-10-18 10:00", "2025-10-20"),  # plain Saturday
        ("2025-01-24 17:00", "2025-01-26"),  # Friday after closing -> make-up Sunday
        ("2026-02-14 08:00", "2026-02-14"),  # make-up Saturday
        ("2026-02-17 10:00", "2026-02-24"),  # inside the 2026 Spring Festival
        ("2026-12-31 17:05", "2027-01-01"),  # into 2027: Mon-Fri assumed (Friday)
    ],
)
def test_acceptance_day(accepted, expected):
    assert acceptance_day(T(accepted), CLOSING, REAL) == D(expected)


def test_acceptance_day_accepts_aware_business_time():
    shanghai = timezone(timedelta(hours=8))
    assert acceptance_day(datetime(2025, 9, 30, 17, 0, tzinfo=shanghai), CLOSING, REAL) == D("2025-10-09")
    assert acceptance_day(datetime(2025, 9, 30, 16, 59, tzinfo=shanghai), CLOSING, REAL) == D("2025-09-30")


@pytest.mark.parametrize(
    ("limit", "override", "expected"),
    [
        (1, None, 1),
        (2, None, 1),
        (3, None, 1),
        (4, None, 2),
        (5, None, 2),
        (10, None, 4),
        (20, None, 7),
        (45, None, 15),
        (0, None, 1),
        (20, 3, 3),
        (5, 0, 0),
    ],
)
def test_yellow_days(limit, override, expected):
    assert yellow_days(limit, override) == expected


# accepted (business time) | promised WD | due_on | warn_on (first YELLOW day)
COMMITTED = [
    # domain.md §4.1 worked examples
    ("2025-09-30 10:00", 5, "2025-10-14", "2025-10-11"),
    ("2026-02-13 10:00", 3, "2026-02-25", "2026-02-24"),
    # Spring Festival 2025
    ("2025-01-24 10:00", 5, "2025-02-07", "2025-02-05"),
    ("2025-01-24 16:59", 5, "2025-02-07", "2025-02-05"),
    ("2025-01-24 17:00", 5, "2025-02-08", "2025-02-06"),  # counted from Sun 01-26; due on make-up Sat 02-08
    ("2025-01-25 10:00", 3, "2025-02-06", "2025-02-05"),  # Saturday -> counted from make-up Sunday 01-26
    ("2025-01-26 10:00", 1, "2025-01-27", "2025-01-26"),  # accepted on the make-up Sunday
    ("2025-01-27 10:00", 1, "2025-02-05", "2025-01-27"),
    ("2025-01-27 10:00", 2, "2025-02-06", "2025-02-05"),
    ("2025-01-30 10:00", 2, "2025-02-07", "2025-02-06"),  # on a holiday -> counted from 02-05
    ("2025-02-07 10:00", 1, "2025-02-08", "2025-02-07"),
    # Spring Festival 2026
    ("2026-02-12 16:59", 3, "2026-02-24", "2026-02-14"),
    ("2026-02-12 17:00", 3, "2026-02-25", "2026-02-24"),
    ("2026-02-14 09:00", 1, "2026-02-24", "2026-02-14"),  # make-up Saturday
    ("2026-02-14 09:00", 5, "2026-02-28", "2026-02-26"),
    ("2026-02-21 09:00", 2, "2026-02-26", "2026-02-25"),  # a holiday Saturday -> counted from 02-24
    ("2026-02-27 10:00", 1, "2026-02-28", "2026-02-27"),
    ("2026-02-28 10:00", 20, "2026-03-27", "2026-03-18"),
    # National Day 2025
    ("2025-09-26 10:00", 3, "2025-09-30", "2025-09-29"),
    ("2025-09-27 10:00", 1, "2025-09-29", "2025-09-28"),  # Saturday -> make-up Sunday 09-28
    ("2025-10-04 10:00", 5, "2025-10-15", "2025-10-13"),  # holiday -> counted from 10-09
    ("2025-10-10 10:00", 1, "2025-10-11", "2025-10-10"),
    ("2025-10-10 17:30", 1, "2025-10-13", "2025-10-11"),  # after closing -> make-up Saturday 10-11
    ("2025-09-30 10:00", 1, "2025-10-09", "2025-09-30"),
    ("2025-09-30 10:00", 10, "2025-10-21", "2025-10-15"),
    ("2025-09-30 10:00", 20, "2025-11-04", "2025-10-24"),
    # National Day 2026 (and Mid-Autumn Friday 09-25)
    ("2026-09-18 10:00", 5, "2026-09-24", "2026-09-22"),
    ("2026-09-19 10:00", 1, "2026-09-21", "2026-09-20"),  # Saturday -> make-up Sunday 09-20
    ("2026-09-24 10:00", 2, "2026-09-29", "2026-09-28"),
    ("2026-09-30 10:00", 3, "2026-10-10", "2026-10-09"),  # due on make-up Saturday 10-10
    ("2026-10-05 10:00", 1, "2026-10-09", "2026-10-08"),
    ("2026-10-10 10:00", 1, "2026-10-12", "2026-10-10"),
    # Year end
    ("2025-12-30 10:00", 5, "2026-01-07", "2026-01-05"),
    ("2025-12-31 17:00", 1, "2026-01-05", "2026-01-04"),  # counted from make-up Sunday 2026-01-04
]


@pytest.mark.parametrize(("accepted", "limit", "due_on", "warn_on"), COMMITTED)
def test_committed_deadlines(accepted, limit, due_on, warn_on):
    deadline = compute_deadline(T(accepted), limit, REAL)
    assert deadline == Deadline(
        due_on=D(due_on),
        warn_on=D(warn_on),
        overdue_at_local=datetime.combine(D(due_on) + timedelta(days=1), time(0, 0)),
        provisional=False,
    )


@pytest.mark.parametrize(("accepted", "limit", "due_on", "warn_on"), COMMITTED)
def test_colour_day_by_day_agrees_with_remaining_working_days(accepted, limit, due_on, warn_on):
    """§4.2: GREEN while remaining > Y, YELLOW while 0 <= remaining <= Y, RED after the due day."""
    deadline = compute_deadline(T(accepted), limit, REAL)
    y = yellow_days(limit)
    day = T(accepted).date()
    while day <= deadline.due_on + timedelta(days=3):
        remaining = remaining_working_days(day, deadline.due_on, REAL)
        if day > deadline.due_on:
            expected = WarnLevel.RED
        elif remaining <= y:
            expected = WarnLevel.YELLOW
        else:
            expected = WarnLevel.GREEN
        for clock in (time(0, 0), time(12, 0), time(23, 59)):
            now = datetime.combine(day, clock)
            got = warn_level(
                now_local=now,
                warn_on=deadline.warn_on,
                overdue_at_local=deadline.overdue_at_local,
                is_done=False,
                is_paused=False,
            )
            assert got == expected, (now, remaining)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("accepted", "limit", "pauses", "due_on"),
    [
        ("2025-09-30 10:00", 5, [], "2025-10-14"),
        # A correction of 3 working days (10-09, 10-10, make-up 10-11) moves the due date 3 working days.
        ("2025-09-30 10:00", 5, [("2025-10-09", "2025-10-11")], "2025-10-17"),
        # The same pause plus the weekend and the holiday around it: still 3 working days.
        ("2025-09-30 10:00", 5, [("2025-10-01", "2025-10-12")], "2025-10-17"),
        # Two pauses: 10-09 and 10-13..10-14 (3 working days).
        ("2025-09-30 10:00", 5, [("2025-10-09", "2025-10-09"), ("2025-10-13", "2025-10-14")], "2025-10-17"),
        # A pause only on days off changes nothing.
        ("2025-09-30 10:00", 5, [("2025-10-01", "2025-10-08")], "2025-10-14"),
        # A pause before the acceptance changes nothing.
        ("2025-09-30 10:00", 5, [("2025-09-22", "2025-09-29")], "2025-10-14"),
        # Spring Festival 2026: pause 02-12..02-24 holds 4 working days (12, 13, make-up 14, 24).
        ("2026-02-10 10:00", 5, [], "2026-02-24"),
        ("2026-02-10 10:00", 5, [("2026-02-12", "2026-02-24")], "2026-02-28"),
        # An open pause passed with end = the day before resumption (resumed on 02-26): 02-24, 02-25 paused.
        ("2026-02-13 10:00", 3, [("2026-02-24", "2026-02-25")], "2026-02-27"),
    ],
)
def test_pauses_move_the_due_date(accepted, limit, pauses, due_on):
    deadline = compute_deadline(T(accepted), limit, REAL, pauses=[(D(a), D(b)) for a, b in pauses])
    assert deadline.due_on == D(due_on)
    assert deadline.overdue_at_local == datetime.combine(D(due_on) + timedelta(days=1), time(0, 0))


def test_a_pause_moves_the_warning_with_the_due_date():
    # Due 10-17 after the pause; Y = 2 -> yellow from the 2nd working day before: 10-15.
    deadline = compute_deadline(T("2025-09-30 10:00"), 5, REAL, pauses=[(D("2025-10-09"), D("2025-10-11"))])
    assert deadline.warn_on == D("2025-10-15")


@pytest.mark.parametrize(
    ("accepted", "limit", "override", "warn_on"),
    [
        ("2025-09-30 10:00", 5, 1, "2025-10-13"),
        ("2025-09-30 10:00", 5, 3, "2025-10-10"),
        ("2025-09-30 10:00", 5, 0, "2025-10-14"),  # yellow only on the due day
        ("2025-09-30 10:00", 5, 10, "2025-09-30"),  # never before the acceptance day
        ("2025-09-30 17:30", 5, 10, "2025-10-09"),  # ... which is the counting day after closing
        ("2025-09-30 10:00", 20, None, "2025-10-24"),
    ],
)
def test_warn_override(accepted, limit, override, warn_on):
    assert compute_deadline(T(accepted), limit, REAL, warn_override=override).warn_on == D(warn_on)


@pytest.mark.parametrize(
    ("limit", "due_on", "warn_on", "yellow"),
    [
        (1, "2025-10-09", "2025-09-30", 1),
        (5, "2025-10-14", "2025-10-11", 2),
        (10, "2025-10-21", "2025-10-15", 4),
        (20, "2025-11-04", "2025-10-24", 7),
    ],
)
def test_yellow_thresholds(limit, due_on, warn_on, yellow):
    deadline = compute_deadline(T("2025-09-30 10:00"), limit, REAL)
    assert (deadline.due_on, deadline.warn_on) == (D(due_on), D(warn_on))
    assert remaining_working_days(deadline.warn_on, deadline.due_on, REAL) == yellow
    day_before = deadline.warn_on - timedelta(days=1)
    if day_before >= D("2025-09-30"):
        assert remaining_working_days(day_before, deadline.due_on, REAL) > yellow


# --- instant items (即办件) ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "due_on"),
    [
        ("2025-09-30 10:00", "2025-09-30"),
        ("2025-09-30 16:59", "2025-09-30"),
        ("2025-09-30 17:00", "2025-10-09"),
        ("2025-10-03 10:00", "2025-10-09"),  # online on a holiday
        ("2026-02-28 10:00", "2026-02-28"),  # make-up Saturday
    ],
)
def test_instant_deadline(accepted, due_on):
    deadline = compute_deadline(T(accepted), 0, REAL)
    assert deadline.due_on == D(due_on)
    assert deadline.overdue_at_local == datetime.combine(D(due_on), CLOSING)
    assert deadline.provisional is False


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2025-09-30 09:00", WarnLevel.GREEN),
        ("2025-09-30 16:59", WarnLevel.GREEN),  # no yellow for an instant item
        ("2025-09-30 17:00", WarnLevel.RED),
        ("2025-09-30 23:00", WarnLevel.RED),
        ("2025-10-09 09:00", WarnLevel.RED),
    ],
)
def test_instant_colour(now, expected):
    deadline = compute_deadline(T("2025-09-30 10:00"), 0, REAL)
    level = warn_level(
        now_local=T(now),
        warn_on=deadline.warn_on,
        overdue_at_local=deadline.overdue_at_local,
        is_done=False,
        is_paused=False,
    )
    assert level == expected


def test_negative_limit_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        compute_deadline(T("2025-09-30 10:00"), -1, REAL)


# --- provisional deadlines (2027 unknown to the library) -----------------------------------------------------------


def table_with_2027() -> TableCalendar:
    days = {day: ok for year in (2025, 2026) for day, ok in days_of_year(year, REAL)}
    # A made-up 2027 schedule: New Year's Day off, a Saturday worked.
    days.update({day: day.weekday() < 5 for day, _ in days_of_year(2027, REAL)})
    days.update({D("2027-01-01"): False, D("2027-01-09"): True})
    return TableCalendar.from_days(days)


@pytest.mark.parametrize(
    ("accepted", "limit", "calendar", "due_on", "provisional"),
    [
        ("2025-12-30 10:00", 5, "real", "2026-01-07", False),
        ("2026-12-28 10:00", 5, "real", "2027-01-04", True),  # 12-29..31, Fri 2027-01-01, Mon 01-04 (Mon-Fri)
        ("2026-12-30 10:00", 20, "real", "2027-01-27", True),
        ("2026-12-31 17:30", 0, "real", "2027-01-01", True),  # instant, counted on a provisional Friday
        ("2026-12-18 10:00", 5, "real", "2026-12-25", False),  # stays inside 2026
        ("2026-12-28 10:00", 5, "table", "2027-01-05", False),  # 2027 loaded: New Year's Day off
        ("2027-01-07 10:00", 2, "table", "2027-01-09", False),  # Fri 01-08, then the table's make-up Sat 01-09
        ("2027-01-07 10:00", 2, "real", "2027-01-11", True),  # Fri 01-08, Mon 01-11
    ],
)
def test_provisional_deadlines(accepted, limit, calendar, due_on, provisional):
    cal = REAL if calendar == "real" else table_with_2027()
    deadline = compute_deadline(T(accepted), limit, cal)
    assert (deadline.due_on, deadline.provisional) == (D(due_on), provisional)


# --- remaining working days and the colour rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2025-09-30", 5),
        ("2025-10-05", 5),
        ("2025-10-09", 4),
        ("2025-10-11", 2),
        ("2025-10-12", 2),  # Sunday: 10-13, 10-14
        ("2025-10-13", 1),
        ("2025-10-14", 0),
        ("2025-10-15", -1),
        ("2025-10-18", -3),
        ("2025-10-20", -4),
    ],
)
def test_remaining_working_days(today, expected):
    assert remaining_working_days(D(today), D("2025-10-14"), REAL) == expected


WARN = {"warn_on": D("2025-10-11"), "overdue_at_local": T("2025-10-15 00:00")}


@pytest.mark.parametrize(
    ("now", "done", "paused", "bounds", "expected"),
    [
        ("2025-10-10 23:59", False, False, WARN, WarnLevel.GREEN),
        ("2025-10-11 00:00", False, False, WARN, WarnLevel.YELLOW),
        ("2025-10-14 23:59", False, False, WARN, WarnLevel.YELLOW),
        ("2025-10-15 00:00", False, False, WARN, WarnLevel.RED),
        ("2025-10-15 00:00", False, True, WARN, WarnLevel.PAUSED),  # paused beats red
        ("2025-10-12 10:00", False, True, WARN, WarnLevel.PAUSED),  # paused beats yellow
        ("2025-10-15 00:00", True, True, WARN, WarnLevel.DONE),  # done beats everything
        ("2025-10-01 00:00", True, False, WARN, WarnLevel.DONE),
        ("2025-10-20 10:00", False, False, {"warn_on": None, "overdue_at_local": None}, WarnLevel.GREEN),
        ("2025-10-20 10:00", False, False, {"warn_on": D("2025-10-11"), "overdue_at_local": None}, WarnLevel.YELLOW),
        ("2025-10-20 10:00", False, False, {"warn_on": None, "overdue_at_local": T("2025-10-15 00:00")}, WarnLevel.RED),
        ("2025-10-20 10:00", True, False, {"warn_on": None, "overdue_at_local": None}, WarnLevel.DONE),
        ("2025-10-20 10:00", False, True, {"warn_on": None, "overdue_at_local": None}, WarnLevel.PAUSED),
    ],
)
def test_warn_level_precedence(now, done, paused, bounds, expected):
    assert warn_level(now_local=T(now), is_done=done, is_paused=paused, **bounds) == expected


def test_warn_level_accepts_aware_business_time():
    shanghai = timezone(timedelta(hours=8))
    now = datetime(2025, 10, 15, 0, 0, tzinfo=shanghai)
    assert warn_level(now_local=now, is_done=False, is_paused=False, **WARN) == WarnLevel.RED
    assert [level.value for level in WarnLevel] == ["green", "yellow", "red", "paused", "done"]


# --- 容缺 supply deadlines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted_day", "promised", "own_days", "due_on", "expected"),
    [
        ("2025-09-30", 20, None, "2025-11-04", "2025-10-14"),  # default 5 WD
        ("2025-09-30", 3, None, "2025-10-11", "2025-10-11"),  # min(5, 3) = 3 -> make-up Saturday
        ("2025-09-30", 20, 7, "2025-11-04", "2025-10-16"),  # the item's own 7 WD
        ("2025-09-30", 20, 3, "2025-11-04", "2025-10-11"),
        ("2025-09-30", 5, 7, "2025-10-14", "2025-10-14"),  # min(7, 5) = 5
        ("2025-09-30", 20, None, "2025-10-10", "2025-10-10"),  # never later than the case's due date
        ("2025-01-24", 10, None, "2025-02-14", "2025-02-07"),  # across Spring Festival 2025
        ("2026-02-13", 10, None, "2026-03-02", "2026-02-27"),  # 02-14, 24, 25, 26, 27
        ("2025-09-30", 0, 3, "2025-09-30", "2025-10-11"),  # instant item with its own 容缺 days
    ],
)
def test_deficiency_deadline(accepted_day, promised, own_days, due_on, expected):
    assert deficiency_deadline(D(accepted_day), promised, own_days, D(due_on), REAL) == D(expected)


def test_no_deficiency_deadline_on_an_instant_item_without_its_own_days():
    with pytest.raises(ValueError, match="instant"):
        deficiency_deadline(D("2025-09-30"), 0, None, D("2025-09-30"), REAL)


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        ("2025-10-14", "2025-10-11"),  # 10-13, make-up Sat 10-11
        ("2025-10-09", "2025-09-29"),  # back across National Day: 09-30, 09-29
        ("2025-02-07", "2025-02-05"),
        ("2025-02-05", "2025-01-26"),  # 01-27, make-up Sunday 01-26
        ("2026-02-25", "2026-02-14"),  # 02-24, make-up Sat 02-14
        ("2026-10-12", "2026-10-09"),  # make-up Sat 10-10, Fri 10-09
    ],
)
def test_deficiency_warn_on(deadline, expected):
    assert deficiency_warn_on(D(deadline), REAL) == D(expected)


@pytest.mark.parametrize(
    ("end", "count", "expected"),
    [
        ("2025-10-14", 0, "2025-10-14"),
        ("2025-10-14", 1, "2025-10-13"),
        ("2025-10-09", 1, "2025-09-30"),
        ("2025-10-12", 1, "2025-10-11"),
    ],
)
def test_working_days_before(end, count, expected):
    assert working_days_before(D(end), count, REAL) == D(expected)
    with pytest.raises(ValueError, match="negative"):
        working_days_before(D(end), -1, REAL)
