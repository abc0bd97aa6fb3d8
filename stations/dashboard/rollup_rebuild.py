"""Recompute the daily roll-ups of rollups.py from the cases and ratings: after bulk Core INSERTs (the demo's
scale seeding), after a calendar edit for days already decided, and in the migration that created the tables.
``flask dashboard rebuild-rollups`` is the operator's command."""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable

import click
from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.engine import Connection

from ..calendar.services import current_calendar
from ..cases.models import Case
from ..extensions import db
from ..ratings.models import Rating
from .rollups import (
    CASE_COUNTS,
    TABLES,
    DailyCaseFigures,
    DailyHandlerFigures,
    DailyRatingFigures,
    as_date,
    business_date,
    channel_key,
    workdays_to_decision,
)


def rebuild_rollups(
    report: Callable[[str], None] | None = None, *, conn: Connection | None = None
) -> tuple[int, int, int]:
    """Recompute the roll-up tables from the cases and ratings, in the caller's transaction; returns their sizes.

    ``conn``: run on this connection instead of the session's (the migration that creates the tables backfills
    them on its own connection).

    Grouped queries over the cases (one per figure), merged here because the working-day sums need the calendar.
    Concurrent writers: on PostgreSQL the tables are locked (EXCLUSIVE) first, so a writer's delta lands either
    before the lock (and is replaced by the recount) or after the commit (on top of the recount, for a case the
    recount could not see); on SQLite the DELETE takes the database's write lock first, with the same effect.
    """
    started = clock.perf_counter()
    conn = conn or db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
    for table, _keys, _counts in TABLES.values():
        conn.execute(delete(table))

    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CASE_COUNTS, 0))
    received_day = business_date(Case.received_at)
    for day, station, channel, n, instant, rongque in conn.execute(
        select(
            received_day,
            Case.station_id,
            Case.channel,
            func.count(),
            func.count(case((Case.is_instant.is_(True), 1))),
            func.count(case((Case.is_rongque.is_(True), 1))),
        ).group_by(received_day, Case.station_id, Case.channel)
    ):
        row = rows[(as_date(day), station, channel_key(channel))]
        row["received"], row["received_instant"], row["received_rongque"] = n, instant, rongque

    accepted_day = business_date(Case.accepted_at)
    for day, station, channel, n in conn.execute(
        select(accepted_day, Case.station_id, Case.channel, func.count())
        .where(Case.accepted_at.is_not(None))
        .group_by(accepted_day, Case.station_id, Case.channel)
    ):
        rows[(as_date(day), station, channel_key(channel))]["accepted"] = n

    late = and_(Case.overdue_at.is_not(None), Case.decided_at > Case.overdue_at)
    decided_day = business_date(Case.decided_at)
    calendar = current_calendar()
    for day, accepted_on, station, channel, n, n_late in conn.execute(
        select(decided_day, accepted_day, Case.station_id, Case.channel, func.count(), func.count(case((late, 1))))
        .where(Case.decided_at.is_not(None))
        .group_by(decided_day, accepted_day, Case.station_id, Case.channel)
    ):
        row = rows[(as_date(day), station, channel_key(channel))]
        row["concluded"] += n
        row["concluded_late"] += n_late
        if accepted_on is not None:
            row["decided_timed"] += n
            row["decision_workdays"] += n * workdays_to_decision(as_date(accepted_on), as_date(day), calendar)

    handler_rows = [
        {"day": as_date(day), "station_id": station, "handler_id": handler, "concluded": n, "late": n_late}
        for day, station, handler, n, n_late in conn.execute(
            select(decided_day, Case.station_id, Case.first_handler_id, func.count(), func.count(case((late, 1))))
            .where(Case.decided_at.is_not(None), Case.first_handler_id.is_not(None))
            .group_by(decided_day, Case.station_id, Case.first_handler_id)
        )
    ]
    rated_day = business_date(Rating.created_at)
    rating_rows = [
        {"day": as_date(day), "station_id": station, "rated": n, "satisfied": satisfied}
        for day, station, n, satisfied in conn.execute(
            select(rated_day, Rating.station_id, func.count(), func.count(case((Rating.level >= 3, 1))))
            .where(Rating.is_invalidated.is_(False))
            .group_by(rated_day, Rating.station_id)
        )
    ]
    case_rows = [
        {"day": day, "station_id": station, "channel": channel, **counts}
        for (day, station, channel), counts in sorted(rows.items())
    ]
    for table, batch in (
        (DailyCaseFigures.__table__, case_rows),
        (DailyHandlerFigures.__table__, handler_rows),
        (DailyRatingFigures.__table__, rating_rows),
    ):
        for start in range(0, len(batch), 5000):
            conn.execute(table.insert(), batch[start : start + 5000])
    if report:
        report(
            f"  roll-ups rebuilt: {len(case_rows):,} day rows, {len(handler_rows):,} handler rows, "
            f"{len(rating_rows):,} rating rows "
            f"in {clock.perf_counter() - started:.1f} s"
        )
    return len(case_rows), len(handler_rows), len(rating_rows)


@click.command("rebuild-rollups")
def rebuild_command() -> None:
    """Recompute the dashboard's daily roll-ups from the cases (after bulk inserts or a calendar edit)."""
    rebuild_rollups(report=click.echo)
    db.session.commit()
