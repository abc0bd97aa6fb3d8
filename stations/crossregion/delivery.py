"""The outbox worker (`flask crossregion deliver`): one queue per partner, exponential backoff, no redirects.

Each round takes the due head of every partner's queue (oldest first, up to ``batch`` messages), sends the
partners' batches concurrently (HTTP only, in threads), then records the outcomes in this thread. A partner
stops at its first failure, so its order is kept and a dead partner costs the others nothing but a thread.

- 2xx: delivered. The receiver applies a message id once, so a retry after a lost reply is harmless.
- 4xx other than 408/409/425/429: ``failed`` (the partner refuses it; an administrator retries it by hand).
- anything else (connection refused, timeout, TLS failure, 3xx, 5xx): attempts + 1, next try in
  ``min(2**attempts, 300)`` s.

Before anything is sent, the partner's URL must pass the egress allowlist (egress.py, security.md N5); TLS is
verified with the system CAs or the partner's pinned CA (tls.py, N6); messages are signed with the partner's
newest valid key and name it in ``X-XR-Key-Id`` (keys.py, N7).
"""

from __future__ import annotations

import logging
import secrets
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select

from ..database import write_now
from ..extensions import db
from ..timeutil import epoch_seconds, utcnow
from . import egress, keys, signing, tls
from .models import OutboxMessage, OutboxStatus, PartnerRegion
from .protocol import encode
from .services import FEDERATION_PATH

log = logging.getLogger("stations.crossregion.delivery")

MAX_BACKOFF_SECONDS = 300
TIMEOUT_SECONDS = 5.0
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def backoff_seconds(attempts: int) -> int:
    return min(2**attempts, MAX_BACKOFF_SECONDS)


@dataclass(frozen=True)
class Request:
    url: str
    path: str
    body: bytes
    key: str
    region: str
    key_id: str = ""
    ca_pem: str | None = None  # the partner's pinned CA; None: the system CAs
    refused: str = ""  # why it must not be sent (egress allowlist): recorded as a failed attempt


@dataclass(frozen=True)
class Outcome:
    message_id: str
    status: int | None  # HTTP status, None when no answer came
    error: str = ""


Transport = Callable[[str, bytes, dict[str, str]], int]  # (url, body, headers) -> HTTP status; raises OSError


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is answered as an HTTPError: never followed (security.md N5)


_OPENER = urllib.request.build_opener(_NoRedirect)


def urllib_transport(url: str, body: bytes, headers: dict[str, str], *, context: ssl.SSLContext | None = None) -> int:
    """POST and return the status; 3xx is returned, never followed. HTTPS is always verified (``context`` or
    the system CAs).
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"partner URL must be http(s): {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    opener = _OPENER
    if url.startswith("https://"):
        opener = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPSHandler(context=context or tls.client_context(None))
        )
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def signed_headers(key: str, region: str, path: str, body: bytes, key_id: str = "") -> dict[str, str]:
    timestamp = str(int(epoch_seconds()))
    nonce = secrets.token_hex(16)
    headers = {
        "Content-Type": "application/json",
        signing.HEADER_REGION: region,
        signing.HEADER_TIMESTAMP: timestamp,
        signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(key, "POST", path, timestamp, nonce, body),
    }
    if key_id:
        headers[signing.HEADER_KEY_ID] = key_id
    return headers


def _default_transport(request: Request) -> Transport:
    """urllib with the partner's TLS trust (its pinned CA, or the system CAs)."""
    if request.url.startswith("https://"):
        return partial(urllib_transport, context=tls.client_context(request.ca_pem))
    return urllib_transport


def _send_batch(batch: list[tuple[str, Request]], transport: Transport | None) -> list[Outcome]:
    outcomes = []
    send: Transport | None = transport
    for message_id, request in batch:
        if request.refused:
            outcomes.append(Outcome(message_id, None, request.refused))
            break
        headers = signed_headers(request.key, request.region, request.path, request.body, request.key_id)
        try:
            send = send or _default_transport(request)  # a batch is one partner's: one TLS context for it
            status = send(request.url, request.body, headers)
        except (OSError, ValueError, ssl.SSLError) as error:  # refused, reset, timeout, TLS failure, bad URL
            outcomes.append(Outcome(message_id, None, f"{type(error).__name__}: {error}"[:500]))
            break
        outcomes.append(Outcome(message_id, status))
        if not 200 <= status < 300:
            break
    return outcomes


