"""The legal clock on a case (issue 12, item 6): 特别程序 pauses, the one 延期, deemed acceptance.

The date arithmetic is in stations/domain/legal_clock.py; here it is applied to cases and recorded on their
timeline. ``EFFECTS`` are the side effects of the state machine's clock events (services.apply_event runs them);
the daily deemed acceptance is in deemed.py. They flush, never commit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..access import may_consent_extension
from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain.case_vocabulary import CaseEvent
from ..domain.legal_clock import SPECIAL_KINDS, extended_due, moved_deadline, resumed_due
from ..domain.workdays import WorkCalendar, working_days_between
from ..extensions import db
from ..timeutil import business_now, business_to_utc, business_today
from .models import Case, CasePause
from .records import CaseError


def move_due(case: Case, new_due: date, calendar: WorkCalendar) -> None:
    """Store a moved due date with its yellow day and RED moment; the days added count as ``extended_days``."""
    old_due = case.due_on
    start_day = business_now(case.accepted_at).date()
    moved = moved_deadline(new_due, start_day, case.promised_days or 0, calendar, case.item.warn_days_override)
    case.due_on = moved.due_on
    case.warn_on = moved.warn_on
    case.overdue_at = business_to_utc(moved.overdue_at_local)
    case.extended_days = (case.extended_days or 0) + max(0, working_days_between(old_due, new_due, calendar))


def _extend(case: Case, user: User, data, now: datetime) -> None:
    if not may_consent_extension(user, case):
        raise CaseError("approver_required", 403)
    if case.due_on is None:
        raise CaseError("no_deadline")
    calendar = current_calendar()
    move_due(case, extended_due(case.due_on, calendar), calendar)
    case.extended_at = now
    case.extension_approved_by_id = user.id


def open_pause(case: Case) -> CasePause | None:
    return db.session.scalar(
        select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_on.is_(None)).order_by(CasePause.id)
    )


def _start_special(case: Case, user: User, data, now: datetime) -> None:
    kind = (getattr(data, "special_kind", "") or "").strip()
    if kind not in SPECIAL_KINDS:
        raise CaseError("special_kind")
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
        move_due(case, resumed_due(case.due_on, pause.started_on, resumed, calendar), calendar)


EFFECTS = {
    CaseEvent.EXTEND: _extend,
    CaseEvent.START_SPECIAL: _start_special,
    CaseEvent.END_SPECIAL: _end_special,
}
