"""The enterprise appeal (企业诉求) lifecycle, domain.md §3.5, and its deadlines (§4.5): a transition table plus guards.

Who acts (``Actor``): the front office that registers and calls back (station staff, clerks, commissioners), the
enterprise itself, the supervisor who assigns (交办) and merges, the department the appeal is assigned to (its
contact or examiner signs, contacts, replies), the department's leader (负责人: approves extensions, may also
handle), and the system (imports, the 3-working-day no-response close).

Decisions the table encodes where domain.md leaves room:

* ``callback`` records the enterprise's feedback: SATISFIED / BASIC close the appeal (销号), UNSATISFIED sends it to
  REOPENED and counts a re-open. From REOPENED the front office ``reopen``\\ s it (back to IN_PROGRESS at the
  department) while fewer than two re-opens were counted; after the second one it must be ``escalate``\\ d (ESCALATED,
  handled with the supervisor and the department leader, which may spawn a meeting), and a reply closes that too.
* ``close`` without feedback only after 3 working days without an answer (feedback NO_RESPONSE).
* A reply needs the signing head of the handling unit (``signed_off_by``); an extension needs a reason and a later
  due date and is fired by the department leader only.

Checks run in the order of case_flow: the event must apply to the status (``IllegalTransition``), then the actor
(``NotPermitted``), then the guards (``GuardFailed``, the first failing code).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from stations.domain import transitions
from stations.domain.case_vocabulary import N_
from stations.domain.deadlines import Deadline, compute_deadline
from stations.domain.transitions import FlowError, Transition
from stations.domain.workdays import WorkCalendar, add_working_days


class AppealStatus(enum.StrEnum):
    REGISTERED = "REGISTERED"
    ASSIGNED = "ASSIGNED"
    SIGNED = "SIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    REPLIED = "REPLIED"
    REOPENED = "REOPENED"
    ESCALATED = "ESCALATED"
    CLOSED = "CLOSED"
    MERGED = "MERGED"


STATUS_LABELS: dict[AppealStatus, str] = {
    AppealStatus.REGISTERED: N_("已登记"),
    AppealStatus.ASSIGNED: N_("已交办"),
    AppealStatus.SIGNED: N_("已签收"),
    AppealStatus.IN_PROGRESS: N_("办理中"),
    AppealStatus.REPLIED: N_("已答复"),
    AppealStatus.REOPENED: N_("不满意待重办"),
    AppealStatus.ESCALATED: N_("已提级督办"),
    AppealStatus.CLOSED: N_("已办结销号"),
    AppealStatus.MERGED: N_("已合并"),
}

# Plain words for the enterprise's own view.
PLAIN_LABELS: dict[AppealStatus, str] = {
    AppealStatus.REGISTERED: N_("我们已收到您的诉求，正在分派给负责部门"),
    AppealStatus.ASSIGNED: N_("已转给负责部门，等待部门接收"),
    AppealStatus.SIGNED: N_("负责部门已接收，将尽快与您联系"),
    AppealStatus.IN_PROGRESS: N_("负责部门正在办理"),
    AppealStatus.REPLIED: N_("部门已答复，我们会回访听取您的意见"),
    AppealStatus.REOPENED: N_("您对答复不满意，我们将重新办理"),
    AppealStatus.ESCALATED: N_("已提级督办，由领导协调解决"),
    AppealStatus.CLOSED: N_("已办结"),
    AppealStatus.MERGED: N_("与您的另一条诉求合并办理"),
}

CLOSED_STATUSES: frozenset[AppealStatus] = frozenset({AppealStatus.CLOSED, AppealStatus.MERGED})
OPEN_STATUSES: frozenset[AppealStatus] = frozenset(AppealStatus) - CLOSED_STATUSES
# The reply deadline still runs (the colour is DONE once replied or closed).
AWAITING_REPLY_STATUSES: frozenset[AppealStatus] = frozenset(
    {
        AppealStatus.REGISTERED,
        AppealStatus.ASSIGNED,
        AppealStatus.SIGNED,
        AppealStatus.IN_PROGRESS,
        AppealStatus.REOPENED,
        AppealStatus.ESCALATED,
    }
)


class AppealEvent(enum.StrEnum):
    REGISTER = "register"
    MERGE = "merge"
    ASSIGN = "assign"
    SIGN = "sign"
    RETURN = "return"
    FIRST_CONTACT = "first_contact"
    EXTEND = "extend"
    REPLY = "reply"
    CALLBACK = "callback"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    CLOSE = "close"


EVENT_LABELS: dict[AppealEvent, str] = {
    AppealEvent.REGISTER: N_("登记"),
    AppealEvent.MERGE: N_("合并重复诉求"),
    AppealEvent.ASSIGN: N_("交办"),
    AppealEvent.SIGN: N_("签收"),
    AppealEvent.RETURN: N_("退回"),
    AppealEvent.FIRST_CONTACT: N_("首次联系企业"),
    AppealEvent.EXTEND: N_("批准延期"),
    AppealEvent.REPLY: N_("答复"),
    AppealEvent.CALLBACK: N_("回访"),
    AppealEvent.REOPEN: N_("重新办理"),
    AppealEvent.ESCALATE: N_("提级督办"),
    AppealEvent.CLOSE: N_("销号（未回复）"),
}


class Actor(enum.StrEnum):
    FRONT = "front"  # station staff, clerk or commissioner: registers, calls back, re-opens
    ENTERPRISE = "enterprise"
    SUPERVISOR = "supervisor"  # assigns (交办), merges, escalates, closes
    DEPARTMENT = "department"  # contact / examiner of the assigned department
    DEPT_LEADER = "dept_leader"  # the assigned department's leader (APPROVER duty)
    SYSTEM = "system"


class Urgency(enum.StrEnum):
    NORMAL = "NORMAL"
    COMPLEX = "COMPLEX"
    URGENT = "URGENT"


class Feedback(enum.StrEnum):
    SATISFIED = "SATISFIED"
    BASIC = "BASIC"
    UNSATISFIED = "UNSATISFIED"
    NO_RESPONSE = "NO_RESPONSE"


FEEDBACK_LABELS: dict[Feedback, str] = {
    Feedback.SATISFIED: N_("满意"),
    Feedback.BASIC: N_("基本满意"),
    Feedback.UNSATISFIED: N_("不满意"),
    Feedback.NO_RESPONSE: N_("未回复"),
}
SATISFIED_FEEDBACK: frozenset[Feedback] = frozenset({Feedback.SATISFIED, Feedback.BASIC})
MAX_REOPENS = 2  # after the second re-open the appeal is escalated instead

GUARD_MESSAGES: dict[str, str] = {
    "reason_required": N_("请填写理由"),
    "department_required": N_("请选择承办部门"),
    "due_required": N_("请填写答复期限"),
    "original_required": N_("请选择要合并到的原诉求"),
    "later_due_required": N_("延期后的期限须晚于当前期限"),
    "reply_required": N_("请填写答复内容"),
    "sign_off_required": N_("答复须经承办单位负责人签发"),
    "feedback_required": N_("请选择企业的回访意见"),
    "reopens_exhausted": N_("已两次重办，请提级督办"),
    "reopens_remaining": N_("重办未满两次，请先重新办理"),
    "no_response_wait": N_("答复后满3个工作日企业仍未回复方可销号"),
}


class AppealFlowError(FlowError):
    code = "appeal_flow_error"


class IllegalTransition(transitions.IllegalTransition, AppealFlowError):
    new_record = "a new appeal"


class NotPermitted(transitions.NotPermitted, AppealFlowError):
    pass


class GuardFailed(transitions.GuardFailed, AppealFlowError):
    messages = GUARD_MESSAGES


_REFUSALS = transitions.Refusals(IllegalTransition, NotPermitted, GuardFailed)


@dataclass(frozen=True)
class AppealFacts:
    """What the rules need: the appeal's state plus the form input of the event being fired."""

    status: AppealStatus | None
    reopen_count: int = 0
    reason: str = ""
    department_chosen: bool = False
    due_on: date | None = None  # the due date given with assign / extend
    current_due_on: date | None = None
    original_chosen: bool = False
    reply_text: str = ""
    signed_off_by: str = ""
    feedback: Feedback | None = None
    no_response_elapsed: bool = False  # 3 WD passed since the reply without an answer


