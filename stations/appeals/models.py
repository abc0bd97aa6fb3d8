"""Appeals, their timeline and attachments, and the commissioners' service log (domain.md §2.12, §5.5)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.appeal_flow import AppealStatus, Feedback, Urgency
from ..extensions import db
from ..timeutil import utcnow


class SourceChannel(enum.StrEnum):
    HOTLINE_12345 = "HOTLINE_12345"
    HAO_BANGSHOU = "HAO_BANGSHOU"  # 镐帮手政企通
    MINIPROGRAM = "MINIPROGRAM"  # 泾心助企
    LIAISON = "LIAISON"  # 助企联络员
    SUPERVISOR_VOLUNTEER = "SUPERVISOR_VOLUNTEER"  # 营商环境监督员
    NEW_AREA_ASSIGNED = "NEW_AREA_ASSIGNED"  # 新区交办
    VISIT = "VISIT"  # 走访
    APPOINTMENT = "APPOINTMENT"  # 约见
    TAKEOUT = "TAKEOUT"  # 政务外卖
    CLERK = "CLERK"  # 办事专员
    FALLBACK_WINDOW = "FALLBACK_WINDOW"  # 办不成事窗口
    PHONE = "PHONE"  # a call to the station (not the hotline)
    PORTAL = "PORTAL"  # the enterprise on its portal
    POLICY_SESSION = "POLICY_SESSION"  # 政策宣讲: a question raised at a session
    KEY_PROJECT = "KEY_PROJECT"  # 重点项目: a blocked procedure of a key project
    OTHER = "OTHER"


class Category(enum.StrEnum):
    ENTERPRISE_SETUP = "ENTERPRISE_SETUP"
    MARKET_ACCESS = "MARKET_ACCESS"
    GOV_SERVICE = "GOV_SERVICE"
    SUPERVISION_ENFORCEMENT = "SUPERVISION_ENFORCEMENT"
    POLICY_FULFILMENT = "POLICY_FULFILMENT"
    SME_ARREARS = "SME_ARREARS"
    OTHER = "OTHER"


class Nature(enum.StrEnum):
    CONSULT = "CONSULT"
    HELP = "HELP"
    COMPLAINT = "COMPLAINT"
    SUGGESTION = "SUGGESTION"
    REPORT = "REPORT"
    PRAISE = "PRAISE"


class LogKind(enum.StrEnum):
    VISIT = "VISIT"  # 走访
    CALL = "CALL"  # 电话
    AGENCY = "AGENCY"  # 帮办代办
    POLICY = "POLICY"  # 政策讲解
    PROBLEM = "PROBLEM"  # 发现问题


def _enum(enum_cls: type[enum.Enum], length: int = 24):
    return db.Enum(enum_cls, native_enum=False, length=length, validate_strings=True)


class Appeal(db.Model):
    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_status_due", "status", "due_on"),
        Index("ix_appeals_registered_figures", "registered_at", "category", "source_channel"),
        Index("ix_appeals_station_status", "station_id", "status"),
        Index("ix_appeals_department_status", "department_id", "status"),
        Index("ix_appeals_enterprise", "enterprise_id", "registered_at"),
        Index("ix_appeals_origin", "origin_kind", "origin_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_no: Mapped[str] = mapped_column(String(24), unique=True)  # SQ{yyyyMMdd}{seq:04d}
    external_no: Mapped[str | None] = mapped_column(String(40), unique=True)  # the 12345 work-order number
    # What raised it inside the portal (origins.py turns it into a link back): MEETING_COMMITMENT + commitment id,
    # SESSION_QUESTION + question id, PROJECT_PROCEDURE + procedure id. Strings, so appeals import none of them.
    origin_kind: Mapped[str | None] = mapped_column(String(24))
    origin_ref: Mapped[str | None] = mapped_column(String(40))
    source_channel: Mapped[SourceChannel] = mapped_column(_enum(SourceChannel))
    category: Mapped[Category] = mapped_column(_enum(Category))
    nature: Mapped[Nature] = mapped_column(_enum(Nature, 16))
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency, 16))
    status: Mapped[AppealStatus] = mapped_column(_enum(AppealStatus, 16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    enterprise_name: Mapped[str] = mapped_column(String(200))  # as given (an unknown enterprise from 12345)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)

    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_contact_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    due_on: Mapped[date | None]
    warn_on: Mapped[date | None]
    reply_on_time: Mapped[bool | None]  # the first reply came on or before due_on (按时回复)

    reply_text: Mapped[str | None] = mapped_column(Text)
    signed_off_by: Mapped[str | None] = mapped_column(String(100))  # head of the handling unit (签发人)
    feedback: Mapped[Feedback | None] = mapped_column(_enum(Feedback, 16))
    reopen_count: Mapped[int] = mapped_column(default=0)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (optimistic locking)

    enterprise = relationship("Enterprise")
    station = relationship("Station")
    department = relationship("Department")
    duplicate_of = relationship("Appeal", remote_side=[id])
    events: Mapped[list[AppealEventRecord]] = relationship(back_populates="appeal", order_by="AppealEventRecord.id")
    attachments: Mapped[list[AppealAttachment]] = relationship(order_by="AppealAttachment.id")

    def __repr__(self) -> str:
        return f"<Appeal {self.appeal_no} {self.status}>"


class AppealEventRecord(db.Model):
    """One step of an appeal: who, when, from, to, note. Never updated or deleted."""

    __tablename__ = "appeal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    appeal: Mapped[Appeal] = relationship(back_populates="events")
    actor = relationship("User")


class AppealAttachment(db.Model):
    __tablename__ = "appeal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    file = relationship("StoredFile", lazy="joined")


class ServiceLogEntry(db.Model):
    """One line of a commissioner's (or clerk's) service log: a visit, a call, 帮办代办, policy, a problem found."""

    __tablename__ = "service_log_entries"
    __table_args__ = (Index("ix_service_log_author_day", "author_id", "day"), Index("ix_service_log_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[LogKind] = mapped_column(_enum(LogKind, 16))
    day: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    solved: Mapped[bool] = mapped_column(default=False)  # a problem found and solved
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")
    enterprise = relationship("Enterprise")
    case = relationship("Case")
    appeal = relationship("Appeal")


class AppealSequence(db.Model):
    """The last appeal number used per business day (numbers are unique under concurrent registration)."""

    __tablename__ = "appeal_sequences"

    day: Mapped[date] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
