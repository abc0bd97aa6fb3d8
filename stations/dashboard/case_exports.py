"""The per-case exports: one row per case, so they can run to a million rows (issue 6, item 4).

- ``cases``: every case received in a period (``?from=&to=`` or ``?period=``), all stations (办件明细);
- ``queue``: the open cases, of one station with ``?station=CODE`` or of the whole network (在办办件).

Each table has one cheap COUNT (on an index: ix_cases_received_at, ix_cases_station_status / ix_cases_status_overdue)
so the view can decide between a direct download and a background job, and a column-only SELECT read with
``yield_per`` so that memory stays flat whatever the number of rows (a server-side cursor on PostgreSQL).
Every statement starts from ``access.case_scope`` of the user who asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ..access import case_scope
from ..auth.models import User
from ..cases.labels import CHANNEL_LABELS, COLOUR_LABELS
from ..cases.models import Case
from ..cases.queries import urgency_expr, warn_level_expr
from ..catalog.models import ServiceItem
from ..domain.case_vocabulary import STATUS_LABELS, CaseStatus, export_status_code
from ..enterprises.models import Enterprise
from ..extensions import db
from ..sites.models import Station
from ..timeutil import business_today, to_business, utc_start_of, utcnow
from .board_queries import OPEN_STATUSES
from .periods import period_from_args

CASE_TABLES = ("cases", "queue")
CHUNK_ROWS = 1000  # rows fetched per round trip; also how often a job reports progress


def _period(args: Mapping[str, str]) -> tuple[datetime, datetime]:
    _kind, first, last = period_from_args(args)
    return utc_start_of(first), utc_start_of(last + timedelta(days=1))


def _station_id(args: Mapping[str, str]) -> int | None:
    code = args.get("station")
    if not code:
        return None
    # An unknown code matches no case (id -1) rather than silently exporting the whole network.
    return db.session.scalar(select(Station.id).where(Station.code == code)) or -1


def _where(table: str, user: User, args: Mapping[str, str]) -> list:
    if table == "cases":
        low, high = _period(args)
        return [case_scope(user), Case.received_at >= low, Case.received_at < high]
    conditions = [case_scope(user), Case.status.in_(OPEN_STATUSES)]
    station_id = _station_id(args)
    if station_id is not None:
        conditions.append(Case.station_id == station_id)
    return conditions


def count_rows(table: str, user: User, args: Mapping[str, str]) -> int:
    """How many rows the export will have: one COUNT over an index."""
    return db.session.scalar(select(func.count()).select_from(Case).where(*_where(table, user, args))) or 0


def headers(table: str) -> list[str]:
    if table == "cases":
        return [
            _("办件编号"),
            _("网点"),
            _("事项"),
            _("申请企业"),
            _("渠道"),
            _("状态"),
            _("状态代码"),  # the platform's code (domain.md §3.1)
            _("预警"),
            _("收件时间"),
            _("截止日期"),
            _("办结时间"),
            _("首办负责人"),
        ]
    return [_("办件编号"), _("网点"), _("事项"), _("申请企业"), _("办事专员"), _("预警"), _("截止日期")]


def _statement(table: str, user: User, args: Mapping[str, str], now: datetime) -> Select:
    level = warn_level_expr(now, business_today(now)).label("level")
    base = [Case.case_no, Station.name, ServiceItem.name, Enterprise.name]
    if table == "cases":
        handler = aliased(User)
        stmt = (
            select(
                *base,
                Case.channel,
                Case.status,
                Case.is_rongque,
                level,
                Case.received_at,
                Case.due_on,
                Case.decided_at,
                handler.display_name,
            )
            .outerjoin(handler, handler.id == Case.first_handler_id)
            .order_by(Case.received_at, Case.id)
        )
    else:
        clerk = aliased(User)
        stmt = (
            select(*base, clerk.display_name, level, Case.due_on)
            .outerjoin(clerk, clerk.id == Case.clerk_id)
            .order_by(urgency_expr(level), Case.overdue_at.asc().nulls_last(), Case.received_at.desc(), Case.id)
        )
    return (
        stmt.select_from(Case)
        .join(Station, Station.id == Case.station_id)
        .join(ServiceItem, ServiceItem.id == Case.item_id)
        .join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(*_where(table, user, args))
    )


def _status_code(status, rongque: bool) -> str:
    code = export_status_code(CaseStatus(status), is_rongque=bool(rongque))
    return "—" if code is None else str(code)


def _when(value: datetime | None) -> str:
    return to_business(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def iter_rows(table: str, user: User, args: Mapping[str, str], *, now: datetime | None = None) -> Iterator[list]:
    """The export's rows as lists of plain values, fetched ``CHUNK_ROWS`` at a time."""
    now = now or utcnow()
    colour = {key: str(label) for key, label in COLOUR_LABELS.items()}  # translate once, not per row
    channels = {key: str(label) for key, label in CHANNEL_LABELS.items()}
    statuses = {key: _(label) for key, label in STATUS_LABELS.items()}
    result = db.session.execute(_statement(table, user, args, now).execution_options(yield_per=CHUNK_ROWS))
    if table == "cases":
        for (
            case_no,
            station,
            item,
            enterprise,
            channel,
            status,
            rongque,
            level,
            received,
            due,
            decided,
            handler,
        ) in result:
            yield [
                case_no,
                station,
                item,
                enterprise,
                channels.get(channel, str(channel)),
                statuses.get(status, str(status)),
                _status_code(status, rongque),
                colour.get(level, level),
                _when(received),
                _day(due),
                _when(decided),
                handler or "—",
            ]
    else:
        for case_no, station, item, enterprise, clerk, level, due in result:
            yield [case_no, station, item, enterprise, clerk or "—", colour.get(level, level), _day(due)]
