"""Partner districts and their agreements (domain.md §2.9, §6.2)."""

from __future__ import annotations

import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AgreementKind(enum.StrEnum):
    CROSS_REGION = "CROSS_REGION"  # 跨区域通办 strategic agreement
    SAME_STANDARD = "SAME_STANDARD"  # 同事同标


class PartnerRegion(db.Model):
    __tablename__ = "partner_regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    agreement_kind: Mapped[AgreementKind] = mapped_column(db.Enum(AgreementKind, native_enum=False, length=16))
    agreed_item_count: Mapped[int] = mapped_column(default=0)
    is_fictional: Mapped[bool] = mapped_column(default=False)  # the report names only five of the eight
    base_url: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<PartnerRegion {self.code} {self.name}>"
