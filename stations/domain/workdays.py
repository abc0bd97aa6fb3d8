"""Working-day arithmetic (domain.md §4.1), independent of any clock or database.

A calendar answers two questions about a day: is it a working day, and is that answer
known (the year is loaded) or provisional (Monday to Friday assumed)?
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

ONE_DAY = timedelta(days=1)
# Far beyond any real limit: guards the loops against a calendar with no working days.
MAX_SCAN_DAYS = 3660


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...

    def is_known(self, day: date) -> bool: ...


def weekday_rule(day: date) -> bool:
    """The provisional rule for a year with no published schedule: Monday to Friday."""
    return day.weekday() < 5


@dataclass(frozen=True)
class TableCalendar:
    """A calendar from explicit days (the WorkCalendarDay table); unknown years fall back to Mon-Fri."""

    days: Mapping[date, bool]
    loaded_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_days(cls, days: Mapping[date, bool]) -> TableCalendar:
        return cls(dict(days), frozenset(d.year for d in days))

    def is_workday(self, day: date) -> bool:
        known = self.days.get(day)
        return weekday_rule(day) if known is None else known

    def is_known(self, day: date) -> bool:
        return day.year in self.loaded_years


class ChineseWorkCalendar:
    """Adapter over the chinesecalendar package (statutory holidays and make-up workdays)."""

    def __init__(self) -> None:
        import chinese_calendar

        self._lib = chinese_calendar

    def is_known(self, day: date) -> bool:
        try:
            self._lib.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        try:
            return self._lib.is_workday(day)
        except NotImplementedError:
            return weekday_rule(day)

    def holiday_note(self, day: date) -> str | None:
        """The holiday's Chinese name on a statutory day off, or "调休上班" on a make-up working day."""
        try:
            on_holiday, name = self._lib.get_holiday_detail(day)
        except NotImplementedError:
            return None
        if self.is_workday(day) and not weekday_rule(day):
            return "调休上班"
        if on_holiday and name:
            holiday = next((h for h in self._lib.Holiday if h.value == name), None)
            return holiday.chinese if holiday else str(name)
        return None


def days_of_year(year: int, calendar: WorkCalendar) -> Iterable[tuple[date, bool]]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day, calendar.is_workday(day)
        day += ONE_DAY


def next_workday(day: date, calendar: WorkCalendar) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for _ in range(MAX_SCAN_DAYS):
        if calendar.is_workday(day):
            return day
        day += ONE_DAY
    raise ValueError("no working day found in ten years")


def add_working_days(start: date, count: int, calendar: WorkCalendar) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself does not count).

    ``count == 0`` gives ``start`` when it is a working day, else the next working day.
    :raise ValueError: for a negative count.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return next_workday(start, calendar)
    day = start
    remaining = count
    for _ in range(MAX_SCAN_DAYS + count):
        day += ONE_DAY
        if calendar.is_workday(day):
            remaining -= 1
            if remaining == 0:
                return day
    raise ValueError("no working day found in ten years")


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days in the half-open span (start, end]; negative when end is before start."""
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if calendar.is_workday(day):
            count += 1
    return count


def is_provisional(start: date, end: date, calendar: WorkCalendar) -> bool:
    """True when any day from start to end (inclusive) lies in a year the calendar does not know."""
    low, high = min(start, end), max(start, end)
    return any(not calendar.is_known(date(year, 1, 1)) for year in range(low.year, high.year + 1))
