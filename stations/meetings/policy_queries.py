"""Reads for 政策宣讲 sessions (the calendar is open to every signed-in user; sign-up lists to staff)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from .policy_models import PolicySession, SessionQuestion, SessionSignup, SignupState


def session_by_id(session_id: int) -> PolicySession | None:
    return db.session.get(PolicySession, session_id)


def upcoming(now: datetime, limit: int = 50) -> list[PolicySession]:
    return list(
        db.session.scalars(
            select(PolicySession).where(PolicySession.starts_at > now).order_by(PolicySession.starts_at).limit(limit)
        )
    )


def past(now: datetime, limit: int = 20) -> list[PolicySession]:
    return list(
        db.session.scalars(
            select(PolicySession)
            .where(PolicySession.starts_at <= now)
            .order_by(PolicySession.starts_at.desc())
            .limit(limit)
        )
    )


def signup_counts() -> dict[int, dict[str, int]]:
    """{session id: {"CONFIRMED": n, "WAITING": n, "ATTENDED": n}} in one query."""
    rows = db.session.execute(
        select(
            SessionSignup.session_id,
            SessionSignup.state,
            func.count(),
            func.count(SessionSignup.checked_in_at),
        ).group_by(SessionSignup.session_id, SessionSignup.state)
    ).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for session_id, state, total, attended in rows:
        counts[session_id][str(state)] = total
        counts[session_id]["ATTENDED"] = counts[session_id].get("ATTENDED", 0) + attended
    return counts


def signup_of(session_id: int, enterprise_id: int | None) -> SessionSignup | None:
    if enterprise_id is None:
        return None
    return db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.session_id == session_id, SessionSignup.enterprise_id == enterprise_id
        )
    )


def signups(session_id: int) -> list[SessionSignup]:
    return list(
        db.session.scalars(
            select(SessionSignup)
            .where(SessionSignup.session_id == session_id, SessionSignup.state != SignupState.CANCELLED)
            .order_by(SessionSignup.state, SessionSignup.created_at, SessionSignup.id)
        )
    )


def questions(session_id: int, enterprise_id: int | None) -> list[SessionQuestion]:
    """Every question for staff; an enterprise sees its own."""
    query = select(SessionQuestion).where(SessionQuestion.session_id == session_id)
    if enterprise_id is not None:
        query = query.where(SessionQuestion.enterprise_id == enterprise_id)
    return list(db.session.scalars(query.order_by(SessionQuestion.id)))
