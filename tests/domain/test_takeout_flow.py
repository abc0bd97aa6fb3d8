"""The takeout order machine (domain.md §3.3) and its deadlines (§4.7 rule 4), table-driven.

The calendar is the brief's: National Day holidays 2026-10-01..08, the make-up Saturday 2026-10-10 a working day,
the make-up Sunday 2026-09-20 too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from stations.domain.deadlines import WarnLevel
from stations.domain.takeout_flow import (
    TRANSITIONS,
    Actor,
    GuardFailed,
    IllegalTransition,
    NotPermitted,
    OrderEvent,
    OrderFacts,
    OrderStatus,
    available_events,
    contact_due,
    contacted_on_time,
    next_status,
    visit_due,
    warn_level,
)
from stations.domain.workdays import TableCalendar

St, Ev, A = OrderStatus, OrderEvent, Actor


def _calendar() -> TableCalendar:
    days = {}
    day = date(2026, 9, 1)
    while day <= date(2026, 11, 30):
        days[day] = day.weekday() < 5
        day += timedelta(days=1)
    for offset in range(8):
        days[date(2026, 10, 1) + timedelta(days=offset)] = False
    days[date(2026, 10, 10)] = True  # make-up Saturday
    days[date(2026, 9, 20)] = True  # make-up Sunday
    return TableCalendar.from_days(days)


CAL = _calendar()
# Facts that satisfy every guard, so that the rows below test the table only.
GOOD = dict(reason="超出上门服务范围", alternative="ONLINE", team_size=2, outcome="受理2件,解答政策问题3个")


def _facts(status, **overrides) -> OrderFacts:
    return OrderFacts(status=status, **{**GOOD, **overrides})


# --- the table ------------------------------------------------------------------------------------------------------

ALLOWED = [
    (None, Ev.ORDER, A.ENTERPRISE, St.ORDERED),
    (None, Ev.ORDER, A.CLERK, St.ORDERED),
    (None, Ev.ORDER, A.STAFF, St.ORDERED),
    (St.ORDERED, Ev.CONTACT, A.STAFF, St.CONTACTED),
    (St.ORDERED, Ev.CANCEL, A.ENTERPRISE, St.CANCELLED),
    (St.CONTACTED, Ev.CANCEL, A.CLERK, St.CANCELLED),
    (St.ORDERED, Ev.DECLINE, A.STAFF, St.CANCELLED),
    (St.CONTACTED, Ev.DECLINE, A.STAFF, St.CANCELLED),
    (St.CONTACTED, Ev.DISPATCH, A.STAFF, St.DISPATCHED),
    (St.DISPATCHED, Ev.CHECK_IN, A.TEAM, St.ON_SITE),
    (St.ON_SITE, Ev.FINISH, A.TEAM, St.SERVED),
    (St.SERVED, Ev.DELIVER, A.STAFF, St.DELIVERED),
    (St.IN_BACKOFFICE, Ev.DELIVER, A.SYSTEM, St.DELIVERED),
    (St.DELIVERED, Ev.EVALUATE, A.ENTERPRISE, St.COMPLETED),
    (St.DELIVERED, Ev.AUTO_CLOSE, A.SYSTEM, St.COMPLETED),
]


@pytest.mark.parametrize(("status", "event", "actor", "target"), ALLOWED)
def test_allowed_transitions(status, event, actor, target):
    assert next_status(_facts(status), event, actor) is target


ILLEGAL = [
    (St.ORDERED, Ev.DISPATCH),  # contact first
    (St.ORDERED, Ev.CHECK_IN),
    (St.CONTACTED, Ev.FINISH),
    (St.DISPATCHED, Ev.CANCEL),  # the team is on its way: the station calls it off (decline is not open either)
    (St.DISPATCHED, Ev.DECLINE),
    (St.ON_SITE, Ev.CHECK_IN),
    (St.SERVED, Ev.EVALUATE),  # results first
    (St.COMPLETED, Ev.EVALUATE),
    (St.CANCELLED, Ev.CONTACT),
    (None, Ev.CONTACT),
]


@pytest.mark.parametrize(("status", "event"), ILLEGAL)
def test_events_out_of_order_are_illegal(status, event):
    with pytest.raises(IllegalTransition):
        next_status(_facts(status), event, A.ADMIN if event is not Ev.CHECK_IN else A.TEAM)


NOT_PERMITTED = [
    (St.ORDERED, Ev.CONTACT, A.ENTERPRISE),
    (St.ORDERED, Ev.CONTACT, A.TEAM),
    (St.ORDERED, Ev.DECLINE, A.ENTERPRISE),
    (St.ORDERED, Ev.CANCEL, A.STAFF),  # staff decline, with a reason and an alternative
    (St.CONTACTED, Ev.DISPATCH, A.CLERK),
    (St.DISPATCHED, Ev.CHECK_IN, A.STAFF),  # only a team member checks in
    (St.ON_SITE, Ev.FINISH, A.ENTERPRISE),
    (St.SERVED, Ev.DELIVER, A.ENTERPRISE),
    (St.DELIVERED, Ev.EVALUATE, A.STAFF),  # staff never rate themselves
    (St.DELIVERED, Ev.AUTO_CLOSE, A.STAFF),
]


@pytest.mark.parametrize(("status", "event", "actor"), NOT_PERMITTED)
def test_who_may_fire_what(status, event, actor):
    with pytest.raises(NotPermitted):
        next_status(_facts(status), event, actor)


GUARDS = [
    (St.ORDERED, Ev.DECLINE, A.STAFF, {"reason": "  "}, "reason_required"),
    (St.ORDERED, Ev.DECLINE, A.STAFF, {"alternative": ""}, "alternative_required"),
    (St.CONTACTED, Ev.DECLINE, A.STAFF, {"alternative": "PHONE"}, "alternative_required"),
    (St.CONTACTED, Ev.DISPATCH, A.STAFF, {"team_size": 0}, "team_required"),
    (St.ON_SITE, Ev.FINISH, A.TEAM, {"outcome": ""}, "outcome_required"),
    (St.IN_BACKOFFICE, Ev.DELIVER, A.SYSTEM, {"open_cases": 1}, "cases_open"),
]


@pytest.mark.parametrize(("status", "event", "actor", "overrides", "code"), GUARDS)
def test_guards(status, event, actor, overrides, code):
    with pytest.raises(GuardFailed) as refused:
        next_status(_facts(status, **overrides), event, actor)
    assert refused.value.code == code
    assert refused.value.message  # a sentence the page shows


def test_finishing_with_open_cases_goes_to_the_back_office():
    assert next_status(_facts(St.ON_SITE, open_cases=2), Ev.FINISH, A.TEAM) is St.IN_BACKOFFICE


def test_every_transition_is_reachable_in_the_table():
    events = {t.event for t in TRANSITIONS}
    assert events == set(OrderEvent)


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        (St.ORDERED, A.STAFF, [Ev.CONTACT, Ev.DECLINE]),
        (St.ORDERED, A.ENTERPRISE, [Ev.CANCEL]),
        (St.CONTACTED, A.STAFF, [Ev.DECLINE, Ev.DISPATCH]),
        (St.DISPATCHED, A.TEAM, [Ev.CHECK_IN]),
        (St.ON_SITE, A.TEAM, [Ev.FINISH]),
        (St.DELIVERED, A.ENTERPRISE, [Ev.EVALUATE]),
        (St.COMPLETED, A.STAFF, []),
    ],
)
def test_available_events(status, actor, expected):
    assert available_events(_facts(status), actor) == expected


# --- the contact rule: 4 working hours, same day before 15:00, else 12:00 the next working day -----------------------

CONTACT = [
    # ordered (business time)          due
    ("2026-09-09 10:00", "2026-09-09 14:00"),  # a Wednesday morning: 4 hours
    ("2026-09-09 14:59", "2026-09-09 18:59"),  # just before the cut-off: still the same day
    ("2026-09-09 15:00", "2026-09-10 12:00"),  # the cut-off itself: next working day at noon
    ("2026-09-09 17:00", "2026-09-10 12:00"),  # after closing
    ("2026-09-09 07:30", "2026-09-09 13:00"),  # before the hall opens: 4 hours from 09:00
    ("2026-09-11 16:00", "2026-09-14 12:00"),  # a Friday afternoon: Monday noon
    ("2026-09-12 10:00", "2026-09-14 12:00"),  # a Saturday: Monday noon
    ("2026-09-19 10:00", "2026-09-20 12:00"),  # a Saturday before the make-up Sunday: that Sunday
    ("2026-09-20 10:00", "2026-09-20 14:00"),  # the make-up Sunday is a working day
    ("2026-09-30 15:30", "2026-10-09 12:00"),  # the eve of National Day: after the holiday
    ("2026-10-03 09:00", "2026-10-09 12:00"),  # in the holiday
    ("2026-10-09 16:00", "2026-10-10 12:00"),  # Friday after the holiday: the make-up Saturday
    ("2026-10-10 11:00", "2026-10-10 15:00"),  # on the make-up Saturday itself
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(("ordered", "due"), CONTACT)
def test_contact_due(ordered, due):
    assert contact_due(_at(ordered), CAL) == _at(due)


def test_contacted_on_time():
    due = _at("2026-09-09 14:00")
    assert contacted_on_time(_at("2026-09-09 14:00"), due)
    assert not contacted_on_time(_at("2026-09-09 14:01"), due)
    assert not contacted_on_time(None, due)


@pytest.mark.parametrize(
    ("contacted", "agreed", "due"),
    [
        ("2026-09-09 11:00", None, date(2026, 9, 14)),  # Wed + 3 working days = Mon
        ("2026-09-29 11:00", None, date(2026, 10, 10)),  # across National Day: the make-up Saturday
        ("2026-09-09 11:00", date(2026, 9, 25), date(2026, 9, 25)),  # the agreed day wins
    ],
)
def test_visit_due(contacted, agreed, due):
    assert visit_due(_at(contacted), CAL, agreed) == due


# --- 红黄绿 ----------------------------------------------------------------------------------------------------------

WARN = [
    (St.ORDERED, "2026-09-09 12:00", WarnLevel.GREEN),
    (St.ORDERED, "2026-09-09 13:00", WarnLevel.YELLOW),  # the last hour
    (St.ORDERED, "2026-09-09 14:00", WarnLevel.RED),
    (St.CONTACTED, "2026-09-11 10:00", WarnLevel.GREEN),
    (St.DISPATCHED, "2026-09-14 10:00", WarnLevel.YELLOW),  # the visit's day
    (St.DISPATCHED, "2026-09-15 09:00", WarnLevel.RED),
    (St.ON_SITE, "2026-09-15 09:00", WarnLevel.GREEN),
    (St.SERVED, "2026-09-30 09:00", WarnLevel.DONE),
    (St.CANCELLED, "2026-09-30 09:00", WarnLevel.DONE),
]


@pytest.mark.parametrize(("status", "now", "level"), WARN)
def test_warn_level(status, now, level):
    contact = _at("2026-09-09 14:00")
    visit = date(2026, 9, 14)
    assert warn_level(status, _at(now), contact_due_at=contact, visit_due_on=visit) is level


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-09-09 10:00", "2026-09-09 13:30", 3.5),
        ("2026-09-09 16:00", "2026-09-10 10:00", 2.0),  # 1 h Wednesday + 1 h Thursday
        ("2026-09-11 16:30", "2026-09-14 09:30", 1.0),  # across a weekend
        ("2026-09-30 16:00", "2026-10-09 10:00", 2.0),  # across National Day
        ("2026-09-12 10:00", "2026-09-12 12:00", 0.0),  # a Saturday
        ("2026-09-09 18:00", "2026-09-09 17:00", 0.0),
    ],
)
def test_working_hours_between(start, end, hours):
    from stations.domain.takeout_flow import working_hours_between

    assert working_hours_between(_at(start), _at(end), CAL) == hours


def test_delivery_is_offered_only_once_the_cases_taken_on_site_are_closed():
    assert available_events(_facts(St.IN_BACKOFFICE, open_cases=1), A.STAFF) == []
    assert available_events(_facts(St.IN_BACKOFFICE), A.STAFF) == [Ev.DELIVER]


def test_the_refusals_are_the_shared_ones_of_every_machine():
    from stations.domain import takeout_flow, transitions

    for ours, shared in (
        (takeout_flow.IllegalTransition, transitions.IllegalTransition),
        (takeout_flow.NotPermitted, transitions.NotPermitted),
        (takeout_flow.GuardFailed, transitions.GuardFailed),
    ):
        assert issubclass(ours, shared) and issubclass(ours, takeout_flow.OrderFlowError)
    with pytest.raises(takeout_flow.GuardFailed) as refused:
        next_status(_facts(St.CONTACTED, team_size=0), Ev.DISPATCH, A.STAFF)
    assert refused.value.code == "team_required" and refused.value.message == "请至少选择一名上门人员"
