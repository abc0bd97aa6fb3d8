"""政策宣讲 sessions: the calendar, sign-ups with a waiting list and door check-in, questions.

A sign-up is CONFIRMED while seats remain, else WAITING; a cancellation frees a seat and the first WAITING
sign-up (lowest ``id``: first come) moves up. Each sign-up carries a random ``token``, shown to the enterprise
as a QR code and scanned at the door. One sign-up per enterprise and session (signing up again reuses it).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class PolicySession(db.Model):
    __tablename__ = "policy_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(50), default="")  # 产业政策解读, 科技金融政策, 人才政策 ...
    speakers: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    live_url: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int]
    materials: Mapped[str] = mapped_column(Text, default="")  # one link or title a line
    replay_url: Mapped[str] = mapped_column(String(300), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # edits carry it back (409 when stale)

    station = relationship("Station")

    @property
    def online(self) -> bool:
        return bool(self.live_url)


class SignupState(enum.StrEnum):
    CONFIRMED = "CONFIRMED"
    WAITING = "WAITING"
    CANCELLED = "CANCELLED"


class SessionSignup(db.Model):
    __tablename__ = "session_signups"
    __table_args__ = (
        UniqueConstraint("session_id", "enterprise_id", name="uq_session_signups_enterprise"),
        Index("ix_session_signups_state", "session_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("policy_sessions.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[SignupState] = mapped_column(db.Enum(SignupState, native_enum=False, length=12))
    token: Mapped[str] = mapped_column(String(40), unique=True)  # the QR code's content
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]

    session = relationship("PolicySession")
    enterprise = relationship("Enterprise")

    @property
    def is_live(self) -> bool:
        """Not cancelled: the enterprise holds a seat or a place on the waiting list."""
        return self.state is not SignupState.CANCELLED

    @property
    def admits(self) -> bool:
        """A confirmed seat: only its QR code passes the door (a waiting or cancelled sign-up has none)."""
        return self.state is SignupState.CONFIRMED


class SessionQuestion(db.Model):
    """A question asked before or during a session; staff answer it, or it becomes an appeal (``appeal_no``)."""

    __tablename__ = "session_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("policy_sessions.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(1000))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    appeal_no: Mapped[str | None] = mapped_column(String(24))

    enterprise = relationship("Enterprise")
