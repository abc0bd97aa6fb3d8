"""Period figures of appeals and commissioner activity (domain.md §5.5), for the board and /api/v1/metrics/period.

A fixed number of grouped queries whatever the period or the table size (three), all read from the access scope.
Definitions (the cohort is the appeals registered in the period, merged duplicates left out):

* received; concluded = closed (销号) of those; conclusion_rate = concluded / received.
* on_time_reply_rate (按时回复率) = first reply on or before the reply deadline / replied.
* response_rate (响应率) = first contact with the enterprise made / assigned (交办).
* satisfaction_rate (满意率) = SATISFIED + BASIC / callbacks answered (NO_RESPONSE left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select

from ..access import appeal_scope, service_log_scope
from ..auth.models import User
from ..domain.appeal_flow import AWAITING_REPLY_STATUSES, OPEN_STATUSES, AppealStatus, Feedback
from ..extensions import db
from ..timeutil import utc_bounds
from .models import Appeal, LogKind, ServiceLogEntry


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class AppealFigures:
    received: int = 0
    concluded: int = 0
    conclusion_rate: float | None = None
    on_time_reply_rate: float | None = None
    response_rate: float | None = None
    satisfaction_rate: float | None = None
    open_now: int = 0
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "received": self.received,
            "concluded": self.concluded,
            "conclusion_rate": self.conclusion_rate,
            "on_time_reply_rate": self.on_time_reply_rate,
            "response_rate": self.response_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "by_category": self.by_category,
            "by_channel": self.by_channel,
        }


def _count(condition) -> object:
    return func.count(case((condition, 1)))


def appeal_figures(user: User, first: date, last: date) -> AppealFigures:
    start, end = utc_bounds(first, last)
    cohort = and_(
        appeal_scope(user), Appeal.registered_at >= start, Appeal.registered_at < end, Appeal.status != "MERGED"
    )
    closed = Appeal.status == AppealStatus.CLOSED.value
    row = db.session.execute(
        select(
            func.count(),
            _count(closed),
            _count(Appeal.reply_on_time.is_(True)),
            _count(Appeal.reply_on_time.is_not(None)),
            _count(Appeal.first_contact_at.is_not(None)),
            _count(Appeal.assigned_at.is_not(None)),
            _count(Appeal.feedback.in_([Feedback.SATISFIED.value, Feedback.BASIC.value])),
            _count(Appeal.feedback.in_([f.value for f in Feedback if f is not Feedback.NO_RESPONSE])),
        ).where(cohort)
    ).one()
    received, concluded, on_time, replied, contacted, assigned, satisfied, answered = row
    figures = AppealFigures(
        received=received,
        concluded=concluded,
        conclusion_rate=_rate(concluded, received),
        on_time_reply_rate=_rate(on_time, replied),
        response_rate=_rate(contacted, assigned),
        satisfaction_rate=_rate(satisfied, answered),
    )
    groups = db.session.execute(
        select(Appeal.category, Appeal.source_channel, func.count(), _count(closed))
        .where(cohort)
        .group_by(Appeal.category, Appeal.source_channel)
    )
    for category, channel, count, done in groups:
        slot = figures.by_category.setdefault(str(category), {"received": 0, "concluded": 0})
        slot["received"] += count
        slot["concluded"] += done
        figures.by_channel[str(channel)] = figures.by_channel.get(str(channel), 0) + count
    return figures


@dataclass
class CommissionerActivity:
    username: str
    name: str
    visits: int = 0
    calls: int = 0
    agency: int = 0
    policy: int = 0
    problems: int = 0
    solved: int = 0


def commissioner_activity(user: User, first: date, last: date) -> list[CommissionerActivity]:
    """Visits, calls, 帮办代办, policy talks, problems found and solved per author of the service log (one query)."""
    kind = ServiceLogEntry.kind
    rows = db.session.execute(
        select(
            User.username,
            User.display_name,
            _count(kind == LogKind.VISIT.value),
            _count(kind == LogKind.CALL.value),
            _count(kind == LogKind.AGENCY.value),
            _count(kind == LogKind.POLICY.value),
            _count(kind == LogKind.PROBLEM.value),
            _count(ServiceLogEntry.solved.is_(True)),
        )
        .join(User, User.id == ServiceLogEntry.author_id)
        .where(service_log_scope(user), ServiceLogEntry.day.between(first, last))
        .group_by(User.username, User.display_name)
        .order_by(User.username)
    )
    return [CommissionerActivity(*row) for row in rows]


def open_counts(user: User, today: date) -> dict[str, int]:
    """Open appeals now and, of those still awaiting a reply, how many are past (red) or at (yellow) their warning."""
    awaiting = Appeal.status.in_([s.value for s in AWAITING_REPLY_STATUSES])
    row = db.session.execute(
        select(
            func.count(),
            _count(and_(awaiting, Appeal.due_on < today)),
            _count(and_(awaiting, Appeal.due_on >= today, Appeal.warn_on <= today)),
        ).where(appeal_scope(user), Appeal.status.in_([s.value for s in OPEN_STATUSES]))
    ).one()
    return {"open": row[0], "red": row[1], "yellow": row[2]}
