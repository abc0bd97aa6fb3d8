"""The meeting machine (domain.md §3.4), its deadlines (§4.6) and its reminder times, table-driven.

The calendar is the brief's: National Day holidays 2026-10-01..08, the make-up Saturday 2026-10-10 a working day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from stations.domain.deadlines import WarnLevel
from stations.domain.meeting_flow import (
    TRANSITIONS,
    Actor,
    GuardFailed,
    IllegalTransition,
    MeetingEvent,
    MeetingFacts,
    MeetingStatus,
    NotPermitted,
    Reminder,
    available_events,
    day_before_reminder_at,
    hour_before_reminder_at,
    meeting_deadlines,
    meeting_warn_level,
    minutes_due_on,
    next_status,
    reminders_due,
)
from stations.domain.workdays import TableCalendar

St, Ev, A = MeetingStatus, MeetingEvent, Actor


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
NOW = datetime(2026, 9, 9, 10, 0)
FUTURE = datetime(2026, 9, 11, 10, 0)

# Facts that satisfy every guard, so that the rows below test the table only.
GOOD = dict(
    now_local=NOW,
    reason="已电话答复",
    department_chosen=True,
    slot_start_local=FUTURE,
    scheduled_start_local=datetime(2026, 9, 9, 9, 0),
    minutes="部长答复了排水管网接驳时间",
    has_feedback=True,
)

# (status, event, actor, expected status or exception)
CASES = [
    (None, Ev.REQUEST, A.ENTERPRISE, St.REQUESTED),
    (None, Ev.REQUEST, A.CLERK, St.REQUESTED),
    (None, Ev.REQUEST, A.COMMISSIONER, St.REQUESTED),
    (None, Ev.REQUEST, A.STAFF, St.REQUESTED),
    (None, Ev.REQUEST, A.DEPARTMENT, NotPermitted),
    (St.REQUESTED, Ev.REQUEST, A.ENTERPRISE, IllegalTransition),
    (St.REQUESTED, Ev.CONTACT, A.STAFF, St.CONTACTED),
    (St.REQUESTED, Ev.CONTACT, A.ENTERPRISE, NotPermitted),
    (St.REQUESTED, Ev.CONTACT, A.DEPARTMENT, NotPermitted),
    (St.REQUESTED, Ev.ROUTE, A.STAFF, IllegalTransition),
    (St.REQUESTED, Ev.SCHEDULE, A.STAFF, IllegalTransition),
    (St.REQUESTED, Ev.REDIRECT, A.STAFF, St.REDIRECTED),
    (St.REQUESTED, Ev.CANCEL, A.ENTERPRISE, St.CANCELLED),
    (St.CONTACTED, Ev.ROUTE, A.STAFF, St.ROUTED),
    (St.CONTACTED, Ev.ROUTE, A.ADMIN, St.ROUTED),
    (St.CONTACTED, Ev.ROUTE, A.CLERK, NotPermitted),
    (St.CONTACTED, Ev.REDIRECT, A.STAFF, St.REDIRECTED),
    (St.CONTACTED, Ev.CANCEL, A.CLERK, St.CANCELLED),
    (St.ROUTED, Ev.SCHEDULE, A.STAFF, St.SCHEDULED),
    (St.ROUTED, Ev.SCHEDULE, A.DEPARTMENT, St.SCHEDULED),
    (St.ROUTED, Ev.SCHEDULE, A.ENTERPRISE, NotPermitted),
    (St.ROUTED, Ev.REDIRECT, A.STAFF, IllegalTransition),
    (St.ROUTED, Ev.CANCEL, A.STAFF, St.CANCELLED),
    (St.ROUTED, Ev.HOLD, A.STAFF, IllegalTransition),
    (St.SCHEDULED, Ev.RESCHEDULE, A.ENTERPRISE, St.SCHEDULED),
    (St.SCHEDULED, Ev.RESCHEDULE, A.CLERK, St.SCHEDULED),
    (St.SCHEDULED, Ev.RESCHEDULE, A.DEPARTMENT, St.SCHEDULED),
    (St.SCHEDULED, Ev.RESCHEDULE, A.STAFF, St.SCHEDULED),
    (St.SCHEDULED, Ev.CANCEL, A.ENTERPRISE, St.CANCELLED),
    (St.SCHEDULED, Ev.CANCEL, A.DEPARTMENT, NotPermitted),
    (St.SCHEDULED, Ev.HOLD, A.STAFF, St.HELD),
    (St.SCHEDULED, Ev.HOLD, A.DEPARTMENT, St.HELD),
    (St.SCHEDULED, Ev.HOLD, A.ENTERPRISE, NotPermitted),
    (St.SCHEDULED, Ev.CLOSE, A.STAFF, IllegalTransition),
    (St.HELD, Ev.FEEDBACK, A.ENTERPRISE, St.HELD),
    (St.HELD, Ev.FEEDBACK, A.STAFF, NotPermitted),
    (St.HELD, Ev.CLOSE, A.STAFF, St.CLOSED),
    (St.HELD, Ev.CLOSE, A.DEPARTMENT, NotPermitted),
    (St.HELD, Ev.CANCEL, A.ENTERPRISE, IllegalTransition),
    (St.FOLLOWING_UP, Ev.FEEDBACK, A.CLERK, St.FOLLOWING_UP),
    (St.FOLLOWING_UP, Ev.CLOSE, A.STAFF, St.CLOSED),
    (St.CLOSED, Ev.CLOSE, A.STAFF, IllegalTransition),
    (St.CANCELLED, Ev.RESCHEDULE, A.ENTERPRISE, IllegalTransition),
    (St.REDIRECTED, Ev.CONTACT, A.STAFF, IllegalTransition),
]


@pytest.mark.parametrize(("status", "event", "actor", "expected"), CASES)
def test_transition_table(status, event, actor, expected):
    facts = MeetingFacts(status=status, **GOOD)
    if isinstance(expected, type):
        with pytest.raises(expected):
            next_status(facts, event, actor)
    else:
        assert next_status(facts, event, actor) is expected


def test_every_status_is_reached_and_every_event_has_a_row():
    targets = {t.target for t in TRANSITIONS if t.target is not None} | {St.FOLLOWING_UP}
    assert targets == set(St)
    assert {t.event for t in TRANSITIONS} == set(Ev)


# (status, event, actor, facts overrides, failing guard)
GUARD_CASES = [
    (St.REQUESTED, Ev.REDIRECT, A.STAFF, {"reason": " "}, "reason_required"),
    (St.SCHEDULED, Ev.CANCEL, A.STAFF, {"reason": ""}, "reason_required"),
    (St.CONTACTED, Ev.ROUTE, A.STAFF, {"department_chosen": False}, "department_required"),
    (St.ROUTED, Ev.SCHEDULE, A.STAFF, {"slot_start_local": None}, "slot_required"),
    (St.ROUTED, Ev.SCHEDULE, A.STAFF, {"slot_start_local": datetime(2026, 9, 8, 9, 0)}, "slot_past"),
    (St.SCHEDULED, Ev.RESCHEDULE, A.ENTERPRISE, {"slot_start_local": NOW}, "slot_past"),
    (St.ROUTED, Ev.SCHEDULE, A.DEPARTMENT, {"slot_of_department": False}, "slot_other_department"),
    (St.SCHEDULED, Ev.HOLD, A.STAFF, {"minutes": ""}, "minutes_required"),
    (St.SCHEDULED, Ev.HOLD, A.STAFF, {"scheduled_start_local": FUTURE}, "not_started"),
    (St.HELD, Ev.CLOSE, A.STAFF, {"open_commitments": 1}, "commitments_open"),
    (St.FOLLOWING_UP, Ev.CLOSE, A.STAFF, {"has_feedback": False}, "feedback_required"),
]


@pytest.mark.parametrize(("status", "event", "actor", "overrides", "code"), GUARD_CASES)
def test_guards(status, event, actor, overrides, code):
    facts = MeetingFacts(status=status, **{**GOOD, **overrides})
    with pytest.raises(GuardFailed) as failure:
        next_status(facts, event, actor)
    assert failure.value.code == code
    assert failure.value.message


def test_enterprise_cancels_without_a_reason():
    facts = MeetingFacts(status=St.SCHEDULED, reason="")
    assert next_status(facts, Ev.CANCEL, A.ENTERPRISE) is St.CANCELLED


def test_hold_with_open_commitments_follows_up():
    facts = MeetingFacts(status=St.SCHEDULED, **{**GOOD, "open_commitments": 2})
    assert next_status(facts, Ev.HOLD, A.STAFF) is St.FOLLOWING_UP


@pytest.mark.parametrize(
    ("status", "actor", "events"),
    [
        (St.REQUESTED, A.STAFF, [Ev.CONTACT, Ev.REDIRECT, Ev.CANCEL]),
        (St.REQUESTED, A.ENTERPRISE, [Ev.CANCEL]),
        (St.ROUTED, A.DEPARTMENT, [Ev.SCHEDULE]),
        (St.SCHEDULED, A.ENTERPRISE, [Ev.RESCHEDULE, Ev.CANCEL]),
        (St.SCHEDULED, A.STAFF, [Ev.RESCHEDULE, Ev.CANCEL, Ev.HOLD]),
        (St.HELD, A.STAFF, [Ev.CLOSE]),
        (St.CLOSED, A.STAFF, []),
        (St.SCHEDULED, A.SYSTEM, []),
    ],
)
def test_available_events(status, actor, events):
    facts = MeetingFacts(status=status, now_local=NOW, scheduled_start_local=datetime(2026, 9, 9, 9, 0))
    assert available_events(facts, actor) == events


def test_hold_is_not_offered_before_the_meeting_starts():
    facts = MeetingFacts(status=St.SCHEDULED, now_local=NOW, scheduled_start_local=FUTURE)
    assert Ev.HOLD not in available_events(facts, A.STAFF)


# --- deadlines -------------------------------------------------------------------------------------------------

# (requested at, contact due, meeting due)
DEADLINE_CASES = [
    (datetime(2026, 9, 9, 10, 0), date(2026, 9, 10), date(2026, 9, 16)),  # Wed: the reference case's week
    (datetime(2026, 9, 9, 18, 0), date(2026, 9, 11), date(2026, 9, 17)),  # after closing time: counts from Thu
    (datetime(2026, 9, 30, 10, 0), date(2026, 10, 9), date(2026, 10, 14)),  # before National Day; 10-10 counts
    (datetime(2026, 10, 3, 10, 0), date(2026, 10, 10), date(2026, 10, 15)),  # on the holiday: from 10-09
    (datetime(2026, 10, 9, 17, 30), date(2026, 10, 12), date(2026, 10, 16)),  # Fri evening: from Sat 10-10
]


@pytest.mark.parametrize(("requested", "contact_due", "meeting_due"), DEADLINE_CASES)
def test_deadlines(requested, contact_due, meeting_due):
    deadlines = meeting_deadlines(requested, CAL)
    assert (deadlines.contact_due_on, deadlines.meeting_due_on) == (contact_due, meeting_due)


def test_a_later_preferred_date_moves_the_meeting_deadline():
    deadlines = meeting_deadlines(datetime(2026, 9, 9, 10, 0), CAL, [date(2026, 9, 10), date(2026, 10, 4)])
    assert deadlines.meeting_due_on == date(2026, 10, 9)  # 10-04 is a holiday: the next working day


@pytest.mark.parametrize(
    ("held_on", "due"),
    [
        (date(2026, 9, 11), date(2026, 9, 14)),
        (date(2026, 9, 30), date(2026, 10, 9)),
        (date(2026, 10, 9), date(2026, 10, 10)),
    ],
)
def test_minutes_due(held_on, due):
    assert minutes_due_on(held_on, CAL) == due


# (status, now, scheduled on, colour) for a request on Wed 2026-09-09 10:00
WARN_CASES = [
    (St.REQUESTED, datetime(2026, 9, 9, 11, 0), None, WarnLevel.YELLOW),  # 1 WD limit: yellow from the start
    (St.REQUESTED, datetime(2026, 9, 10, 23, 0), None, WarnLevel.YELLOW),
    (St.REQUESTED, datetime(2026, 9, 11, 0, 0), None, WarnLevel.RED),
    (St.CONTACTED, datetime(2026, 9, 10, 9, 0), None, WarnLevel.GREEN),
    (St.ROUTED, datetime(2026, 9, 14, 9, 0), None, WarnLevel.YELLOW),
    (St.ROUTED, datetime(2026, 9, 17, 9, 0), None, WarnLevel.RED),
    (St.SCHEDULED, datetime(2026, 9, 10, 9, 0), date(2026, 9, 11), WarnLevel.DONE),
    (St.SCHEDULED, datetime(2026, 9, 10, 9, 0), date(2026, 9, 18), WarnLevel.RED),
    (St.HELD, datetime(2026, 9, 30, 9, 0), None, WarnLevel.DONE),
    (St.CANCELLED, datetime(2026, 9, 30, 9, 0), None, WarnLevel.DONE),
]


@pytest.mark.parametrize(("status", "now", "scheduled_on", "level"), WARN_CASES)
def test_warn_level(status, now, scheduled_on, level):
    deadlines = meeting_deadlines(datetime(2026, 9, 9, 10, 0), CAL)
    assert meeting_warn_level(status, deadlines, now, scheduled_on) is level


# --- reminder times across holidays ------------------------------------------------------------------------------

# (meeting start, day-before reminder)
REMINDER_CASES = [
    (datetime(2026, 9, 11, 10, 0), datetime(2026, 9, 10, 16, 0)),  # Fri meeting: Thu
    (datetime(2026, 9, 14, 10, 0), datetime(2026, 9, 11, 16, 0)),  # Mon meeting: the Friday before
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 9, 30, 16, 0)),  # right after National Day: before the holiday
    (datetime(2026, 10, 12, 9, 30), datetime(2026, 10, 10, 16, 0)),  # Mon after the make-up Saturday: Saturday
    (datetime(2026, 10, 10, 10, 0), datetime(2026, 10, 9, 16, 0)),  # on the make-up Saturday: Friday
    (datetime(2026, 9, 21, 9, 0), datetime(2026, 9, 20, 16, 0)),  # Mon after the make-up Sunday 09-20
]


@pytest.mark.parametrize(("start", "reminder"), REMINDER_CASES)
def test_day_before_reminder(start, reminder):
    assert day_before_reminder_at(start, CAL) == reminder
    assert hour_before_reminder_at(start) == start - timedelta(hours=1)


# (meeting start, now, already sent, due now)
DUE_CASES = [
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 9, 30, 15, 59), [], []),
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 9, 30, 16, 0), [], [Reminder.DAY_BEFORE]),
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 5, 12, 0), [Reminder.DAY_BEFORE], []),
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 9, 8, 0), [Reminder.DAY_BEFORE], [Reminder.HOUR_BEFORE]),
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 9, 8, 30), [Reminder.DAY_BEFORE, Reminder.HOUR_BEFORE], []),
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 9, 8, 10), [], [Reminder.HOUR_BEFORE]),  # scheduled late
    (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 9, 9, 0), [], []),  # started: nothing
    (datetime(2026, 10, 12, 9, 30), datetime(2026, 10, 11, 12, 0), [], [Reminder.DAY_BEFORE]),  # set on Sunday
]


@pytest.mark.parametrize(("start", "now", "sent", "due"), DUE_CASES)
def test_reminders_due(start, now, sent, due):
    assert reminders_due(start, now, CAL, sent) == due


def test_day_before_is_never_after_the_hour_before():
    start = datetime(2026, 9, 11, 16, 30)
    assert day_before_reminder_at(start, CAL) < hour_before_reminder_at(start)
