"""The federation message format (docs/federation.md): envelope and per-kind payload checks.

Pure functions: ``parse_message(body)`` returns a ``Message`` or raises ``ProtocolError`` (answered with 400).
It runs only after the signature has been verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

KINDS = ("forward", "sign", "status", "correction", "result", "supplement")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_MATERIALS = 50

# Statuses a handling site reports back (domain.md §3.1: the intake site mirrors them).
REPORTED_STATUSES = (
    "RECEIVED",
    "ACCEPTED",
    "CORRECTION",
    "REFUSED",
    "IN_REVIEW",
    "APPROVED",
    "APPROVED_RQ",
    "REJECTED",
    "ISSUED",
    "DELIVERED",
    "WITHDRAWN",
    "TERMINATED",
    "RECALLED",
)


class ProtocolError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Message:
    id: str
    kind: str
    sender: str
    payload: dict[str, Any]


def _str(obj: dict, key: str, *, max_len: int = 200, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise ProtocolError("invalid_field", key)
    return value


def _materials(value: Any) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_MATERIALS:
        raise ProtocolError("invalid_field", "materials")
    checked = []
    for entry in value:
        if not isinstance(entry, dict):
            raise ProtocolError("invalid_field", "materials")
        name = _str(entry, "name")
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not HEX64.match(digest):
            raise ProtocolError("invalid_field", "materials.sha256")
        content = entry.get("content")
        if content is not None:
            if not isinstance(content, str):
                raise ProtocolError("invalid_field", "materials.content")
            try:
                raw = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError) as error:
                raise ProtocolError("invalid_field", "materials.content") from error
            if hashlib.sha256(raw).hexdigest() != digest:
                raise ProtocolError("digest_mismatch", name or "")
        checked.append({"name": name, "sha256": digest, "content": content})
    return checked


def _check_payload(kind: str, payload: dict) -> dict:
    if kind == "forward":
        _str(payload, "case_no", max_len=32)
        _str(payload, "item_code", max_len=64)
        _str(payload, "item_name")
        _str(payload, "applicant_name", max_len=100)
        enterprise = payload.get("enterprise")
        if not isinstance(enterprise, dict):
            raise ProtocolError("invalid_field", "enterprise")
        _str(enterprise, "name")
        _str(enterprise, "credit_code", max_len=18)
        payload = {**payload, "materials": _materials(payload.get("materials", []))}
    elif kind == "supplement":
        _str(payload, "case_no", max_len=32)  # the intake site's case number, as in every message
        _str(payload, "remote_case_no", max_len=32)
        _str(payload, "note", max_len=2000, required=False)
        materials = _materials(payload.get("materials"))
        if not materials or any(m["content"] is None for m in materials):
            raise ProtocolError("invalid_field", "materials")
        payload = {**payload, "materials": materials}
    else:
        _str(payload, "case_no", max_len=32)  # the intake site's case number
        _str(payload, "remote_case_no", max_len=32, required=kind != "sign")
        if kind == "status" and payload.get("status") not in REPORTED_STATUSES:
            raise ProtocolError("invalid_field", "status")
        if kind == "result" and payload.get("decision") not in ("APPROVED", "REJECTED"):
            raise ProtocolError("invalid_field", "decision")
        if kind in ("correction", "result"):
            _str(payload, "note", max_len=2000, required=kind == "correction")
    return payload


def parse_message(body: bytes) -> Message:
    """Decode and check a message body.

    :raise ProtocolError: not JSON, not an object, missing or wrong fields, a material whose digest is wrong.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProtocolError("invalid_json") from error
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", "not an object")
    message_id = data.get("id")
    if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
        raise ProtocolError("invalid_field", "id")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ProtocolError("invalid_field", "kind")
    sender = _str(data, "sender", max_len=16)
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise ProtocolError("invalid_field", "payload")
    return Message(id=message_id, kind=kind, sender=sender or "", payload=_check_payload(kind, payload))


def encode(message_id: str, kind: str, sender: str, payload: dict) -> bytes:
    return json.dumps(
        {"id": message_id, "kind": kind, "sender": sender, "payload": payload}, ensure_ascii=False, sort_keys=True
    ).encode("utf-8")
