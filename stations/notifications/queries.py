"""Reads of a user's notifications: each function runs one statement (a page of groups, two).

Notifications about the same thing (the same link: one case, one appeal...) are grouped (issue 19): the bell counts
the things with something unread, not every state change, and the list shows each thing once, newest first, with
its earlier notices folded under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, distinct, func, literal, select

from ..extensions import db
from .models import Notification

# What a notification is about: its link, or itself when it has none.
SUBJECT = func.coalesce(Notification.link, literal("#") + cast(Notification.id, String))


def unread_count(user_id: int) -> int:
    """How many things (groups) have an unread notification."""
    return db.session.scalar(
        select(func.count(distinct(SUBJECT))).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


@dataclass
class Group:
    """The notifications about one thing, newest first."""

    items: list[Notification]

    @property
    def latest(self) -> Notification:
        return self.items[0]

    @property
    def earlier(self) -> list[Notification]:
        return self.items[1:]

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if not item.is_read)


@dataclass
class GroupPage:
    groups: list[Group]
    page: int
    has_next: bool


MAX_IN_GROUP = 20  # the earlier notices folded under one thing; older ones stay reachable from its page


def group_page_for(user_id: int, *, page: int = 1, page_size: int = 30) -> GroupPage:
    """One page of the user's notifications grouped by what they are about, the latest changed first: two queries."""
    subject = SUBJECT.label("subject")
    latest = func.max(Notification.id).label("latest")
    subjects = db.session.execute(
        select(subject, latest)
        .where(Notification.user_id == user_id)
        .group_by(subject)
        .order_by(latest.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    ).all()
    wanted = [row.subject for row in subjects[:page_size]]
    if not wanted:
        return GroupPage(groups=[], page=page, has_next=False)
    members = db.session.execute(
        select(SUBJECT, Notification)
        .where(Notification.user_id == user_id, SUBJECT.in_(wanted))
        .order_by(Notification.id.desc())
    ).all()
    by_subject: dict[str, list[Notification]] = {key: [] for key in wanted}
    for key, notification in members:
        if len(by_subject[key]) < MAX_IN_GROUP:
            by_subject[key].append(notification)
    return GroupPage(
        groups=[Group(items) for items in by_subject.values() if items], page=page, has_next=len(subjects) > page_size
    )


def notification_of(user_id: int, notification_id: int) -> Notification | None:
    """One of the user's notifications, or None (another user's is as good as missing)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    )
