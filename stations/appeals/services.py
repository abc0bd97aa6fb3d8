"""Writing appeals: register, fire an event (optimistic version), merge. Flush, never commit.

Every step is checked by the pure machine (domain/appeal_flow.py) first, then applied here with its side effects
(deadlines, timestamps, the timeline row, notifications). Bad input raises ``AppealError`` (a 4xx for the views);
a stale version raises ``StaleAppeal`` (409).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..catalog.models import Department
from ..counters import bump_counter
from ..domain.appeal_flow import (
    MAX_REOPENS,
    SATISFIED_FEEDBACK,
    Actor,
    AppealEvent,
    AppealFacts,
    AppealStatus,
    Feedback,
    Urgency,
    awaits_reply,
    next_status,
    no_response_close_on,
    reply_deadline,
)
from ..domain.deadlines import WarnLevel, warn_level, working_days_before, yellow_days
from ..enterprises.models import Enterprise
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify_enterprise, notify_users, path_for
from ..timeutil import business_today, to_business, utcnow
from ..uploads.models import StoredFile
from .models import Appeal, AppealAttachment, AppealEventRecord, AppealSequence, Category, Nature, SourceChannel

MAX_DESCRIPTION = 4000


class AppealError(Exception):
    """Bad input: ``code`` names it (labels.ERROR_MESSAGES), ``status`` is the HTTP status to answer."""

    def __init__(self, code: str, status: int = 422, message: str | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.status = status
        self.message = message


class StaleAppeal(Exception):
    """The appeal changed since the caller read it (its version moved on)."""


def parse_enum(enum_cls, value, code: str):
    """``enum_cls(value)`` or AppealError(code): unknown channels, categories... are a 422, never a 500."""
    try:
        return enum_cls(str(value or "").strip().upper())
    except ValueError:
        raise AppealError(code) from None


@dataclass
class RegisterInput:
    source_channel: SourceChannel
    category: Category
    nature: Nature
    urgency: Urgency
    description: str
    enterprise: Enterprise | None = None
    enterprise_name: str = ""
    station_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    external_no: str | None = None
    attachments: list[StoredFile] = field(default_factory=list)
    origin_kind: str | None = None  # what raised it inside the portal (models.Appeal.origin_kind)
    origin_ref: str | None = None


def _local(moment: datetime) -> datetime:
    return to_business(moment).replace(tzinfo=None)


def allocate_numbers(day: date, count: int) -> list[str]:
    """``count`` fresh appeal numbers of a business day: SQ{yyyyMMdd}{seq:04d}, safe under concurrent registration.

    As case numbers: one counter row per day (stations/counters.py).
    """
    last = bump_counter(AppealSequence, "last_seq", {"day": day}, count, what="an appeal number")
    return [f"SQ{day:%Y%m%d}{n:04d}" for n in range(last - count + 1, last + 1)]


def _record(appeal: Appeal, user: User | None, event: str, before, after, note: str | None, at: datetime) -> None:
    appeal.events.append(
        AppealEventRecord(
            at=at,
            actor_id=user.id if user else None,
            actor_role=user.role.value if user else "SYSTEM",
            event=event,
            from_status=before.value if before else None,
            to_status=after.value if after else None,
            note=note,
        )
    )


def _set_due(appeal: Appeal, due_on: date, limit_days: int) -> None:
    calendar = current_calendar()
    appeal.due_on = due_on
    appeal.warn_on = working_days_before(due_on, yellow_days(limit_days), calendar)


def register(
    data: RegisterInput,
    user: User | None,
    *,
    at: datetime | None = None,
    appeal_no: str | None = None,
    notify: bool = True,
    flush: bool = True,
) -> Appeal:
    """A new REGISTERED appeal with its reply deadline by urgency; the supervisors are told.

    ``flush=False`` (with ``notify=False``) leaves the insert to the caller's one flush: a bulk import's rows are
    then written in batches (insertmanyvalues) instead of one round trip each.
    """
    description = (data.description or "").strip()
    if not description:
        raise AppealError("description_required")
    if len(description) > MAX_DESCRIPTION:
        raise AppealError("description_too_long")
    name = (data.enterprise.name if data.enterprise else data.enterprise_name or "").strip()
    if not name:
        raise AppealError("enterprise_required")
    at = at or utcnow()
    actor = Actor.SYSTEM if user is None else (Actor.ENTERPRISE if user.role is Role.ENTERPRISE else Actor.FRONT)
    if user is not None and user.role is Role.ADMIN:
        actor = Actor.SUPERVISOR
    status = next_status(AppealFacts(status=None), AppealEvent.REGISTER, actor)
    deadline = reply_deadline(_local(at), data.urgency, current_calendar())
    station_id = data.station_id or (data.enterprise.station_id if data.enterprise else None)
    appeal = Appeal(
        appeal_no=appeal_no or allocate_numbers(business_today(at), 1)[0],
        external_no=data.external_no or None,
        origin_kind=data.origin_kind,
        origin_ref=data.origin_ref,
        source_channel=data.source_channel,
        category=data.category,
        nature=data.nature,
        urgency=data.urgency,
        status=status,
        enterprise_id=data.enterprise.id if data.enterprise else None,
        enterprise_name=name[:200],
        station_id=station_id,
        contact_name=(data.contact_name or "").strip()[:100] or None,
        contact_phone=(data.contact_phone or "").strip()[:32] or None,
        description=description,
        registered_at=at,
        registered_by_id=user.id if user else None,
        due_on=deadline.due_on,
        warn_on=deadline.warn_on,
    )
    db.session.add(appeal)
    for stored in data.attachments:
        appeal.attachments.append(AppealAttachment(file_id=stored.id))
    _record(appeal, user, AppealEvent.REGISTER.value, None, status, None, at)
    if flush:
        db.session.flush()
    if notify:
        _notify(appeal, AppealEvent.REGISTER)
    return appeal


@dataclass
class EventInput:
    event: AppealEvent
    version: int | None = None
    reason: str = ""
    department_id: int | None = None
    due_on: date | None = None
    reply_text: str = ""
    signed_off_by: str = ""
    feedback: Feedback | None = None
    original_no: str = ""
    note: str = ""


def warn_level_of(appeal: Appeal, now: datetime | None = None) -> WarnLevel:
    """红黄绿 of the reply deadline: DONE once replied or closed."""
    overdue = datetime.combine(appeal.due_on + timedelta(days=1), time(0, 0)) if appeal.due_on else None
    return warn_level(
        now_local=_local(now or utcnow()),
        warn_on=appeal.warn_on,
        overdue_at_local=overdue,
        is_done=not awaits_reply(appeal.status),
        is_paused=False,
    )


def promised_reply_on(appeal: Appeal) -> date | None:
    """The reply date the enterprise was promised, while the reply is still owed (None once replied or closed)."""
    return appeal.due_on if awaits_reply(appeal.status) else None


def facts_for(appeal: Appeal, data: EventInput | None = None, *, now: datetime | None = None) -> AppealFacts:
    data = data or EventInput(event=AppealEvent.REGISTER)
    elapsed = False
    if appeal.replied_at is not None:
        elapsed = business_today(now or utcnow()) >= no_response_close_on(
            business_today(appeal.replied_at), current_calendar()
        )
    return AppealFacts(
        status=appeal.status,
        reopen_count=appeal.reopen_count,
        reason=data.reason,
        department_chosen=data.department_id is not None,
        due_on=data.due_on,
        current_due_on=appeal.due_on,
        original_chosen=bool(data.original_no.strip()),
        reply_text=data.reply_text,
        signed_off_by=data.signed_off_by,
        feedback=data.feedback,
        no_response_elapsed=elapsed,
    )


def apply_event(
    appeal: Appeal,
    data: EventInput,
    user: User | None,
    actor: Actor,
    *,
    at: datetime | None = None,
    notify: bool = True,
):
    """Fire ``data.event`` on ``appeal`` as ``actor``.

    :raise StaleAppeal: ``data.version`` is not the appeal's version.
    :raise AppealFlowError: the machine refuses (IllegalTransition, NotPermitted, GuardFailed).
    :raise AppealError: other bad input (an unknown department or original, a due date in the past).
    """
    if data.version is not None and data.version != appeal.version:
        raise StaleAppeal(appeal.appeal_no)
    at = at or utcnow()
    before = appeal.status
    after = next_status(facts_for(appeal, data, now=at), data.event, actor)
    note = _apply(appeal, data, user, after, at)
    appeal.status = after
    _record(appeal, user, data.event.value, before, after, note, at)
    db.session.flush()
    if notify:  # the demo's year of history tells nobody
        _notify(appeal, data.event)
    return appeal


def _apply(appeal: Appeal, data: EventInput, user: User | None, after: AppealStatus, at: datetime) -> str | None:
    """The side effects of one accepted event; returns the timeline note."""
    event = data.event
    today = business_today(at)
    if event is AppealEvent.ASSIGN:
        department = db.session.get(Department, data.department_id)
        if department is None:
            raise AppealError("unknown_department")
        if data.due_on < today:
            raise AppealError("due_in_past")
        appeal.department_id = department.id
        appeal.assigned_at = at
        _set_due(appeal, data.due_on, max(1, (data.due_on - today).days))
        return f"{department.name} · {data.due_on.isoformat()}"
    if event is AppealEvent.MERGE:
        original = db.session.scalar(select(Appeal).where(Appeal.appeal_no == data.original_no.strip()))
        if original is None or original.id == appeal.id or original.status is AppealStatus.MERGED:
            raise AppealError("unknown_original")
        appeal.duplicate_of_id = original.id
        appeal.closed_at = at
        return original.appeal_no
    if event is AppealEvent.SIGN:
        appeal.signed_at = at
        appeal.signed_by_id = user.id if user else None
    elif event is AppealEvent.RETURN:
        appeal.department_id = None
        appeal.signed_at = None
        return data.reason.strip()
    elif event is AppealEvent.FIRST_CONTACT:
        appeal.first_contact_at = at
    elif event is AppealEvent.EXTEND:
        _set_due(appeal, data.due_on, max(1, (data.due_on - today).days))
        return f"{data.due_on.isoformat()} · {data.reason.strip()}"
    elif event is AppealEvent.REPLY:
        appeal.replied_at = at
        appeal.reply_text = data.reply_text.strip()
        appeal.signed_off_by = data.signed_off_by.strip()[:100]
        if appeal.reply_on_time is None:
            appeal.reply_on_time = appeal.due_on is None or today <= appeal.due_on
        return f"{appeal.reply_text} ({appeal.signed_off_by})"
    elif event is AppealEvent.CALLBACK:
        appeal.feedback = data.feedback
        if data.feedback in SATISFIED_FEEDBACK:
            appeal.closed_at = at
        else:
            appeal.reopen_count += 1
        return f"{data.feedback.value} {data.note.strip()}".strip()
    elif event in (AppealEvent.REOPEN, AppealEvent.ESCALATE):
        deadline = reply_deadline(_local(at), appeal.urgency, current_calendar())
        appeal.due_on, appeal.warn_on = deadline.due_on, deadline.warn_on
        if event is AppealEvent.ESCALATE:
            on_escalated(appeal)
    elif event is AppealEvent.CLOSE:
        appeal.feedback = Feedback.NO_RESPONSE
        appeal.closed_at = at
    return data.note.strip() or None


def daily_sweep(now: datetime | None = None) -> tuple[int, int]:
    """The SYSTEM steps of §3.5: close replies unanswered for 3 working days (NO_RESPONSE), escalate appeals
    re-opened twice. Returns (closed, escalated). Run daily (``flask appeals sweep``)."""
    now = now or utcnow()
    closed = escalated = 0
    replied = db.session.scalars(select(Appeal).where(Appeal.status == AppealStatus.REPLIED.value))
    for appeal in list(replied):
        if facts_for(appeal, now=now).no_response_elapsed:
            apply_event(appeal, EventInput(event=AppealEvent.CLOSE), None, Actor.SYSTEM, at=now)
            closed += 1
    reopened = db.session.scalars(
        select(Appeal).where(Appeal.status == AppealStatus.REOPENED.value, Appeal.reopen_count >= MAX_REOPENS)
    )
    for appeal in list(reopened):
        apply_event(appeal, EventInput(event=AppealEvent.ESCALATE), None, Actor.SYSTEM, at=now)
        escalated += 1
    return closed, escalated


def sweep_job() -> str:
    """The daily job (stations/jobs): ``daily_sweep`` committed; a rerun finds nothing more to do."""
    closed, escalated = daily_sweep()
    db.session.commit()
    return f"closed {closed}, escalated {escalated}"


def on_escalated(appeal: Appeal) -> None:
    """The seam for 一键约见 (issue 14): an escalated appeal may open a meeting request with the department leader.

    Nothing here yet: the supervisor and the department are told (notifications) and meet outside the portal.
    """


# --- notifications: who hears about which step ---------------------------------------------------------------


def _users(*conditions) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.is_enabled.is_(True), *conditions).order_by(User.id)))


def _notify(appeal: Appeal, event: AppealEvent) -> None:
    link = path_for("appeals.show", appeal_no=appeal.appeal_no)
    text = f"{appeal.appeal_no} · {appeal.enterprise_name} · {event.value}"
    recipients: list[int] = []
    if event in (AppealEvent.REGISTER, AppealEvent.RETURN, AppealEvent.ESCALATE, AppealEvent.REOPEN):
        recipients += _users(User.role == Role.ADMIN)
    if event in (AppealEvent.ASSIGN, AppealEvent.REOPEN, AppealEvent.ESCALATE) and appeal.department_id:
        recipients += _users(User.role == Role.DEPARTMENT, User.department_id == appeal.department_id)
    if event is AppealEvent.REPLY and appeal.station_id:
        recipients += _users(User.role == Role.STAFF, User.station_id == appeal.station_id)
    kind = NotificationKind.APPEAL_UPDATE
    notify_users(sorted(set(recipients)), kind, text, link)
    if appeal.enterprise_id and event in (
        AppealEvent.ASSIGN,
        AppealEvent.SIGN,
        AppealEvent.EXTEND,
        AppealEvent.FIRST_CONTACT,
        AppealEvent.REPLY,
        AppealEvent.CALLBACK,
        AppealEvent.CLOSE,
    ):
        notify_enterprise(appeal.enterprise_id, kind, text, link)
