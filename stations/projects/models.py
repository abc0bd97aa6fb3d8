"""Key projects, their procedures, dispatch meetings (调度推进会议) and site visits (domain.md §2.15, §3.7)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.project_flow import ProcedureStatus
from ..extensions import db
from ..timeutil import utcnow


class Project(db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), default="新区级")  # 新区级以上
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))  # the owner
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)  # the park
    commissioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 行政专员
    closed_out_at: Mapped[datetime | None]  # 销号: every procedure done
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise = relationship("Enterprise")
    station = relationship("Station")
    commissioner = relationship("User")
    procedures: Mapped[list[ProjectProcedure]] = relationship(
        back_populates="project", order_by="ProjectProcedure.seq", cascade="all, delete-orphan"
    )
    meetings: Mapped[list[DispatchMeeting]] = relationship(
        back_populates="project", order_by="DispatchMeeting.held_on", cascade="all, delete-orphan"
    )
    visits: Mapped[list[SiteVisit]] = relationship(
        back_populates="project", order_by="SiteVisit.visited_on", cascade="all, delete-orphan"
    )


class ProjectProcedure(db.Model):
    __tablename__ = "project_procedures"
    __table_args__ = (Index("ix_project_procedures_status_planned", "status", "planned_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))  # 立项, 用地, 规划许可, 施工许可, 竣工验收...
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    planned_on: Mapped[date | None]  # the time point set at a dispatch meeting
    status: Mapped[ProcedureStatus] = mapped_column(
        db.Enum(ProcedureStatus, native_enum=False, length=16, validate_strings=True), default=ProcedureStatus.PLANNED
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the linked case, when filed here
    blocked_note: Mapped[str | None] = mapped_column(Text)  # why blocked: goes on the next dispatch meeting
    appeal_no: Mapped[str | None] = mapped_column(String(24))  # the appeal raised by the current blockage
    done_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="procedures")
    department = relationship("Department", lazy="joined")
    case = relationship("Case")


class DispatchMeeting(db.Model):
    """调度推进会议: decisions, owners and new time points for a project's procedures."""

    __tablename__ = "project_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    decisions: Mapped[str] = mapped_column(Text, default="")
    owners: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="meetings")


class SiteVisit(db.Model):
    __tablename__ = "project_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[Project] = relationship(back_populates="visits")
