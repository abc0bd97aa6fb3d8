"""一键约见 / 一键会商 (domain.md §2.11, §3.4, §4.6): the meeting lifecycle as a transition table with guards.

```
(new) --request [ENTERPRISE | CLERK/COMMISSIONER on behalf | STAFF taking a call] --> REQUESTED
REQUESTED --contact [STAFF] (call the enterprise, clarify the issue; due within 1 WD) --> CONTACTED
CONTACTED --route [STAFF] (department / leader / section confirmed) --> ROUTED
REQUESTED|CONTACTED --redirect [STAFF, reason] (solved without a meeting) --> REDIRECTED (final)
ROUTED --schedule [STAFF | DEPARTMENT] (a slot the department published = its agreement) --> SCHEDULED
SCHEDULED --reschedule [ENTERPRISE | CLERK | STAFF | DEPARTMENT] (another free slot) --> SCHEDULED
REQUESTED|CONTACTED|ROUTED|SCHEDULED --cancel [ENTERPRISE | CLERK, reason optional] | [STAFF, reason] --> CANCELLED
SCHEDULED --hold [STAFF | DEPARTMENT, minutes] --> HELD, or FOLLOWING_UP when commitments stay open
HELD|FOLLOWING_UP --feedback [ENTERPRISE | CLERK] --> (unchanged)
HELD|FOLLOWING_UP --close [STAFF] (commitments done, the enterprise's feedback recorded) --> CLOSED
```

Decisions where §3.4 is silent: the enterprise may cancel before the meeting is routed too (it asked, it may
withdraw); a staff member or the department must give a reason, the enterprise need not. A published slot of the
department stands for the department's agreement, so the enterprise may move its meeting into another free slot
itself (no phone call). Checks run in the order of case_flow: IllegalTransition, NotPermitted, GuardFailed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from stations.domain import transitions
from stations.domain.case_vocabulary import N_
from stations.domain.deadlines import WarnLevel, compute_deadline, warn_level
from stations.domain.transitions import FlowError, Transition
from stations.domain.workdays import ONE_DAY, WorkCalendar, add_working_days, next_workday

CONTACT_WD = 1  # §4.6 rule 2: contact within 1 working day
MEETING_WD = 5  # ... meeting held within 5 working days of the request unless the enterprise asks for later
MINUTES_WD = 1  # ... minutes within 1 working day after the meeting
DAY_BEFORE_REMINDER_AT = time(16, 0)  # on the last working day before the meeting, while the station is open
HOUR_BEFORE = timedelta(hours=1)


class MeetingKind(enum.StrEnum):
    MEET = "MEET"  # 约见
    CONSULT = "CONSULT"  # 会商


KIND_LABELS = {MeetingKind.MEET: N_("约见"), MeetingKind.CONSULT: N_("会商")}


class MeetingStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    CONTACTED = "CONTACTED"
    ROUTED = "ROUTED"
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    FOLLOWING_UP = "FOLLOWING_UP"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
    REDIRECTED = "REDIRECTED"


STATUS_LABELS = {
    MeetingStatus.REQUESTED: N_("已申请"),
    MeetingStatus.CONTACTED: N_("已联系"),
    MeetingStatus.ROUTED: N_("已对接部门"),
    MeetingStatus.SCHEDULED: N_("已约定时间"),
    MeetingStatus.HELD: N_("已见面"),
    MeetingStatus.FOLLOWING_UP: N_("承诺跟进中"),
    MeetingStatus.CLOSED: N_("已办结"),
    MeetingStatus.CANCELLED: N_("已取消"),
    MeetingStatus.REDIRECTED: N_("无需见面，已另行解决"),
}

FINAL_STATUSES = frozenset({MeetingStatus.CLOSED, MeetingStatus.CANCELLED, MeetingStatus.REDIRECTED})
OPEN_STATUSES = frozenset(MeetingStatus) - FINAL_STATUSES
HAPPENED_STATUSES = frozenset({MeetingStatus.HELD, MeetingStatus.FOLLOWING_UP, MeetingStatus.CLOSED})


class MeetingEvent(enum.StrEnum):
    REQUEST = "request"
    CONTACT = "contact"
    ROUTE = "route"
    REDIRECT = "redirect"
    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    HOLD = "hold"
    FEEDBACK = "feedback"
    CLOSE = "close"


EVENT_LABELS = {
    MeetingEvent.REQUEST: N_("申请约见"),
    MeetingEvent.CONTACT: N_("已联系企业"),
    MeetingEvent.ROUTE: N_("对接部门"),
    MeetingEvent.REDIRECT: N_("无需见面"),
    MeetingEvent.SCHEDULE: N_("约定时间"),
    MeetingEvent.RESCHEDULE: N_("改期"),
    MeetingEvent.CANCEL: N_("取消"),
    MeetingEvent.HOLD: N_("记录会谈纪要"),
    MeetingEvent.FEEDBACK: N_("企业反馈"),
    MeetingEvent.CLOSE: N_("办结"),
}


class Actor(enum.StrEnum):
    ENTERPRISE = "enterprise"
    CLERK = "clerk"  # the enterprise's dedicated clerk, on its behalf
    COMMISSIONER = "commissioner"  # the park's 行政专员, on its behalf
    STAFF = "staff"  # centre / station staff: the handler
    DEPARTMENT = "department"  # the routed department (its leader or contact)
    ADMIN = "admin"
    SYSTEM = "system"


GUARD_MESSAGES = {
    "reason_required": N_("请填写理由"),
    "department_required": N_("请选择对接的部门"),
    "slot_required": N_("请选择一个空闲时段"),
    "slot_past": N_("该时段已过，请选择其他时段"),
    "slot_other_department": N_("该时段不属于对接的部门"),
    "minutes_required": N_("请填写会谈纪要"),
    "not_started": N_("会谈尚未开始，不能记录纪要"),
    "commitments_open": N_("还有未完成的承诺事项"),
    "feedback_required": N_("请先记录企业的反馈"),
}


class MeetingFlowError(FlowError):
    code = "meeting_flow_error"


class IllegalTransition(transitions.IllegalTransition, MeetingFlowError):
    new_record = "a new meeting"


class NotPermitted(transitions.NotPermitted, MeetingFlowError):
    pass


class GuardFailed(transitions.GuardFailed, MeetingFlowError):
    messages = GUARD_MESSAGES


_REFUSALS = transitions.Refusals(IllegalTransition, NotPermitted, GuardFailed)


@dataclass(frozen=True)
class MeetingFacts:
    """What the rules need to know, gathered by the service (form input included)."""

    status: MeetingStatus | None
    now_local: datetime | None = None  # business time
    reason: str = ""
    department_chosen: bool = False  # route: the target department is set
    slot_start_local: datetime | None = None  # schedule / reschedule: the chosen free slot's start
    slot_of_department: bool = True  # ... and it was published by the routed department
    scheduled_start_local: datetime | None = None  # hold: when the meeting was to start
    minutes: str = ""
    open_commitments: int = 0
    has_feedback: bool = False


_E, _C, _K, _S, _D, _A = (
    Actor.ENTERPRISE,
    Actor.CLERK,
    Actor.COMMISSIONER,
    Actor.STAFF,
    Actor.DEPARTMENT,
    Actor.ADMIN,
)
_St, _Ev = MeetingStatus, MeetingEvent
ON_BEHALF = frozenset({_E, _C, _K})  # the enterprise's side


_t = transitions.row  # a target of None: the status does not change

TRANSITIONS: tuple[Transition, ...] = (
    _t(_Ev.REQUEST, {None}, _St.REQUESTED, _E, _C, _K, _S, _A),
    _t(_Ev.CONTACT, {_St.REQUESTED}, _St.CONTACTED, _S, _A),
    _t(_Ev.ROUTE, {_St.CONTACTED}, _St.ROUTED, _S, _A),
    _t(_Ev.REDIRECT, {_St.REQUESTED, _St.CONTACTED}, _St.REDIRECTED, _S, _A),
    _t(_Ev.SCHEDULE, {_St.ROUTED}, _St.SCHEDULED, _S, _D, _A),
    _t(_Ev.RESCHEDULE, {_St.SCHEDULED}, _St.SCHEDULED, _E, _C, _K, _S, _D, _A),
    _t(_Ev.CANCEL, {_St.REQUESTED, _St.CONTACTED, _St.ROUTED, _St.SCHEDULED}, _St.CANCELLED, _E, _C, _K, _S, _A),
    _t(_Ev.HOLD, {_St.SCHEDULED}, _St.HELD, _S, _D, _A),
    _t(_Ev.FEEDBACK, {_St.HELD, _St.FOLLOWING_UP}, None, _E, _C, _K),
    _t(_Ev.CLOSE, {_St.HELD, _St.FOLLOWING_UP}, _St.CLOSED, _S, _A),
)


def _guard_reason(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    if actor not in ON_BEHALF and not facts.reason.strip():
        yield "reason_required"


def _guard_redirect(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    if not facts.reason.strip():
        yield "reason_required"


def _guard_route(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    if not facts.department_chosen:
        yield "department_required"


def _guard_slot(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    if facts.slot_start_local is None:
        yield "slot_required"
        return
    if facts.now_local is not None and facts.slot_start_local <= facts.now_local:
        yield "slot_past"
    if not facts.slot_of_department:
        yield "slot_other_department"


def _guard_hold(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    start = facts.scheduled_start_local
    if start is not None and facts.now_local is not None and facts.now_local < start:
        yield "not_started"
    if not facts.minutes.strip():
        yield "minutes_required"


def _guard_close(facts: MeetingFacts, actor: Actor) -> Iterable[str]:
    if facts.open_commitments > 0:
        yield "commitments_open"
    if not facts.has_feedback:
        yield "feedback_required"


GUARDS: dict[MeetingEvent, Callable[[MeetingFacts, Actor], Iterable[str]]] = {
    _Ev.REDIRECT: _guard_redirect,
    _Ev.ROUTE: _guard_route,
    _Ev.SCHEDULE: _guard_slot,
    _Ev.RESCHEDULE: _guard_slot,
    _Ev.CANCEL: _guard_reason,
    _Ev.HOLD: _guard_hold,
    _Ev.CLOSE: _guard_close,
}
# Guards on form input: available_events() assumes the form will supply it.
FORM_GUARD_CODES = frozenset(
    {"reason_required", "department_required", "slot_required", "slot_past", "slot_other_department"}
    | {"minutes_required", "feedback_required"}
)


def find_transition(status: MeetingStatus | None, event: MeetingEvent) -> Transition | None:
    return next((t for t in TRANSITIONS if t.event == event and status in t.sources), None)


def _resolve(facts: MeetingFacts, event: MeetingEvent, actor: Actor, *, form_guards: bool) -> MeetingStatus:
    guard = GUARDS.get(event)
    transition = transitions.check(
        _REFUSALS,
        find_transition(facts.status, event),
        event=event,
        status=facts.status,
        actor=actor,
        actor_allowed=lambda t: actor in t.actors,
        guard_codes=lambda: guard(facts, actor) if guard else (),
        form_guard_codes=FORM_GUARD_CODES,
        include_form_guards=form_guards,
    )
    if transition.target is None:
        assert facts.status is not None
        return facts.status
    if event is _Ev.HOLD and facts.open_commitments > 0:
        return _St.FOLLOWING_UP  # §3.4: open commitments are followed up (as appeals once they exist)
    return transition.target


def next_status(facts: MeetingFacts, event: MeetingEvent, actor: Actor) -> MeetingStatus:
    """The status ``event`` fired by ``actor`` leads to. :raise MeetingFlowError: (its subclasses) when not allowed."""
    return _resolve(facts, event, actor, form_guards=True)


def available_events(facts: MeetingFacts, actor: Actor) -> list[MeetingEvent]:
    """Events ``actor`` may fire now (form-input guards assumed satisfiable), in ``MeetingEvent`` order."""
    return transitions.firable(
        (event for event in MeetingEvent if event is not _Ev.REQUEST),
        lambda event: _resolve(facts, event, actor, form_guards=False),
        MeetingFlowError,
    )


# --- deadlines (§4.6 rule 2) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingDeadlines:
    contact_due_on: date
    meeting_due_on: date  # 5 WD after the request, or the enterprise's latest preferred date when later
    contact_warn_on: date
    meeting_warn_on: date


def meeting_deadlines(
    requested_local: datetime, calendar: WorkCalendar, preferred_dates: Iterable[date] = ()
) -> MeetingDeadlines:
    contact = compute_deadline(requested_local, CONTACT_WD, calendar)
    meeting = compute_deadline(requested_local, MEETING_WD, calendar)
    meeting_due, meeting_warn = meeting.due_on, meeting.warn_on
    latest = max(preferred_dates, default=None)
    if latest is not None and latest > meeting_due:  # "unless the enterprise asks for later"
        meeting_due = next_workday(latest, calendar)
        meeting_warn = meeting_due
    return MeetingDeadlines(contact.due_on, meeting_due, contact.warn_on, meeting_warn)


def step_deadline(status: MeetingStatus, deadlines: MeetingDeadlines) -> tuple[date, date]:
    """(due, warn) of the step the meeting waits for: the contact while it is REQUESTED, then the meeting itself."""
    if status is MeetingStatus.REQUESTED:
        return deadlines.contact_due_on, deadlines.contact_warn_on
    return deadlines.meeting_due_on, deadlines.meeting_warn_on


def minutes_due_on(held_on: date, calendar: WorkCalendar) -> date:
    return add_working_days(held_on, MINUTES_WD, calendar)


def meeting_warn_level(
    status: MeetingStatus, deadlines: MeetingDeadlines, now_local: datetime, scheduled_on: date | None = None
) -> WarnLevel:
    """红黄绿 of the step the meeting waits for: the contact, then the meeting itself; DONE once scheduled.

    A scheduled meeting is judged by its date: RED when it was set after the meeting deadline.
    """
    if status in FINAL_STATUSES or status in HAPPENED_STATUSES:
        return WarnLevel.DONE
    if status is MeetingStatus.SCHEDULED:
        if scheduled_on is not None and scheduled_on > deadlines.meeting_due_on:
            return WarnLevel.RED
        return WarnLevel.DONE
    due, warn = step_deadline(status, deadlines)
    return warn_level(
        now_local=now_local,
        warn_on=warn,
        overdue_at_local=datetime.combine(due + ONE_DAY, time(0, 0)),
        is_done=False,
        is_paused=False,
    )


# --- reminders --------------------------------------------------------------------------------------------------


class Reminder(enum.StrEnum):
    DAY_BEFORE = "day_before"
    HOUR_BEFORE = "hour_before"


def day_before_reminder_at(start_local: datetime, calendar: WorkCalendar) -> datetime:
    """ "The day before" = the last working day before the meeting's day, at 16:00 business time.

    Across a holiday that is the last working day before the holiday (the station is open to take a call to
    reschedule); a make-up Saturday counts as a working day. Never later than one hour before the start.
    """
    day = start_local.date() - ONE_DAY
    while not calendar.is_workday(day):
        day -= ONE_DAY
    return min(datetime.combine(day, DAY_BEFORE_REMINDER_AT), start_local - HOUR_BEFORE)


def hour_before_reminder_at(start_local: datetime) -> datetime:
    return start_local - HOUR_BEFORE


def reminders_due(
    start_local: datetime, now_local: datetime, calendar: WorkCalendar, already_sent: Iterable[Reminder] = ()
) -> list[Reminder]:
    """Reminders to send now: their time has come, the meeting has not started, not sent before.

    A meeting scheduled after its day-before time gets the day-before reminder at once (late but useful), unless
    the hour-before one is also due: then only that one is sent.
    """
    if now_local >= start_local:
        return []
    sent = set(already_sent)
    if now_local >= hour_before_reminder_at(start_local):
        return [] if Reminder.HOUR_BEFORE in sent else [Reminder.HOUR_BEFORE]
    if now_local >= day_before_reminder_at(start_local, calendar) and Reminder.DAY_BEFORE not in sent:
        return [Reminder.DAY_BEFORE]
    return []
