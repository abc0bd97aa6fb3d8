"""Departments, service items and their materials (domain.md §2.1, §2.3)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class DepartmentCategory(enum.StrEnum):
    SOCIAL_SECURITY = "SOCIAL_SECURITY"
    MEDICAL_INSURANCE = "MEDICAL_INSURANCE"
    TAX = "TAX"
    HOUSING_FUND = "HOUSING_FUND"
    MARKET_REGULATION = "MARKET_REGULATION"
    REAL_ESTATE = "REAL_ESTATE"
    CONSTRUCTION = "CONSTRUCTION"
    SOCIAL_AFFAIRS = "SOCIAL_AFFAIRS"
    CERT_ISSUE = "CERT_ISSUE"
    OTHER = "OTHER"


class ItemType(enum.StrEnum):
    XK = "XK"  # 行政许可
    QR = "QR"  # 行政确认
    JF = "JF"  # 行政给付
    CJ = "CJ"  # 行政裁决
    JL = "JL"  # 行政奖励
    QT = "QT"  # 其他行政权力
    GG = "GG"  # 公共服务


class OnlineMode(enum.StrEnum):
    FULL_ONLINE = "FULL_ONLINE"  # 全程网办
    ONLINE_PRE_REVIEW = "ONLINE_PRE_REVIEW"  # 网上预审
    OFFLINE = "OFFLINE"  # 线下


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[DepartmentCategory] = mapped_column(db.Enum(DepartmentCategory, native_enum=False, length=24))
    is_internal: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class ServiceItem(db.Model):
    __tablename__ = "service_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case pinyin initials of the name ("sbkslq" for 社保卡申领), for search as you type.
    name_initials: Mapped[str] = mapped_column(String(200), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    item_type: Mapped[ItemType] = mapped_column(db.Enum(ItemType, native_enum=False, length=4))
    is_instant: Mapped[bool] = mapped_column(default=False)  # 即办件; otherwise 承诺件
    statutory_days: Mapped[int] = mapped_column(default=0)  # 法定办结时限, working days
    promised_days: Mapped[int] = mapped_column(default=0)  # 承诺办结时限, working days (0 for 即办件)
    max_visits: Mapped[int] = mapped_column(default=1)  # 到办事现场次数
    online_mode: Mapped[OnlineMode] = mapped_column(
        db.Enum(OnlineMode, native_enum=False, length=20), default=OnlineMode.OFFLINE
    )
    has_fee: Mapped[bool] = mapped_column(default=False)
    fee_text: Mapped[str | None] = mapped_column(String(200))
    result_name: Mapped[str | None] = mapped_column(String(100))
    conditions: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    rongque_allowed: Mapped[bool] = mapped_column(default=False)  # on the 容缺受理清单
    rongque_default_days: Mapped[int | None]
    warn_days_override: Mapped[int | None]
    is_comprehensive_window: Mapped[bool] = mapped_column(default=False)  # one of the 190
    is_takeout: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    materials: Mapped[list[ItemMaterial]] = relationship(
        back_populates="item", order_by="ItemMaterial.sort_order", cascade="all, delete-orphan"
    )

    @property
    def is_online(self) -> bool:
        return self.online_mode is not OnlineMode.OFFLINE

    def __repr__(self) -> str:
        return f"<ServiceItem {self.code} {self.name}>"


class ItemMaterial(db.Model):
    """One material an item asks for (办理材料)."""

    __tablename__ = "item_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    is_required: Mapped[bool] = mapped_column(default=True)
    is_main: Mapped[bool] = mapped_column(default=True)  # main materials may never be missing under 容缺
    rongque_allowed: Mapped[bool] = mapped_column(default=False)
    form: Mapped[str] = mapped_column(String(20), default="COPY")  # ORIGINAL / COPY / ORIGINAL_CHECK
    copies: Mapped[int] = mapped_column(default=1)
    sort_order: Mapped[int] = mapped_column(default=0)

    item: Mapped[ServiceItem] = relationship(back_populates="materials")

    def __repr__(self) -> str:
        return f"<ItemMaterial {self.code} {self.name}>"
