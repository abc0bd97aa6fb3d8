"""Loading and editing the calendar table, and reading it as a domain calendar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from sqlalchemy import func, select

from ..domain.workdays import ChineseWorkCalendar, TableCalendar, days_of_year
from ..extensions import db
from .models import WorkCalendarDay

FIRST_LIBRARY_YEAR = 2004

_cache: dict[str, object] = {"stamp": None, "calendar": None}
# Set by pinned_calendar(): current_calendar() then answers without its freshness query (per thread / task).
_pinned: ContextVar[TableCalendar | None] = ContextVar("pinned_calendar", default=None)


def library_years() -> list[int]:
    """Every year chinesecalendar has published data for."""
    lib = ChineseWorkCalendar()
    years = []
    year = FIRST_LIBRARY_YEAR
    while lib.is_known(date(year, 1, 1)):
        years.append(year)
        year += 1
    return years


def loaded_years() -> set[int]:
    rows = db.session.scalars(select(WorkCalendarDay.day).where(func.extract("month", WorkCalendarDay.day) == 1))
    return {d.year for d in rows}


def load_year(year: int, replace: bool = False) -> int:
    """Write one year from the library into the table; returns the number of rows written.

    Days an administrator edited are kept unless ``replace`` is set.
    :raise ValueError: when the library has no data for the year.
    """
    lib = ChineseWorkCalendar()
    if not lib.is_known(date(year, 1, 1)):
        raise ValueError(f"chinesecalendar has no data for {year}")
    existing = {
        row.day: row
        for row in db.session.scalars(
            select(WorkCalendarDay).where(WorkCalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
    }
    written = 0
    for day, is_workday in days_of_year(year, lib):
        row = existing.get(day)
        if row is None:
            db.session.add(WorkCalendarDay(day=day, is_workday=is_workday, note=lib.holiday_note(day)))
            written += 1
        elif (replace or row.source == "library") and (row.is_workday != is_workday or row.source != "library"):
            row.is_workday, row.note, row.source = is_workday, lib.holiday_note(day), "library"
            written += 1
    db.session.flush()
    return written


def load_library_years() -> list[int]:
    """Load every library year missing from the table; returns the years loaded."""
    have = loaded_years()
    missing = [y for y in library_years() if y not in have]
    for year in missing:
        load_year(year)
    return missing


def set_day(day: date, is_workday: bool, note: str | None) -> WorkCalendarDay:
    """An administrator's edit of one day (for a year the library does not know yet, say)."""
    row = db.session.get(WorkCalendarDay, day)
    if row is None:
        row = WorkCalendarDay(day=day, is_workday=is_workday)
        db.session.add(row)
    row.is_workday = is_workday
    row.note = note or None
    row.source = "admin"
    db.session.flush()
    return row


@contextmanager
def pinned_calendar() -> Iterator[TableCalendar]:
    """Within the block, current_calendar() is this calendar, with no query: for bulk jobs (seeding hundreds of
    cases through the services) during which the table does not change. The freshness query costs milliseconds."""
    token = _pinned.set(current_calendar())
    try:
        yield _pinned.get()  # type: ignore[misc]
    finally:
        _pinned.reset(token)


# The table's row count and newest change, as two subqueries: each alone is answered from the updated_at index
# (SQLite counts an index's entries without reading them, and finds a max at its end), where "count(*), max()" in
# one SELECT made SQLite read every row: 0.8 ms on every page that counts working days (issue 21).
_FRESHNESS = select(
    select(func.count()).select_from(WorkCalendarDay).scalar_subquery(),
    select(func.max(WorkCalendarDay.updated_at)).scalar_subquery(),
)


def current_calendar() -> TableCalendar:
    """The table as a domain calendar, rebuilt only when the table has changed (one small query)."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    stamp = tuple(db.session.execute(_FRESHNESS).one())
    if _cache["stamp"] != stamp or _cache["calendar"] is None:
        rows = db.session.execute(select(WorkCalendarDay.day, WorkCalendarDay.is_workday)).all()
        days = {day: is_workday for day, is_workday in rows}
        # A year counts as loaded only when the whole year is in the table.
        per_year: dict[int, int] = {}
        for day in days:
            per_year[day.year] = per_year.get(day.year, 0) + 1
        full_years = frozenset(y for y, n in per_year.items() if n >= 365)
        _cache["calendar"] = TableCalendar(days, full_years)
        _cache["stamp"] = stamp
    return _cache["calendar"]  # type: ignore[return-value]
