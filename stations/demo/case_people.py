"""The demo cases' people: extra station staff (who cannot sign in), extra 示例 enterprises, and the demo
material file every demo document points at."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..auth.services import hash_password
from ..clerks.models import ClerkChoice
from ..enterprises.models import Document, Enterprise, EnterpriseKind, TrustLevel
from ..extensions import db
from ..sites.models import Station
from ..uploads.models import StoredFile
from ..uploads.storage import upload_root
from .case_data import EXTRA_ENTERPRISES, EXTRA_STAFF
from .reference import make_uscc

# --- people, enterprises and the demo material file ---------------------------------------------------------------


def seed_extra_staff(stations: dict[str, Station]) -> None:
    existing = set(db.session.scalars(select(User.username)))
    unusable = None
    for username, display, code in EXTRA_STAFF:
        if username in existing:
            continue
        unusable = unusable or hash_password(secrets.token_urlsafe(24))  # nobody knows it: no login
        db.session.add(
            User(
                username=username,
                display_name=display,
                role=Role.STAFF,
                password_hash=unusable,
                station_id=stations[code].id,
            )
        )
    db.session.flush()


def seed_extra_enterprises(stations: dict[str, Station]) -> None:

    clerks = {u.username: u for u in db.session.scalars(select(User).where(User.role == Role.CLERK))}
    for n, (name, body, kind, station, industry, clerk) in enumerate(EXTRA_ENTERPRISES):
        code = make_uscc(body)
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
        if enterprise is None:
            enterprise = Enterprise(
                name=name,
                uscc=code,
                kind=EnterpriseKind(kind),
                station_id=stations[station].id,
                industry_tag=industry,
                contact_name="示例联系人",
                contact_phone=f"1390000{n:04d}",
                legal_rep="示例法人",
                address=stations[station].address,
            )
            db.session.add(enterprise)
            db.session.flush()
            if clerk and clerk in clerks:
                db.session.add(
                    ClerkChoice(enterprise_id=enterprise.id, clerk_id=clerks[clerk].id, chosen_by="APPLICANT")
                )
    db.session.flush()


def _demo_pdf() -> bytes:
    """A one-page PDF (ASCII text only) standing in for every supplied demo material."""
    stream = b"BT /F1 18 Tf 72 720 Td (Stations demo material - fictional) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _demo_file(enterprise: Enterprise) -> StoredFile:
    """One stored PDF per enterprise, under a name derived from its credit code (so re-seeding adds no file)."""
    storage_name = uuid.uuid5(uuid.NAMESPACE_URL, f"stations-demo:{enterprise.uscc}").hex + ".pdf"
    stored = db.session.scalar(select(StoredFile).where(StoredFile.storage_name == storage_name))
    if stored is not None:
        return stored
    data = _demo_pdf()
    path = upload_root() / storage_name
    if not path.exists():
        path.write_bytes(data)
    stored = StoredFile(
        storage_name=storage_name,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name="示例材料.pdf",
        enterprise_id=enterprise.id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def demo_document(enterprise: Enterprise, material_name: str, at: datetime) -> Document:
    document = Document(
        enterprise_id=enterprise.id,
        material_name=material_name,
        file_id=_demo_file(enterprise).id,
        trust_level=TrustLevel.C,
        created_at=at,
    )
    db.session.add(document)
    db.session.flush()
    return document
