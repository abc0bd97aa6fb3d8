"""What an administrator changes in the cross-region set-up: partners, agreement items, signing keys.

Every change writes an audit row; functions flush, the view commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from ..auth import audit
from ..auth.models import User
from ..catalog.models import ServiceItem
from ..extensions import db
from ..timeutil import utcnow
from . import keys
from .models import AgreementKind, PartnerItem, PartnerKey, PartnerRegion

PARTNER_FIELDS = ("name", "agreement_kind", "agreed_item_count", "base_url", "is_active", "ca_bundle_pem")


class LastKeyError(Exception):
    """Retiring this key would leave the partner without a valid key."""


def create_partner(actor: User, *, code: str, **values) -> PartnerRegion:
    partner = PartnerRegion(code=code, **_clean(values))
    db.session.add(partner)
    db.session.flush()
    audit.record("xr.partner_create", "ok", user=actor, detail=f"partner={code}")
    return partner


def update_partner(actor: User, partner: PartnerRegion, **values) -> list[str]:
    changed = []
    for name, value in _clean(values).items():
        if getattr(partner, name) != value:
            setattr(partner, name, value)
            changed.append(name)
    db.session.flush()
    if changed:
        audit.record("xr.partner_update", "ok", user=actor, detail=f"partner={partner.code} " + " ".join(changed))
    return changed


def _clean(values: dict) -> dict:
    cleaned = {name: values[name] for name in PARTNER_FIELDS if name in values}
    if "agreement_kind" in cleaned:
        cleaned["agreement_kind"] = AgreementKind(cleaned["agreement_kind"])
    for name in ("base_url", "ca_bundle_pem"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip() or None
    return cleaned


def add_item(
    actor: User,
    partner: PartnerRegion,
    item: ServiceItem,
    *,
    partner_item_code: str,
    partner_item_name: str,
    is_same_standard: bool,
) -> PartnerItem:
    row = PartnerItem(
        partner_id=partner.id,
        local_item_id=item.id,
        partner_item_code=partner_item_code,
        partner_item_name=partner_item_name,
        is_same_standard=is_same_standard,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "xr.item_add", "ok", user=actor, detail=f"partner={partner.code} item={item.code} as={partner_item_code}"
    )
    return row


def remove_item(actor: User, row: PartnerItem) -> None:
    detail = f"partner_id={row.partner_id} as={row.partner_item_code}"
    db.session.delete(row)
    db.session.flush()
    audit.record("xr.item_remove", "ok", user=actor, detail=detail)


def add_key(
    actor: User,
    partner: PartnerRegion,
    *,
    key_id: str,
    secret: str | None = None,
    starts_in_hours: int = 0,
    valid_days: int = 365,
    now: datetime | None = None,
) -> PartnerKey:
    """A new key, valid from ``now + starts_in_hours`` for ``valid_days``; the secret is generated when not given.

    The first key added to a partner that still uses the legacy ``shared_key`` first copies it into a row
    (``k0``, no expiry), so the partner's current key keeps working during the overlap.
    """
    now = now or utcnow()
    if partner.shared_key and not keys.key_rows(partner):
        db.session.add(
            PartnerKey(
                partner_id=partner.id,
                key_id=keys.MIGRATED_KEY_ID,
                secret=partner.shared_key,
                not_before=now - timedelta(seconds=1),
                created_at=now,
            )
        )
    not_before = now + timedelta(hours=starts_in_hours)
    key = PartnerKey(
        partner_id=partner.id,
        key_id=key_id,
        secret=secret or secrets.token_hex(32),
        not_before=not_before,
        not_after=not_before + timedelta(days=valid_days),
        created_at=now,
    )
    db.session.add(key)
    db.session.flush()
    audit.record("xr.key_add", "ok", user=actor, detail=f"partner={partner.code} key={key_id}")  # never the secret
    return key


def retire_key(actor: User, partner: PartnerRegion, key: PartnerKey, *, now: datetime | None = None) -> None:
    """The key stops signing and verifying now.

    :raise LastKeyError: no other key of the partner is valid now (add the new key first).
    """
    now = now or utcnow()
    others = [row for row in keys.key_rows(partner) if row.id != key.id and row.valid_at(now)]
    if key.valid_at(now) and not others:
        raise LastKeyError(key.key_id)
    if key.not_after is None or key.not_after > now:
        key.not_after = now
    db.session.flush()
    audit.record("xr.key_retire", "ok", user=actor, detail=f"partner={partner.code} key={key.key_id}")
