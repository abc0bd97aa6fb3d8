"""Request signing between districts (docs/federation.md, security.md §2.10 N1/N2).

The signature is a MAC over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(sha256(body))`` with the key shared with the
partner. The algorithm sits behind ``Signer`` so that HMAC-SM3 can replace HMAC-SHA256 without touching callers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

MAX_SKEW_SECONDS = 300  # timestamps more than 5 minutes away are refused
TIMESTAMP = re.compile(r"[0-9]{1,12}")

HEADER_REGION = "X-XR-Region"  # the sender's region code
HEADER_TIMESTAMP = "X-XR-Timestamp"  # Unix seconds
HEADER_NONCE = "X-XR-Nonce"  # unique per attempt
HEADER_SIGNATURE = "X-XR-Signature"  # "<algorithm>=<hex>"
HEADER_KEY_ID = "X-XR-Key-Id"  # which of the partner's keys signed (security.md N7); absent for the legacy key


class Signer(Protocol):
    algorithm: str

    def mac(self, key: bytes, data: bytes) -> str: ...


class HmacSha256:
    algorithm = "hmac-sha256"

    def mac(self, key: bytes, data: bytes) -> str:
        return hmac.new(key, data, hashlib.sha256).hexdigest()


DEFAULT_SIGNER: Signer = HmacSha256()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join((method.upper(), path, timestamp, nonce, body_digest(body))).encode()


def sign(
    key: str, method: str, path: str, timestamp: str, nonce: str, body: bytes, signer: Signer = DEFAULT_SIGNER
) -> str:
    return f"{signer.algorithm}={signer.mac(key.encode(), canonical(method, path, timestamp, nonce, body))}"


def verify(
    key: str,
    method: str,
    path: str,
    timestamp: str,
    nonce: str,
    body: bytes,
    signature: str,
    signer: Signer = DEFAULT_SIGNER,
) -> bool:
    expected = sign(key, method, path, timestamp, nonce, body, signer)
    # We send lowercase hex; a partner's uppercase hex is accepted (the MAC is the same bytes).
    return hmac.compare_digest(expected.encode(), (signature or "").strip().lower().encode())


def timestamp_fresh(timestamp: str, now_epoch: float) -> bool:
    if not isinstance(timestamp, str) or not TIMESTAMP.fullmatch(timestamp):
        return False  # decimal ASCII digits only (int() would take " 7", "+7", "٧")
    return abs(now_epoch - int(timestamp)) <= MAX_SKEW_SECONDS
