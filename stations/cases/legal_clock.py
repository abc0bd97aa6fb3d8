"""The legal clock on a case (issue 12, item 6): 特别程序 pauses, the one 延期, deemed acceptance.

The date arithmetic is in stations/domain/legal_clock.py; here it is applied to cases and recorded on their
timeline. ``EFFECTS`` are the side effects of the state machine's clock events (services.apply_event runs them);
``deem_accepted`` is the daily job (`flask cases deem-accepted`). They flush, never commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain import case_flow
from ..domain.case_flow import Actor, CaseEvent, CaseStatus
from ..domain.legal_clock import SPECIAL_KINDS, extended_due, is_deemed_accepted, moved_deadline, resumed_due
from ..domain.workdays import WorkCalendar, working_days_between
from ..extensions import db
from ..notifications.services import notify_case_event
from ..timeutil import business_today, utcnow
from .models import Case, CasePause, Channel


def _services():
    from . import services  # services imports this module for EFFECTS

    return services


def _move_due(case: Case, new_due: date, calendar: WorkCalendar) -> None:
    """Store a moved due date with its yellow day and RED moment; the days added count as ``extended_days``."""
    services = _services()
    old_due = case.due_on
    start_day = services.business_now(case.accepted_at).date()
    moved = moved_deadline(new_due, start_day, case.promised_days or 0, calendar, case.item.warn_days_override)
    case.due_on = moved.due_on
    case.warn_on = moved.warn_on
    case.overdue_at = services.business_to_utc(moved.overdue_at_local)
    case.extended_days = (case.extended_days or 0) + max(0, working_days_between(old_due, new_due, calendar))


def _extend(case: Case, user: User, data, now: datetime) -> None:
    from ..access import may_consent_extension

    services = _services()
    if not may_consent_extension(user, case):
        raise services.CaseError("approver_required", 403)
    if case.due_on is None:
        raise services.CaseError("no_deadline")
    calendar = current_calendar()
    _move_due(case, extended_due(case.due_on, calendar), calendar)
    case.extended_at = now
    case.extension_approved_by_id = user.id


def open_pause(case: Case) -> CasePause | None:
    return db.session.scalar(
        select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_on.is_(None)).order_by(CasePause.id)
    )


def _start_special(case: Case, user: User, data, now: datetime) -> None:
    kind = (getattr(data, "special_kind", "") or "").strip()
    if kind not in SPECIAL_KINDS:
        raise _services().CaseError("special_kind")
    db.session.add(
        CasePause(
            case_id=case.id,
            kind=kind,
            reason=data.reason.strip(),
            started_on=business_today(now),
            started_by_id=user.id,
        )
    )


def _end_special(case: Case, user: User, data, now: datetime) -> None:
    pause = open_pause(case)
    resumed = business_today(now)
    if pause is None:
        return  # a SPECIAL case without its pause row (seeded by hand): nothing to move
    pause.ended_on = resumed
    pause.ended_by_id = user.id
    if case.due_on is not None:
        calendar = current_calendar()
        _move_due(case, resumed_due(case.due_on, pause.started_on, resumed, calendar), calendar)


EFFECTS = {
    CaseEvent.EXTEND: _extend,
    CaseEvent.START_SPECIAL: _start_special,
    CaseEvent.END_SPECIAL: _end_special,
}


# --- deemed acceptance (domain.md §4.1 rule 6), the daily job -------------------------------------------------------


def _candidates(today: date) -> list[Case]:
    """RECEIVED cases never answered (no correction notice), received at least 5 calendar days ago."""
    cutoff = datetime.combine(today - timedelta(days=5), datetime.min.time())
    return list(
        db.session.scalars(
            select(Case)
            .where(
                Case.status == CaseStatus.RECEIVED,
                Case.correction_requested_at.is_(None),
                Case.received_at < cutoff,
            )
            .order_by(Case.id)
        )
    )


def deem_accepted(now: datetime | None = None) -> list[Case]:
    """Accept by law every RECEIVED case whose 5th working day after receipt has passed unanswered.

    The case counts as accepted from its receipt (accepted_at := received_at, the deadline counted from there).
    Idempotent: a case accepted once is no longer RECEIVED. A partner's forwarded case not yet signed for waits.
    """
    services = _services()
    now = now or utcnow()
    today = business_today(now)
    calendar = current_calendar()
    accepted = []
    for case in _candidates(today):
        if case.channel is Channel.XR_INBOUND and case.xr_signed_at is None:
            continue
        if not is_deemed_accepted(business_today(case.received_at), today, calendar):
            continue
        facts = services.facts_for(case, now)
        target = case_flow.next_status(facts, CaseEvent.DEEMED_ACCEPT, Actor.SYSTEM)
        before = case.status
        item = case.item
        with db.session.no_autoflush:
            case.accepted_at = case.received_at
            case.promised_days = item.promised_days
            case.statutory_days = item.statutory_days
            case.is_instant = item.is_instant
            case.deemed_accepted = True
            services._set_deadline(case, pauses=())
            case.status = target
            services.hand_over_if_collected(case, now)
            services._record(case, None, CaseEvent.DEEMED_ACCEPT.value, before, at=now)
            services.record_hand_over(case, now)
        db.session.flush()
        notify_case_event(case, CaseEvent.ACCEPT.value, at=now)
        accepted.append(case)
    return accepted
