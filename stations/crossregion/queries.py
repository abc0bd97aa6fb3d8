"""Cross-region reads for the administrator pages (bounded: paginated lists, counts in SQL)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import InboxMessage, OutboxMessage, OutboxStatus, PartnerItem, PartnerRegion, Transfer

PAGE_SIZE = 50


def partner_rows() -> list[tuple[PartnerRegion, int, int, int]]:
    """Each partner with its mapped items, pending and failed outbox messages."""
    items = select(func.count(PartnerItem.id)).where(PartnerItem.partner_id == PartnerRegion.id).scalar_subquery()
    pending = (
        select(func.count(OutboxMessage.id))
        .where(OutboxMessage.partner_id == PartnerRegion.id, OutboxMessage.status == OutboxStatus.PENDING)
        .scalar_subquery()
    )
    failed = (
        select(func.count(OutboxMessage.id))
        .where(OutboxMessage.partner_id == PartnerRegion.id, OutboxMessage.status == OutboxStatus.FAILED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(PartnerRegion, items, pending, failed).order_by(PartnerRegion.sort_order, PartnerRegion.id)
    ).all()
    return [tuple(row) for row in rows]


def outbox_rows(status: OutboxStatus | None, page: int = 1) -> list[OutboxMessage]:
    query = select(OutboxMessage).options(joinedload(OutboxMessage.partner))
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    query = (
        query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(db.session.scalars(query))


def inbox_rows(page: int = 1) -> list[InboxMessage]:
    query = (
        select(InboxMessage)
        .options(joinedload(InboxMessage.partner))
        .order_by(InboxMessage.received_at.desc(), InboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(db.session.scalars(query))


def transfers_for_case(case_id: int) -> list[Transfer]:
    """The cross-region hand-offs of a case (one query), for crossregion/_case_panel.html."""
    return list(
        db.session.scalars(
            select(Transfer)
            .options(joinedload(Transfer.partner))
            .where(Transfer.case_id == case_id)
            .order_by(Transfer.id)
        )
    )
