"""Bundles, their members, and bundle cases with their child cases and their one set of materials (§2.14)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.bundles import BundleStatus
from ..extensions import db
from ..timeutil import utcnow


class BundleLevel(enum.StrEnum):
    NATIONAL = "NATIONAL"  # 国家/省/市/新区推出 (38)
    BATCH1 = "BATCH1"  # 省级和新区统筹第一批 (21)
    LOCAL = "LOCAL"  # 新城本级套餐 (80)


def _enum(enum_cls: type[enum.Enum], length: int = 16):
    return db.Enum(enum_cls, native_enum=False, length=length, validate_strings=True)


class Bundle(db.Model):
    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[BundleLevel] = mapped_column(_enum(BundleLevel))
    is_online: Mapped[bool] = mapped_column(default=False)  # may be applied for online (35 of them)
    scenario_text: Mapped[str | None] = mapped_column(Text)
    promised_days: Mapped[int] = mapped_column(default=0)  # the bundle's own promised total, working days
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[BundleMember]] = relationship(
        back_populates="bundle", order_by="BundleMember.seq", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Bundle {self.code}>"


class BundleMember(db.Model):
    """One member item of a bundle: its place, the members it waits for, whether it may be left out."""

    __tablename__ = "bundle_members"
    __table_args__ = (UniqueConstraint("bundle_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    depends_on: Mapped[list] = mapped_column(JSON, default=list)  # seqs of this bundle
    is_optional: Mapped[bool] = mapped_column(default=False)
    partner_code: Mapped[str | None] = mapped_column(String(16))  # handled by a partner district (跨区通办)

    bundle: Mapped[Bundle] = relationship(back_populates="members")
    item = relationship("ServiceItem", lazy="joined")


class BundleCase(db.Model):
    """One application for a bundle (一窗受理): one number, one receipt, one set of materials."""

    __tablename__ = "bundle_cases"
    __table_args__ = (
        Index("ix_bundle_cases_station_received", "station_id", "received_at"),
        Index("ix_bundle_cases_enterprise", "enterprise_id", "received_at"),
        Index("ix_bundle_cases_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_no: Mapped[str] = mapped_column(String(24), unique=True)  # YJS-yyyyMMdd-NNNN
    query_code: Mapped[str] = mapped_column(String(6))
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))  # where it was received
    channel: Mapped[str] = mapped_column(String(16))  # cases.models.Channel value of the children
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date | None]
    warn_on: Mapped[date | None]
    overdue_at: Mapped[datetime | None]  # UTC moment its own promised total runs out
    status: Mapped[BundleStatus] = mapped_column(_enum(BundleStatus), default=BundleStatus.IN_PROGRESS)
    concluded_at: Mapped[datetime | None]

    bundle: Mapped[Bundle] = relationship(lazy="joined")
    enterprise = relationship("Enterprise")
    station = relationship("Station")
    received_by = relationship("User")
    children: Mapped[list[BundleChild]] = relationship(
        back_populates="bundle_case", order_by="BundleChild.seq", cascade="all, delete-orphan"
    )
    documents: Mapped[list[BundleDocument]] = relationship(
        back_populates="bundle_case", order_by="BundleDocument.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<BundleCase {self.bundle_no} {self.status}>"


class BundleChild(db.Model):
    """A member of a bundle case: waiting (no case yet) until its prerequisites are concluded, then a case."""

    __tablename__ = "bundle_children"
    __table_args__ = (UniqueConstraint("bundle_case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_case_id: Mapped[int] = mapped_column(ForeignKey("bundle_cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    depends_on: Mapped[list] = mapped_column(JSON, default=list)
    is_optional: Mapped[bool] = mapped_column(default=False)
    partner_code: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    opened_at: Mapped[datetime | None]

    bundle_case: Mapped[BundleCase] = relationship(back_populates="children")
    item = relationship("ServiceItem", lazy="joined")
    case = relationship("Case")


class BundleDocument(db.Model):
    """The one set of materials: each material given once, attached to every child checklist that needs it."""

    __tablename__ = "bundle_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_case_id: Mapped[int] = mapped_column(ForeignKey("bundle_cases.id", ondelete="CASCADE"), index=True)
    material_name: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))

    bundle_case: Mapped[BundleCase] = relationship(back_populates="documents")
    document = relationship("Document")
