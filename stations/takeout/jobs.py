"""Timed work of 政务外卖 (the job schedule, stations/jobs): results delivered, and rated-or-closed orders.

Every minute: an order whose on-site cases have all reached the enterprise is DELIVERED; an order delivered
more than AUTO_CLOSE_DAYS ago without an evaluation is COMPLETED by the system (the enterprise can no longer rate
it). Both are idempotent: a rerun finds nothing more to do.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..domain.takeout_flow import OrderEvent, OrderStatus
from ..extensions import db
from ..timeutil import utcnow
from . import services
from .models import Order

AUTO_CLOSE_DAYS = 15  # the same window as a case's rating after delivery


def auto_close(now=None) -> int:
    now = now or utcnow()
    due = db.session.scalars(
        select(Order).where(
            Order.status == OrderStatus.DELIVERED, Order.delivered_at < now - timedelta(days=AUTO_CLOSE_DAYS)
        )
    ).all()
    for order in due:
        services.apply_event(order, OrderEvent.AUTO_CLOSE, None, version=None, data=services.EventInput(), now=now)
    return len(due)


def settle_job() -> str:
    delivered = services.deliver_settled()
    closed = auto_close()
    db.session.commit()
    return f"delivered {delivered}, closed {closed}"
