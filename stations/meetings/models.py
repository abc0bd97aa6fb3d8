"""一键约见 (domain.md §2.11) and 政策宣讲 sessions: meetings, their timeline, commitments, officials' slots, bookings.

A slot can never be booked twice: ``meeting_bookings.slot_id`` is UNIQUE, so of two tablets booking the same slot
at the same instant the database lets exactly one insert through. A meeting holds at most one booking
(``meeting_id`` UNIQUE too); rescheduling deletes the old booking and inserts the new one in one transaction.
Times are naive UTC like every stored datetime; pages show them in business time.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.meeting_flow import MeetingKind, MeetingStatus
from ..extensions import db
from ..timeutil import utcnow

MAX_TOPIC = 200
MAX_TEXT = 4000


class OfficialKind(enum.StrEnum):
    """Whom an enterprise meets: a named leader, a business section, or the department as a whole."""

    LEADER = "LEADER"  # 领导
    SECTION = "SECTION"  # 业务科室
    DEPARTMENT = "DEPARTMENT"  # 部门 (no one named)


class Official(db.Model):
    """A department's leader or section that can be booked (一键约见). Meetings, weekly patterns and slots point
    here by ``official_id`` and keep a text copy of the name, so history reads the same after a rename."""

    __tablename__ = "officials"
    __table_args__ = (UniqueConstraint("department_id", "name", name="uq_officials_department_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")  # empty: the department itself
    kind: Mapped[OfficialKind] = mapped_column(db.Enum(OfficialKind, native_enum=False, length=12))
    is_active: Mapped[bool] = mapped_column(default=True)

    department = relationship("Department")

    def __repr__(self) -> str:
        return f"<Official {self.department_id} {self.name!r} {self.kind}>"


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_no: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[MeetingKind] = mapped_column(db.Enum(MeetingKind, native_enum=False, length=12))
    status: Mapped[MeetingStatus] = mapped_column(db.Enum(MeetingStatus, native_enum=False, length=16), index=True)
    version: Mapped[int] = mapped_column(default=1)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))  # the station whose staff handle it
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    target_leader: Mapped[str] = mapped_column(String(100), default="")  # e.g. 部长; or a business section
    target_section: Mapped[str] = mapped_column(String(100), default="")
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)  # the texts are copies
    topic: Mapped[str] = mapped_column(String(MAX_TOPIC))
    description: Mapped[str] = mapped_column(Text, default="")
    preferred_dates: Mapped[list] = mapped_column(JSON, default=list)  # ISO dates
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    contact_due_on: Mapped[date]
    meeting_due_on: Mapped[date]
    contacted_at: Mapped[datetime | None]
    routed_at: Mapped[datetime | None]
    starts_at: Mapped[datetime | None]  # the booked slot's times, copied so that history survives
    ends_at: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(String(200), default="")
    held_at: Mapped[datetime | None]
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_at: Mapped[datetime | None]
    minutes_due_on: Mapped[date | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # The calendar file: one UID per meeting, SEQUENCE bumped on every reschedule and on cancel.
    ics_sequence: Mapped[int] = mapped_column(default=0)
    # Enterprise asks (no phone call): what it wants changed, cleared when staff act on it.
    change_request: Mapped[str] = mapped_column(String(500), default="")

    enterprise = relationship("Enterprise")
    station = relationship("Station")
    department = relationship("Department")
    official = relationship("Official")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    handler = relationship("User", foreign_keys=[handler_id])
    commitments = relationship("MeetingCommitment", order_by="MeetingCommitment.id", back_populates="meeting")
    attachments = relationship("MeetingAttachment", order_by="MeetingAttachment.id")

    def __repr__(self) -> str:
        return f"<Meeting {self.meeting_no} {self.status}>"


class MeetingAttachment(db.Model):
    __tablename__ = "meeting_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    stored_file = relationship("StoredFile")


class MeetingEventRecord(db.Model):
    """The timeline: one row per event, who fired it and what they wrote."""

    __tablename__ = "meeting_events"
    __table_args__ = (Index("ix_meeting_events_meeting", "meeting_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


class MeetingCommitment(db.Model):
    """An answer given in the meeting that needs doing (§2.11 commitments). Becomes an appeal when recorded:
    ``appeal_no`` is filled by ``commitments.commitment_to_appeal`` (the seam)."""

    __tablename__ = "meeting_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(100), default="")  # who promised (department / leader)
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    appeal_no: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting = relationship("Meeting", back_populates="commitments")

    @property
    def is_open(self) -> bool:
        """Still holds the meeting open: not ticked, and not handed to an appeal (which then tracks it)."""
        return self.done_at is None and not self.appeal_no


class AvailabilityPattern(db.Model):
    """A weekly recurring offer: every <weekday> at <start> for <minutes>, on working days only."""

    __tablename__ = "availability_patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    leader: Mapped[str] = mapped_column(String(100), default="")
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time]
    minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    department = relationship("Department")


class SlotSource(enum.StrEnum):
    PATTERN = "PATTERN"
    ONE_OFF = "ONE_OFF"


class MeetingSlot(db.Model):
    """A concrete time an official offers; withdrawn by a one-off exception (leave, a meeting elsewhere)."""

    __tablename__ = "meeting_slots"
    __table_args__ = (UniqueConstraint("department_id", "leader", "starts_at", name="uq_meeting_slots_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    leader: Mapped[str] = mapped_column(String(100), default="")
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[SlotSource] = mapped_column(db.Enum(SlotSource, native_enum=False, length=12))
    is_withdrawn: Mapped[bool] = mapped_column(default=False)

    department = relationship("Department")
    booking = relationship("MeetingBooking", uselist=False, viewonly=True)


class MeetingBooking(db.Model):
    __tablename__ = "meeting_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slots.id"), unique=True)  # never booked twice
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot = relationship("MeetingSlot")


class MeetingSequence(db.Model):
    """Per-day counter for meeting numbers (YJ + yyyymmdd + 4 digits)."""

    __tablename__ = "meeting_sequences"

    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
