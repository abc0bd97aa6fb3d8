"""What the administrator pages read. Every function runs a fixed number of queries."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager

from ..auth.models import Role, User
from ..calendar.models import WorkCalendarDay
from ..catalog.models import ServiceItem
from ..domain.workdays import ChineseWorkCalendar, weekday_rule
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import business_today, utcnow

USERS_PAGE_SIZE = 50
SCOPE_PAGE_SIZE = 25  # each row carries two forms: keeps the page light on a tablet
DAYS_IN_FULL_YEAR = 365


def calendar_years() -> tuple[list[int], list[int]]:
    """(years wholly in the table, years only partly in it), from one grouped query."""
    year = func.extract("year", WorkCalendarDay.day)
    rows = db.session.execute(select(year, func.count()).group_by(year).order_by(year)).all()
    full = [int(y) for y, n in rows if n >= DAYS_IN_FULL_YEAR]
    partial = [int(y) for y, n in rows if n < DAYS_IN_FULL_YEAR]
    return full, partial


def library_knows(year: int) -> bool:
    return ChineseWorkCalendar().is_known(date(year, 1, 1))


@dataclass(frozen=True)
class Overview:
    users_by_role: dict[Role, int]
    users_total: int
    users_locked: int
    users_disabled: int
    stations: int
    items: int
    scope_rows: int
    full_years: list[int]
    partial_years: list[int]
    this_year: int
    next_year: int
    library_has_next_year: bool

    @property
    def this_year_loaded(self) -> bool:
        return self.this_year in self.full_years

    @property
    def next_year_loaded(self) -> bool:
        return self.next_year in self.full_years


def overview() -> Overview:
    rows = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    by_role = {role: 0 for role in Role}
    by_role.update({Role(role): count for role, count in rows})
    now = utcnow()
    locked, disabled = db.session.execute(
        select(
            func.count(case((User.locked_until > now, 1))),
            func.count(case((User.is_enabled.is_(False), 1))),
        )
    ).one()
    stations = db.session.scalar(select(func.count(Station.id)))
    items = db.session.scalar(select(func.count(ServiceItem.id)).where(ServiceItem.is_active.is_(True)))
    scope_rows = db.session.scalar(select(func.count(StationItem.id)))
    full, partial = calendar_years()
    this_year = business_today().year
    return Overview(
        users_by_role=by_role,
        users_total=sum(by_role.values()),
        users_locked=locked,
        users_disabled=disabled,
        stations=stations or 0,
        items=items or 0,
        scope_rows=scope_rows or 0,
        full_years=full,
        partial_years=partial,
        this_year=this_year,
        next_year=this_year + 1,
        library_has_next_year=library_knows(this_year + 1),
    )


def users_page(role: str | None, station_code: str | None, page: int) -> tuple[list[User], bool]:
    """One page of accounts (station and enterprise joined in), and whether there is a next page."""
    stmt = select(User).order_by(User.role, User.username)
    if role:
        stmt = stmt.where(User.role == Role(role))
    if station_code:
        stmt = stmt.where(User.station.has(Station.code == station_code))
    rows = list(db.session.scalars(stmt.offset((page - 1) * USERS_PAGE_SIZE).limit(USERS_PAGE_SIZE + 1)).unique())
    return rows[:USERS_PAGE_SIZE], len(rows) > USERS_PAGE_SIZE


def stations_with_scope() -> list[tuple[Station, int, int, int]]:
    """Each station with how many items it accepts, collects and guides (one grouped query)."""
    counts = {mode: func.count(case((StationItem.mode == mode, 1))) for mode in (ScopeMode.ACCEPT, ScopeMode.COLLECT)}
    stmt = (
        select(Station, counts[ScopeMode.ACCEPT], counts[ScopeMode.COLLECT], func.count(StationItem.id))
        .outerjoin(StationItem, StationItem.station_id == Station.id)
        .group_by(Station.id)
        .order_by(Station.sort_order, Station.code)
    )
    return [(station, accept, collect, total) for station, accept, collect, total in db.session.execute(stmt)]


def station_by_code(code: str) -> Station | None:
    return db.session.scalar(select(Station).where(Station.code == code))


def scope_rows(
    station: Station, q: str = "", mode: str = "", page: int = 1, page_size: int = SCOPE_PAGE_SIZE
) -> tuple[list[StationItem], bool, int]:
    """One page of the station's scope (item and department in the same query), whether more follow,
    and how many rows match in all. Ordered by item code; two queries whatever the size."""
    where = [StationItem.station_id == station.id]
    if q:
        pattern = f"%{q.strip()}%"
        where.append(or_(ServiceItem.code.ilike(pattern), ServiceItem.name.ilike(pattern)))
    if mode in ScopeMode.__members__:
        where.append(StationItem.mode == ScopeMode(mode))
    stmt = (
        select(StationItem)
        .join(StationItem.item)
        .join(ServiceItem.department)
        .options(contains_eager(StationItem.item).contains_eager(ServiceItem.department))
        .where(*where)
        .order_by(ServiceItem.code)
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = list(db.session.scalars(stmt).unique())
    total = db.session.scalar(select(func.count(StationItem.id)).join(StationItem.item).where(*where)) or 0
    return rows[:page_size], len(rows) > page_size, total


def scope_row(station: Station, item_code: str) -> StationItem | None:
    stmt = (
        select(StationItem)
        .join(StationItem.item)
        .join(ServiceItem.department)
        .options(contains_eager(StationItem.item).contains_eager(ServiceItem.department))
        .where(StationItem.station_id == station.id, ServiceItem.code == item_code)
    )
    return db.session.scalars(stmt).unique().one_or_none()


@dataclass(frozen=True)
class DayCell:
    day: date
    is_workday: bool
    note: str | None
    in_table: bool  # False: not in the table, the Monday-Friday rule applies (provisional)
    by_admin: bool

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class MonthGrid:
    year: int
    month: int
    weeks: list[list[DayCell | None]]  # Monday first; None pads the first and last week

    @property
    def dom_id(self) -> str:
        return f"month-{self.year}-{self.month:02d}"


def month_grid(year: int, month: int, rows: dict[date, WorkCalendarDay]) -> MonthGrid:
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[DayCell | None] = []
        for day in week:
            if day.month != month:
                cells.append(None)
                continue
            row = rows.get(day)
            if row is None:
                cells.append(DayCell(day, weekday_rule(day), None, False, False))
            else:
                cells.append(DayCell(day, row.is_workday, row.note, True, row.source == "admin"))
        weeks.append(cells)
    return MonthGrid(year, month, weeks)


def calendar_rows(start: date, end: date) -> dict[date, WorkCalendarDay]:
    stmt = select(WorkCalendarDay).where(WorkCalendarDay.day.between(start, end))
    return {row.day: row for row in db.session.scalars(stmt)}


def year_grid(year: int) -> list[MonthGrid]:
    """Twelve month grids from one query."""
    rows = calendar_rows(date(year, 1, 1), date(year, 12, 31))
    return [month_grid(year, month, rows) for month in range(1, 13)]


def one_month(day: date) -> MonthGrid:
    last = pycalendar.monthrange(day.year, day.month)[1]
    rows = calendar_rows(day.replace(day=1), day.replace(day=last))
    return month_grid(day.year, day.month, rows)
