"""Reading appeals and service-log entries, always from the access scope (access.appeal_scope)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..access import appeal_scope
from ..auth.models import User
from ..domain.appeal_flow import OPEN_STATUSES, Urgency
from ..extensions import db
from .models import Appeal, AppealEventRecord

# Queue order: URGENT first, then the nearest reply deadline.
URGENCY_ORDER = case({Urgency.URGENT.value: 0, Urgency.COMPLEX.value: 1}, value=Appeal.urgency, else_=2)


@dataclass
class QueuePage:
    rows: list[Appeal]
    page: int
    has_next: bool


def queue(user: User, *, status: str | None = None, include_closed: bool = False, page: int = 1, size: int = 30):
    query = select(Appeal).where(appeal_scope(user)).options(selectinload(Appeal.department))
    if status:
        query = query.where(Appeal.status == status)
    elif not include_closed:
        query = query.where(Appeal.status.in_([s.value for s in OPEN_STATUSES]))
    query = query.order_by(URGENCY_ORDER, Appeal.due_on.is_(None), Appeal.due_on, Appeal.id)
    rows = list(db.session.scalars(query.offset((page - 1) * size).limit(size + 1)))
    return QueuePage(rows=rows[:size], page=page, has_next=len(rows) > size)


def status_counts(user: User) -> dict[str, int]:
    query = select(Appeal.status, func.count()).where(appeal_scope(user)).group_by(Appeal.status)
    return {str(status): count for status, count in db.session.execute(query)}


def appeal_for(user: User, appeal_no: str) -> Appeal | None:
    """The appeal with its timeline, or None when it does not exist or is outside the user's scope."""
    query = (
        select(Appeal)
        .where(Appeal.appeal_no == appeal_no, appeal_scope(user))
        .options(
            selectinload(Appeal.events).joinedload(AppealEventRecord.actor),
            selectinload(Appeal.attachments),
        )
    )
    return db.session.scalar(query)


def visible_page(user: User, *, page: int, size: int) -> tuple[list[Appeal], bool]:
    """The newest appeals first (the API's list)."""
    query = (
        select(Appeal)
        .where(appeal_scope(user))
        .options(selectinload(Appeal.department), selectinload(Appeal.enterprise))
    )
    query = query.order_by(Appeal.registered_at.desc(), Appeal.id.desc()).offset((page - 1) * size).limit(size + 1)
    rows = list(db.session.scalars(query))
    return rows[:size], len(rows) > size
