"""Read side of the enterprises: finding one at the counter, and its reusable documents.

A caller that may only see some enterprises (a dedicated clerk: its clients) passes ``among``, a SELECT of
enterprise ids built by stations/access; this module does not know who is asking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, case, func, or_, select

from ..domain import identifiers
from ..extensions import db
from .models import Document, Enterprise

MAX_QUERY_LENGTH = 50


def search_enterprises(text: str | None, *, among: Select | None = None, limit: int = 10) -> list[Enterprise]:
    """Enterprises whose name contains ``text``, or whose credit code or contact phone starts with it: one query."""
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return []
    code = identifiers.normalise(text)
    statement = select(Enterprise).where(
        or_(
            Enterprise.name.icontains(text, autoescape=True),
            Enterprise.uscc.startswith(code, autoescape=True),
            Enterprise.contact_phone.startswith(code, autoescape=True),
        )
    )
    if among is not None:
        statement = statement.where(Enterprise.id.in_(among))
    return list(db.session.scalars(statement.order_by(Enterprise.name, Enterprise.id).limit(limit)).all())


def get_enterprise(enterprise_id: int | None, *, among: Select | None = None) -> Enterprise | None:
    if not enterprise_id:
        return None
    statement = select(Enterprise).where(Enterprise.id == enterprise_id)
    if among is not None:
        statement = statement.where(Enterprise.id.in_(among))
    return db.session.scalars(statement).first()


def by_credit_code(code: str) -> Enterprise | None:
    return db.session.scalars(select(Enterprise).where(Enterprise.uscc == identifiers.normalise(code))).first()


def valid_documents(enterprise_id: int, today: date, names: Iterable[str] | None = None) -> list[Document]:
    """The enterprise's documents that may be reused today (not archived, not expired), newest first: one query.

    ``names`` limits them to these material names (a document is matched to a material by its name).
    """
    statement = select(Document).where(
        Document.enterprise_id == enterprise_id,
        Document.is_archived.is_(False),
        or_(Document.valid_until.is_(None), Document.valid_until >= today),
    )
    if names is not None:
        statement = statement.where(Document.material_name.in_(list(names)))
    return list(db.session.scalars(statement.order_by(Document.created_at.desc(), Document.id.desc())).all())


def valid_document(enterprise_id: int, document_id: int, today: date) -> Document | None:
    """One reusable document of this enterprise, or None (another's, archived or expired)."""
    statement = select(Document).where(
        Document.id == document_id,
        Document.enterprise_id == enterprise_id,
        Document.is_archived.is_(False),
        or_(Document.valid_until.is_(None), Document.valid_until >= today),
    )
    return db.session.scalars(statement).first()


# --- the enterprise's own document store (/enterprise/documents) ---------------------------------------------


def documents_of(enterprise_id: int, *, archived: bool = False, limit: int = 200) -> list[Document]:
    """The enterprise's stored documents (or its archived ones), by material name then newest first: one query.

    The file row is joined in (``Document.file`` loads eagerly).
    """
    statement = (
        select(Document)
        .where(Document.enterprise_id == enterprise_id, Document.is_archived.is_(archived))
        .order_by(Document.material_name, Document.created_at.desc(), Document.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement).all())


def document_of(enterprise_id: int, document_id: int) -> Document | None:
    """One document of this enterprise (archived or not), or None: another enterprise's is never found."""
    statement = select(Document).where(Document.id == document_id, Document.enterprise_id == enterprise_id)
    return db.session.scalars(statement).first()


def validity_counts(enterprise_id: int, today: date, horizon: date) -> tuple[int, int]:
    """How many usable documents expire by ``horizon`` (not yet expired), and how many have expired: one query."""
    expiring = func.count(case((Document.valid_until.between(today, horizon), Document.id)))
    expired = func.count(case((Document.valid_until < today, Document.id)))
    statement = select(expiring, expired).where(
        Document.enterprise_id == enterprise_id, Document.is_archived.is_(False), Document.valid_until.is_not(None)
    )
    row = db.session.execute(statement).one()
    return int(row[0] or 0), int(row[1] or 0)


def material_names(enterprise_id: int, limit: int = 50) -> list[str]:
    """The material names the enterprise already uses in its store (suggestions for a new upload)."""
    statement = (
        select(Document.material_name)
        .where(Document.enterprise_id == enterprise_id)
        .group_by(Document.material_name)
        .order_by(Document.material_name)
        .limit(limit)
    )
    return list(db.session.scalars(statement).all())
