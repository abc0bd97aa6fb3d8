"""Ratings (one per case, immutable) and the rectifications of bad ones, with their event trail.

domain.md §2.13 calls the rating an Evaluation; here only the per-case online rating (一事一评) exists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.ratings import ANSWERED, Disposition, Reaction, RectificationStatus
from ..extensions import db
from ..timeutil import utcnow

MAX_TEXT = 2000  # characters in a step's free text (findings, measures, answer, note)


def _enum(enum_cls, length: int = 16):
    return db.Enum(enum_cls, native_enum=False, length=length, validate_strings=True)


class Rating(db.Model):
    """The enterprise's rating of one case. Never updated: there is no update path (评价信息不可更改)."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        Index("ix_ratings_clerk_id", "clerk_id", "level"),
        Index("ix_ratings_station_id", "station_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)  # one rating per case
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # Denormalised for "谁办理、谁负责" and for the averages: where, by whom, the case was handled.
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # first handler, else who accepted
    level: Mapped[int]  # 5 非常满意 ... 1 非常不满意
    reasons: Mapped[str | None] = mapped_column(String(200))  # preset reason codes, comma-separated
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="ONLINE")  # ONLINE (web) or MINIPROGRAM (API)
    rated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_invalidated: Mapped[bool] = mapped_column(default=False)  # only through 申诉复核 (not built yet)

    case = relationship("Case")
    station = relationship("Station")
    rectification: Mapped[Rectification | None] = relationship(back_populates="rating", uselist=False)

    @property
    def reason_codes(self) -> list[str]:
        return [code for code in (self.reasons or "").split(",") if code]

    def __repr__(self) -> str:
        return f"<Rating case={self.case_id} level={self.level}>"


class Rectification(db.Model):
    """差评整改 for one bad rating, tracked with deadlines and red / yellow / green like a case."""

    __tablename__ = "rectifications"
    __table_args__ = (Index("ix_rectifications_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    status: Mapped[RectificationStatus] = mapped_column(_enum(RectificationStatus))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    disposition: Mapped[Disposition | None] = mapped_column(_enum(Disposition))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None]
    callback_at: Mapped[datetime | None]  # 回访
    feedback_at: Mapped[datetime | None]  # 反馈
    closed_at: Mapped[datetime | None]
    callback_due_on: Mapped[date]  # assign and first call-back by this business day (1 WD)
    due_on: Mapped[date]  # rectified and answered by this business day (5 WD)
    warn_on: Mapped[date]  # first business day it shows YELLOW
    findings: Mapped[str | None] = mapped_column(Text)  # what the call-back found
    measures: Mapped[str | None] = mapped_column(Text)  # what was done
    feedback_text: Mapped[str | None] = mapped_column(Text)  # the answer the enterprise sees
    reaction: Mapped[Reaction | None] = mapped_column(_enum(Reaction))
    reaction_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)

    rating: Mapped[Rating] = relationship(back_populates="rectification")
    case = relationship("Case")
    station = relationship("Station")
    responsible = relationship("User")
    events: Mapped[list[RectificationEventRecord]] = relationship(
        back_populates="rectification", order_by="RectificationEventRecord.id"
    )

    def __repr__(self) -> str:
        return f"<Rectification rating={self.rating_id} {self.status}>"

    @property
    def is_answered(self) -> bool:
        """The station has answered (feedback given, escalated or closed): the domain's ANSWERED set."""
        return RectificationStatus(self.status) in ANSWERED


class RectificationEventRecord(db.Model):
    """One step of a rectification: who, when, from, to, note. Never updated or deleted."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    rectification: Mapped[Rectification] = relationship(back_populates="events")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<RectificationEventRecord {self.rectification_id} {self.event}>"
