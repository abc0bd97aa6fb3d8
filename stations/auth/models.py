"""User accounts and the authentication audit trail."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..datakey import EncryptedString
from ..extensions import db
from ..timeutil import utcnow


class Role(enum.StrEnum):
    ADMIN = "ADMIN"  # administrator: catalogue, calendar, users
    CENTRAL = "CENTRAL"  # central office: every station, read-only
    STAFF = "STAFF"  # station staff: their station's cases
    CLERK = "CLERK"  # dedicated clerk (办事专员): staff an enterprise may choose
    ENTERPRISE = "ENTERPRISE"  # enterprise user: its own cases
    PERSON = "PERSON"  # a natural person (群众, issue 12): their own cases, like an enterprise user
    DEPARTMENT = "DEPARTMENT"  # back office (业务口) behind the centre: one department, see User.department_duty
    COMMISSIONER = "COMMISSIONER"  # 行政专员 / 服务专员 of a park: assigned enterprises, appeals, service log

    @property
    def is_privileged(self) -> bool:
        return self in (Role.ADMIN, Role.CENTRAL)

    @property
    def is_staff_side(self) -> bool:
        return self is not Role.ENTERPRISE

    @property
    def works_at_station(self) -> bool:
        """Station staff and dedicated clerks belong to a station (an account needs one) and serve at its counter,
        where the originals of the materials are in hand."""
        return self in (Role.STAFF, Role.CLERK)


class DepartmentDuty(enum.StrEnum):
    """What a DEPARTMENT user does for their department (one department each)."""

    EXAMINER = "EXAMINER"  # 审查: examines and decides the cases handed to the department (首办负责人)
    APPROVER = "APPROVER"  # 负责人: consents to extensions, signs off replies
    CONTACT = "CONTACT"  # 联络员: receives appeals and meeting requests routed to the department


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(db.Enum(Role, native_enum=False, length=16))
    password_hash: Mapped[str] = mapped_column(String(255))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # DEPARTMENT users only: the department they work for and their duty there.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    department_duty: Mapped[DepartmentDuty | None] = mapped_column(
        db.Enum(DepartmentDuty, native_enum=False, length=16)
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Bumped on logout, password change and disabling: every older session dies at once.
    session_epoch: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    station = relationship("Station", lazy="joined")
    enterprise = relationship("Enterprise", lazy="joined")
    department = relationship("Department", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class AuditEvent(db.Model):
    """Append-only record of security events (login, lockout, logout, denied access...)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_event_at", "event", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.event} {self.outcome} {self.username}>"


class ApiToken(db.Model):
    """A bearer token for API v1, acting as one user (an enterprise user for the mini-program, or an integration).

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is issued.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user = relationship("User", lazy="joined")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name}>"


class MfaFactor(db.Model):
    """A user's TOTP second factor (security.md A9): the shared secret, the last time step used (no replay) and the
    hashes of the one-time recovery codes. Unconfirmed until the user has typed one code from the new secret."""

    __tablename__ = "mfa_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    secret: Mapped[str] = mapped_column(EncryptedString(255))  # Fernet under the data key (stations/datakey.py)
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int] = mapped_column(default=0)  # the TOTP time step of the last accepted code
    recovery_hashes: Mapped[str] = mapped_column(String(1000), default="")  # space-separated sha256 hex digests
    failures: Mapped[int] = mapped_column(default=0)  # wrong codes since the last right one
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
