"""政务外卖 figures for the central office (domain.md §5.5; contract.md's ``takeout`` section of
/api/v1/metrics/period): per station and period, in a fixed number of grouped queries whatever the data size.

* orders: placed in the period;  visits (入企服务次数): orders whose visit finished in the period;
* problems_solved: appeals raised on site (from orders finished in the period) that are closed;
* cases (帮办代办): cases taken on site for those orders;
* on_time_contact_rate: of the orders contacted in the period, the share contacted by their deadline;
* median_working_hours_to_contact: median working hours (hall time) from order to contact (those orders).
"""

from __future__ import annotations

from datetime import date
from statistics import median

from sqlalchemy import case, func, select

from ..access import takeout_scope
from ..appeals.models import Appeal
from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain.appeal_flow import AppealStatus
from ..domain.takeout_flow import working_hours_between
from ..extensions import db
from ..timeutil import business_now, utc_bounds
from .models import Order, OrderAppeal, OrderCase, TeamMember

MEDIAN_SAMPLE = 5000  # the median reads at most this many contacted orders of the period


def period_figures(user: User, first: date, last: date) -> dict:
    start, end = utc_bounds(first, last)
    scope = takeout_scope(user, Order, TeamMember)
    orders = db.session.scalar(
        select(func.count(Order.id)).where(scope, Order.ordered_at >= start, Order.ordered_at < end)
    )
    visited = select(Order.id).where(scope, Order.finished_at >= start, Order.finished_at < end)
    visits = db.session.scalar(select(func.count()).select_from(visited.subquery()))
    cases = db.session.scalar(select(func.count(OrderCase.id)).where(OrderCase.order_id.in_(visited)))
    problems_solved = db.session.scalar(
        select(func.count(OrderAppeal.id))
        .join(Appeal, Appeal.id == OrderAppeal.appeal_id)
        .where(OrderAppeal.order_id.in_(visited), Appeal.status == AppealStatus.CLOSED)
    )
    contacted, on_time = db.session.execute(
        select(func.count(Order.id), func.sum(case((Order.contacted_at <= Order.contact_due_at, 1), else_=0))).where(
            scope, Order.contacted_at >= start, Order.contacted_at < end
        )
    ).one()
    waits = db.session.execute(
        select(Order.ordered_at, Order.contacted_at)
        .where(scope, Order.contacted_at >= start, Order.contacted_at < end)
        .limit(MEDIAN_SAMPLE)
    ).all()
    calendar = current_calendar()
    hours = [working_hours_between(business_now(o), business_now(c), calendar) for o, c in waits]
    return {
        "orders": orders or 0,
        "visits": visits or 0,
        "problems_solved": problems_solved or 0,
        "cases": cases or 0,
        "on_time_contact_rate": round((on_time or 0) / contacted, 4) if contacted else None,
        "median_working_hours_to_contact": round(median(hours), 1) if hours else None,
        "by_station": by_station(user, first, last),
    }


def by_station(user: User, first: date, last: date) -> list[dict]:
    """Per station, in one grouped query: orders placed, visits finished, and the share contacted on time."""
    from ..sites.models import Station

    start, end = utc_bounds(first, last)
    scope = takeout_scope(user, Order, TeamMember)
    in_period = (Order.contacted_at >= start) & (Order.contacted_at < end)
    placed = case(((Order.ordered_at >= start) & (Order.ordered_at < end), 1), else_=0)
    visited = case(((Order.finished_at >= start) & (Order.finished_at < end), 1), else_=0)
    contacted = case((in_period, 1), else_=0)
    on_time = case((in_period & (Order.contacted_at <= Order.contact_due_at), 1), else_=0)
    rows = db.session.execute(
        select(Station.code, Station.name, func.sum(placed), func.sum(visited), func.sum(contacted), func.sum(on_time))
        .join(Order, Order.station_id == Station.id)
        .where(scope)
        .group_by(Station.id, Station.code, Station.name, Station.sort_order)
        .order_by(Station.sort_order, Station.code)
    ).all()
    return [
        {
            "station": code,
            "name": name,
            "orders": int(orders or 0),
            "visits": int(visits or 0),
            "on_time_contact_rate": round(int(ok or 0) / int(called), 4) if called else None,
        }
        for code, name, orders, visits, called, ok in rows
    ]


def status_counts(user: User) -> dict[str, int]:
    """Orders by state, for the board (one grouped query)."""
    rows = db.session.execute(
        select(Order.status, func.count(Order.id)).where(takeout_scope(user, Order, TeamMember)).group_by(Order.status)
    ).all()
    return {status.value: n for status, n in rows}


def board_figures(user: User, first: date, last: date) -> dict:
    """The board's 政务外卖 block: orders by state now (waiting for a call back, late, on site) and this month's
    figures."""
    from ..domain.takeout_flow import OPEN_STATUSES, OrderStatus
    from ..timeutil import utcnow

    counts = status_counts(user)
    late = db.session.scalar(
        select(func.count(Order.id)).where(
            takeout_scope(user, Order, TeamMember),
            Order.status == OrderStatus.ORDERED,
            Order.contact_due_at < utcnow(),
        )
    )
    return {
        "open": sum(counts.get(s.value, 0) for s in OPEN_STATUSES),
        "waiting_contact": counts.get(OrderStatus.ORDERED.value, 0),
        "late_contact": late or 0,
        "on_site": counts.get(OrderStatus.ON_SITE.value, 0),
        "month": period_figures(user, first, last),
    }
