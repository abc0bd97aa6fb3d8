"""Cross-region reads for the administrator pages (bounded: paginated lists, counts in SQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import (
    InboxMessage,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    PartnerItem,
    PartnerKey,
    PartnerRegion,
    Transfer,
)

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


def inbox_rows(page: int = 1, kind: MessageKind | None = None) -> list[InboxMessage]:
    query = select(InboxMessage).options(joinedload(InboxMessage.partner))
    if kind is not None:
        query = query.where(InboxMessage.kind == kind.value)
    query = (
        query.order_by(InboxMessage.received_at.desc(), InboxMessage.id.desc())
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


ITEM_LIST_LIMIT = 1000  # an agreement lists at most a few hundred items (domain.md §6.2: 154 at most)


def partner_items(partner: PartnerRegion) -> list[PartnerItem]:
    """The agreement's item list with our items (one query), in our catalogue order."""
    return list(
        db.session.scalars(
            select(PartnerItem)
            .options(joinedload(PartnerItem.local_item))
            .where(PartnerItem.partner_id == partner.id)
            .order_by(PartnerItem.partner_item_code)
            .limit(ITEM_LIST_LIMIT)
        )
    )


def keyed_partner_ids(now: datetime) -> set[int]:
    """Partners that can sign now: a valid row in xr_partner_keys, or the legacy shared_key and no rows (keys.py)."""
    valid = select(PartnerKey.partner_id).where(
        PartnerKey.not_before <= now, (PartnerKey.not_after.is_(None)) | (PartnerKey.not_after > now)
    )
    legacy = select(PartnerRegion.id).where(
        PartnerRegion.shared_key.is_not(None),
        PartnerRegion.shared_key != "",
        ~select(PartnerKey.id).where(PartnerKey.partner_id == PartnerRegion.id).exists(),
    )
    return set(db.session.scalars(valid.union(legacy)))
