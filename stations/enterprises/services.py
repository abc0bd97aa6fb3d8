"""Writes on enterprises: registering one at the counter, adding a document to its store. Flush, never commit."""

from __future__ import annotations

from datetime import date, datetime

from ..auth.models import Role, User
from ..domain import identifiers
from ..extensions import db
from ..timeutil import utcnow
from .models import Document, Enterprise, EnterpriseKind, TrustLevel
from .queries import by_credit_code


class EnterpriseExists(Exception):
    """The credit code is already registered (``enterprise`` is the one that has it)."""

    def __init__(self, enterprise: Enterprise):
        super().__init__(enterprise.uscc)
        self.enterprise = enterprise


def register_enterprise(
    *,
    name: str,
    uscc: str,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    station_id: int | None = None,
) -> Enterprise:
    """A new enterprise, registered by staff at a counter from its licence (so it counts as verified).

    :raise ValueError: when ``uscc`` fails the GB 32100 check (callers validate first).
    :raise EnterpriseExists: when the credit code is already registered.
    """
    code = identifiers.normalise(uscc)
    if not identifiers.is_valid_uscc(code):
        raise ValueError("invalid credit code")
    existing = by_credit_code(code)
    if existing is not None:
        raise EnterpriseExists(existing)
    # GB 32100: 1st character = registering authority (9: market regulation), 2nd = kind (2: 个体工商户).
    kind = EnterpriseKind.INDIVIDUAL_BUSINESS if code.startswith("92") else EnterpriseKind.ENTERPRISE
    enterprise = Enterprise(
        name=name.strip()[:200],
        uscc=code,
        kind=kind,
        contact_name=(contact_name or "").strip()[:100] or None,
        contact_phone=(contact_phone or "").strip()[:32] or None,
        station_id=station_id,
        is_verified=True,
    )
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def add_document(
    enterprise_id: int,
    material_name: str,
    file_id: int,
    *,
    user: User,
    valid_until: date | None = None,
    now: datetime | None = None,
) -> Document:
    """Put a stored file into the enterprise's document store ("材料只交一次").

    Staff and clerks receive it at a counter, where the original is checked (trust level B); what an enterprise
    uploads itself is not checked yet (C).
    """
    at_counter = user.role in (Role.STAFF, Role.CLERK)
    document = Document(
        enterprise_id=enterprise_id,
        material_name=material_name[:200],
        file_id=file_id,
        valid_until=valid_until,
        trust_level=TrustLevel.B if at_counter else TrustLevel.C,
        verified_by_id=user.id if at_counter else None,
        verified_at=(now or utcnow()) if at_counter else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def archive_document(document: Document) -> None:
    """Take a document out of use (it stays attached to the cases that used it): the store no longer offers it."""
    document.is_archived = True
    db.session.flush()
