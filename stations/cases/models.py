"""Cases, their materials, 容缺 deficiencies and the immutable event trail (domain.md §2.7, §2.8)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.case_vocabulary import CaseStatus
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from ..timeutil import utcnow


class Channel(enum.StrEnum):
    WINDOW = "WINDOW"  # 中心窗口
    COMPREHENSIVE = "COMPREHENSIVE"  # 全科综合窗口
    STATION = "STATION"  # 驿站
    TAKEOUT = "TAKEOUT"  # 政务外卖
    ONLINE = "ONLINE"  # 网办 / 小程序 / Open311
    XR_INBOUND = "XR_INBOUND"  # 跨区收件, handled here
    XR_OUTBOUND = "XR_OUTBOUND"  # received here, handled by a partner


class MaterialStatus(enum.StrEnum):
    PROVIDED = "PROVIDED"  # handed in, not yet checked
    VERIFIED = "VERIFIED"  # checked at the counter, or uploaded and checked
    MISSING = "MISSING"
    RONGQUE = "RONGQUE"  # missing under a signed 容缺 commitment
    NEEDS_CORRECTION = "NEEDS_CORRECTION"


def _status_enum(enum_cls: type[enum.Enum], length: int = 16):
    return db.Enum(enum_cls, native_enum=False, length=length, validate_strings=True)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_station_status", "station_id", "status"),
        # A station's newest cases (API list, staff): without it the whole station is sorted per page.
        Index("ix_cases_station_received", "station_id", "received_at", "id"),
        Index("ix_cases_enterprise_received", "enterprise_id", "received_at"),
        Index("ix_cases_status_overdue", "status", "overdue_at"),
        Index("ix_cases_received_at", "received_at"),
        # Dashboard period figures (issue 6), chosen from EXPLAIN: covering indexes, so that "received / accepted /
        # decided in P" read only the period's slice of an index, never the table.
        Index("ix_cases_received_figures", "received_at", "channel", "is_instant", "is_rongque"),
        Index("ix_cases_accepted_at", "accepted_at"),
        Index("ix_cases_decided_figures", "decided_at", "accepted_at", "overdue_at", "first_handler_id"),
        Index("ix_cases_issued_at", "issued_at"),  # 统一出证 in the period figures
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(24), unique=True)  # JH{station}{yyyyMMdd}{seq:04d}
    query_code: Mapped[str] = mapped_column(String(6))  # printed on the receipt; /track needs it
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))  # where it was received
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # the dedicated clerk handling it
    channel: Mapped[Channel] = mapped_column(_status_enum(Channel))
    status: Mapped[CaseStatus] = mapped_column(_status_enum(CaseStatus))
    status_before_correction: Mapped[CaseStatus | None] = mapped_column(_status_enum(CaseStatus))

    applicant_name: Mapped[str] = mapped_column(String(100))  # the person at the counter (经办人 / 代理人)
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    is_agent: Mapped[bool] = mapped_column(default=False)  # 代办 under a power of attorney
    note: Mapped[str | None] = mapped_column(Text)

    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_instant: Mapped[bool] = mapped_column(default=False)
    promised_days: Mapped[int | None]  # copied from the item at acceptance
    statutory_days: Mapped[int | None]
    extended_days: Mapped[int] = mapped_column(default=0)  # working days added by pauses and extensions
    due_on: Mapped[date | None]
    warn_on: Mapped[date | None]  # first business day it shows YELLOW
    overdue_at: Mapped[datetime | None]  # UTC moment it turns RED
    due_provisional: Mapped[bool] = mapped_column(default=False)
    paused_on: Mapped[date | None]  # business day a correction stopped the clock
    is_rongque: Mapped[bool] = mapped_column(default=False)
    commitment_signed_at: Mapped[datetime | None]
    correction_requested_at: Mapped[datetime | None]  # one-time notice: at most once
    correction_note: Mapped[str | None] = mapped_column(Text)
    first_handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 首办负责人
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    delivery_mode: Mapped[str | None] = mapped_column(String(16))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    # Cross-region, handling site: when our staff signed for the package a partner forwarded (XR_INBOUND only).
    xr_signed_at: Mapped[datetime | None]
    # Cross-region, intake site: the partner district the applicant asked to decide the case (chosen at intake).
    xr_partner_code: Mapped[str | None] = mapped_column(String(16))
    # Back office (issue 12): the department a collected case was handed to at acceptance (现场受理、后台流转).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    handed_at: Mapped[datetime | None]
    # The legal clock: accepted by law after 5 working days without an answer; the one 延期 and who consented.
    deemed_accepted: Mapped[bool] = mapped_column(default=False)
    extended_at: Mapped[datetime | None]
    extension_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (optimistic locking: UPDATE ... WHERE version = ?)

    item = relationship("ServiceItem")
    enterprise = relationship("Enterprise")
    station = relationship("Station")
    clerk = relationship("User", foreign_keys=[clerk_id])
    first_handler = relationship("User", foreign_keys=[first_handler_id])
    department = relationship("Department")
    materials: Mapped[list[CaseMaterial]] = relationship(
        back_populates="case", order_by="CaseMaterial.sort_order", cascade="all, delete-orphan"
    )
    deficiencies: Mapped[list[Deficiency]] = relationship(back_populates="case", order_by="Deficiency.id")
    events: Mapped[list[CaseEventRecord]] = relationship(back_populates="case", order_by="CaseEventRecord.id")

    def __repr__(self) -> str:
        return f"<Case {self.case_no} {self.status}>"


NOT_PROVIDED = "NOT_PROVIDED"  # CaseMaterial.shown_status of an optional material not handed in


class CaseMaterial(db.Model):
    """A material the item asks for, as handed in (or not) on this case."""

    __tablename__ = "case_materials"
    __table_args__ = (UniqueConstraint("case_id", "item_material_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_material_id: Mapped[int] = mapped_column(ForeignKey("item_materials.id"))
    status: Mapped[MaterialStatus] = mapped_column(_status_enum(MaterialStatus, 20))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    sort_order: Mapped[int] = mapped_column(default=0)

    case: Mapped[Case] = relationship(back_populates="materials")
    item_material = relationship("ItemMaterial", lazy="joined")
    document = relationship("Document")

    @property
    def shown_status(self) -> str:
        """The status as the pages show it: an optional material not handed in is 未提供, not missing (issue 19)."""
        if self.status is MaterialStatus.MISSING and not self.item_material.is_required:
            return NOT_PROVIDED
        return self.status.value

    def __repr__(self) -> str:
        return f"<CaseMaterial {self.case_id}:{self.item_material_id} {self.status}>"


class Deficiency(db.Model):
    """One missing minor material under 容缺受理, with its supply deadline (the 容缺台账 row)."""

    __tablename__ = "deficiencies"
    __table_args__ = (Index("ix_deficiencies_status_deadline", "status", "supply_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case_material_id: Mapped[int] = mapped_column(ForeignKey("case_materials.id"))
    status: Mapped[DeficiencyStatus] = mapped_column(_status_enum(DeficiencyStatus))
    supply_deadline: Mapped[date]
    warn_on: Mapped[date]
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_no: Mapped[str] = mapped_column(String(32))
    supplied_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="deficiencies")
    case_material = relationship("CaseMaterial", lazy="joined")
    responsible = relationship("User")

    def __repr__(self) -> str:
        return f"<Deficiency {self.case_id} {self.status}>"


class CaseEventRecord(db.Model):
    """One change of a case: who, when, from, to, note. Never updated or deleted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<CaseEventRecord {self.case_id} {self.event}>"


class CaseSequence(db.Model):
    """The last case number used per station and business day (numbers are gap-free and unique)."""

    __tablename__ = "case_sequences"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<CaseSequence {self.station_id} {self.day} {self.last_seq}>"


class CasePause(db.Model):
    """A 特别程序 (hearing, expert review, inspection...): its days are not counted (domain.md §4.1 rule 9)."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of domain.legal_clock.SPECIAL_KINDS
    reason: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date]  # business day the clock stopped (not counted)
    ended_on: Mapped[date | None]  # business day it runs again (counted)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<CasePause {self.case_id} {self.started_on}..{self.ended_on}>"


class CaseWarning(db.Model):
    """A warning sent once: a case turning YELLOW or RED, a 容缺 item falling due (issue 12, item 2)."""

    __tablename__ = "case_warnings"
    __table_args__ = (UniqueConstraint("case_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # yellow, red, rq_yellow, rq_red
    due_on: Mapped[date]  # the deadline warned about: a moved deadline warns again
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CaseWarning {self.case_id} {self.kind}>"
