"""Dedicated clerks (办事专员): which clerk each enterprise has chosen, with history (domain.md §2.6 Liaison),
and what an enterprise sees when it chooses one (§2.5: business lines, languages, hours, capacity)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

MAX_CHOICE_NOTE = 200  # a line the next clerk reads, not a letter


class ClerkChoice(db.Model):
    """One period during which an enterprise had a given dedicated clerk; ``ended_at`` is null for the current one."""

    __tablename__ = "clerk_choices"
    __table_args__ = (
        # At most one current clerk per enterprise.
        Index(
            "uq_clerk_choices_current",
            "enterprise_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    chosen_by: Mapped[str] = mapped_column(String(16), default="APPLICANT")  # APPLICANT or CENTER
    note: Mapped[str | None] = mapped_column(String(MAX_CHOICE_NOTE))  # why the enterprise changed (optional)

    enterprise = relationship("Enterprise")
    clerk = relationship("User")

    @hybrid_property
    def is_current(self) -> bool:
        """The one current-clerk predicate: the choice has not ended (a loaded row, or SQL: ``ended_at IS NULL``)."""
        return self.ended_at is None

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls):
        return cls.ended_at.is_(None)

    def __repr__(self) -> str:
        return f"<ClerkChoice enterprise={self.enterprise_id} clerk={self.clerk_id}>"


class ClerkProfile(db.Model):
    """What the directory shows of a clerk, and whether (and how many) enterprises may choose it."""

    __tablename__ = "clerk_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    accepts_clients: Mapped[bool] = mapped_column(default=True)
    business_lines: Mapped[list] = mapped_column(JSON, default=list)  # Department codes, e.g. ["SCJG", "SW"]
    languages: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["普通话", "英语"]
    working_hours: Mapped[str | None] = mapped_column(String(200))
    intro: Mapped[str | None] = mapped_column(Text)
    max_clients: Mapped[int | None]  # None: no limit
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<ClerkProfile user={self.user_id}>"
