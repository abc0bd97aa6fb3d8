"""The central office's live board: tiles per station, the red list, clerks' load and a station's drill-down
queue. Reads only, never writes.

Every function runs a fixed number of grouped queries, whatever the number of cases (no per-case or per-station
loop over the database), and every case query starts from ``access.case_scope`` of the signed-in user (the views
only let the central office and the administrator in, whose scope is everything).

Index use (EXPLAIN, SQLite and PostgreSQL, 1M cases), see also the models' ``__table_args__``:
- open cases: ``status IN (open statuses)`` -> ix_cases_status_overdue (status, overdue_at): only the open few
  thousand rows are read, never the history;
- received today: ix_cases_received_at;
- the red list: ix_cases_status_overdue, in overdue_at order with a LIMIT.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from ..access import case_scope
from ..auth.models import Role, User
from ..cases.models import Case, Deficiency
from ..cases.queries import DONE_STATUSES, colour_condition
from ..domain import metrics
from ..domain.deadlines import WarnLevel
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from ..ratings import queries as ratings_queries
from ..sites.models import Station
from ..timeutil import business_today, utc_start_of, utcnow

OPEN_STATUSES = tuple(sorted({s for s in Case.status.type.enums} - set(DONE_STATUSES)))
OPEN_DEFICIENCY = (DeficiencyStatus.PENDING.value, DeficiencyStatus.SUPPLIED.value)
ON_DUTY_WINDOW = timedelta(hours=10)  # "on duty": signed in within the last 10 hours (one working day)
RED_LIST_LIMIT = 30


# --- the live board -----------------------------------------------------------------------------------------------


@dataclass
class Tile:
    station: Station
    received_today: int = 0
    open: int = 0
    yellow: int = 0
    red: int = 0
    overdue: int = 0
    rongque_pending: int = 0
    avg_rating: float | None = None
    staff_on_duty: int = 0
    staff_enabled: int = 0

    @property
    def colour(self) -> str:
        return metrics.tile_colour(red=self.red, yellow=self.yellow, open_=self.open)

    def figures(self) -> tuple:
        return (
            self.received_today,
            self.open,
            self.yellow,
            self.red,
            self.overdue,
            self.rongque_pending,
            self.avg_rating,
            self.staff_on_duty,
            self.staff_enabled,
        )


@dataclass
class Board:
    tiles: list[Tile]
    red_list: list[Case] = field(default_factory=list)
    now: datetime | None = None

    @property
    def totals(self) -> Tile:
        total = Tile(station=None)  # type: ignore[arg-type]
        for tile in self.tiles:
            for name in ("received_today", "open", "yellow", "red", "overdue", "rongque_pending"):
                setattr(total, name, getattr(total, name) + getattr(tile, name))
            total.staff_on_duty += tile.staff_on_duty
            total.staff_enabled += tile.staff_enabled
        rated = [t.avg_rating for t in self.tiles if t.avg_rating is not None]
        total.avg_rating = round(sum(rated) / len(rated), 2) if rated else None
        return total


def tiles(user: User, *, station_ids: list[int] | None = None, now: datetime | None = None) -> list[Tile]:
    """One tile per station (all, or ``station_ids``): five grouped queries, whatever the number of cases."""
    now = now or utcnow()
    today = business_today(now)
    station_stmt = select(Station).order_by(Station.id)
    if station_ids is not None:
        station_stmt = station_stmt.where(Station.id.in_(station_ids))
    by_id = {station.id: Tile(station=station) for station in db.session.scalars(station_stmt)}
    ids = list(by_id)
    scope = and_(case_scope(user), Case.station_id.in_(ids))

    red = colour_condition(WarnLevel.RED.value, now, today)
    yellow = colour_condition(WarnLevel.YELLOW.value, now, today)
    overdue = and_(Case.overdue_at.is_not(None), Case.overdue_at <= now)
    open_rows = db.session.execute(
        select(
            Case.station_id,
            func.count(),
            func.count(case((red, 1))),
            func.count(case((yellow, 1))),
            func.count(case((overdue, 1))),
        )
        .where(scope, Case.status.in_(OPEN_STATUSES))
        .group_by(Case.station_id)
    )
    for station_id, open_, red_, yellow_, overdue_ in open_rows:
        tile = by_id[station_id]
        tile.open, tile.red, tile.yellow, tile.overdue = open_, red_, yellow_, overdue_

    start = utc_start_of(today)
    received = db.session.execute(
        select(Case.station_id, func.count())
        .where(scope, Case.received_at >= start, Case.received_at < start + timedelta(days=1))
        .group_by(Case.station_id)
    )
    for station_id, count in received:
        by_id[station_id].received_today = count

    # Driven by the open deficiencies (few), for every station: a station filter here made SQLite walk the
    # station's whole case history (ix_cases_station_received) to reach them.
    pending = db.session.execute(
        select(Case.station_id, func.count(Deficiency.id))
        .join(Case, Case.id == Deficiency.case_id)
        .where(case_scope(user), Deficiency.status.in_(OPEN_DEFICIENCY))
        .group_by(Case.station_id)
    )
    for station_id, count in pending:
        if station_id in by_id:
            by_id[station_id].rongque_pending = count

    staff = db.session.execute(
        select(
            User.station_id,
            func.count(),
            func.count(case((User.last_login_at >= now - ON_DUTY_WINDOW, 1))),
        )
        .where(User.station_id.in_(ids), User.role.in_((Role.STAFF, Role.CLERK)), User.is_enabled.is_(True))
        .group_by(User.station_id)
    )
    for station_id, enabled, on_duty in staff:
        by_id[station_id].staff_enabled, by_id[station_id].staff_on_duty = enabled, on_duty

    for station_id, average in ratings_queries.average_for_stations(ids).items():  # ratings feature: one query
        if station_id in by_id and average is not None:
            by_id[station_id].avg_rating = round(float(average), 2)
    return list(by_id.values())


def red_list(user: User, *, now: datetime | None = None, limit: int = RED_LIST_LIMIT) -> list[Case]:
    """Open RED cases across stations, the longest overdue first, with station, item and first handler loaded."""
    now = now or utcnow()
    stmt = (
        select(Case)
        .where(case_scope(user), colour_condition(WarnLevel.RED.value, now, business_today(now)))
        .order_by(Case.overdue_at.asc(), Case.id.asc())
        .options(joinedload(Case.station), joinedload(Case.item), joinedload(Case.first_handler))
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def board(user: User, *, now: datetime | None = None) -> Board:
    now = now or utcnow()
    return Board(tiles=tiles(user, now=now), red_list=red_list(user, now=now), now=now)


def tile_etag(tile: Tile, variant: str) -> str:
    """A strong validator of what the tile shows, per variant (language, fragment or page: htmx docs).

    It hashes the figures themselves, computed by the same grouped queries as the board (for one station: a few
    index lookups), so a case that turns red by the clock alone - no write, no updated_at change - still changes
    the ETag: the RED count comes from ``overdue_at <= now``. What is saved on a match is the rendering and the
    transfer, answered by a 304.
    """
    raw = repr((tile.station.id, tile.colour, tile.figures(), variant)).encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:20]


def station_tile(user: User, station: Station, *, now: datetime | None = None) -> Tile:
    return tiles(user, station_ids=[station.id], now=now)[0]


def clerk_load(user: User, *, now: datetime | None = None) -> list[tuple[User, int, int, int]]:
    """(clerk, open, yellow, red) for every clerk and staff member with open cases: one grouped query."""
    now = now or utcnow()
    today = business_today(now)
    per_clerk = (
        select(
            Case.clerk_id.label("clerk_id"),
            func.count().label("open"),
            func.count(case((colour_condition(WarnLevel.YELLOW.value, now, today), 1))).label("yellow"),
            func.count(case((colour_condition(WarnLevel.RED.value, now, today), 1))).label("red"),
        )
        .where(case_scope(user), Case.status.in_(OPEN_STATUSES), Case.clerk_id.is_not(None))
        .group_by(Case.clerk_id)
        .subquery()
    )
    # Grouped first, then joined: User eager-loads its station and enterprise, which PostgreSQL will not group.
    stmt = (
        select(User, per_clerk.c.open, per_clerk.c.yellow, per_clerk.c.red)
        .join(per_clerk, per_clerk.c.clerk_id == User.id)
        .order_by(per_clerk.c.open.desc(), User.id)
    )
    return [(row[0], row[1], row[2], row[3]) for row in db.session.execute(stmt)]


@dataclass
class QueuePage:
    rows: list[tuple[Case, str]]
    page: int
    has_next: bool


def station_queue(user: User, station: Station, *, page: int = 1, page_size: int = 30) -> QueuePage:
    """A station's open cases, most urgent first, each with its colour (read-only drill-down): one query."""
    from ..cases.queries import urgency_expr, warn_level_expr

    now = utcnow()
    level = warn_level_expr(now, business_today(now)).label("warn_level")
    stmt = (
        select(Case, level)
        .where(case_scope(user), Case.station_id == station.id, Case.status.in_(OPEN_STATUSES))
        .order_by(urgency_expr(level), Case.overdue_at.asc().nulls_last(), Case.received_at.desc(), Case.id)
        .options(joinedload(Case.item), joinedload(Case.enterprise), joinedload(Case.clerk))
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = [(row[0], row[1]) for row in db.session.execute(stmt).unique().all()]
    return QueuePage(rows=rows[:page_size], page=page, has_next=len(rows) > page_size)
