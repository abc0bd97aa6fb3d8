"""Warnings that reach people (issue 12, item 2), sent by the daily job `flask cases warnings`.

- A case turning YELLOW and turning RED: its first handler (before review: the department's examiners for a handed
  case, else the clerk who accepted it) and the receiving station's staff (the station has no "lead" field: every
  staff member of the station is told) are notified once per colour and due date (CaseWarning; a moved due date
  warns again).
- 容缺 items falling due (YELLOW) and overdue (RED): the responsible clerk and the station's staff, once likewise.
- A daily digest per department: its examiners and approvers get the count of yellow and red cases, once a day.

Idempotent: running it twice on a day sends nothing new. Flushes, never commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..auth.models import Role, User
from ..domain.case_vocabulary import AWAITING_DECISION_STATUSES, CLOCK_STOPPED_STATUSES
from ..domain.deadlines import WarnLevel, warn_level
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from ..notifications.models import Notification, NotificationKind
from ..notifications.services import case_text, notify_users, path_for
from ..timeutil import business_today, to_business, utcnow
from .models import Case, CaseWarning, Deficiency

RUNNING = tuple(AWAITING_DECISION_STATUSES - CLOCK_STOPPED_STATUSES)
KINDS = {
    WarnLevel.YELLOW: ("yellow", NotificationKind.DEADLINE_YELLOW),
    WarnLevel.RED: ("red", NotificationKind.DEADLINE_RED),
}


@dataclass
class WarningRun:
    cases: int = 0  # case colour warnings sent (one per case and colour)
    rongque: int = 0  # 容缺 warnings sent
    digests: int = 0  # department digests sent
    per_department: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))


def _ids(*conditions) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.is_enabled.is_(True), *conditions).order_by(User.id)))


def _station_staff(station_id: int) -> list[int]:
    return _ids(User.role == Role.STAFF, User.station_id == station_id)


def _department_users(department_id: int) -> list[int]:
    return _ids(User.role == Role.DEPARTMENT, User.department_id == department_id)


def handler_ids(case: Case) -> list[int]:
    """Who answers for the case now: its 首办负责人, or the queue's owner before review."""
    if case.first_handler_id is not None:
        return [case.first_handler_id]
    if case.department_id is not None:
        return _department_users(case.department_id)
    return [case.accepted_by_id] if case.accepted_by_id else []


def _sent_once(case_id: int, kind: str, due_on, now: datetime) -> bool:
    """Record the warning; False when it was sent before (same case, kind and deadline)."""
    exists = db.session.scalar(
        select(CaseWarning.id).where(
            CaseWarning.case_id == case_id, CaseWarning.kind == kind, CaseWarning.due_on == due_on
        )
    )
    if exists:
        return False
    db.session.add(CaseWarning(case_id=case_id, kind=kind, due_on=due_on, sent_at=now))
    return True


def _case_warnings(run: WarningRun, now: datetime) -> None:
    today = business_today(now)
    cases = db.session.scalars(
        select(Case).where(Case.status.in_(RUNNING), Case.warn_on.is_not(None), Case.warn_on <= today).order_by(Case.id)
    )
    local_now = to_business(now).replace(tzinfo=None)
    for case in cases:
        overdue_local = to_business(case.overdue_at).replace(tzinfo=None) if case.overdue_at else None
        level = warn_level(
            now_local=local_now, warn_on=case.warn_on, overdue_at_local=overdue_local, is_done=False, is_paused=False
        )
        if level not in KINDS:
            continue
        kind, notification_kind = KINDS[level]
        if case.department_id is not None:
            run.per_department[case.department_id][kind] += 1
        if not _sent_once(case.id, kind, case.due_on, now):
            continue
        recipients = dict.fromkeys(handler_ids(case) + _station_staff(case.station_id))
        link = path_for("cases.show", case_no=case.case_no)
        text = f"{case_text(case)} · {case.due_on.isoformat()}"
        notify_users(recipients, notification_kind, text, link, at=now)
        run.cases += 1


def _rongque_warnings(run: WarningRun, now: datetime) -> None:
    today = business_today(now)
    rows = db.session.scalars(
        select(Deficiency)
        .where(
            Deficiency.status.in_((DeficiencyStatus.PENDING, DeficiencyStatus.SUPPLIED)),
            Deficiency.warn_on <= today,
        )
        .order_by(Deficiency.case_id, Deficiency.id)
    )
    for deficiency in rows:
        kind = "rq_red" if deficiency.supply_deadline < today else "rq_yellow"
        if not _sent_once(deficiency.case_id, kind, deficiency.supply_deadline, now):
            continue
        case = deficiency.case
        responsible = [deficiency.responsible_id] if deficiency.responsible_id else []
        recipients = dict.fromkeys(responsible + _station_staff(case.station_id))
        text = f"{case_text(case)} · {deficiency.supply_deadline.isoformat()}"
        notify_users(
            recipients, NotificationKind.RONGQUE_DUE, text, path_for("cases.show", case_no=case.case_no), at=now
        )
        run.rongque += 1


def _digests(run: WarningRun, now: datetime) -> None:
    today = business_today(now).isoformat()
    for department_id, counts in sorted(run.per_department.items()):
        text = f"yellow {counts.get('yellow', 0)} · red {counts.get('red', 0)} · {today}"
        for user_id in _department_users(department_id):
            key = f"digest:{department_id}:{today}"
            sent = db.session.scalar(
                select(Notification.id).where(Notification.user_id == user_id, Notification.dedupe_key == key)
            )
            if sent:
                continue
            notify_users(
                [user_id],
                NotificationKind.DEPARTMENT_DIGEST,
                text,
                path_for("backoffice.queue"),
                at=now,
                dedupe_key=key,
            )
            run.digests += 1


def send_warnings(now: datetime | None = None) -> WarningRun:
    """The daily run: colour warnings, 容缺 warnings, department digests. Idempotent."""
    now = now or utcnow()
    run = WarningRun()
    _case_warnings(run, now)
    _rongque_warnings(run, now)
    _digests(run, now)
    db.session.flush()
    return run
