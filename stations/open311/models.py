"""API keys for machine clients, and what an Open311 client sent with each request it filed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class ApiKey(db.Model):
    """A key issued by an administrator to one integration (the mini-program, a partner app...).

    Only the SHA-256 of the key is stored, with its first characters to tell keys apart on the admin page;
    the key itself is shown once, when it is issued.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the key
    key_prefix: Mapped[str] = mapped_column(String(16))  # "o311_AbCd": enough to recognise, useless to guess
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: issued on the command line
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]

    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.name}>"


class Open311Submission(db.Model):
    """The Open311 side of a case filed through POST requests: the key, the free-text standard fields, the media.

    The standard fields (names, phone, email, location, device and account ids, media_url) are stored as sent
    (length-capped, never a reason to refuse) and never published: GET requests shows none of them.
    """

    __tablename__ = "open311_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    description: Mapped[str | None] = mapped_column(Text)  # at most 4,000 characters (the spec's limit)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[str | None] = mapped_column(String(32))  # as sent: free text, not validated
    long: Mapped[str | None] = mapped_column(String(32))
    address_string: Mapped[str | None] = mapped_column(String(500))
    address_id: Mapped[str | None] = mapped_column(String(100))
    device_id: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[str | None] = mapped_column(String(200))
    media_url: Mapped[str | None] = mapped_column(String(2000))
    media_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))  # the uploaded `media`
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)  # attribute code -> value, as accepted

    api_key = relationship("ApiKey")

    def __repr__(self) -> str:
        return f"<Open311Submission case {self.case_id}>"