def due_batches(region: str, *, now: datetime, batch: int) -> dict[int, list[tuple[str, Request]]]:
    partners = db.session.scalars(
        select(PartnerRegion)
        .where(
            PartnerRegion.id.in_(select(OutboxMessage.partner_id).where(OutboxMessage.status == OutboxStatus.PENDING))
        )
        .order_by(PartnerRegion.id)
    ).all()
    batches: dict[int, list[tuple[str, Request]]] = {}
    for partner in partners:
        key = keys.signing_key(partner, now)
        if not partner.base_url or key is None or not partner.is_active:
            continue
        # The head of the queue decides: a message waiting for its backoff holds the ones behind it (order kept).
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.partner_id == partner.id, OutboxMessage.status == OutboxStatus.PENDING)
            .order_by(OutboxMessage.created_at, OutboxMessage.seq, OutboxMessage.id)
            .limit(batch)
        ).all()
        if not rows or rows[0].next_attempt_at > now:
            continue
        url = partner.base_url.rstrip("/") + FEDERATION_PATH
        refused = "" if egress.is_allowed(url) else f"egress refused: {partner.base_url} is not in the allowlist"
        ca_pem = _pinned_ca(partner)
        if isinstance(ca_pem, Exception):
            refused, ca_pem = f"pinned CA unreadable: {ca_pem}"[:500], None
        batches[partner.id] = [
            (
                row.id,
                Request(
                    url,
                    FEDERATION_PATH,
                    encode(row.id, row.kind.value, region, row.payload),
                    key.secret,
                    region,
                    key_id=key.key_id,
                    ca_pem=ca_pem,
                    refused=refused,
                ),
            )
            for row in rows
        ]
    return batches


def _pinned_ca(partner: PartnerRegion) -> str | Exception | None:
    try:
        return tls.pinned_ca(partner)
    except OSError as error:  # a configured CA file that is missing: the attempt fails, it never falls back
        return error


def claim(batches: dict[int, list[tuple[str, Request]]], *, now: datetime) -> set[str]:
    """Count the attempt on each queue's head and push its next try back *before* sending.

    The backoff lives in the database: if recording the outcome fails later (a busy database, a crash), the
    attempt is already counted and the partner is not retried at once.
    """
    claimed = set()
    for batch in batches.values():
        message = db.session.get(OutboxMessage, batch[0][0])
        if message is not None and message.status is OutboxStatus.PENDING:
            message.attempts += 1
            message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
            claimed.add(message.id)
    return claimed


def record(
    outcomes: list[Outcome], *, now: datetime, claimed: frozenset[str] | set[str] = frozenset()
) -> tuple[int, int]:
    delivered = failed = 0
    for outcome in outcomes:
        message = db.session.get(OutboxMessage, outcome.message_id)
        if message is None:
            continue
        if message.id not in claimed:
            message.attempts += 1
        if outcome.status is not None and 200 <= outcome.status < 300:
            message.status = OutboxStatus.DELIVERED
            message.delivered_at = now
            message.last_error = None
            delivered += 1
            continue
        failed += 1
        if outcome.status is not None and 400 <= outcome.status < 500 and outcome.status not in RETRYABLE_4XX:
            message.status = OutboxStatus.FAILED
            message.last_error = f"HTTP {outcome.status}"
        else:
            message.last_error = outcome.error or f"HTTP {outcome.status}"
            message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
        log.warning(
            "delivery failed: message %s (%s) attempt %d: %s; %s",
            message.id,
            message.kind.value,
            message.attempts,
            message.last_error,
            "parked as failed" if message.status is OutboxStatus.FAILED else f"next try at {message.next_attempt_at}",
        )
    return delivered, failed


def deliver_once(
    region: str,
    *,
    transport: Transport | None = None,
    batch: int = 50,
    workers: int = 8,
    now: datetime | None = None,
) -> tuple[int, int]:
    """One round over every partner's queue; commits the outcomes. Returns (delivered, failed attempts).

    ``transport`` replaces the network (tests); by default each partner gets urllib with its own TLS trust.
    """
    clock = (lambda: now) if now else utcnow  # the backoff counts from each write, however long it waited
    batches = due_batches(region, now=clock(), batch=batch)
    db.session.rollback()  # end the read transaction: no lock is held while the network is used
    if not batches:
        return 0, 0
    # Every write is a short transaction that takes SQLite's write lock up front and is retried while the
    # database is busy (write_now), so an app writing at the same time delays the worker but never kills it.
    claimed = write_now(lambda: claim(batches, now=clock()))
    if len(batches) == 1 or workers <= 1:
        results = [_send_batch(b, transport) for b in batches.values()]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
            results = list(pool.map(lambda b: _send_batch(b, transport), batches.values()))
    outcomes = [outcome for result in results for outcome in result]
    return write_now(lambda: record(outcomes, now=clock(), claimed=claimed))


def pending_count() -> int:
    return db.session.scalar(
        select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )


def delivery_job(max_rounds: int = 20) -> str:
    """The every-minute job (stations/jobs): deliver what is due, a few rounds while messages keep going out.

    Safe to run twice: a message is delivered at most once per partner (its id is the partner's idempotency key) and
    the outbox rows record what went. `flask crossregion deliver --loop` remains for a dedicated delivery process.
    """
    from flask import current_app

    region = current_app.config["REGION_CODE"]
    total_delivered = total_failed = 0
    for _ in range(max_rounds):
        delivered, failed = deliver_once(region)
        total_delivered, total_failed = total_delivered + delivered, total_failed + failed
        if not delivered:
            break
    return f"delivered {total_delivered}, failed attempts {total_failed}"
