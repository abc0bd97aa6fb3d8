"""The side effects of each case event (deadlines set and moved, decisions, delivery, 容缺 items opened and
closed). ``SIDE_EFFECTS`` maps an event to its function; apply_event (services.py) calls it. Flush, never commit."""

from __future__ import annotations

from datetime import date, datetime

from ..auth.models import User
from ..calendar.services import current_calendar
from ..domain import case_vocabulary
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..domain.deadlines import acceptance_day, compute_deadline, deficiency_deadline, deficiency_warn_on
from ..domain.deficiency_flow import DeficiencyStatus
from ..domain.legal_clock import corrected_due
from ..enterprises.models import CreditFlag
from ..extensions import db
from ..timeutil import business_now, business_to_utc
from .backoffice import hand_over_if_collected
from .legal_clock import move_due
from .models import Case, Channel, Deficiency, MaterialStatus
from .records import EventInput, closing_time


def _accept(case: Case, user: User, data: EventInput, now: datetime) -> None:
    item = case.item
    case.accepted_at = now
    case.accepted_by_id = user.id
    case.promised_days = item.promised_days
    case.statutory_days = item.statutory_days
    case.is_instant = item.is_instant
    _set_deadline(case, pauses=())
    hand_over_if_collected(case, now)  # a COLLECT item goes on to its department's queue (issue 12)


def _set_deadline(case: Case, pauses: tuple[tuple[date, date], ...]) -> None:
    deadline = compute_deadline(
        business_now(case.accepted_at),
        case.promised_days or 0,
        current_calendar(),
        closing=closing_time(),
        pauses=pauses,
        warn_override=case.item.warn_days_override,
    )
    case.due_on = deadline.due_on
    case.warn_on = deadline.warn_on
    case.overdue_at = business_to_utc(deadline.overdue_at_local)
    case.due_provisional = deadline.provisional


def _accept_with_deficiency(case: Case, user: User, data: EventInput, now: datetime) -> None:
    _accept(case, user, data, now)
    case.is_rongque = True
    case.commitment_signed_at = now
    calendar = current_calendar()
    accepted_day = business_now(now).date()
    deadline = deficiency_deadline(
        accepted_day, case.promised_days or 0, case.item.rongque_default_days, case.due_on, calendar
    )
    missing = [
        m
        for m in case.materials
        if m.item_material.is_required and m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)
    ]
    for n, material in enumerate(missing, start=1):
        material.status = MaterialStatus.RONGQUE
        db.session.add(
            Deficiency(
                case=case,
                case_material=material,
                status=DeficiencyStatus.PENDING,
                supply_deadline=deadline,
                warn_on=deficiency_warn_on(deadline, calendar),
                responsible_id=user.id,
                notice_no=f"RQ{case.case_no}-{n}",
                created_at=now,
            )
        )


def _request_correction(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.correction_requested_at = now
    case.correction_note = data.note or data.reason or None
    case.status_before_correction = case.status
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
        case.paused_on = business_now(now).date()  # the clock stops until the applicant has corrected
    for material in case.materials:
        if material.item_material.is_required and material.status is MaterialStatus.MISSING:
            material.status = MaterialStatus.NEEDS_CORRECTION


def _correction_done(case: Case, user: User, data: EventInput, now: datetime) -> None:
    if case.paused_on is not None and case.due_on is not None:
        resumed = business_now(now).date()
        if resumed > case.paused_on:
            # Move the current due date, never recompute it from acceptance: a 延期 or a 特别程序 before stays.
            calendar = current_calendar()
            start_day = acceptance_day(business_now(case.accepted_at), closing_time(), calendar)
            move_due(case, corrected_due(case.due_on, start_day, case.paused_on, resumed, calendar), calendar)
        case.paused_on = None
    case.status_before_correction = None
    for material in case.materials:
        if material.status is MaterialStatus.NEEDS_CORRECTION:
            material.status = MaterialStatus.MISSING


def _start_review(case: Case, user: User, data: EventInput, now: datetime) -> None:
    if case.first_handler_id is None:
        case.first_handler_id = user.id


def _decide(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.decided_at = now
    case.decision_note = data.note or data.reason or None
    if case.first_handler_id is None:
        case.first_handler_id = user.id  # an instant item decided at the counter


def _issue(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.issued_at = now


def _deliver(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.delivered_at = now
    case.delivery_mode = data.delivery_mode or case_vocabulary.DEFAULT_DELIVERY_MODE


def _forward(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.channel = Channel.XR_OUTBOUND  # received here, handled by the partner (the transfer records which)


def _sign_for(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.xr_signed_at = now


def _close(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.closed_reason = data.reason or data.note or None


def _terminate(case: Case, user: User, data: EventInput, now: datetime) -> None:
    _close(case, user, data, now)
    for deficiency in case.deficiencies:
        if deficiency.status is not DeficiencyStatus.VERIFIED:
            deficiency.status = DeficiencyStatus.TERMINATED
    # A broken 容缺 commitment blocks 容缺 for this enterprise until credit repair (domain.md §4.3 rule 4).
    case.enterprise.credit_flag = CreditFlag.FALSE_COMMITMENT


# What each event does to the case besides its status (apply_event runs it before the status changes).
SIDE_EFFECTS = {
    CaseEvent.ACCEPT: _accept,
    CaseEvent.ACCEPT_WITH_DEFICIENCY: _accept_with_deficiency,
    CaseEvent.REQUEST_CORRECTION: _request_correction,
    CaseEvent.CORRECTION_DONE: _correction_done,
    CaseEvent.START_REVIEW: _start_review,
    CaseEvent.DECIDE_APPROVE: _decide,
    CaseEvent.DECIDE_REJECT: _decide,
    CaseEvent.ISSUE: _issue,
    CaseEvent.DELIVER: _deliver,
    CaseEvent.REFUSE: _close,
    CaseEvent.WITHDRAW: _close,
    CaseEvent.RECALL: _close,
    CaseEvent.TERMINATE: _terminate,
    CaseEvent.FORWARD: _forward,
    CaseEvent.SIGN_FOR: _sign_for,
}
