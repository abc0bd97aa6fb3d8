"""Working-day arithmetic (stations.domain.workdays): a fake calendar for the algorithm, the real one for dates.

Every expected date against the real calendar was checked against chinesecalendar 1.11.0 (2025 and 2026 schedules).
"""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain.workdays import (
    ChineseWorkCalendar,
    TableCalendar,
    add_working_days,
    days_of_year,
    is_provisional,
    next_workday,
    weekday_rule,
    working_days_between,
)

D = date.fromisoformat
REAL = ChineseWorkCalendar()


class FakeCalendar:
    """Mon-Fri, minus ``off`` days, plus ``on`` days; knows only ``known_years``."""

    def __init__(self, off: str = "", on: str = "", known_years: tuple[int, ...] = (2030,)) -> None:
        self.off = {D(d) for d in off.split()}
        self.on = {D(d) for d in on.split()}
        self.known_years = known_years

    def is_workday(self, day: date) -> bool:
        if day in self.off:
            return False
        return day in self.on or day.weekday() < 5

    def is_known(self, day: date) -> bool:
        return day.year in self.known_years


# June 2030: Mon 06-03 .. Sun 06-16. Wednesday 06-05 is a holiday, Saturday 06-08 is a make-up working day.
FAKE = FakeCalendar(off="2030-06-05", on="2030-06-08")


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2030-06-03", 0, "2030-06-03"),  # a working day counts as itself for 0
        ("2030-06-05", 0, "2030-06-06"),  # holiday -> next working day
        ("2030-06-09", 0, "2030-06-10"),  # Sunday -> Monday
        ("2030-06-03", 1, "2030-06-04"),
        ("2030-06-03", 2, "2030-06-06"),  # skips the Wednesday holiday
        ("2030-06-04", 3, "2030-06-08"),  # Thu, Fri, make-up Sat
        ("2030-06-07", 1, "2030-06-08"),  # make-up Saturday is the next working day
        ("2030-06-08", 1, "2030-06-10"),  # Sunday skipped
        ("2030-06-05", 1, "2030-06-06"),  # from a holiday: the start never counts
        ("2030-06-03", 6, "2030-06-11"),
        ("2030-06-09", 5, "2030-06-14"),
    ],
)
def test_add_working_days_fake(start, count, expected):
    assert add_working_days(D(start), count, FAKE) == D(expected)


def test_add_working_days_rejects_a_negative_count():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D("2030-06-03"), -1, FAKE)


def test_a_calendar_without_working_days_fails_loudly():
    class Never:
        def is_workday(self, day):
            return False

        def is_known(self, day):
            return True

    with pytest.raises(ValueError, match="ten years"):
        next_workday(D("2030-06-03"), Never())
    with pytest.raises(ValueError, match="ten years"):
        add_working_days(D("2030-06-03"), 1, Never())


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2030-06-03", "2030-06-03", 0),
        ("2030-06-03", "2030-06-04", 1),
        ("2030-06-03", "2030-06-07", 3),  # Tue, Thu, Fri (Wed off)
        ("2030-06-03", "2030-06-10", 5),  # + make-up Sat + Mon
        ("2030-06-07", "2030-06-03", -3),  # reversed span is negative
        ("2030-06-08", "2030-06-09", 0),  # only a Sunday
        ("2030-06-09", "2030-06-10", 1),
    ],
)
def test_working_days_between_fake(start, end, expected):
    assert working_days_between(D(start), D(end), FAKE) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2030-06-03", "2030-06-03"),
        ("2030-06-05", "2030-06-06"),
        ("2030-06-08", "2030-06-08"),
        ("2030-06-09", "2030-06-10"),
    ],
)
def test_next_workday_fake(day, expected):
    assert next_workday(D(day), FAKE) == D(expected)


# --- the real calendar around the festivals ----------------------------------------------------------------------

REAL_DAYS = [
    # Spring Festival 2025: 01-28..02-04 off; Sun 01-26 and Sat 02-08 worked.
    ("2025-01-25", False),
    ("2025-01-26", True),
    ("2025-01-27", True),
    ("2025-01-28", False),
    ("2025-02-03", False),
    ("2025-02-04", False),
    ("2025-02-05", True),
    ("2025-02-08", True),
    ("2025-02-09", False),
    # Spring Festival 2026: 02-15..02-23 off; Sat 02-14 and Sat 02-28 worked.
    ("2026-02-13", True),
    ("2026-02-14", True),
    ("2026-02-16", False),
    ("2026-02-23", False),
    ("2026-02-24", True),
    ("2026-02-28", True),
    ("2026-03-01", False),
    # National Day 2025: 10-01..10-08 off; Sun 09-28 and Sat 10-11 worked.
    ("2025-09-27", False),
    ("2025-09-28", True),
    ("2025-10-01", False),
    ("2025-10-08", False),
    ("2025-10-09", True),
    ("2025-10-11", True),
    ("2025-10-12", False),
    # National Day 2026: 10-01..10-07 off; Sun 09-20 and Sat 10-10 worked (and Mid-Autumn Fri 09-25 off).
    ("2026-09-20", True),
    ("2026-09-25", False),
    ("2026-10-01", False),
    ("2026-10-07", False),
    ("2026-10-08", True),
    ("2026-10-10", True),
    ("2026-10-11", False),
    # 2027 is unknown to the library: Monday to Friday.
    ("2027-01-01", True),
    ("2027-01-02", False),
    ("2027-02-08", True),
]


