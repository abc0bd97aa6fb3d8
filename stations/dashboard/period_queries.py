"""The central office's period figures (统计指标): counts over business days in the user's scope. Reads only.

The period figures read the daily roll-ups of rollups.py (a year is a few thousand rows whatever the number of
cases), not the cases; scopes the roll-ups cannot serve (a clerk's clients) keep the live queries
(``period_report_live``), which are also the reference the roll-ups are tested against.

Index use (EXPLAIN, SQLite and PostgreSQL, 1M cases), see also the models' ``__table_args__``:
- period figures: the roll-ups' primary keys start with the day (SQLite: a range search on it; PostgreSQL reads
  the whole few-thousand-row table, as cheap). Deficiencies, ratings, rectifications and transfers are read by a
  scan of their own small tables (none grows with the synthetic million) joined to cases by primary key;
- the live period path (clerks only): ix_cases_received_figures, ix_cases_accepted_at, ix_cases_decided_figures;
- 统一出证: ix_cases_issued_at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.sql.elements import True_

from ..access import case_scope
from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import Case, Channel, Deficiency
from ..catalog import queries as catalog_queries
from ..crossregion.models import PartnerRegion, Transfer, TransferDirection
from ..domain import metrics
from ..domain.deficiency_flow import DeficiencyStatus
from ..domain.ratings import RectificationStatus
from ..extensions import db
from ..ratings.models import Rating, Rectification
from ..timeutil import utc_start_of
from .rollups import DailyCaseFigures, DailyHandlerFigures, DailyRatingFigures, business_date
from .rollups import as_date as _as_date

RANKING_LIMIT = 10


@dataclass(frozen=True)
class PartnerVolume:
    """Cross-region cases forwarded in the period with one partner: OUTBOUND (we took them in, the partner
    handles them) and INBOUND (the partner took them in, we handle them)."""

    code: str
    name: str
    outbound: int = 0
    inbound: int = 0

    @property
    def total(self) -> int:
        return self.outbound + self.inbound


@dataclass
class PeriodReport:
    start: date
    end: date
    figures: metrics.PeriodFigures
    by_day: list[tuple[date, int]]  # received per business day (for the chart)
    by_channel: dict[str, int]
    partners: list[PartnerVolume]  # cross-region volume by partner, every partner (0 when none)
    ranking: list[tuple[User, int, int]]  # first handler, concluded, late
    catalog: object  # catalog_metrics.CatalogMetrics
    has_ratings: bool
    # Cross-region cases we handled (XR_INBOUND) concluded in the period, and how many of them late (§5.5).
    xr_inbound_concluded: int = 0
    xr_inbound_late: int = 0

    @property
    def xr_inbound_on_time(self) -> float | None:
        """The on-time rate at the handling site (us) for cases partner districts forwarded."""
        if not self.xr_inbound_concluded:
            return None
        return (self.xr_inbound_concluded - self.xr_inbound_late) / self.xr_inbound_concluded

    @property
    def partner_maximum(self) -> int:
        """The largest partner total (the scale of the partners' bars)."""
        return max((p.total for p in self.partners), default=0)


def rollup_scope(user: User, station_column) -> ColumnElement[bool] | None:
    """The roll-up filter equivalent to ``case_scope(user)``, or None when the roll-ups cannot serve that scope.

    The roll-ups are per station: they serve "every case" (central office, administrator) and "one station's cases"
    (station staff, the same rule as access.case_scope). A clerk's scope (the cases of their client enterprises,
    wherever received) and an enterprise's cannot be read from them: those keep the live queries on the cases.
    """
    scope = case_scope(user)
    if isinstance(scope, True_):
        return true()
    if user.role is Role.STAFF and user.station_id is not None:
        return station_column == user.station_id
    return None


def period_report(user: User, start: date, end: date) -> PeriodReport:
    """The figures of domain.md §5.2-5.4 for the business days ``start``..``end`` (inclusive).

    From the daily roll-ups (rollups.py) when they can serve the user's scope: seven small queries whatever the
    number of cases (case figures, league, 容缺, ratings, rectifications, partners, catalogue). Otherwise the live
    queries over the cases (``period_report_live``), which give the same figures.
    """
    station_filter = rollup_scope(user, DailyCaseFigures.station_id)
    if station_filter is None:
        return period_report_live(user, start, end)
    rows = db.session.execute(
        select(
            DailyCaseFigures.day,
            DailyCaseFigures.channel,
            func.sum(DailyCaseFigures.received),
            func.sum(DailyCaseFigures.received_instant),
            func.sum(DailyCaseFigures.received_rongque),
            func.sum(DailyCaseFigures.accepted),
            func.sum(DailyCaseFigures.concluded),
            func.sum(DailyCaseFigures.concluded_late),
            func.sum(DailyCaseFigures.decided_timed),
            func.sum(DailyCaseFigures.decision_workdays),
        )
        .where(station_filter, DailyCaseFigures.day >= start, DailyCaseFigures.day <= end)
        .group_by(DailyCaseFigures.day, DailyCaseFigures.channel)
    ).all()
    per_day: dict[date, int] = {}
    by_channel: dict[str, int] = {channel.value: 0 for channel in Channel}
    totals = [0] * 8
    xr_concluded = xr_late = 0
    for day_value, channel, *counts in rows:
        counts = [int(n or 0) for n in counts]
        if counts[0]:
            key = _as_date(day_value)
            per_day[key] = per_day.get(key, 0) + counts[0]
        by_channel[channel] = by_channel.get(channel, 0) + counts[0]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        if channel == Channel.XR_INBOUND.value:
            xr_concluded, xr_late = xr_concluded + counts[4], xr_late + counts[5]
    received, instant, rongque, accepted, concluded, concluded_late, timed, workdays = totals

    per_handler = (
        select(
            DailyHandlerFigures.handler_id.label("handler_id"),
            func.sum(DailyHandlerFigures.concluded).label("concluded"),
            func.sum(DailyHandlerFigures.late).label("late"),
        )
        .where(
            rollup_scope(user, DailyHandlerFigures.station_id),
            DailyHandlerFigures.day >= start,
            DailyHandlerFigures.day <= end,
        )
        .group_by(DailyHandlerFigures.handler_id)
        .having(func.sum(DailyHandlerFigures.concluded) > 0)
        .subquery()
    )
    ranking = _ranking(per_handler)
    deficiencies_due, on_time = _deficiency_counts(case_scope(user), start, end)
    figures = metrics.period_figures(
        received=received,
        accepted=accepted,
        concluded=concluded,
        concluded_late=concluded_late,
        mean_days=round(workdays / timed, 2) if timed else None,
        instant_cases=instant,
        rongque_cases=rongque,
        deficiencies_due=deficiencies_due,
        deficiencies_on_time=on_time,
        **_rolled_up_rating_counts(user, case_scope(user), start, end),
    )
    return PeriodReport(
        start=start,
        end=end,
        figures=figures,
        by_day=sorted(per_day.items()),
        by_channel=by_channel,
        partners=partner_volumes(user, start, end),
        ranking=ranking,
        catalog=catalog_queries.catalog_totals(),
        has_ratings=True,
        xr_inbound_concluded=xr_concluded,
        xr_inbound_late=xr_late,
    )


def _ranking(per_handler) -> list[tuple[User, int, int]]:
    rows = db.session.execute(
        select(User, per_handler.c.concluded, per_handler.c.late)
        .join(per_handler, per_handler.c.handler_id == User.id)
        .order_by(per_handler.c.late.desc(), per_handler.c.concluded.desc(), User.id)
        .limit(RANKING_LIMIT)
    ).all()
    return [(row[0], int(row[1]), int(row[2])) for row in rows]


def _deficiency_counts(scope, start: date, end: date) -> tuple[int, int]:
    """容缺 items whose supply deadline falls in the period, and how many were verified by it (domain.md §5.3)."""
    verified_on_time = and_(
        Deficiency.status == DeficiencyStatus.VERIFIED.value,
        Deficiency.verified_at.is_not(None),
        business_date(Deficiency.verified_at) <= Deficiency.supply_deadline,
    )
    stmt = select(func.count(Deficiency.id), func.count(case((verified_on_time, 1)))).where(
        Deficiency.supply_deadline >= start, Deficiency.supply_deadline <= end
    )
    if not isinstance(scope, True_):  # every deficiency has a case: the join only narrows the scope
        stmt = stmt.join(Case, Case.id == Deficiency.case_id).where(scope)
    due, on_time = db.session.execute(stmt).one()
    return due, on_time


def partner_volumes(user: User, start: date, end: date) -> list[PartnerVolume]:
    """Cross-region cases forwarded in the period per partner and direction (domain.md §5.5): one grouped query.

    Read live from xr_transfers (one row per cross-region case, small next to the cases). Every partner is listed,
    with 0 when nothing was forwarded. The central office sees every transfer; a narrower scope sees those of the
    cases it may see.
    """
    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    counted = select(Transfer.partner_id, Transfer.direction, func.count(Transfer.id).label("n")).where(
        Transfer.forwarded_at >= low, Transfer.forwarded_at < high
    )
    scope = case_scope(user)
    if not isinstance(scope, True_):
        counted = counted.join(Case, Case.id == Transfer.case_id).where(scope)
    counted = counted.group_by(Transfer.partner_id, Transfer.direction).subquery()
    rows = db.session.execute(
        select(PartnerRegion.id, PartnerRegion.code, PartnerRegion.name, counted.c.direction, counted.c.n)
        .outerjoin(counted, counted.c.partner_id == PartnerRegion.id)
        .order_by(PartnerRegion.sort_order, PartnerRegion.id)
    ).all()
    volumes: dict[int, dict] = {}
    for partner_id, code, name, direction, n in rows:
        entry = volumes.setdefault(partner_id, {"code": code, "name": name, "outbound": 0, "inbound": 0})
        if direction is not None:
            key = (
                "outbound" if getattr(direction, "value", direction) == TransferDirection.OUTBOUND.value else "inbound"
            )
            entry[key] += int(n)
    return [PartnerVolume(**entry) for entry in volumes.values()]


def period_report_live(user: User, start: date, end: date) -> PeriodReport:
    """The same figures read from the cases themselves: for the scopes the roll-ups cannot serve (a clerk's
    clients), and the reference the roll-up path is tested against. Its cost grows with the period's cases."""
    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    scope = case_scope(user)

    day = business_date(Case.received_at).label("day")
    received_rows = db.session.execute(
        select(
            day,
            Case.channel,
            func.count(),
            func.count(case((Case.is_instant.is_(True), 1))),
            func.count(case((Case.is_rongque.is_(True), 1))),
        )
        .where(scope, Case.received_at >= low, Case.received_at < high)
        .group_by(day, Case.channel)
    ).all()
    per_day: dict[date, int] = {}
    by_channel: dict[str, int] = {channel.value: 0 for channel in Channel}
    received = instant = rongque = 0
    for day_value, channel, count, instant_count, rongque_count in received_rows:
        key = _as_date(day_value)
        per_day[key] = per_day.get(key, 0) + count
        channel_value = channel.value if hasattr(channel, "value") else str(channel)
        by_channel[channel_value] = by_channel.get(channel_value, 0) + count
        received += count
        instant += instant_count
        rongque += rongque_count

    accepted = db.session.scalar(select(func.count()).where(scope, Case.accepted_at >= low, Case.accepted_at < high))

    late = and_(Case.overdue_at.is_not(None), Case.decided_at > Case.overdue_at)
    accepted_day = business_date(Case.accepted_at).label("accepted_day")
    decided_day = business_date(Case.decided_at).label("decided_day")
    decided_rows = db.session.execute(
        select(accepted_day, decided_day, Case.channel, func.count(), func.count(case((late, 1))))
        .where(scope, Case.decided_at >= low, Case.decided_at < high)
        .group_by(accepted_day, decided_day, Case.channel)
    ).all()
    concluded = sum(row[3] for row in decided_rows)
    concluded_late = sum(row[4] for row in decided_rows)
    xr_rows = [row for row in decided_rows if str(getattr(row[2], "value", row[2])) == Channel.XR_INBOUND.value]
    calendar = current_calendar()
    mean_days = metrics.mean_working_days(
        ((_as_date(a), _as_date(d), n) for a, d, _channel, n, _late in decided_rows if a is not None), calendar
    )

    deficiencies_due, on_time = _deficiency_counts(scope, start, end)

    per_handler = (
        select(
            Case.first_handler_id.label("handler_id"),
            func.count().label("concluded"),
            func.count(case((late, 1))).label("late"),
        )
        .where(scope, Case.decided_at >= low, Case.decided_at < high, Case.first_handler_id.is_not(None))
        .group_by(Case.first_handler_id)
        .subquery()
    )
    ranking = _ranking(per_handler)

    rating_counts = _rating_counts(scope, start, end)
    figures = metrics.period_figures(
        received=received,
        accepted=accepted or 0,
        concluded=concluded,
        concluded_late=concluded_late,
        mean_days=mean_days,
        instant_cases=instant,
        rongque_cases=rongque,
        deficiencies_due=deficiencies_due,
        deficiencies_on_time=on_time,
        **rating_counts,
    )
    return PeriodReport(
        start=start,
        end=end,
        figures=figures,
        by_day=sorted(per_day.items()),
        by_channel=by_channel,
        partners=partner_volumes(user, start, end),
        ranking=ranking,
        catalog=catalog_queries.catalog_totals(),
        has_ratings=True,
        xr_inbound_concluded=sum(row[3] for row in xr_rows),
        xr_inbound_late=sum(row[4] for row in xr_rows),
    )


def _rating_counts(scope, start: date, end: date) -> dict[str, int]:
    """Valid ratings given in the period (and how many are 基本满意 or better), read live, with the rectifications:
    domain.md §5.4. Two queries."""
    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    ratings, satisfied = db.session.execute(
        select(func.count(Rating.id), func.count(case((Rating.level >= 3, 1))))
        .join(Case, Case.id == Rating.case_id)
        .where(scope, Rating.is_invalidated.is_(False), Rating.created_at >= low, Rating.created_at < high)
    ).one()
    return {"ratings": ratings, "ratings_satisfied": satisfied, **_rectification_counts(scope, start, end)}


def _rolled_up_rating_counts(user: User, scope, start: date, end: date) -> dict[str, int]:
    """The same as ``_rating_counts``, the ratings read from their daily roll-up. Two queries."""
    ratings, satisfied = db.session.execute(
        select(
            func.coalesce(func.sum(DailyRatingFigures.rated), 0),
            func.coalesce(func.sum(DailyRatingFigures.satisfied), 0),
        ).where(
            rollup_scope(user, DailyRatingFigures.station_id),
            DailyRatingFigures.day >= start,
            DailyRatingFigures.day <= end,
        )
    ).one()
    return {"ratings": int(ratings), "ratings_satisfied": int(satisfied), **_rectification_counts(scope, start, end)}


def _rectification_counts(scope, start: date, end: date) -> dict[str, int]:
    """差评 rectifications due in the period, and how many were closed by their due day (domain.md §5.4)."""
    closed_on_time = and_(
        Rectification.status == RectificationStatus.CLOSED.value,
        Rectification.closed_at.is_not(None),
        business_date(Rectification.closed_at) <= Rectification.due_on,
    )
    stmt = select(func.count(Rectification.id), func.count(case((closed_on_time, 1)))).where(
        Rectification.due_on >= start, Rectification.due_on <= end
    )
    if not isinstance(scope, True_):  # every rectification has a case: the join only narrows the scope
        stmt = stmt.join(Case, Case.id == Rectification.case_id).where(scope)
    due, on_time = db.session.execute(stmt).one()
    return {"bad_reviews_due": due, "bad_reviews_on_time": on_time}


def issued_count(user: User, start: date, end: date) -> int:
    """统一出证 (issue 12): results issued in the business days start..end, in the user's scope (ix_cases_issued_at)."""
    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    return db.session.scalar(
        select(func.count()).select_from(Case).where(case_scope(user), Case.issued_at >= low, Case.issued_at < high)
    )


def back_office_decided(user: User, start: date, end: date) -> list[tuple[str, int]]:
    """Cases decided in the period by each department behind the centre (handed over by the stations: issue 12)."""
    from ..catalog.models import Department

    low, high = utc_start_of(start), utc_start_of(end + timedelta(days=1))
    rows = db.session.execute(
        select(Department.name, func.count(Case.id))
        .join(Case, Case.department_id == Department.id)
        .where(case_scope(user), Case.decided_at >= low, Case.decided_at < high)
        .group_by(Department.id, Department.name)
        .order_by(func.count(Case.id).desc(), Department.name)
    ).all()
    return [(name, count) for name, count in rows]
