"""Cross-region outbox: what we send a partner district (forwards, status reports, signatures), written in the
caller's transaction (the transactional outbox; the worker in delivery.py sends it). Flush, never commit."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..cases.models import Case
from ..extensions import db
from ..timeutil import utcnow
from ..uploads.storage import upload_root
from . import keys
from .models import (
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    PartnerItem,
    PartnerRegion,
    Transfer,
    TransferDirection,
)


def partner_item_code(partner: PartnerRegion, item_id: int) -> str | None:
    return db.session.scalar(
        select(PartnerItem.partner_item_code)
        .where(PartnerItem.partner_id == partner.id, PartnerItem.local_item_id == item_id)
        .order_by(PartnerItem.id)
    )


def region_code() -> str:
    return current_app.config["REGION_CODE"]


def partner_by_code(code: str | None) -> PartnerRegion | None:
    if not code:
        return None
    return db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == code))


def enqueue(
    partner: PartnerRegion, kind: MessageKind, payload: dict[str, Any], *, now: datetime | None = None
) -> OutboxMessage:
    """Add a message to the partner's queue, in the caller's transaction."""
    now = now or utcnow()
    message = OutboxMessage(partner_id=partner.id, kind=kind, payload=payload, created_at=now, next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def forward_transfer(
    partner: PartnerRegion, payload: dict[str, Any], *, case_id: int | None = None, now: datetime | None = None
) -> Transfer:
    """Record an outbound transfer and its forward message in one transaction (``payload`` per docs/federation.md)."""
    now = now or utcnow()
    transfer = Transfer(
        case_id=case_id,
        partner_id=partner.id,
        direction=TransferDirection.OUTBOUND,
        local_case_no=payload["case_no"],
        state="FORWARDED",
        forwarded_at=now,
    )
    db.session.add(transfer)
    enqueue(partner, MessageKind.FORWARD, payload, now=now)
    return transfer


def case_payload(case: Case, partner: PartnerRegion | None = None) -> dict[str, Any]:
    """The forward message of a case: its form data and its materials with their sha256 (and content when stored)."""
    materials = []
    for material in case.materials:
        document = material.document
        if document is None or document.file is None:
            continue
        entry: dict[str, Any] = {"name": material.item_material.name[:200], "sha256": document.file.sha256}
        path = upload_root() / document.file.storage_name
        if path.is_file():
            entry["content"] = base64.b64encode(path.read_bytes()).decode()
        materials.append(entry)
    payload = {
        "case_no": case.case_no,
        "item_code": case.item.code,
        "item_name": case.item.name[:200],
        "applicant_name": case.applicant_name,
        "enterprise": {"name": case.enterprise.name, "credit_code": case.enterprise.uscc},
        "materials": materials,
    }
    if partner is not None:
        code = partner_item_code(partner, case.item_id)
        if code:
            payload["item_code"] = code  # the partner's own code for the item, from the agreement's list
    return payload


def forward_case(case: Case, partner: PartnerRegion, *, now: datetime | None = None) -> Transfer:
    """Forward a case to a partner: the transfer and the outbox message in the caller's transaction.

    Called from the case's ``forward`` event (case_link.FederationPort), which moves the case to FORWARDED.
    :raise ValueError: the partner is inactive or has no key/URL.
    """
    if not partner.is_active or not keys.has_key(partner) or not partner.base_url:
        raise ValueError(f"partner {partner.code} cannot receive messages")
    return forward_transfer(partner, case_payload(case, partner), case_id=case.id, now=now)


def report_status(transfer: Transfer, status: str, *, note: str = "", now: datetime | None = None) -> OutboxMessage:
    """At the handling site: record a status of an inbound transfer and report it to the intake site."""
    now = now or utcnow()
    transfer.state = status
    kind = MessageKind.STATUS
    payload: dict[str, Any] = {
        "case_no": transfer.remote_case_no,
        "remote_case_no": transfer.local_case_no,
        "status": status,
        "at": now.isoformat(timespec="seconds") + "Z",
    }
    if note:
        payload["note"] = note
    return enqueue(transfer.partner, kind, payload, now=now)


def sign_inbound(transfer: Transfer, *, now: datetime | None = None) -> OutboxMessage:
    """At the handling site: sign for an inbound transfer (our clock starts at acceptance) and tell the intake site."""
    now = now or utcnow()
    transfer.partner_signed_at = transfer.partner_signed_at or now
    payload = {"case_no": transfer.remote_case_no, "remote_case_no": transfer.local_case_no}
    return enqueue(transfer.partner, MessageKind.SIGN, payload, now=now)


def retry_now(message: OutboxMessage, *, now: datetime | None = None) -> None:
    """Administrator's "retry now": the message is due immediately, failed or not."""
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = now or utcnow()
    db.session.flush()
