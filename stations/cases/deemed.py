"""Deemed acceptance (domain.md §4.1 rule 6, issue 12): the daily job `flask cases deem-accepted`.

A RECEIVED case left without a correction notice, acceptance or refusal for 5 working days after its receipt counts
as accepted from the receipt (行政许可法 Art. 32). Idempotent. Flushes, never commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..calendar.services import current_calendar
from ..domain import case_flow
from ..domain.case_vocabulary import Actor, CaseEvent, CaseStatus
from ..domain.legal_clock import is_deemed_accepted
from ..extensions import db
from ..notifications.services import notify_case_event
from ..timeutil import business_today, utcnow
from . import services
from .backoffice import hand_over_if_collected, record_hand_over
from .effects import _set_deadline
from .models import Case, Channel


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
            _set_deadline(case, pauses=())
            case.status = target
            hand_over_if_collected(case, now)
            services.record_event(case, None, CaseEvent.DEEMED_ACCEPT.value, before, at=now)
            record_hand_over(case, now)
        db.session.flush()
        notify_case_event(case, CaseEvent.ACCEPT.value, at=now)
        accepted.append(case)
    return accepted
