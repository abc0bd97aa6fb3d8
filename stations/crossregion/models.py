"""Partner districts and their agreements (domain.md §2.9, §6.2)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import ServiceItem
from ..extensions import db
from ..timeutil import utcnow


class AgreementKind(enum.StrEnum):
    CROSS_REGION = "CROSS_REGION"  # 跨区域通办 strategic agreement
    SAME_STANDARD = "SAME_STANDARD"  # 同事同标


class PartnerRegion(db.Model):
    __tablename__ = "partner_regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    agreement_kind: Mapped[AgreementKind] = mapped_column(db.Enum(AgreementKind, native_enum=False, length=16))
    agreed_item_count: Mapped[int] = mapped_column(default=0)
    is_fictional: Mapped[bool] = mapped_column(default=False)  # the report names only five of the eight
    base_url: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    shared_key: Mapped[str | None] = mapped_column(String(128))  # HMAC key shared with the partner (issue 5)
    sort_order: Mapped[int] = mapped_column(default=0)
    # PEM of the CA(s) that sign the partner's TLS certificate; when set, only they are trusted (security.md N6).
    ca_bundle_pem: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<PartnerRegion {self.code} {self.name}>"


# --- Federation (issue 5): keys, agreement items, outbox / inbox, transfers -------------------------------------
# Added columns/tables (the lead regenerates the migration): partner_regions.shared_key, partner_items,
# xr_outbox, xr_inbox, xr_nonces, xr_transfers; then partner_regions.ca_bundle_pem and xr_partner_keys.


class PartnerKey(db.Model):
    """One signing key shared with a partner (security.md N7): two may be valid at once while keys rotate.

    A key is valid from ``not_before`` until ``not_after`` (exclusive); retiring a key sets ``not_after`` to now.
    ``partner_regions.shared_key`` is the legacy single key, used only while a partner has no row here
    (stations/crossregion/keys.py).
    """

    __tablename__ = "xr_partner_keys"
    __table_args__ = (UniqueConstraint("partner_id", "key_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(32))
    secret: Mapped[str] = mapped_column(String(128))
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    not_after: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def valid_at(self, now: datetime) -> bool:
        return self.not_before <= now and (self.not_after is None or now < self.not_after)


class PartnerItem(db.Model):
    """One item under an agreement: our item <-> the partner's implementation code (domain.md §2.9)."""

    __tablename__ = "partner_items"
    __table_args__ = (UniqueConstraint("partner_id", "partner_item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"), index=True)
    local_item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"), index=True)
    partner_item_code: Mapped[str] = mapped_column(String(64))
    partner_item_name: Mapped[str] = mapped_column(String(200))
    is_same_standard: Mapped[bool] = mapped_column(default=False)

    local_item: Mapped[ServiceItem | None] = relationship()


class MessageKind(enum.StrEnum):
    FORWARD = "forward"
    SIGN = "sign"
    STATUS = "status"
    CORRECTION = "correction"
    RESULT = "result"
    SUPPLEMENT = "supplement"  # intake site -> handling site: materials the applicant supplied after a correction


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # refused by the partner (4xx): waits for an administrator's "retry now"


def _new_uuid() -> str:
    return str(uuid.uuid4())


class OutboxMessage(db.Model):
    """A message written in the same transaction as the change it reports; the worker delivers it."""

    __tablename__ = "xr_outbox"
    __table_args__ = (Index("ix_xr_outbox_due", "partner_id", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_uuid)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"))
    kind: Mapped[MessageKind] = mapped_column(db.Enum(MessageKind, native_enum=False, length=16))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seq: Mapped[int] = mapped_column(default=0)  # order within the partner's queue (ties on created_at)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    status: Mapped[OutboxStatus] = mapped_column(
        db.Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.PENDING
    )

    partner: Mapped[PartnerRegion] = relationship()


class InboxMessage(db.Model):
    """A message applied once; ``result`` is the answer given again to a duplicate."""

    __tablename__ = "xr_inbox"
    __table_args__ = (UniqueConstraint("partner_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[dict] = mapped_column(JSON)

    partner: Mapped[PartnerRegion] = relationship()


class SeenNonce(db.Model):
    """Nonces of accepted requests, kept for the timestamp window: a replayed request is refused."""

    __tablename__ = "xr_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TransferDirection(enum.StrEnum):
    OUTBOUND = "OUTBOUND"  # we took it in, the partner handles it
    INBOUND = "INBOUND"  # the partner took it in, we handle it


class Transfer(db.Model):
    """The cross-region record of a case (domain.md §2.9 XRTransfer)."""

    __tablename__ = "xr_transfers"
    __table_args__ = (UniqueConstraint("partner_id", "direction", "remote_case_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner_regions.id"))
    direction: Mapped[TransferDirection] = mapped_column(db.Enum(TransferDirection, native_enum=False, length=16))
    local_case_no: Mapped[str | None] = mapped_column(String(32))
    remote_case_no: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # the last status known on the handling side
    forwarded_at: Mapped[datetime | None]
    partner_signed_at: Mapped[datetime | None]
    # The last correction notice (sent or received) and the last supplement passed on: the 1-WD relay check.
    correction_at: Mapped[datetime | None]
    supplement_at: Mapped[datetime | None]
    # How the case travels (domain.md §2.9, issue 12): SYSTEM (signed messages to a partner running this software) or
    # POST (a partner without an endpoint: originals by courier, the partner's steps recorded by our staff).
    channel: Mapped[str] = mapped_column(String(16), default="SYSTEM", server_default="SYSTEM")
    courier_no: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partner: Mapped[PartnerRegion] = relationship()
