"""Writes on dedicated clerks: an enterprise chooses (or changes) its clerk; the demo profiles. Flush, never commit.

Choosing ends the current ClerkChoice (``ended_at``) and starts a new one, so the history is kept and at most one
choice is current (a partial unique index guards it against two concurrent choices). Handing the open cases over
to the new clerk is the cases' business: ``cases.services.change_clerk`` calls ``choose_clerk`` and moves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..extensions import db
from ..timeutil import utcnow
from .models import ClerkChoice, ClerkProfile
from .queries import client_count


class ClerkError(Exception):
    """A choice the rules refuse; ``status`` is the HTTP answer."""

    def __init__(self, code: str, status: int = 422):
        super().__init__(code)
        self.code = code
        self.status = status


def choose_clerk(
    enterprise_id: int,
    clerk: User,
    *,
    chosen_by: str = "APPLICANT",
    note: str = "",
    now: datetime | None = None,
) -> tuple[int | None, ClerkChoice]:
    """Make ``clerk`` the enterprise's dedicated clerk. Returns the previous clerk's id (or None) and the new choice.

    :raise ClerkError: ``not_a_clerk`` (404) for a user who is not an enabled clerk, ``already_chosen`` when it is
        the current clerk, ``not_accepting`` when its profile does not take clients, ``full`` at its limit.
    """
    if clerk.role is not Role.CLERK or not clerk.is_enabled:
        raise ClerkError("not_a_clerk", 404)
    now = now or utcnow()
    current = db.session.scalars(
        select(ClerkChoice).where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current)
    ).first()
    if current is not None and current.clerk_id == clerk.id:
        raise ClerkError("already_chosen")
    profile = db.session.scalars(select(ClerkProfile).where(ClerkProfile.user_id == clerk.id)).first()
    if profile is None or not profile.accepts_clients:
        raise ClerkError("not_accepting")
    if profile.max_clients is not None and client_count(clerk.id) >= profile.max_clients:
        raise ClerkError("full")
    previous = None
    if current is not None:
        previous = current.clerk_id
        current.ended_at = now
        db.session.flush()  # end the old choice before the new one exists (one current choice at a time)
    choice = ClerkChoice(
        enterprise_id=enterprise_id, clerk_id=clerk.id, chosen_at=now, chosen_by=chosen_by, note=note.strip() or None
    )
    db.session.add(choice)
    db.session.flush()
    return previous, choice


def ensure_profile(
    clerk: User,
    *,
    business_lines: Iterable[str] = (),
    languages: Iterable[str] = (),
    working_hours: str | None = None,
    intro: str | None = None,
    max_clients: int | None = None,
    accepts_clients: bool = True,
) -> ClerkProfile:
    """The clerk's profile, created with these values when it has none (an existing one is left as it is)."""
    profile = db.session.scalars(select(ClerkProfile).where(ClerkProfile.user_id == clerk.id)).first()
    if profile is None:
        profile = ClerkProfile(
            user_id=clerk.id,
            business_lines=list(business_lines),
            languages=list(languages),
            working_hours=working_hours,
            intro=intro,
            max_clients=max_clients,
            accepts_clients=accepts_clients,
        )
        db.session.add(profile)
        db.session.flush()
    return profile
