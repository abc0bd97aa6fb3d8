"""Cross-region writes: the outbox, the inbound pipeline, transfers. Services flush; the caller commits.

- ``enqueue`` writes an outbox row in the caller's transaction (the transactional outbox).
- ``receive_request`` checks an inbound HTTP request in this order: known partner, fresh timestamp, signature,
  unused nonce; only then the body's schema; then ``apply_inbound`` applies the message at most once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from ..cases.models import Case
from ..extensions import db
from ..timeutil import epoch_seconds, utcnow
from ..uploads.storage import upload_root
from . import case_link, keys, signing
from .models import (
    InboxMessage,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    PartnerRegion,
    SeenNonce,
    Transfer,
    TransferDirection,
)
from .protocol import Message, ProtocolError, parse_message

FEDERATION_PATH = "/federation/v1/messages"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def region_code() -> str:
    return current_app.config["REGION_CODE"]


def partner_by_code(code: str | None) -> PartnerRegion | None:
    if not code:
        return None
    return db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == code))


# --- outbound ------------------------------------------------------------------------------------------------


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
        code = case_link.partner_item_code(partner, case.item_id)
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


# --- inbound -------------------------------------------------------------------------------------------------


def receive_request(
    method: str, path: str, headers: dict[str, str], body: bytes, *, now_epoch: float | None = None
) -> Answer:
    """Check and apply one inbound request. Refusals change nothing (no nonce, no inbox row, no effect)."""
    now_epoch = epoch_seconds() if now_epoch is None else now_epoch
    partner = partner_by_code(headers.get(signing.HEADER_REGION))
    if partner is None or not partner.is_active or not keys.has_key(partner):
        return Answer(401, {"error": "unknown_partner"})
    timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
    if not signing.timestamp_fresh(timestamp, now_epoch):
        return Answer(401, {"error": "stale_timestamp"})
    nonce = headers.get(signing.HEADER_NONCE, "")
    if not nonce or len(nonce) > 64:
        return Answer(401, {"error": "missing_nonce"})
    refusal = keys.verify_request(partner, method, path, headers, body)  # key id, expiry (security.md N7)
    if refusal:
        return Answer(401, {"error": refusal})
    if db.session.get(SeenNonce, nonce) is not None:
        return Answer(409, {"error": "replayed_nonce"})
    try:
        message = parse_message(body)
    except ProtocolError as error:
        return Answer(400, {"error": error.code, "detail": error.detail})
    if message.sender != partner.code:
        return Answer(400, {"error": "sender_mismatch"})
    now = utcnow()
    db.session.execute(
        delete(SeenNonce).where(SeenNonce.seen_at < now - timedelta(seconds=2 * signing.MAX_SKEW_SECONDS))
    )
    db.session.add(SeenNonce(nonce=nonce, partner_id=partner.id, seen_at=now))
    try:
        result, duplicate = apply_inbound(partner, message, now=now)
    except ProtocolError as error:
        return Answer(422, {"error": error.code, "detail": error.detail})
    return Answer(200, {"id": message.id, "duplicate": duplicate, "result": result})


def message_id_of(body: bytes) -> str | None:
    """The message id of a body already verified and parsed once (for the concurrent-duplicate answer)."""
    try:
        return parse_message(body).id
    except ProtocolError:
        return None


def inbox_result(partner: PartnerRegion, message_id: str) -> dict | None:
    row = db.session.scalar(
        select(InboxMessage).where(InboxMessage.partner_id == partner.id, InboxMessage.message_id == message_id)
    )
    return row.result if row else None


def apply_inbound(partner: PartnerRegion, message: Message, *, now: datetime | None = None) -> tuple[dict, bool]:
    """Apply a message at most once: a known id returns the stored result with ``duplicate=True``.

    :raise ProtocolError: the message refers to a transfer we do not have (nothing is stored then).
    """
    now = now or utcnow()
    stored = inbox_result(partner, message.id)
    if stored is not None:
        return stored, True
    result = _HANDLERS[message.kind](partner, message.payload, now)
    db.session.add(
        InboxMessage(message_id=message.id, partner_id=partner.id, kind=message.kind, received_at=now, result=result)
    )
    db.session.flush()
    return result, False


def _transfer(partner: PartnerRegion, direction: TransferDirection, **where: str) -> Transfer | None:
    query = select(Transfer).where(Transfer.partner_id == partner.id, Transfer.direction == direction)
    for column, value in where.items():
        query = query.where(getattr(Transfer, column) == value)
    return db.session.scalar(query)


def _on_forward(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    # The same case forwarded twice under two message ids is still one case here.
    existing = _transfer(partner, TransferDirection.INBOUND, remote_case_no=payload["case_no"])
    if existing is None:
        existing = Transfer(
            partner_id=partner.id,
            direction=TransferDirection.INBOUND,
            remote_case_no=payload["case_no"],
            state="RECEIVED",
            forwarded_at=now,
        )
        db.session.add(existing)
        db.session.flush()
        case_link.receive_forwarded(partner, existing, payload, now)
        db.session.flush()
    return {
        "remote_case_no": existing.local_case_no,
        "state": existing.state,
        "materials": [m["sha256"] for m in payload.get("materials", [])],
    }


def _outbound(partner: PartnerRegion, payload: dict) -> Transfer:
    transfer = _transfer(partner, TransferDirection.OUTBOUND, local_case_no=payload["case_no"])
    if transfer is None:
        raise ProtocolError("unknown_case", payload["case_no"])
    return transfer


def _on_sign(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    transfer = _outbound(partner, payload)
    transfer.partner_signed_at = transfer.partner_signed_at or now
    if payload.get("remote_case_no"):
        transfer.remote_case_no = payload["remote_case_no"]
    if transfer.state == "FORWARDED":
        transfer.state = "PARTNER_SIGNED"
    case_link.on_partner_sign(partner, transfer, now)
    return {"case_no": transfer.local_case_no, "state": transfer.state}


def _on_status(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    transfer = _outbound(partner, payload)
    transfer.remote_case_no = payload["remote_case_no"]
    transfer.state = payload["status"]
    case_link.on_partner_status(partner, transfer, payload["status"], str(payload.get("note") or "")[:2000], now)
    return {"case_no": transfer.local_case_no, "state": transfer.state}


def _on_correction(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    transfer = _outbound(partner, payload)
    transfer.remote_case_no = payload["remote_case_no"]
    transfer.state = "CORRECTION"
    transfer.correction_at = now
    case_link.on_partner_correction(partner, transfer, payload["note"], now)
    return {"case_no": transfer.local_case_no, "state": transfer.state}


def _on_result(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    transfer = _outbound(partner, payload)
    transfer.state = payload["decision"]
    case_link.on_partner_result(partner, transfer, payload["decision"], payload.get("note") or "", now)
    return {"case_no": transfer.local_case_no, "state": transfer.state}


def _on_supplement(partner: PartnerRegion, payload: dict, now: datetime) -> dict:
    transfer = _transfer(partner, TransferDirection.INBOUND, remote_case_no=payload["case_no"])
    if transfer is None:
        raise ProtocolError("unknown_case", payload["case_no"])
    return case_link.on_supplement(partner, transfer, payload, now)


_HANDLERS = {
    "forward": _on_forward,
    "sign": _on_sign,
    "status": _on_status,
    "correction": _on_correction,
    "result": _on_result,
    "supplement": _on_supplement,
}
