"""Stations (the centre is a row too) and their catalogue scope (domain.md §2.2, §2.4)."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class StationKind(enum.StrEnum):
    CENTER = "CENTER"  # 政务中心
    PARK = "PARK"  # 产业园区驿站
    BUILDING = "BUILDING"  # 楼宇驿站
    COMMERCIAL = "COMMERCIAL"  # 商圈驿站


class ScopeMode(enum.StrEnum):
    ACCEPT = "ACCEPT"  # 可直接受理
    COLLECT = "COLLECT"  # 代收转中心
    GUIDE = "GUIDE"  # 咨询/帮办 only


class Station(db.Model):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[StationKind] = mapped_column(db.Enum(StationKind, native_enum=False, length=16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    address: Mapped[str] = mapped_column(String(300), default="")
    park_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # [{"days": "1-5", "open": "09:00", "close": "12:00"}, ...]
    opening_hours: Mapped[list] = mapped_column(JSON, default=list)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    is_pilot: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent = relationship("Station", remote_side=[id])

    def __repr__(self) -> str:
        return f"<Station {self.code}>"


class StationItem(db.Model):
    """An item in a station's scope."""

    __tablename__ = "station_items"
    __table_args__ = (UniqueConstraint("station_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id", ondelete="CASCADE"), index=True)
    mode: Mapped[ScopeMode] = mapped_column(db.Enum(ScopeMode, native_enum=False, length=10), default=ScopeMode.ACCEPT)

    station: Mapped[Station] = relationship()
    item = relationship("ServiceItem")

    def __repr__(self) -> str:
        return f"<StationItem {self.station_id}:{self.item_id}>"
