"""Daily roll-ups of the cases for the central office's period figures, kept in step by every ORM write.

Why: the period figures (domain.md §5.2, §5.4) count cases received, accepted and decided in a period. Over a year
at a million cases that read hundreds of thousands of index entries per page (16 s on SQLite, 5.6 s on
PostgreSQL). The roll-ups hold the same counts per business day (Asia/Shanghai), station and channel, so a year is a
few thousand small rows whatever the number of cases.

Kept in step, not by a nightly job: an ``after_flush`` listener on every ORM session sees each Case (and Rating)
inserted, changed or deleted in the flush and applies the difference between its old and new contribution to the
roll-up rows, on the same connection, so in the same transaction as the write (a rolled-back write rolls its deltas
back). Every writer (services, API, portal, open311, cross-region system events, tests' factories) goes through the
ORM and is caught. The upsert is ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (SQLite and
PostgreSQL): atomic, so concurrent writers never lose an increment and never race on a missing row; keys are
applied in sorted order so two PostgreSQL transactions cannot deadlock on each other's rows. Bulk ``update()``
statements on cases would bypass it too: there are none (grep ``update(Case``).

Bulk Core INSERTs bypass the listener (``seed-demo --cases``): they call ``rebuild_rollups()`` afterwards, which is
also the operator's ``flask dashboard rebuild-rollups``.

Decisions:
* What is rolled up mirrors the live queries exactly: received/instant/容缺 by the day of ``received_at`` (with the
  case's *current* is_instant / is_rongque, which acceptance sets later - so those changes move counts too),
  accepted by the day of ``accepted_at``, concluded by the day of ``decided_at``, "late" when
  ``decided_at > overdue_at`` (a correction that moves ``overdue_at`` moves it too).
* Mean working days to decision: the per-day *sum* of working days from acceptance day to decision day is computed
  at write time with the work calendar in force then, with the count of concluded cases that have an acceptance
  (the mean's denominator). Consequence: editing the calendar for days already decided does not change stored
  sums; run ``flask dashboard rebuild-rollups`` after such an edit (loading next year's calendar does not need it
  unless cases were already decided in that year under the provisional Monday-Friday rule).
* First-handler league: concluded / late per (decision day, station, first handler).
* Ratings are rolled up too (valid ratings and 基本满意-or-better per day given and station): with 314,000 ratings
  on the 1M database (a third of the decided cases rated; rolled back afterwards) the live ratings query took
  207 ms (SQLite) / 400 ms (PostgreSQL) for a year, the roll-up 1 ms. Deficiencies (容缺 items) were measured the
  same way with 71,000 rows: 144 / 194 ms for a year with the join to cases, 14 / 24 ms without it, so they stay
  live and the central office's query skips the join (every item has a case). Rectifications (差评 only) and
  cross-region transfers are smaller still and stay live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import Date, ForeignKey, String, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from ..calendar.services import current_calendar
from ..cases.models import Case
from ..domain.workdays import WorkCalendar, working_days_between
from ..extensions import db
from ..ratings.models import Rating
from ..timeutil import business_day


class business_date(FunctionElement):
    """The Asia/Shanghai calendar date of a naive-UTC datetime column, in SQL (UTC+8, no daylight saving)."""

    name = "business_date"
    inherit_cache = True
    type = Date()


@compiles(business_date)
def _business_date_default(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} + INTERVAL '8 hours') AS DATE)"


@compiles(business_date, "sqlite")
def _business_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- the tables ---------------------------------------------------------------------------------------------------


class DailyCaseFigures(db.Model):
    """Per business day, station and channel: what the period figures count (see the module doc)."""

    __tablename__ = "dash_daily_cases"

    day: Mapped[date] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    received: Mapped[int] = mapped_column(default=0)  # received_at on this day
    received_instant: Mapped[int] = mapped_column(default=0)  # ... of which is_instant
    received_rongque: Mapped[int] = mapped_column(default=0)  # ... of which is_rongque
    accepted: Mapped[int] = mapped_column(default=0)  # accepted_at on this day
    concluded: Mapped[int] = mapped_column(default=0)  # decided_at on this day
    concluded_late: Mapped[int] = mapped_column(default=0)  # ... of which decided_at > overdue_at
    decided_timed: Mapped[int] = mapped_column(default=0)  # ... of which accepted_at is set (the mean's denominator)
    decision_workdays: Mapped[int] = mapped_column(default=0)  # Σ working days from acceptance day to decision day


class DailyHandlerFigures(db.Model):
    """Per decision day, station and first handler (首办负责人): concluded and late, for the league table."""

    __tablename__ = "dash_daily_handlers"

    day: Mapped[date] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    concluded: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)


class DailyRatingFigures(db.Model):
    """Per day the rating was given and station: valid ratings (not invalidated) and those 基本满意 or better."""

    __tablename__ = "dash_daily_ratings"

    day: Mapped[date] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)  # level >= 3


CASE_COUNTS = (
    "received",
    "received_instant",
    "received_rongque",
    "accepted",
    "concluded",
    "concluded_late",
    "decided_timed",
    "decision_workdays",
)
HANDLER_COUNTS = ("concluded", "late")
TABLES = {
    DailyCaseFigures.__table__.name: (DailyCaseFigures.__table__, ("day", "station_id", "channel"), CASE_COUNTS),
    DailyHandlerFigures.__table__.name: (
        DailyHandlerFigures.__table__,
        ("day", "station_id", "handler_id"),
        HANDLER_COUNTS,
    ),
}
TABLES[DailyRatingFigures.__table__.name] = (
    DailyRatingFigures.__table__,
    ("day", "station_id"),
    ("rated", "satisfied"),
)
CASES, HANDLERS = DailyCaseFigures.__table__.name, DailyHandlerFigures.__table__.name
RATINGS = DailyRatingFigures.__table__.name

# The Case attributes a roll-up row depends on. Nothing else (status included: "concluded" is decided_at, as in the
# live queries) changes a figure.
TRACKED = (
    "station_id",
    "channel",
    "received_at",
    "is_instant",
    "is_rongque",
    "accepted_at",
    "decided_at",
    "overdue_at",
    "first_handler_id",
)

# A rating is never edited (评价信息不可更改) but may be invalidated on review; its station is the case's station
# (ratings.services copies it), so the station filter equals the case scope of station staff.
RATING_TRACKED = ("station_id", "created_at", "level", "is_invalidated")

Deltas = dict[tuple[str, tuple], dict[str, int]]


def channel_key(value) -> str:
    return getattr(value, "value", value)


def workdays_to_decision(accepted_on: date, decided_on: date, calendar: WorkCalendar) -> int:
    """As metrics.mean_working_days: the acceptance day itself is not counted, same-day is 0."""
    return working_days_between(accepted_on, decided_on, calendar) if decided_on > accepted_on else 0


def rating_contributions(values: dict, calendar=None) -> Iterable[tuple[str, tuple, dict[str, int]]]:
    """The row one rating adds: counted on the day it was given, unless invalidated."""
    if values["is_invalidated"] or values["created_at"] is None or values["station_id"] is None:
        return
    key = (business_day(values["created_at"]), values["station_id"])
    yield RATINGS, key, {"rated": 1, "satisfied": int(values["level"] >= 3)}


def contributions(values: dict, calendar: Callable[[], WorkCalendar]) -> Iterable[tuple[str, tuple, dict[str, int]]]:
    """(table, key, counts) rows one case adds to the roll-ups, from its TRACKED values."""
    station, channel = values["station_id"], channel_key(values["channel"])
    if station is None or channel is None:
        return
    received_at, accepted_at, decided_at = values["received_at"], values["accepted_at"], values["decided_at"]
    if received_at is not None:
        yield (
            CASES,
            (business_day(received_at), station, channel),
            {
                "received": 1,
                "received_instant": int(bool(values["is_instant"])),
                "received_rongque": int(bool(values["is_rongque"])),
            },
        )
    if accepted_at is not None:
        yield CASES, (business_day(accepted_at), station, channel), {"accepted": 1}
    if decided_at is not None:
        overdue_at = values["overdue_at"]
        late = int(overdue_at is not None and decided_at > overdue_at)
        decided_on = business_day(decided_at)
        counts = {"concluded": 1, "concluded_late": late}
        if accepted_at is not None:
            counts["decided_timed"] = 1
            counts["decision_workdays"] = workdays_to_decision(business_day(accepted_at), decided_on, calendar())
        yield CASES, (decided_on, station, channel), counts
        if values["first_handler_id"] is not None:
            yield HANDLERS, (decided_on, station, values["first_handler_id"]), {"concluded": 1, "late": late}


def _add(deltas: Deltas, values: dict, sign: int, calendar: Callable[[], WorkCalendar], rows=None) -> None:
    for table, key, counts in (rows or contributions)(values, calendar):
        row = deltas.setdefault((table, key), {})
        for name, n in counts.items():
            row[name] = row.get(name, 0) + sign * n


def _old_and_new(obj, tracked: tuple[str, ...]) -> tuple[dict, dict] | None:
    """The tracked values before and after this flush, or None when none of them changed."""
    state = inspect(obj)
    histories = {name: state.attrs[name].history for name in tracked}  # never loads anything
    if not any(history.has_changes() for history in histories.values()):
        return None  # the common case: a status, note or version change only
    old, new = {}, {}
    for name, history in histories.items():
        if history.has_changes():
            old[name] = history.deleted[0] if history.deleted else None
            new[name] = history.added[0] if history.added else None
        else:
            old[name] = new[name] = history.unchanged[0] if history.unchanged else getattr(obj, name)
    return old, new


def _committed(obj, tracked: tuple[str, ...]) -> dict:
    state = inspect(obj)
    values = {}
    for name in tracked:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        else:
            values[name] = getattr(obj, name)
    return values


WATCHED = {Case: (TRACKED, contributions), Rating: (RATING_TRACKED, rating_contributions)}


def flush_deltas(session: Session) -> Deltas:
    """What this flush changes in the roll-ups (call from after_flush: histories still show the flush's changes)."""
    calendar_cache: list[WorkCalendar] = []

    def calendar() -> WorkCalendar:
        if not calendar_cache:
            calendar_cache.append(current_calendar())
        return calendar_cache[0]

    deltas: Deltas = {}
    for obj in session.new:
        if type(obj) in WATCHED:
            tracked, rows = WATCHED[type(obj)]
            _add(deltas, {name: getattr(obj, name) for name in tracked}, +1, calendar, rows)
    for obj in session.dirty:
        if type(obj) in WATCHED and obj not in session.deleted:
            tracked, rows = WATCHED[type(obj)]
            pair = _old_and_new(obj, tracked)
            if pair is not None:
                _add(deltas, pair[0], -1, calendar, rows)
                _add(deltas, pair[1], +1, calendar, rows)
    for obj in session.deleted:
        if type(obj) in WATCHED:
            tracked, rows = WATCHED[type(obj)]
            _add(deltas, _committed(obj, tracked), -1, calendar, rows)
    return {key: counts for key, counts in deltas.items() if any(counts.values())}


def apply_deltas(conn: Connection, deltas: Deltas) -> None:
    """Atomic ``n = n + delta`` per row, inserting the rows that do not exist yet; keys in sorted order."""
    for name, (table, key_columns, count_columns) in TABLES.items():
        rows = []
        for (table_name, key), counts in sorted(deltas.items(), key=lambda item: (item[0][0], item[0][1])):
            if table_name == name:
                row = dict(zip(key_columns, key, strict=True))
                row.update({column: counts.get(column, 0) for column in count_columns})
                rows.append(row)
        if rows:
            conn.execute(_upsert(conn, table, key_columns, count_columns), rows)


def _upsert(conn: Connection, table, key_columns, count_columns):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={column: table.c[column] + stmt.excluded[column] for column in count_columns},
    )


def _after_flush(session: Session, flush_context) -> None:
    deltas = flush_deltas(session)
    if deltas:
        apply_deltas(session.connection(), deltas)


def _load_old_value(target, value, oldvalue, initiator):
    return value


def install() -> None:
    """Register the listener on every ORM session (idempotent; create_app calls it)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        # Load the old value before a tracked attribute is overwritten (even on an expired instance): the delta
        # subtracts the case's old contribution, so the old value must be known.
        for model, (tracked, _rows) in WATCHED.items():
            for name in tracked:
                event.listen(getattr(model, name), "set", _load_old_value, active_history=True, retval=True)
