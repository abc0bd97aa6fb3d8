"""Writes for 政策宣讲 sessions: sign-up with a waiting list, cancellation (the first waiting moves up and is told),
check-in at the door by the QR token, questions and answers. Flush, never commit.

Capacity is kept under concurrent sign-ups by locking the session row first (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite a write request already holds the database's write lock from BEGIN IMMEDIATE).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select

from ..access import may_run_session
from ..appeals import origins
from ..appeals.models import Category, Nature, SourceChannel
from ..appeals.services import RegisterInput
from ..auth.models import User
from ..domain.appeal_flow import Urgency
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_enterprise, path_for
from ..timeutil import utcnow
from .policy_models import PolicySession, SessionQuestion, SessionSignup, SignupState

MAX_QUESTION = 1000
CHECKIN_EARLY_HOURS = 2


class SessionError(Exception):
    def __init__(self, code: str, status: int = 422) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def require_runner(user: User, session: PolicySession) -> None:
    """Only who runs the session (access.may_run_session: staff of its station, or the administrator) edits it,
    sets its replay or checks in at its door; to anyone else it does not exist, whichever the entry point."""
    if not may_run_session(user, session):
        raise SessionError("not_found", 404)


def _locked(session_id: int) -> PolicySession:
    session = db.session.scalar(select(PolicySession).where(PolicySession.id == session_id).with_for_update())
    if session is None:
        raise SessionError("not_found", 404)
    return session


def confirmed_count(session_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(SessionSignup.session_id == session_id, SessionSignup.state == SignupState.CONFIRMED)
    )


def sign_up(session_id: int, user: User, *, now: datetime | None = None) -> SessionSignup:
    """CONFIRMED while seats remain, else WAITING; signing up again returns the live sign-up unchanged."""
    now = now or utcnow()
    session = _locked(session_id)
    if session.is_cancelled or session.starts_at <= now:
        raise SessionError("session_closed")
    signup = db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.session_id == session.id, SessionSignup.enterprise_id == user.enterprise_id
        )
    )
    if signup is not None and signup.is_live:
        return signup
    state = SignupState.CONFIRMED if confirmed_count(session.id) < session.capacity else SignupState.WAITING
    if signup is None:
        signup = SessionSignup(session_id=session.id, enterprise_id=user.enterprise_id, user_id=user.id)
        db.session.add(signup)
    signup.state, signup.user_id, signup.created_at, signup.cancelled_at = state, user.id, now, None
    signup.token = secrets.token_urlsafe(18)  # a fresh token: an old screenshot does not check in
    db.session.flush()
    return signup


def cancel(signup: SessionSignup, *, now: datetime | None = None) -> SessionSignup | None:
    """Cancel; when a seat is freed the first WAITING sign-up moves up and its enterprise is told. Returns it."""
    now = now or utcnow()
    session = _locked(signup.session_id)
    if signup.state is SignupState.CANCELLED:
        return None
    freed = signup.state is SignupState.CONFIRMED
    signup.state, signup.cancelled_at = SignupState.CANCELLED, now
    db.session.flush()
    if not freed or confirmed_count(session.id) >= session.capacity:
        return None
    first = db.session.scalar(
        select(SessionSignup)
        .where(SessionSignup.session_id == session.id, SessionSignup.state == SignupState.WAITING)
        .order_by(SessionSignup.created_at, SessionSignup.id)
        .limit(1)
    )
    if first is None:
        return None
    first.state = SignupState.CONFIRMED
    link = path_for("policy_sessions.show", session_id=session.id)
    notify_enterprise(first.enterprise_id, NotificationKind.SESSION_CONFIRMED, session.title[:200], link, at=now)
    db.session.flush()
    return first


def check_in(session: PolicySession, token: str, *, by: User, now: datetime | None = None) -> SessionSignup:
    """The door: the scanned token of a CONFIRMED sign-up of this session. Twice is fine (answers the first)."""
    require_runner(by, session)
    now = now or utcnow()
    token = (token or "").strip()
    if not token or len(token) > 40:
        raise SessionError("bad_token")
    signup = db.session.scalar(
        select(SessionSignup).where(SessionSignup.token == token, SessionSignup.session_id == session.id)
    )
    if signup is None:
        raise SessionError("bad_token")
    if not signup.admits:
        raise SessionError("not_confirmed")
    if signup.checked_in_at is None:
        signup.checked_in_at = now
    db.session.flush()
    return signup


def ask(session: PolicySession, user: User, body: str, *, now: datetime | None = None) -> SessionQuestion:
    body = (body or "").strip()
    if not body or len(body) > MAX_QUESTION:
        raise SessionError("question_required")
    question = SessionQuestion(
        session_id=session.id, enterprise_id=user.enterprise_id, user_id=user.id, body=body, asked_at=now or utcnow()
    )
    db.session.add(question)
    db.session.flush()
    return question


def answer(question: SessionQuestion, user: User, text: str, *, now: datetime | None = None) -> None:
    text = (text or "").strip()
    if not text or len(text) > 4000:
        raise SessionError("answer_required")
    question.answer, question.answered_by_id, question.answered_at = text, user.id, now or utcnow()
    db.session.flush()


def set_replay(session: PolicySession, url: str, *, by: User) -> None:
    require_runner(by, session)
    url = (url or "").strip()
    if url and (len(url) > 300 or not url.startswith(("https://", "http://"))):
        raise SessionError("bad_link")
    session.replay_url = url
    db.session.flush()


def question_to_appeal(question: SessionQuestion, user: User | None = None) -> str | None:
    """THE SEAM: a question that needs more than an answer becomes an appeal (source 政策宣讲), once; its number is
    kept in ``question.appeal_no`` and the appeal links back to the session (appeals.origins)."""
    if question.appeal_no:
        return question.appeal_no
    session = db.session.get(PolicySession, question.session_id)
    data = RegisterInput(
        source_channel=SourceChannel.POLICY_SESSION,
        category=Category.POLICY_FULFILMENT,
        nature=Nature.CONSULT,
        urgency=Urgency.NORMAL,
        description=f"政策宣讲「{session.title}」提问:{question.body}",
        enterprise=question.enterprise,
        station_id=session.station_id,
    )
    appeal = origins.raise_from(origins.SESSION_QUESTION, f"{session.id}#{question.id}", data, user)
    question.appeal_no = appeal.appeal_no
    db.session.flush()
    return appeal.appeal_no


def create_session(form_data: dict, station_id: int | None, starts_at_utc: datetime) -> PolicySession:
    from datetime import timedelta

    session = PolicySession(
        title=form_data["title"].strip(),
        theme=(form_data.get("theme") or "").strip(),
        speakers=(form_data.get("speakers") or "").strip(),
        starts_at=starts_at_utc,
        ends_at=starts_at_utc + timedelta(minutes=form_data.get("minutes") or 120),
        place=(form_data.get("place") or "").strip(),
        live_url=(form_data.get("live_url") or "").strip(),
        capacity=form_data["capacity"],
        materials=(form_data.get("materials") or "").strip(),
        replay_url=(form_data.get("replay_url") or "").strip(),
        station_id=station_id,
    )
    db.session.add(session)
    db.session.flush()
    return session
