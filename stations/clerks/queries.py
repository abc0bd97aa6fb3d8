"""Reads of the dedicated clerks: the directory an enterprise chooses from, its current clerk, its history.

Each function is one query. The clerks' workload (open cases of their clients) is about cases and is counted
by ``cases.client_queries.clerk_loads``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import Role, User
from ..extensions import db
from .models import ClerkChoice, ClerkProfile


@dataclass
class DirectoryEntry:
    clerk: User
    profile: ClerkProfile | None

    @property
    def accepts_clients(self) -> bool:
        return self.profile is not None and self.profile.accepts_clients


def directory(limit: int = 200) -> list[DirectoryEntry]:
    """Every enabled clerk with its profile (if any) and its station, by name: one query."""
    statement = (
        select(User, ClerkProfile)
        .outerjoin(ClerkProfile, ClerkProfile.user_id == User.id)
        .where(User.role == Role.CLERK, User.is_enabled.is_(True))
        .options(joinedload(User.station))
        .order_by(User.display_name, User.id)
        .limit(limit)
    )
    return [DirectoryEntry(clerk, profile) for clerk, profile in db.session.execute(statement).all()]


def clerk_entry(user_id: int) -> DirectoryEntry | None:
    """One enabled clerk with its profile, or None (not a clerk, disabled, unknown)."""
    statement = (
        select(User, ClerkProfile)
        .outerjoin(ClerkProfile, ClerkProfile.user_id == User.id)
        .where(User.id == user_id, User.role == Role.CLERK, User.is_enabled.is_(True))
    )
    row = db.session.execute(statement).first()
    return DirectoryEntry(row[0], row[1]) if row else None


def current_choice(enterprise_id: int) -> ClerkChoice | None:
    """The enterprise's current clerk choice with the clerk and its station, or None."""
    statement = (
        select(ClerkChoice)
        .where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current)
        .options(joinedload(ClerkChoice.clerk).joinedload(User.station))
    )
    return db.session.scalars(statement).first()


def history(enterprise_id: int, limit: int = 100) -> list[ClerkChoice]:
    """Every clerk the enterprise has had, the current one first, then newest first."""
    statement = (
        select(ClerkChoice)
        .where(ClerkChoice.enterprise_id == enterprise_id)
        .options(joinedload(ClerkChoice.clerk).joinedload(User.station))
        .order_by(ClerkChoice.ended_at.is_not(None), ClerkChoice.chosen_at.desc(), ClerkChoice.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement).all())


def client_count(clerk_id: int) -> int:
    """How many enterprises have this clerk now."""
    statement = select(func.count(ClerkChoice.id)).where(ClerkChoice.clerk_id == clerk_id, ClerkChoice.is_current)
    return int(db.session.scalar(statement) or 0)