@pytest.mark.parametrize(("day", "expected"), REAL_DAYS)
def test_real_calendar_days(day, expected):
    assert REAL.is_workday(D(day)) is expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2025-01-24", 1, "2025-01-26"),  # Fri -> make-up Sunday
        ("2025-01-24", 2, "2025-01-27"),
        ("2025-01-27", 1, "2025-02-05"),  # across the Spring Festival
        ("2025-01-27", 4, "2025-02-08"),  # make-up Saturday
        ("2025-01-28", 0, "2025-02-05"),
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-13", 3, "2026-02-25"),  # domain.md §4.1 worked example
        ("2026-02-24", 4, "2026-02-28"),
        ("2026-02-15", 0, "2026-02-24"),
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),
        ("2025-09-30", 5, "2025-10-14"),  # domain.md §4.1 worked example
        ("2025-10-01", 0, "2025-10-09"),
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-24", 1, "2026-09-28"),  # Mid-Autumn Friday and the weekend skipped
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2025-12-30", 5, "2026-01-07"),  # year end: 01-01..03 off, Sun 01-04 worked
        ("2026-12-30", 3, "2027-01-04"),  # into 2027: Mon-Fri assumed
        ("2026-12-31", 0, "2026-12-31"),
    ],
)
def test_add_working_days_real(start, count, expected):
    assert add_working_days(D(start), count, REAL) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-01-27", "2025-02-05", 1),
        ("2025-01-24", "2025-02-09", 6),  # 01-26, 27, 02-05..08
        ("2026-02-13", "2026-02-25", 3),
        ("2026-02-25", "2026-02-13", -3),
        ("2025-09-30", "2025-10-14", 5),
        ("2025-09-27", "2025-10-12", 6),  # 09-28, 29, 30, 10-09, 10, 11
        ("2026-09-19", "2026-10-11", 11),  # 09-20..24 (5), 09-28..30 (3), 10-08..10 (3)
        ("2026-12-31", "2027-01-08", 6),  # 2027-01-01 is a Friday: provisional working day
    ],
)
def test_working_days_between_real(start, end, expected):
    assert working_days_between(D(start), D(end), REAL) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-01-28", "2025-02-05"),
        ("2025-01-25", "2025-01-26"),
        ("2025-02-08", "2025-02-08"),
        ("2026-02-15", "2026-02-24"),
        ("2026-03-01", "2026-03-02"),
        ("2025-10-01", "2025-10-09"),
        ("2025-09-27", "2025-09-28"),
        ("2026-10-03", "2026-10-08"),
        ("2026-09-19", "2026-09-20"),
        ("2027-01-02", "2027-01-04"),
    ],
)
def test_next_workday_real(day, expected):
    assert next_workday(D(day), REAL) == D(expected)


# --- provisional years ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-09-30", "2025-10-14", False),
        ("2025-12-30", "2026-01-07", False),
        ("2026-12-28", "2027-01-04", True),
        ("2027-01-04", "2026-12-28", True),  # order does not matter
        ("2027-03-01", "2027-03-05", True),
        ("2004-01-02", "2004-01-05", False),  # first year of the library
        ("2003-12-30", "2004-01-05", True),
    ],
)
def test_is_provisional_real(start, end, expected):
    assert is_provisional(D(start), D(end), REAL) is expected


def test_is_provisional_with_2027_loaded_in_a_table():
    days = {day: REAL.is_workday(day) for year in (2025, 2026) for day, _ in days_of_year(year, REAL)}
    days.update({D("2027-01-01"): False, D("2027-01-04"): True})
    table = TableCalendar.from_days(days)
    assert table.loaded_years == frozenset({2025, 2026, 2027})
    assert is_provisional(D("2026-12-28"), D("2027-01-04"), table) is False
    assert is_provisional(D("2027-12-28"), D("2028-01-04"), table) is True


@pytest.mark.parametrize(
    ("day", "in_table", "expected_workday", "expected_known"),
    [
        ("2030-06-05", False, False, True),  # listed as a day off
        ("2030-06-08", True, True, True),  # listed make-up Saturday
        ("2030-06-04", None, True, True),  # loaded year, day missing from the table: Mon-Fri fallback
        ("2030-06-09", None, False, True),
        ("2031-06-04", None, True, False),  # unknown year: Mon-Fri, not known
        ("2031-06-07", None, False, False),
    ],
)
def test_table_calendar_fallback(day, in_table, expected_workday, expected_known):
    table = TableCalendar.from_days({D("2030-06-05"): False, D("2030-06-08"): True})
    assert (D(day) in table.days) is (in_table is not None)
    assert table.is_workday(D(day)) is expected_workday
    assert table.is_known(D(day)) is expected_known
    assert weekday_rule(D(day)) is (D(day).weekday() < 5)


def test_table_calendar_seeded_from_the_library_agrees_with_it():
    table = TableCalendar.from_days(dict(days_of_year(2025, REAL)))
    for day, expected in REAL_DAYS:
        if day.startswith("2025"):
            assert table.is_workday(D(day)) is expected
    assert add_working_days(D("2025-09-30"), 5, table) == D("2025-10-14")


@pytest.mark.parametrize(
    ("day", "known", "note"),
    [
        ("2025-01-29", True, "春节"),
        ("2025-01-26", True, "调休上班"),
        ("2025-10-11", True, "调休上班"),
        ("2026-10-01", True, "国庆节"),
        ("2025-10-09", True, None),
        ("2027-01-01", False, None),
    ],
)
def test_real_calendar_knowledge_and_notes(day, known, note):
    assert REAL.is_known(D(day)) is known
    assert REAL.holiday_note(D(day)) == note