_F, _E, _S, _D, _L, _Y = (
    Actor.FRONT,
    Actor.ENTERPRISE,
    Actor.SUPERVISOR,
    Actor.DEPARTMENT,
    Actor.DEPT_LEADER,
    Actor.SYSTEM,
)
_St, _Ev = AppealStatus, AppealEvent


_t = transitions.row

TRANSITIONS: tuple[Transition, ...] = (
    _t(_Ev.REGISTER, [None], _St.REGISTERED, _F, _E, _S, _Y),
    _t(_Ev.MERGE, [_St.REGISTERED], _St.MERGED, _S),
    _t(_Ev.ASSIGN, [_St.REGISTERED], _St.ASSIGNED, _S),
    _t(_Ev.SIGN, [_St.ASSIGNED], _St.SIGNED, _D, _L),
    _t(_Ev.RETURN, [_St.ASSIGNED, _St.SIGNED], _St.REGISTERED, _D, _L),
    _t(_Ev.FIRST_CONTACT, [_St.SIGNED], _St.IN_PROGRESS, _D, _L),
    _t(_Ev.EXTEND, [_St.IN_PROGRESS], _St.IN_PROGRESS, _L),
    _t(_Ev.REPLY, [_St.IN_PROGRESS, _St.ESCALATED], _St.REPLIED, _D, _L),
    # Target for SATISFIED / BASIC; UNSATISFIED goes to REOPENED (see _resolve).
    _t(_Ev.CALLBACK, [_St.REPLIED], _St.CLOSED, _F, _S, _E),
    _t(_Ev.REOPEN, [_St.REOPENED], _St.IN_PROGRESS, _F, _S),
    _t(_Ev.ESCALATE, [_St.REOPENED], _St.ESCALATED, _S, _Y),
    _t(_Ev.CLOSE, [_St.REPLIED], _St.CLOSED, _S, _Y),
)


