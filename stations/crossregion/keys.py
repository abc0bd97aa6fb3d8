"""Which key signs and which keys verify (security.md N7: rotation with two valid keys).

A partner's keys are rows of ``xr_partner_keys``, each with a key id and a validity window. Outbound messages are
signed with the newest valid key and carry its id in ``X-XR-Key-Id``. Inbound, a named key must exist and be valid
now; without a key id every valid key is tried. ``partner_regions.shared_key`` is the legacy single key: it counts
only while the partner has no row in ``xr_partner_keys`` (the first key added copies it into a row, see
admin_services.add_key), so setups made with ``flask crossregion set-partner --key`` keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from . import signing
from .models import PartnerKey, PartnerRegion

LEGACY_KEY_ID = ""  # the shared_key column: sent without a key id header
MIGRATED_KEY_ID = "k0"  # the legacy key once copied into xr_partner_keys (admin_services.add_key)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    secret: str


def key_rows(partner: PartnerRegion) -> list[PartnerKey]:
    """All of a partner's keys, newest first."""
    return list(
        db.session.scalars(
            select(PartnerKey)
            .where(PartnerKey.partner_id == partner.id)
            .order_by(PartnerKey.not_before.desc(), PartnerKey.id.desc())
        )
    )


def valid_keys(
    partner: PartnerRegion, now: datetime | None = None, rows: list[PartnerKey] | None = None
) -> list[SigningKey]:
    """The keys that sign and verify now, newest first (the legacy key when the partner has no rows).

    ``rows``: the partner's key rows when the caller has them already (``key_rows``).
    """
    now = now or utcnow()
    rows = key_rows(partner) if rows is None else rows
    if not rows:
        return [SigningKey(LEGACY_KEY_ID, partner.shared_key)] if partner.shared_key else []
    return [SigningKey(row.key_id, row.secret) for row in rows if row.valid_at(now)]


def signing_key(
    partner: PartnerRegion, now: datetime | None = None, rows: list[PartnerKey] | None = None
) -> SigningKey | None:
    keys = valid_keys(partner, now, rows)
    return keys[0] if keys else None


def has_key(partner: PartnerRegion, now: datetime | None = None) -> bool:
    return signing_key(partner, now) is not None


def verify_request(
    partner: PartnerRegion,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
) -> str | None:
    """Check the request's signature with the key it names (or the valid ones). Returns an error code or None."""
    now = now or utcnow()
    timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
    nonce = headers.get(signing.HEADER_NONCE, "")
    signature = headers.get(signing.HEADER_SIGNATURE, "")
    key_id = headers.get(signing.HEADER_KEY_ID, "")
    if key_id:
        row = db.session.scalar(
            select(PartnerKey).where(PartnerKey.partner_id == partner.id, PartnerKey.key_id == key_id)
        )
        if row is None:
            return "unknown_key"
        if not row.valid_at(now):
            return "expired_key"
        secrets = [row.secret]
    else:
        secrets = [key.secret for key in valid_keys(partner, now)]
    # Every candidate is computed (no early exit) so the time taken does not tell which key matched.
    matches = [signing.verify(secret, method, path, timestamp, nonce, body, signature) for secret in secrets]
    return None if any(matches) else "bad_signature"
