"""政务外卖 (domain.md §2.10): the menu, orders with their lines, team, timeline, and what the visit produced.

An order's cases (taken in on site, channel TAKEOUT) and appeals (problems found on site) are linked through their
own tables, one row per case or appeal (UNIQUE), so that a retried on-site submission never links twice.
Times are naive UTC like every stored datetime; pages show them in business time.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.takeout_flow import OrderStatus
from ..extensions import db
from ..timeutil import utcnow

MAX_ADDRESS = 200
MAX_TEXT = 2000


class MenuKind(enum.StrEnum):
    ITEM = "ITEM"  # a catalogue item that can be taken in on site
    POLICY = "POLICY"  # a policy-consulting line (产业政策解读, 人才政策 ...)
    CUSTOM = "CUSTOM"  # 个性化点单: the enterprise writes what it needs


class MenuLine(db.Model):
    __tablename__ = "takeout_menu_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MenuKind] = mapped_column(db.Enum(MenuKind, native_enum=False, length=8))
    category: Mapped[str] = mapped_column(String(40), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("service_items.id"))
    skills: Mapped[list] = mapped_column(JSON, default=list)  # what a team needs for this line, e.g. ["社保", "税务"]
    pinyin: Mapped[str] = mapped_column(String(400), default="")  # full pinyin and initials, for search
    is_active: Mapped[bool] = mapped_column(default=True)

    item = relationship("ServiceItem")


class Order(db.Model):
    __tablename__ = "takeout_orders"
    __table_args__ = (Index("ix_takeout_orders_station_status", "station_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[OrderStatus] = mapped_column(db.Enum(OrderStatus, native_enum=False, length=16), index=True)
    version: Mapped[int] = mapped_column(default=1)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))  # the station that owns contact
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(MAX_ADDRESS))
    preferred_windows: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["2026-12-08 上午"]
    custom_request: Mapped[str] = mapped_column(Text, default="")
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    contact_due_at: Mapped[datetime]
    contacted_at: Mapped[datetime | None]
    agreed_visit_on: Mapped[date | None]
    visit_due_on: Mapped[date | None]
    dispatched_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    alternative: Mapped[str] = mapped_column(String(16), default="")  # what a declined order was offered instead
    rating_level: Mapped[int | None]  # 1..5, the 好差评 levels (domain.md §2.9)
    rating_note: Mapped[str] = mapped_column(String(500), default="")

    enterprise = relationship("Enterprise")
    station = relationship("Station")
    ordered_by = relationship("User", foreign_keys=[ordered_by_id])
    lines = relationship("OrderLine", order_by="OrderLine.id", cascade="all, delete-orphan")
    team = relationship("TeamMember", order_by="TeamMember.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Order {self.order_no} {self.status}>"


class OrderLine(db.Model):
    __tablename__ = "takeout_order_lines"
    __table_args__ = (UniqueConstraint("order_id", "menu_line_id", name="uq_takeout_order_lines"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("takeout_orders.id", ondelete="CASCADE"), index=True)
    menu_line_id: Mapped[int] = mapped_column(ForeignKey("takeout_menu_lines.id"))

    menu_line = relationship("MenuLine")


class TeamMember(db.Model):
    """The team formed for one order (实时组建不同的工作队伍): staff users, the first one leads."""

    __tablename__ = "takeout_team_members"
    __table_args__ = (UniqueConstraint("order_id", "user_id", name="uq_takeout_team_members"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("takeout_orders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)

    user = relationship("User")


class OrderEventRecord(db.Model):
    """The timeline: one row per event, who fired it and what they wrote."""

    __tablename__ = "takeout_order_events"
    __table_args__ = (Index("ix_takeout_order_events_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("takeout_orders.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


class OrderCase(db.Model):
    """A case taken in on site for the order (帮办代办); it goes on through the back office (后台流转)."""

    __tablename__ = "takeout_order_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("takeout_orders.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)

    case = relationship("Case")


class OrderAppeal(db.Model):
    """A problem found on site, registered as an appeal (诉求) and tracked to closure there."""

    __tablename__ = "takeout_order_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("takeout_orders.id", ondelete="CASCADE"), index=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), unique=True)

    appeal = relationship("Appeal")


class OrderSequence(db.Model):
    """Per-day counter for order numbers (WM + yyyymmdd + 4 digits, domain.md §4.9)."""

    __tablename__ = "takeout_sequences"

    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
