"""Long exports' state and finished files, in the database so that every app host can answer for them (issue 20).

Why the database rather than a shared directory: the hosts already share one PostgreSQL (and its backups and
access rules), while a shared filesystem would be one more service to run and secure. The files are bounded
(``EXPORT_MAX_BYTES``) and short-lived (an hour): they are kept as 1 MiB chunks, written in one transaction with
the job's "done", and removed with the job when it expires.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ExportJob(db.Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the unguessable name in the URLs
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # the only one who sees it
    table_name: Mapped[str] = mapped_column(String(20))
    fmt: Mapped[str] = mapped_column(String(8))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running, done, failed
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(default=0)  # bytes of the finished file
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # expiry
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last sign of life of the job writing it


class ExportChunk(db.Model):
    """One slice of a finished file, in order."""

    __tablename__ = "export_chunks"

    export_id: Mapped[int] = mapped_column(ForeignKey("export_jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