def _guard_reason(facts: AppealFacts) -> Iterable[str]:
    if not facts.reason.strip():
        yield "reason_required"


def _guard_assign(facts: AppealFacts) -> Iterable[str]:
    if not facts.department_chosen:
        yield "department_required"
    if facts.due_on is None:
        yield "due_required"


def _guard_merge(facts: AppealFacts) -> Iterable[str]:
    if not facts.original_chosen:
        yield "original_required"


def _guard_extend(facts: AppealFacts) -> Iterable[str]:
    yield from _guard_reason(facts)
    if facts.due_on is None or (facts.current_due_on is not None and facts.due_on <= facts.current_due_on):
        yield "later_due_required"


def _guard_reply(facts: AppealFacts) -> Iterable[str]:
    if not facts.reply_text.strip():
        yield "reply_required"
    if not facts.signed_off_by.strip():
        yield "sign_off_required"


def _guard_callback(facts: AppealFacts) -> Iterable[str]:
    if facts.feedback not in (Feedback.SATISFIED, Feedback.BASIC, Feedback.UNSATISFIED):
        yield "feedback_required"


def _guard_reopen(facts: AppealFacts) -> Iterable[str]:
    if facts.reopen_count >= MAX_REOPENS:
        yield "reopens_exhausted"


def _guard_escalate(facts: AppealFacts) -> Iterable[str]:
    if facts.reopen_count < MAX_REOPENS:
        yield "reopens_remaining"


def _guard_close(facts: AppealFacts) -> Iterable[str]:
    if not facts.no_response_elapsed:
        yield "no_response_wait"


