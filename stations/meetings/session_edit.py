"""Editing a 政策宣讲 session (issue 14): title, time, capacity, place or live link, with a version check.

Capacity never goes below the seats already confirmed; when it grows, the waiting list moves up in order (each
enterprise told its seat is confirmed). A change of title, time, place or link is told to every enterprise still
signed up (confirmed or waiting). Flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_enterprise, path_for
from ..timeutil import utcnow
from .policy_models import PolicySession, SessionSignup, SignupState
from .policy_services import SessionError, _locked, confirmed_count, require_runner

TOLD_FIELDS = ("title", "starts_at", "ends_at", "place", "live_url")


@dataclass
class SessionChange:
    title: str
    starts_at: datetime  # naive UTC
    minutes: int
    capacity: int
    place: str = ""
    live_url: str = ""
    theme: str = ""
    speakers: str = ""
    materials: str = ""


def edit_session(session_id: int, change: SessionChange, version: int | None, *, by: User, now: datetime | None = None):
    """Apply ``change`` for ``by``; returns (session, moved_up sign-ups).

    :raise SessionError: ``not_found`` (404) for anyone who does not run the session, ``stale`` (409) when
        ``version`` is not the current one, ``session_closed`` once it has started or was cancelled,
        ``capacity_below_confirmed`` and ``bad_link`` (422).
    """
    now = now or utcnow()
    session = _locked(session_id)
    require_runner(by, session)
    if version != session.version:
        raise SessionError("stale", 409)
    if session.is_cancelled or session.starts_at <= now:
        raise SessionError("session_closed")
    if change.live_url.strip() and not change.live_url.strip().startswith("https://"):
        raise SessionError("bad_link")
    confirmed = confirmed_count(session.id)
    if change.capacity < confirmed:
        raise SessionError("capacity_below_confirmed")
    before = {name: getattr(session, name) for name in TOLD_FIELDS}
    session.title = change.title.strip()[:200]
    session.theme, session.speakers = change.theme.strip()[:50], change.speakers.strip()[:300]
    session.starts_at, session.ends_at = change.starts_at, change.starts_at + timedelta(minutes=change.minutes)
    session.place, session.live_url = change.place.strip()[:200], change.live_url.strip()[:300]
    session.materials = change.materials.strip()
    grew_by = change.capacity - session.capacity
    session.capacity = change.capacity
    session.version += 1
    moved = _move_up(session, change.capacity - confirmed, now) if grew_by > 0 else []
    if any(getattr(session, name) != value for name, value in before.items()):
        _tell_signed_up(session, {s.id for s in moved}, now)
    db.session.flush()
    return session, moved


def _move_up(session: PolicySession, free: int, now: datetime) -> list[SessionSignup]:
    waiting = db.session.scalars(
        select(SessionSignup)
        .where(SessionSignup.session_id == session.id, SessionSignup.state == SignupState.WAITING)
        .order_by(SessionSignup.created_at, SessionSignup.id)
        .limit(max(free, 0))
    ).all()
    link = path_for("policy_sessions.show", session_id=session.id)
    for signup in waiting:
        signup.state = SignupState.CONFIRMED
        notify_enterprise(signup.enterprise_id, NotificationKind.SESSION_CONFIRMED, session.title[:200], link, at=now)
    return list(waiting)


def _tell_signed_up(session: PolicySession, skip: set[int], now: datetime) -> None:
    link = path_for("policy_sessions.show", session_id=session.id)
    live = (SignupState.CONFIRMED, SignupState.WAITING)
    for signup in db.session.scalars(
        select(SessionSignup).where(SessionSignup.session_id == session.id, SessionSignup.state.in_(live))
    ):
        if signup.id not in skip:
            notify_enterprise(signup.enterprise_id, NotificationKind.SESSION_CHANGED, session.title[:200], link, at=now)
