"""One row per (caller, submission key): the first request's fingerprint and, once done, its response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("caller", "key", name="uq_idempotency_records_caller_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(80))  # "u:<user id>" or what the entry point names (an API key)
    key: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(String(80))  # which create: "cases.intake", "api.appeals.create"...
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request's meaningful content
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Filled once the view has answered; NULL while the first request is still running.
    status_code: Mapped[int | None]
    headers: Mapped[str | None] = mapped_column(Text)  # JSON object of the replayed headers
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
