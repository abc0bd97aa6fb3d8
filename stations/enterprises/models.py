"""Enterprise profiles."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class EnterpriseKind(enum.StrEnum):
    ENTERPRISE = "ENTERPRISE"  # 企业
    INDIVIDUAL_BUSINESS = "INDIVIDUAL_BUSINESS"  # 个体工商户
    PERSON = "PERSON"  # 自然人 (群众), identified by a 居民身份证 number (issue 12): no credit code


class CreditFlag(enum.StrEnum):
    NORMAL = "NORMAL"
    DISHONEST = "DISHONEST"  # 失信: no 容缺 until credit repair
    FALSE_COMMITMENT = "FALSE_COMMITMENT"  # broke a 容缺 commitment


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)  # null for a person
    # A person (kind PERSON): the 居民身份证 number is stored masked only, plus a keyed digest to find them again.
    id_no_masked: Mapped[str | None] = mapped_column(String(18))
    id_no_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    kind: Mapped[EnterpriseKind] = mapped_column(
        db.Enum(EnterpriseKind, native_enum=False, length=24), default=EnterpriseKind.ENTERPRISE
    )
    legal_rep: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    industry_tag: Mapped[str | None] = mapped_column(String(100))
    is_pilot: Mapped[bool] = mapped_column(default=False)
    is_verified: Mapped[bool] = mapped_column(default=True)  # false when created from an online filing
    credit_flag: Mapped[CreditFlag] = mapped_column(
        db.Enum(CreditFlag, native_enum=False, length=24), default=CreditFlag.NORMAL
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    station = relationship("Station")

    @property
    def identifier(self) -> str:
        """What identifies the applicant on a case page: the credit code, or a person's masked ID number."""
        return self.uscc or self.id_no_masked or ""

    def __repr__(self) -> str:
        return f"<Enterprise {self.identifier} {self.name}>"


class TrustLevel(enum.StrEnum):
    A = "A"  # electronic licence from the issuing authority
    B = "B"  # original checked at a window
    C = "C"  # uploaded by the applicant, not yet checked


class Document(db.Model):
    """A material in the enterprise's store: given once, reused in any case ("材料只交一次")."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    material_name: Mapped[str] = mapped_column(String(200))  # matched against ItemMaterial.name
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    valid_until: Mapped[date | None]
    trust_level: Mapped[TrustLevel] = mapped_column(db.Enum(TrustLevel, native_enum=False, length=2), default="C")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_archived: Mapped[bool] = mapped_column(default=False)

    file = relationship("StoredFile", lazy="joined")
    enterprise = relationship("Enterprise")

    def __repr__(self) -> str:
        return f"<Document {self.enterprise_id} {self.material_name}>"