GUARDS: dict[AppealEvent, Callable[[AppealFacts], Iterable[str]]] = {
    _Ev.MERGE: _guard_merge,
    _Ev.ASSIGN: _guard_assign,
    _Ev.RETURN: _guard_reason,
    _Ev.EXTEND: _guard_extend,
    _Ev.REPLY: _guard_reply,
    _Ev.CALLBACK: _guard_callback,
    _Ev.REOPEN: _guard_reopen,
    _Ev.ESCALATE: _guard_escalate,
    _Ev.CLOSE: _guard_close,
}

# Guards on form input: available_events() treats them as satisfiable (the form asks for them).
FORM_GUARD_CODES: frozenset[str] = frozenset(
    {
        "reason_required",
        "department_required",
        "due_required",
        "original_required",
        "later_due_required",
        "reply_required",
        "sign_off_required",
        "feedback_required",
    }
)


def find_transition(status: AppealStatus | None, event: AppealEvent) -> Transition | None:
    return next((t for t in TRANSITIONS if t.event == event and status in t.sources), None)


def _resolve(facts: AppealFacts, event: AppealEvent, actor: Actor, *, include_form_guards: bool) -> AppealStatus:
    guard = GUARDS.get(event)
    transition = transitions.check(
        _REFUSALS,
        find_transition(facts.status, event),
        event=event,
        status=facts.status,
        actor=actor,
        actor_allowed=lambda t: actor in t.actors,
        guard_codes=lambda: guard(facts) if guard else (),
        form_guard_codes=FORM_GUARD_CODES,
        include_form_guards=include_form_guards,
    )
    if event is _Ev.CALLBACK and facts.feedback is Feedback.UNSATISFIED:
        return _St.REOPENED
    return transition.target


def next_status(facts: AppealFacts, event: AppealEvent, actor: Actor) -> AppealStatus:
    """The status ``event`` fired by ``actor`` leads to; raises IllegalTransition / NotPermitted / GuardFailed."""
    return _resolve(facts, event, actor, include_form_guards=True)


def available_events(facts: AppealFacts, actor: Actor) -> list[AppealEvent]:
    """The events ``actor`` can fire now (form guards assumed satisfiable), in ``AppealEvent`` order."""
    return transitions.firable(
        AppealEvent, lambda event: _resolve(facts, event, actor, include_form_guards=False), AppealFlowError
    )


# --- Deadlines (§4.5 rule 4), in working days ------------------------------------------------------------------

REPLY_DAYS: dict[Urgency, int] = {Urgency.URGENT: 1, Urgency.NORMAL: 5, Urgency.COMPLEX: 15}
SIGN_DAYS = 1
CONTACT_DAYS: dict[Urgency, int] = {Urgency.URGENT: 0, Urgency.NORMAL: 2, Urgency.COMPLEX: 2}
NO_RESPONSE_DAYS = 3


def reply_deadline(registered_local: datetime, urgency: Urgency, calendar: WorkCalendar) -> Deadline:
    """The reply deadline counted from registration (after 17:00 or on a day off: from the next working day)."""
    return compute_deadline(registered_local, REPLY_DAYS[urgency], calendar)


def sign_deadline(assigned_local: datetime, calendar: WorkCalendar) -> Deadline:
    """签收 within 1 working day of 交办."""
    return compute_deadline(assigned_local, SIGN_DAYS, calendar)


def contact_deadline(assigned_local: datetime, urgency: Urgency, calendar: WorkCalendar) -> Deadline:
    """First contact with the enterprise: 2 WD after 交办, the same working day when URGENT."""
    return compute_deadline(assigned_local, CONTACT_DAYS[urgency], calendar)


def awaits_reply(status: AppealStatus) -> bool:
    """The reply is still owed: its deadline runs, and the date promised to the enterprise still holds."""
    return status in AWAITING_REPLY_STATUSES


def no_response_close_on(replied_on: date, calendar: WorkCalendar) -> date:
    """The first day an unanswered reply may be closed: 3 working days after the reply day."""
    return add_working_days(replied_on, NO_RESPONSE_DAYS, calendar)
