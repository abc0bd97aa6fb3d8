"""政务外卖 (domain.md §2.10, §3.3, §4.7): a takeout order's lifecycle as a transition table with guards, and its
two deadlines (contact, visit) with 红黄绿.

```
(new) --order [ENTERPRISE | CLERK on its behalf | STAFF taking a call] --> ORDERED
ORDERED --contact [STAFF] (time and needs agreed; contact due within 4 working hours) --> CONTACTED
ORDERED|CONTACTED --cancel [ENTERPRISE | CLERK] --> CANCELLED
ORDERED|CONTACTED --decline [STAFF, reason + an alternative: 预约 / 网办 / 诉求] --> CANCELLED
CONTACTED --dispatch [STAFF] (a team of at least one member) --> DISPATCHED
DISPATCHED --check_in [TEAM member] --> ON_SITE
ON_SITE --finish [TEAM member, outcome] --> SERVED, or IN_BACKOFFICE while a case taken on site is open
SERVED|IN_BACKOFFICE --deliver [STAFF | SYSTEM] (every case taken on site delivered) --> DELIVERED
DELIVERED --evaluate [ENTERPRISE | CLERK] | auto-close [SYSTEM] --> COMPLETED
```

Decisions where the report and domain.md are silent:
* The contact rule (§4.7 rule 4): an order placed on a working day before 15:00 is due 4 hours after it (counted
  from 09:00 when placed before the hall opens): the same day. From 15:00, or on a day off, it is due at 12:00 on
  the next working day. A make-up Saturday is a working day like any other.
* The visit is due on the agreed date when contact fixed one, else 3 working days after contact.
* 红黄绿: the contact deadline is YELLOW in its last hour and RED once passed; the visit deadline is YELLOW on its
  day and RED after it. Served (or later) orders are DONE, cancelled ones too.
* A team member is any staff user named on the order's team; only they check in and finish.
Checks run in the order of case_flow: IllegalTransition, NotPermitted, GuardFailed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from stations.domain import transitions
from stations.domain.case_vocabulary import N_
from stations.domain.deadlines import WarnLevel
from stations.domain.transitions import Transition
from stations.domain.workdays import WorkCalendar, add_working_days, next_workday

CONTACT_HOURS = timedelta(hours=4)  # §4.7 rule 4
SAME_DAY_CUTOFF = time(15, 0)
HALL_OPENS = time(9, 0)
NEXT_DAY_BY = time(12, 0)
VISIT_WD = 3  # §4.7 rule 4: visit within 3 working days of contact, or at the agreed time
CONTACT_WARNING = timedelta(hours=1)


class OrderStatus(enum.StrEnum):
    ORDERED = "ORDERED"
    CONTACTED = "CONTACTED"
    DISPATCHED = "DISPATCHED"
    ON_SITE = "ON_SITE"
    SERVED = "SERVED"
    IN_BACKOFFICE = "IN_BACKOFFICE"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


STATUS_LABELS = {
    OrderStatus.ORDERED: N_("已点单"),
    OrderStatus.CONTACTED: N_("已联系"),
    OrderStatus.DISPATCHED: N_("已派单"),
    OrderStatus.ON_SITE: N_("上门服务中"),
    OrderStatus.SERVED: N_("已上门"),
    OrderStatus.IN_BACKOFFICE: N_("后台流转中"),
    OrderStatus.DELIVERED: N_("结果已送达"),
    OrderStatus.COMPLETED: N_("已完成"),
    OrderStatus.CANCELLED: N_("已取消"),
}

FINAL_STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})
OPEN_STATUSES = frozenset(OrderStatus) - FINAL_STATUSES
# The visit happened (入企服务次数, domain.md §5.5: orders reaching SERVED, and everything after it).
VISITED_STATUSES = frozenset(
    {OrderStatus.SERVED, OrderStatus.IN_BACKOFFICE, OrderStatus.DELIVERED, OrderStatus.COMPLETED}
)
AWAITING_CONTACT = frozenset({OrderStatus.ORDERED})
AWAITING_VISIT = frozenset({OrderStatus.CONTACTED, OrderStatus.DISPATCHED})


class OrderEvent(enum.StrEnum):
    ORDER = "order"
    CONTACT = "contact"
    CANCEL = "cancel"
    DECLINE = "decline"
    DISPATCH = "dispatch"
    CHECK_IN = "check_in"
    FINISH = "finish"
    DELIVER = "deliver"
    EVALUATE = "evaluate"
    AUTO_CLOSE = "auto_close"


EVENT_LABELS = {
    OrderEvent.ORDER: N_("点单"),
    OrderEvent.CONTACT: N_("已联系企业"),
    OrderEvent.CANCEL: N_("取消点单"),
    OrderEvent.DECLINE: N_("无法上门"),
    OrderEvent.DISPATCH: N_("派单"),
    OrderEvent.CHECK_IN: N_("到达签到"),
    OrderEvent.FINISH: N_("完成上门服务"),
    OrderEvent.DELIVER: N_("结果已送达"),
    OrderEvent.EVALUATE: N_("评价"),
    OrderEvent.AUTO_CLOSE: N_("自动完成"),
}


# The events a team member fires on site (as TEAM, whatever their station).
TEAM_EVENTS = frozenset({OrderEvent.CHECK_IN, OrderEvent.FINISH})


class Alternative(enum.StrEnum):
    """What a declined order is offered instead (issue 15: 预约, 网办, 诉求)."""

    APPOINTMENT = "APPOINTMENT"
    ONLINE = "ONLINE"
    APPEAL = "APPEAL"


ALTERNATIVE_LABELS = {
    Alternative.APPOINTMENT: N_("预约到驿站办理"),
    Alternative.ONLINE: N_("网上办理"),
    Alternative.APPEAL: N_("提交诉求"),
}


class Actor(enum.StrEnum):
    ENTERPRISE = "enterprise"
    CLERK = "clerk"  # the enterprise's dedicated clerk, on its behalf
    STAFF = "staff"  # the owning station's staff
    TEAM = "team"  # a member of the team dispatched to the order
    ADMIN = "admin"
    SYSTEM = "system"


GUARD_MESSAGES = {
    "reason_required": N_("请填写无法上门的原因"),
    "alternative_required": N_("请选择为企业提供的其他办理方式"),
    "team_required": N_("请至少选择一名上门人员"),
    "outcome_required": N_("请填写上门服务的结果"),
    "cases_open": N_("上门受理的办件尚未全部送达"),
}


class OrderFlowError(transitions.FlowError):
    code = "order_flow_error"


class IllegalTransition(transitions.IllegalTransition, OrderFlowError):
    new_record = "a new order"


class NotPermitted(transitions.NotPermitted, OrderFlowError):
    pass


class GuardFailed(transitions.GuardFailed, OrderFlowError):
    messages = GUARD_MESSAGES


_REFUSALS = transitions.Refusals(IllegalTransition, NotPermitted, GuardFailed)
# Guards on what a form asks for: the buttons are offered before the form is filled in.
FORM_GUARD_CODES = frozenset({"reason_required", "alternative_required", "team_required", "outcome_required"})


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know, gathered by the service (form input included)."""

    status: OrderStatus | None
    reason: str = ""
    alternative: str = ""
    team_size: int = 0
    outcome: str = ""
    open_cases: int = 0  # cases taken on site that are not delivered (or otherwise closed) yet


