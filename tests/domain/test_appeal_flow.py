"""The appeal lifecycle (stations.domain.appeal_flow) against an independent literal table, and its deadlines.

The table below is written by hand as plain strings (it never reads ``TRANSITIONS``); every (status incl. a new
appeal) × event × actor combination is checked against it.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from stations.domain.appeal_flow import (
    GUARD_MESSAGES,
    PLAIN_LABELS,
    STATUS_LABELS,
    Actor,
    AppealEvent,
    AppealFacts,
    AppealStatus,
    Feedback,
    GuardFailed,
    IllegalTransition,
    NotPermitted,
    Urgency,
    available_events,
    contact_deadline,
    next_status,
    no_response_close_on,
    reply_deadline,
    sign_deadline,
)
from stations.domain.workdays import TableCalendar

# event | from (- = new) | to | actors (F front, E enterprise, S supervisor, D department, L leader, Y system)
EXPECTED_TABLE = """
register      | -                     | registered  | F E S Y
merge         | registered            | merged      | S
assign        | registered            | assigned    | S
sign          | assigned              | signed      | D L
return        | assigned signed       | registered  | D L
first_contact | signed                | in_progress | D L
extend        | in_progress           | in_progress | L
reply         | in_progress escalated | replied     | D L
callback      | replied               | closed      | F S E
reopen        | reopened              | in_progress | F S
escalate      | reopened              | escalated   | S Y
close         | replied               | closed      | S Y
"""
ACTOR_CODES = {
    "F": Actor.FRONT,
    "E": Actor.ENTERPRISE,
    "S": Actor.SUPERVISOR,
    "D": Actor.DEPARTMENT,
    "L": Actor.DEPT_LEADER,
    "Y": Actor.SYSTEM,
}


def _expected() -> dict[tuple[str, AppealStatus | None], tuple[AppealStatus, frozenset[Actor]]]:
    rows = {}
    for line in EXPECTED_TABLE.strip().splitlines():
        event, sources, target, actors = (part.strip() for part in line.split("|"))
        for source in sources.split():
            status = None if source == "-" else AppealStatus(source.upper())
            rows[(event, status)] = (AppealStatus(target.upper()), frozenset(ACTOR_CODES[a] for a in actors.split()))
    return rows


EXPECTED = _expected()


def _passing_facts(status: AppealStatus | None, event: AppealEvent) -> AppealFacts:
    """Facts on which every guard of ``event`` passes."""
    return AppealFacts(
        status=status,
        reopen_count=2 if event is AppealEvent.ESCALATE else 0,
        reason="不属于本部门职责",
        department_chosen=True,
        due_on=date(2026, 10, 20),
        current_due_on=date(2026, 10, 15),
        original_chosen=True,
        reply_text="已协调解决",
        signed_off_by="张主任",
        feedback=Feedback.SATISFIED,
        no_response_elapsed=True,
    )


ALL = list(itertools.product([None, *AppealStatus], AppealEvent, Actor))


@pytest.mark.parametrize(("status", "event", "actor"), ALL, ids=[f"{s}-{e}-{a}" for s, e, a in ALL])
def test_every_status_event_actor(status, event, actor):
    facts = _passing_facts(status, event)
    expected = EXPECTED.get((event.value, status))
    if expected is None:
        with pytest.raises(IllegalTransition):
            next_status(facts, event, actor)
        assert event not in available_events(facts, actor)
        return
    target, actors = expected
    if actor not in actors:
        with pytest.raises(NotPermitted):
            next_status(facts, event, actor)
        assert event not in available_events(facts, actor)
        return
    assert next_status(facts, event, actor) is target
    assert event in available_events(facts, actor)


def test_unsatisfied_callback_reopens():
    facts = AppealFacts(status=AppealStatus.REPLIED, feedback=Feedback.UNSATISFIED)
    assert next_status(facts, AppealEvent.CALLBACK, Actor.FRONT) is AppealStatus.REOPENED
    basic = AppealFacts(status=AppealStatus.REPLIED, feedback=Feedback.BASIC)
    assert next_status(basic, AppealEvent.CALLBACK, Actor.SUPERVISOR) is AppealStatus.CLOSED


@pytest.mark.parametrize(
    ("status", "event", "actor", "facts", "code"),
    [
        ("REGISTERED", "assign", Actor.SUPERVISOR, {"department_chosen": False}, "department_required"),
        ("REGISTERED", "assign", Actor.SUPERVISOR, {"department_chosen": True}, "due_required"),
        ("REGISTERED", "merge", Actor.SUPERVISOR, {}, "original_required"),
        ("ASSIGNED", "return", Actor.DEPARTMENT, {"reason": "  "}, "reason_required"),
        ("SIGNED", "return", Actor.DEPT_LEADER, {}, "reason_required"),
        ("IN_PROGRESS", "extend", Actor.DEPT_LEADER, {"due_on": date(2026, 10, 20)}, "reason_required"),
        (
            "IN_PROGRESS",
            "extend",
            Actor.DEPT_LEADER,
            {"reason": "需现场核查", "due_on": date(2026, 10, 9), "current_due_on": date(2026, 10, 9)},
            "later_due_required",
        ),
        ("IN_PROGRESS", "extend", Actor.DEPT_LEADER, {"reason": "需现场核查"}, "later_due_required"),
        ("IN_PROGRESS", "reply", Actor.DEPARTMENT, {"signed_off_by": "张"}, "reply_required"),
        ("ESCALATED", "reply", Actor.DEPARTMENT, {"reply_text": "已解决"}, "sign_off_required"),
        ("REPLIED", "callback", Actor.FRONT, {}, "feedback_required"),
        ("REPLIED", "callback", Actor.FRONT, {"feedback": Feedback.NO_RESPONSE}, "feedback_required"),
        ("REOPENED", "reopen", Actor.FRONT, {"reopen_count": 2}, "reopens_exhausted"),
        ("REOPENED", "escalate", Actor.SUPERVISOR, {"reopen_count": 1}, "reopens_remaining"),
        ("REPLIED", "close", Actor.SUPERVISOR, {}, "no_response_wait"),
    ],
)
def test_guards(status, event, actor, facts, code):
    with pytest.raises(GuardFailed) as failure:
        next_status(AppealFacts(status=AppealStatus(status), **facts), AppealEvent(event), actor)
    assert failure.value.code == code
    assert failure.value.message == GUARD_MESSAGES[code]


def test_checks_run_in_order_status_then_actor_then_guard():
    # A wrong status wins over a wrong actor, a wrong actor over a failing guard.
    with pytest.raises(IllegalTransition):
        next_status(AppealFacts(status=AppealStatus.CLOSED), AppealEvent.ASSIGN, Actor.ENTERPRISE)
    with pytest.raises(NotPermitted):
        next_status(AppealFacts(status=AppealStatus.REGISTERED), AppealEvent.ASSIGN, Actor.ENTERPRISE)


def test_available_events_skip_form_guards_but_not_state_guards():
    reopened = AppealFacts(status=AppealStatus.REOPENED, reopen_count=1)
    assert available_events(reopened, Actor.SUPERVISOR) == [AppealEvent.REOPEN]
    exhausted = AppealFacts(status=AppealStatus.REOPENED, reopen_count=2)
    assert available_events(exhausted, Actor.SUPERVISOR) == [AppealEvent.ESCALATE]
    replied = AppealFacts(status=AppealStatus.REPLIED)
    assert available_events(replied, Actor.SUPERVISOR) == [AppealEvent.CALLBACK]
    assert available_events(AppealFacts(status=AppealStatus.REGISTERED), Actor.SUPERVISOR) == [
        AppealEvent.MERGE,
        AppealEvent.ASSIGN,
    ]


def test_every_status_has_labels():
    assert set(STATUS_LABELS) == set(AppealStatus) == set(PLAIN_LABELS)


# --- deadlines: a table calendar with National Day 2026-10-01..08 off and Saturday 2026-10-10 worked ----------


def _calendar() -> TableCalendar:
    days = {}
    day = date(2026, 9, 1)
    while day <= date(2026, 11, 30):
        days[day] = day.weekday() < 5
        day += timedelta(days=1)
    for offset in range(8):
        days[date(2026, 10, 1) + timedelta(days=offset)] = False
    days[date(2026, 10, 10)] = True  # make-up Saturday
    return TableCalendar.from_days(days)


CAL = _calendar()
D = date.fromisoformat
T = datetime.fromisoformat


@pytest.mark.parametrize(
    ("registered", "urgency", "due"),
    [
        ("2026-09-28 10:00", "NORMAL", "2026-10-12"),  # 09-29, 09-30, 10-09, Sat 10-10 (make-up), 10-12
        ("2026-09-29 10:00", "NORMAL", "2026-10-13"),  # 09-30, 10-09, 10-10, 10-12, 10-13
        ("2026-09-30 10:00", "URGENT", "2026-10-09"),  # the first working day after the holiday
        ("2026-09-30 17:30", "URGENT", "2026-10-10"),  # after closing: counted from 10-09, so the make-up Saturday
        ("2026-10-03 09:00", "URGENT", "2026-10-10"),  # registered on a holiday: counted from 10-09
        ("2026-10-03 09:00", "NORMAL", "2026-10-15"),  # 10-10, 10-12, 10-13, 10-14, 10-15
        ("2026-09-25 10:00", "COMPLEX", "2026-10-23"),  # 09-28..30 (3), 10-09, 10-10, 10-12..16, 10-19..23
        ("2026-10-09 16:00", "NORMAL", "2026-10-15"),  # same as registered on the holiday
        ("2026-10-09 17:00", "NORMAL", "2026-10-16"),  # at closing: counted from Sat 10-10
    ],
)
def test_reply_deadline_across_national_day(registered, urgency, due):
    assert reply_deadline(T(registered), Urgency(urgency), CAL).due_on == D(due)


def test_sign_and_contact_deadlines():
    # 交办 on Wed 09-30 afternoon: sign by the next working day after the holiday.
    assert sign_deadline(T("2026-09-30 15:00"), CAL).due_on == D("2026-10-09")
    # Contact: 2 WD (10-09, Sat 10-10), the same day when URGENT (after closing: the next working day).
    assert contact_deadline(T("2026-09-30 15:00"), Urgency.NORMAL, CAL).due_on == D("2026-10-10")
    assert contact_deadline(T("2026-09-30 15:00"), Urgency.URGENT, CAL).due_on == D("2026-09-30")
    assert contact_deadline(T("2026-09-30 17:30"), Urgency.URGENT, CAL).due_on == D("2026-10-09")


def test_no_response_close_counts_the_make_up_day():
    assert no_response_close_on(D("2026-09-30"), CAL) == D("2026-10-12")  # 10-09, 10-10, 10-12
    assert no_response_close_on(D("2026-10-12"), CAL) == D("2026-10-15")


def test_reply_deadline_warns_in_the_last_third():
    deadline = reply_deadline(T("2026-10-12 09:00"), Urgency.NORMAL, CAL)
    assert deadline.due_on == D("2026-10-19")
    assert deadline.warn_on == D("2026-10-15")  # Y = 2: yellow from the 2nd working day before the due day
