"""One row per day of every loaded year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class WorkCalendarDay(db.Model):
    __tablename__ = "work_calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(50))  # holiday name or 调休
    source: Mapped[str] = mapped_column(String(10), default="library")  # library / admin
    # Indexed: the calendar's freshness check reads the newest change on every page that counts working days.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<WorkCalendarDay {self.day} {'work' if self.is_workday else 'off'}>"
