"""Reads of a user's notifications: each function runs one statement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .models import Notification


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


@dataclass
class Page:
    rows: list[Notification]
    page: int
    has_next: bool


def page_for(user_id: int, *, page: int = 1, page_size: int = 30, unread_only: bool = False) -> Page:
    """One page of the user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.id.desc()).offset((page - 1) * page_size).limit(page_size + 1)
    rows = list(db.session.scalars(stmt))
    return Page(rows=rows[:page_size], page=page, has_next=len(rows) > page_size)


def notification_of(user_id: int, notification_id: int) -> Notification | None:
    """One of the user's notifications, or None (another user's is as good as missing)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    )