_E, _C, _S, _T, _A, _Y = Actor.ENTERPRISE, Actor.CLERK, Actor.STAFF, Actor.TEAM, Actor.ADMIN, Actor.SYSTEM
_St, _Ev = OrderStatus, OrderEvent


_t = transitions.row


TRANSITIONS: tuple[Transition, ...] = (
    _t(_Ev.ORDER, {None}, _St.ORDERED, _E, _C, _S, _A),
    _t(_Ev.CONTACT, {_St.ORDERED}, _St.CONTACTED, _S, _A),
    _t(_Ev.CANCEL, {_St.ORDERED, _St.CONTACTED}, _St.CANCELLED, _E, _C),
    _t(_Ev.DECLINE, {_St.ORDERED, _St.CONTACTED}, _St.CANCELLED, _S, _A),
    _t(_Ev.DISPATCH, {_St.CONTACTED}, _St.DISPATCHED, _S, _A),
    _t(_Ev.CHECK_IN, {_St.DISPATCHED}, _St.ON_SITE, _T),
    _t(_Ev.FINISH, {_St.ON_SITE}, _St.SERVED, _T),
    _t(_Ev.DELIVER, {_St.SERVED, _St.IN_BACKOFFICE}, _St.DELIVERED, _S, _A, _Y),
    _t(_Ev.EVALUATE, {_St.DELIVERED}, _St.COMPLETED, _E, _C),
    _t(_Ev.AUTO_CLOSE, {_St.DELIVERED}, _St.COMPLETED, _Y),
)


def _guard_decline(facts: OrderFacts) -> Iterable[str]:
    if not facts.reason.strip():
        yield "reason_required"
    if facts.alternative not in set(Alternative):
        yield "alternative_required"


def _guard_dispatch(facts: OrderFacts) -> Iterable[str]:
    if facts.team_size < 1:
        yield "team_required"


