"""Rating a delivered case, opening and working a rectification (差评整改). Flush, never commit.

The rules (scale, transitions, deadlines) are in domain/ratings.py; this module applies them to rows, records each
step and tells the people concerned (notifications).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import Case
from ..cases.services import closing_time
from ..domain import ratings as rules
from ..domain.deadlines import working_days_before
from ..domain.ratings import RATABLE_STATUSES, Actor, Disposition, Reaction, RectificationEvent, RectificationStatus
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import case_text, notify_enterprise, notify_station_staff, path_for
from ..timeutil import business_now, business_to_utc, utcnow
from .models import MAX_TEXT, Rating, Rectification, RectificationEventRecord

CHANNELS = ("ONLINE", "MINIPROGRAM")
REACTION_WAIT_DAYS = 3  # working days the evaluator has to react to the answer before it closes itself


class RatingError(Exception):
    """A request the rules refuse; ``status`` is the HTTP answer (403, 404, 409, 422)."""

    def __init__(self, code: str, status: int = 422):
        super().__init__(code)
        self.code = code
        self.status = status


# --- rating -------------------------------------------------------------------------------------------------------


def rate_case(
    case: Case,
    user: User,
    *,
    level: int,
    reasons: Iterable[str] = (),
    comment: str = "",
    channel: str = "ONLINE",
    now: datetime | None = None,
) -> Rating:
    """The enterprise rates its delivered case, once. A level ≤ 2 opens a rectification for the station.

    :raise RatingError: ``not_found`` (404) for anyone but the case's enterprise, ``not_delivered`` before
        delivery, ``already_rated`` (409) for a second rating, ``invalid_level`` / ``invalid_reason`` /
        ``comment_too_long`` for bad input.
    """
    now = now or utcnow()
    if user.role is not Role.ENTERPRISE or user.enterprise_id != case.enterprise_id:
        raise RatingError("not_found", 404)
    if db.session.scalar(select(Rating.id).where(Rating.case_id == case.id)) is not None:
        raise RatingError("already_rated", 409)
    if case.status not in RATABLE_STATUSES:
        raise RatingError("not_delivered")
    if not rules.is_valid_level(level):
        raise RatingError("invalid_level")
    try:
        codes = rules.clean_reasons(list(reasons))
    except ValueError:
        raise RatingError("invalid_reason") from None
    comment = (comment or "").strip()
    if len(comment) > rules.MAX_COMMENT:
        raise RatingError("comment_too_long")
    rating = Rating(
        case_id=case.id,
        enterprise_id=case.enterprise_id,
        station_id=case.station_id,
        clerk_id=case.clerk_id,
        staff_id=case.first_handler_id or case.accepted_by_id,
        level=level,
        reasons=",".join(codes) or None,
        comment=comment or None,
        channel=channel if channel in CHANNELS else "ONLINE",
        rated_by_id=user.id,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # the unique case_id settles a race between two taps
            db.session.add(rating)
    except IntegrityError:
        raise RatingError("already_rated", 409) from None
    if rules.is_bad(level):
        open_rectification(rating, case, now=now)
    return rating


# --- rectification ------------------------------------------------------------------------------------------------


def open_rectification(rating: Rating, case: Case, *, now: datetime | None = None) -> Rectification:
    """A new rectification with its deadlines; assigned at once to whoever handled the case (谁办理、谁负责)."""
    now = now or utcnow()
    deadlines = rules.rectification_deadlines(business_now(now), current_calendar(), closing=closing_time())
    rectification = Rectification(
        rating=rating,
        case_id=case.id,
        station_id=case.station_id,
        status=RectificationStatus.PENDING_ASSIGN,
        opened_at=now,
        callback_due_on=deadlines.callback_due_on,
        due_on=deadlines.due_on,
        warn_on=deadlines.warn_on,
    )
    db.session.add(rectification)
    _record(rectification, None, "open", None, at=now)
    if rating.staff_id is not None:
        _move(rectification, RectificationEvent.ASSIGN, Actor.SYSTEM, None, now=now)
        rectification.responsible_id = rating.staff_id
        rectification.assigned_at = now
    db.session.flush()
    notify_station_staff(
        case.station_id,
        NotificationKind.RECTIFICATION_OPENED,
        case_text(case),
        path_for("ratings.rectification", rectification_id=rectification.id),
        at=now,
    )
    return rectification


def actor_for(user: User | None, rectification: Rectification) -> Actor | None:
    """In which role ``user`` may act on the rectification, or None (read-only or no access)."""
    if user is None:
        return None
    if user.role is Role.STAFF and user.station_id == rectification.station_id:
        return Actor.STAFF
    if user.role is Role.ENTERPRISE and user.enterprise_id == rectification.rating.enterprise_id:
        return Actor.APPLICANT
    if user.role is Role.ADMIN:
        return Actor.SUPERVISOR
    return None


@dataclass
class StepInput:
    """What a form or API call may add to a step."""

    findings: str = ""
    measures: str = ""
    feedback: str = ""
    disposition: str = ""
    note: str = ""


def apply_step(
    rectification: Rectification,
    event: RectificationEvent,
    user: User,
    data: StepInput | None = None,
    *,
    now: datetime | None = None,
) -> Rectification:
    """One step of the rectification by a user (staff of its station, the enterprise that rated, the supervisor).

    :raise RatingError: ``read_only`` (403) when the user may not act on it; ``findings_required``,
        ``disposition_required``, ``feedback_required``, ``measures_required``, ``text_too_long`` for
        missing or bad input.
    :raise rules.RectificationError: when the step does not apply now or not for this user.
    """
    data = data or StepInput()
    now = now or utcnow()
    actor = actor_for(user, rectification)
    if actor is None:
        raise RatingError("read_only", 403)
    texts = (data.findings, data.measures, data.feedback, data.note)
    if any(len(text or "") > MAX_TEXT for text in texts):
        raise RatingError("text_too_long")
    rules.next_status(rectification.status, event, actor, reopen_count=rectification.reopen_count)  # may raise
    note = ""
    if event is RectificationEvent.ASSIGN:
        rectification.responsible_id = user.id
        rectification.assigned_at = now
    elif event is RectificationEvent.CALLBACK:
        note = _required(data.findings, "findings_required")
        rectification.findings = note
        rectification.callback_at = now
    elif event is RectificationEvent.START_FIX:
        if data.disposition not in (Disposition.FIX_NOW.value, Disposition.FIX_LATER.value):
            raise RatingError("disposition_required")
        rectification.disposition = Disposition(data.disposition)
        note = data.note.strip()
    elif event is RectificationEvent.EXPLAIN:
        note = _required(data.feedback, "feedback_required")
        rectification.disposition = Disposition.EXPLAIN
        rectification.feedback_text = note
        rectification.feedback_at = now
    elif event is RectificationEvent.REPORT_DONE:
        rectification.measures = _required(data.measures, "measures_required")
        note = _required(data.feedback, "feedback_required")
        rectification.feedback_text = note
        rectification.feedback_at = now
    elif event in (
        RectificationEvent.REACT_SATISFIED,
        RectificationEvent.REACT_BASIC,
        RectificationEvent.REACT_UNSATISFIED,
    ):
        rectification.reaction = next(r for r, e in rules.REACTION_EVENTS.items() if e is event)
        rectification.reaction_at = now
        note = data.note.strip()
    target = _move(rectification, event, actor, user, now=now, note=note)
    if target is RectificationStatus.CLOSED:
        rectification.closed_at = now
    if event is RectificationEvent.REACT_UNSATISFIED:
        rectification.reopen_count += 1
        if target is RectificationStatus.RECTIFYING:
            # Back to work with a fresh answer deadline (5 WD from now); the call-back was already made.
            deadlines = rules.rectification_deadlines(business_now(now), current_calendar(), closing=closing_time())
            rectification.due_on, rectification.warn_on = deadlines.due_on, deadlines.warn_on
    db.session.flush()
    if event in (RectificationEvent.EXPLAIN, RectificationEvent.REPORT_DONE):
        case = rectification.case
        notify_enterprise(
            case.enterprise_id,
            NotificationKind.RATING_ANSWERED,
            case_text(case),
            path_for("cases.show", case_no=case.case_no),
            at=now,
        )
    return rectification


def close_unanswered(now: datetime | None = None) -> int:
    """Close the rectifications whose answer got no reaction within 3 working days (NO_RESPONSE, SYSTEM).

    Returns how many were closed.
    """
    now = now or utcnow()
    today = business_now(now).date()
    cutoff = working_days_before(today, REACTION_WAIT_DAYS, current_calendar())
    answered_before = business_to_utc(datetime.combine(cutoff + timedelta(days=1), time(0, 0)))
    waiting = db.session.scalars(
        select(Rectification).where(
            Rectification.status == RectificationStatus.FEEDBACK_GIVEN, Rectification.feedback_at < answered_before
        )
    ).all()
    for rectification in waiting:
        _move(rectification, RectificationEvent.NO_RESPONSE, Actor.SYSTEM, None, now=now)
        rectification.reaction = Reaction.NO_RESPONSE
        rectification.closed_at = now
    db.session.flush()
    return len(waiting)


def _required(text: str, code: str) -> str:
    value = (text or "").strip()
    if not value:
        raise RatingError(code)
    return value


def _move(
    rectification: Rectification,
    event: RectificationEvent,
    actor: Actor,
    user: User | None,
    *,
    now: datetime,
    note: str = "",
) -> RectificationStatus:
    before = rectification.status
    target = rules.next_status(before, event, actor, reopen_count=rectification.reopen_count)
    rectification.status = target
    _record(rectification, user, event.value, before, at=now, note=note)
    return target


def _record(
    rectification: Rectification,
    user: User | None,
    event: str,
    before: RectificationStatus | None,
    *,
    at: datetime,
    note: str = "",
) -> None:
    db.session.add(
        RectificationEventRecord(
            rectification=rectification,
            at=at,
            actor_id=user.id if user else None,
            event=event,
            from_status=before.value if before else None,
            to_status=rectification.status.value,
            note=note or None,
        )
    )
