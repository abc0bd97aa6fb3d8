"""Reading the service log: a day of one author, a month's summary per author, rows for the export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import joinedload

from ..access import service_log_scope
from ..auth.models import User
from ..extensions import db
from .models import LogKind, ServiceLogEntry


def day_entries(user: User, day: date) -> list[ServiceLogEntry]:
    query = (
        select(ServiceLogEntry)
        .where(ServiceLogEntry.author_id == user.id, ServiceLogEntry.day == day)
        .options(joinedload(ServiceLogEntry.enterprise))
        .order_by(ServiceLogEntry.id)
    )
    return list(db.session.scalars(query))


@dataclass
class AuthorSummary:
    author: User
    counts: dict[str, int] = field(default_factory=dict)
    solved: int = 0


def month_summary(user: User, first: date, last: date) -> list[AuthorSummary]:
    """Counts by kind per author over [first, last], in the user's scope (two queries)."""
    query = (
        select(
            ServiceLogEntry.author_id,
            ServiceLogEntry.kind,
            func.count(),
            func.sum(cast(ServiceLogEntry.solved, Integer)),
        )
        .where(service_log_scope(user), ServiceLogEntry.day.between(first, last))
        .group_by(ServiceLogEntry.author_id, ServiceLogEntry.kind)
    )
    summaries: dict[int, AuthorSummary] = {}
    rows = db.session.execute(query).all()
    authors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r[0] for r in rows})))} if rows else {}
    )
    for author_id, kind, count, solved in rows:
        summary = summaries.setdefault(author_id, AuthorSummary(author=authors[author_id]))
        summary.counts[LogKind(kind).value] = count
        summary.solved += int(solved or 0)
    return sorted(summaries.values(), key=lambda s: s.author.username)


def month_entries(user: User, first: date, last: date) -> list[ServiceLogEntry]:
    query = (
        select(ServiceLogEntry)
        .where(service_log_scope(user), ServiceLogEntry.day.between(first, last))
        .options(joinedload(ServiceLogEntry.enterprise), joinedload(ServiceLogEntry.author))
        .order_by(ServiceLogEntry.day, ServiceLogEntry.id)
    )
    return list(db.session.scalars(query))