def _guard_finish(facts: OrderFacts) -> Iterable[str]:
    if not facts.outcome.strip():
        yield "outcome_required"


def _guard_deliver(facts: OrderFacts) -> Iterable[str]:
    if facts.open_cases > 0:
        yield "cases_open"


GUARDS: dict[OrderEvent, Callable[[OrderFacts], Iterable[str]]] = {
    _Ev.DECLINE: _guard_decline,
    _Ev.DISPATCH: _guard_dispatch,
    _Ev.FINISH: _guard_finish,
    _Ev.DELIVER: _guard_deliver,
}


def _resolve(facts: OrderFacts, event: OrderEvent, actor: Actor, *, form_guards: bool) -> OrderStatus:
    guard = GUARDS.get(event)
    transition = transitions.check(
        _REFUSALS,
        next((t for t in TRANSITIONS if t.event is event and facts.status in t.sources), None),
        event=event,
        status=facts.status,
        actor=actor,
        actor_allowed=lambda t: actor in t.actors,
        guard_codes=lambda: guard(facts) if guard else (),
        form_guard_codes=FORM_GUARD_CODES,
        include_form_guards=form_guards,
    )
    if event is _Ev.FINISH and facts.open_cases > 0:
        return _St.IN_BACKOFFICE  # 后台流转: tracked through the cases taken on site
    return transition.target


def next_status(facts: OrderFacts, event: OrderEvent, actor: Actor) -> OrderStatus:
    """The status after ``event`` by ``actor``, or the first refusal (IllegalTransition, NotPermitted, GuardFailed)."""
    return _resolve(facts, event, actor, form_guards=True)


def available_events(facts: OrderFacts, actor: Actor) -> list[OrderEvent]:
    """Events this actor may fire now, form-input guards assumed satisfiable (the page shows them as buttons)."""
    return transitions.firable(
        (event for event in OrderEvent if event not in (_Ev.ORDER, _Ev.AUTO_CLOSE)),
        lambda event: _resolve(facts, event, actor, form_guards=False),
        OrderFlowError,
    )


# --- deadlines ------------------------------------------------------------------------------------------------------


def contact_due(ordered_local: datetime, calendar: WorkCalendar) -> datetime:
    """When the station must have called the enterprise back (business time, naive)."""
    day = ordered_local.date()
    if calendar.is_workday(day) and ordered_local.time() < SAME_DAY_CUTOFF:
        start = max(ordered_local, datetime.combine(day, HALL_OPENS))
        return start + CONTACT_HOURS
    following = day + timedelta(days=1)
    return datetime.combine(next_workday(following, calendar), NEXT_DAY_BY)


def visit_due(contacted_local: datetime, calendar: WorkCalendar, agreed_on: date | None = None) -> date:
    """The day the visit is due: the agreed day, else 3 working days after contact."""
    return agreed_on or add_working_days(contacted_local.date(), VISIT_WD, calendar)


def warn_level(
    status: OrderStatus, now_local: datetime, *, contact_due_at: datetime | None, visit_due_on: date | None
) -> WarnLevel:
    """红黄绿 of the deadline that matters now: contact while ORDERED, the visit while CONTACTED or DISPATCHED."""
    if status in AWAITING_CONTACT and contact_due_at is not None:
        if now_local >= contact_due_at:
            return WarnLevel.RED
        return WarnLevel.YELLOW if now_local >= contact_due_at - CONTACT_WARNING else WarnLevel.GREEN
    if status in AWAITING_VISIT and visit_due_on is not None:
        today = now_local.date()
        if today > visit_due_on:
            return WarnLevel.RED
        return WarnLevel.YELLOW if today == visit_due_on else WarnLevel.GREEN
    return WarnLevel.DONE if status is not OrderStatus.ON_SITE else WarnLevel.GREEN


def contacted_on_time(contacted_local: datetime | None, due_local: datetime) -> bool:
    return contacted_local is not None and contacted_local <= due_local


HALL_CLOSES = time(17, 0)


def working_hours_between(start_local: datetime, end_local: datetime, calendar: WorkCalendar) -> float:
    """Hours of hall time (09:00-17:00 on working days) between two business times: the order-to-contact wait the
    central office reads (issue 15: "median working hours from order to contact")."""
    if end_local <= start_local:
        return 0.0
    total = timedelta()
    day = start_local.date()
    while day <= end_local.date():
        if calendar.is_workday(day):
            opens, closes = datetime.combine(day, HALL_OPENS), datetime.combine(day, HALL_CLOSES)
            low, high = max(opens, start_local), min(closes, end_local)
            if high > low:
                total += high - low
        day += timedelta(days=1)
    return round(total.total_seconds() / 3600, 2)
