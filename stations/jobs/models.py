"""The record of every job run: what, when, how it ended; the key makes a run happen once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class RunStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)  # "<task>@<slot>" or "<task>#<uuid>"
    task: Mapped[str] = mapped_column(String(80), index=True)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[RunStatus] = mapped_column(
        db.Enum(RunStatus, native_enum=False, length=12), default=RunStatus.QUEUED, index=True
    )  # indexed: every tick looks for dead and failed runs
    attempts: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Set by long tasks that beat (queue.beat): a RUNNING run whose beat stopped died with its process, and the
    # in-app schedule runs it again (RQ retries its own). Tasks that never beat are never taken for dead.
    heartbeat_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
