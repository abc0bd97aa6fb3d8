"""Writes for Open311: issuing and revoking API keys, filing a service request as a case. Flush, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..auth import audit
from ..auth.models import User
from ..cases import intake
from ..cases import services as case_services
from ..cases.models import Case
from ..catalog.models import ServiceItem
from ..enterprises.models import Enterprise, EnterpriseKind
from ..enterprises.queries import by_credit_code
from ..extensions import db
from ..sites.models import Station
from ..timeutil import utcnow
from ..uploads import storage
from ..uploads.models import StoredFile
from .models import ApiKey, Open311Submission
from .queries import hash_key

KEY_PREFIX = "o311_"  # makes a leaked key easy to spot in logs and code (not a secret)
# last_used_at is written at most this often on reads, so that GETs do not all become writes.
TOUCH_INTERVAL = timedelta(minutes=5)


def issue_key(name: str, *, created_by: User | None = None) -> tuple[ApiKey, str]:
    """A new key for the integration ``name``; returns the row and the key (shown once, never stored)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip()[:100] or "integration",
        key_hash=hash_key(raw),
        key_prefix=raw[:9],
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(key)
    db.session.flush()
    audit.record("api_key.issue", "ok", user=created_by, username="cli", detail=f"{key.id} {key.name}")
    return key, raw


def revoke_key(key: ApiKey, *, by: User | None = None) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        key.revoked_by_id = by.id if by else None
        audit.record("api_key.revoke", "ok", user=by, username="cli", detail=f"{key.id} {key.name}")
    db.session.flush()


def touch_key(key: ApiKey, now: datetime | None = None) -> bool:
    """Note that the key was used; returns True when the row changed (the caller commits)."""
    now = now or utcnow()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_INTERVAL:
        return False
    key.last_used_at = now
    return True


@dataclass
class Filing:
    """A POST requests, checked (see intake.py): what the case and its submission row are made of."""

    key: ApiKey
    item: ServiceItem
    station: Station
    uscc: str  # normalised and valid
    enterprise: Enterprise | None  # None: a new enterprise, to be created unverified
    enterprise_name: str
    contact_phone: str
    applicant_name: str
    provided_material_ids: set[int] = field(default_factory=set)
    media: tuple[bytes, str, str | None] | None = None  # checked bytes, content type, client file name
    description: str = ""
    extras: dict[str, str | None] = field(default_factory=dict)  # the spec's optional fields, capped
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Filed:
    case: Case
    stored: StoredFile | None


def _new_enterprise(filing: Filing) -> Enterprise:
    """An enterprise known only by what an Open311 client said: unverified until checked at the station."""
    # GB 32100: 1st character = registering authority (9: market regulation), 2nd = kind (2: 个体工商户).
    kind = EnterpriseKind.INDIVIDUAL_BUSINESS if filing.uscc.startswith("92") else EnterpriseKind.ENTERPRISE
    enterprise = Enterprise(
        name=filing.enterprise_name[:200],
        uscc=filing.uscc,
        kind=kind,
        contact_name=filing.applicant_name[:100] or None,
        contact_phone=filing.contact_phone[:32],
        station_id=filing.station.id,
        is_verified=False,
    )
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def file_request(filing: Filing, *, now: datetime | None = None) -> Filed:
    """Create the ONLINE case (RECEIVED) for a checked Open311 request, with its submission row.

    The ``media`` file is stored once in the enterprise's document store, as a document (trust level C: uploaded,
    not yet checked) for each material the client marked ``provided``; those materials are PROVIDED on the case
    and the rest MISSING. If anything fails after the file was written, the file is removed again.

    :raise CaseError: from ``receive_case`` (the item not in the station's scope, not online...).
    """
    now = now or utcnow()
    stored: StoredFile | None = None
    try:
        enterprise = filing.enterprise or by_credit_code(filing.uscc) or _new_enterprise(filing)
        if filing.media is not None:
            data, content_type, filename = filing.media
            stored = storage.store_bytes(data, content_type, filename, enterprise_id=enterprise.id, user_id=None)
        given = {}
        if stored is not None:
            for material in filing.item.materials:
                if material.id in filing.provided_material_ids:
                    given[material.id] = intake.untrusted_document(enterprise.id, material.name, stored)
        channel = intake.intake_channel(None, filing.station)  # an integration files for the applicant: ONLINE
        case = case_services.receive_case(
            user=None,
            integration=filing.key.name,
            station=filing.station,
            item=filing.item,
            enterprise=enterprise,
            channel=channel,
            applicant_name=filing.applicant_name or enterprise.name,
            applicant_phone=filing.contact_phone,
            materials=intake.checklist(filing.item, channel, given),
            note=filing.description,
            now=now,
        )
        extras = filing.extras
        db.session.add(
            Open311Submission(
                case_id=case.id,
                api_key_id=filing.key.id,
                received_at=now,
                description=filing.description or None,
                first_name=extras.get("first_name"),
                last_name=extras.get("last_name"),
                email=extras.get("email"),
                phone=extras.get("phone"),
                lat=extras.get("lat"),
                long=extras.get("long"),
                address_string=extras.get("address_string"),
                address_id=extras.get("address_id"),
                device_id=extras.get("device_id"),
                account_id=extras.get("account_id"),
                media_url=extras.get("media_url"),
                media_file_id=stored.id if stored else None,
                attributes=filing.attributes,
            )
        )
        filing.key.last_used_at = now
        db.session.flush()
    except Exception:
        discard(stored)
        raise
    return Filed(case=case, stored=stored)


def discard(stored: StoredFile | None) -> None:
    """Remove a stored file's bytes (its row goes with the rolled-back transaction)."""
    if stored is not None:
        (storage.upload_root() / stored.storage_name).unlink(missing_ok=True)
