"""The rating scale, the rectification state machine, its deadlines and tags (stations.domain.ratings).

Deadlines on the real calendar (chinesecalendar 1.11.0), counted by hand: National Day 2025 10-01..10-08 off
(Sat 10-11 worked); Spring Festival 2026 02-15..02-23 off (Sat 02-14 and Sat 02-28 worked).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from stations.domain import ratings as r
from stations.domain.deadlines import WarnLevel
from stations.domain.ratings import Actor
from stations.domain.ratings import RectificationEvent as E
from stations.domain.ratings import RectificationStatus as S
from stations.domain.workdays import ChineseWorkCalendar

D = date.fromisoformat
REAL = ChineseWorkCalendar()


@pytest.mark.parametrize(
    ("level", "valid", "bad"),
    [(5, True, False), (4, True, False), (3, True, False), (2, True, True), (1, True, True)],
)
def test_levels(level, valid, bad):
    assert r.is_valid_level(level) is valid
    assert r.is_bad(level) is bad
    assert level in r.LEVEL_LABELS


@pytest.mark.parametrize("value", [0, 6, -1, "3", 3.0, True, None])
def test_invalid_levels(value):
    assert not r.is_valid_level(value)


def test_labels_match_the_published_scale():
    assert [r.LEVEL_LABELS[level] for level in (5, 4, 3, 2, 1)] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]


def test_reasons_are_checked_and_ordered():
    assert r.clean_reasons(["OTHER", "SLOW", "SLOW"]) == ["SLOW", "OTHER"]
    assert r.clean_reasons([]) == []
    with pytest.raises(ValueError):
        r.clean_reasons(["RUDE_WORDS"])


@pytest.mark.parametrize(
    ("total", "count", "expected"), [(None, 0, None), (0, 0, None), (9, 2, 4.5), (10, 3, 3.33), (5, 1, 5.0)]
)
def test_average(total, count, expected):
    assert r.average(total, count) == expected


# (status, event, actor, reopen_count) -> target status, or the error raised.
TRANSITION_CASES = [
    (S.PENDING_ASSIGN, E.ASSIGN, Actor.SYSTEM, 0, S.ASSIGNED),
    (S.PENDING_ASSIGN, E.ASSIGN, Actor.STAFF, 0, S.ASSIGNED),
    (S.PENDING_ASSIGN, E.ASSIGN, Actor.SUPERVISOR, 0, S.ASSIGNED),
    (S.PENDING_ASSIGN, E.ASSIGN, Actor.APPLICANT, 0, r.NotPermitted),
    (S.PENDING_ASSIGN, E.CALLBACK, Actor.STAFF, 0, r.IllegalTransition),
    (S.ASSIGNED, E.CALLBACK, Actor.STAFF, 0, S.VERIFIED),
    (S.ASSIGNED, E.CALLBACK, Actor.SUPERVISOR, 0, r.NotPermitted),
    (S.ASSIGNED, E.START_FIX, Actor.STAFF, 0, r.IllegalTransition),
    (S.VERIFIED, E.START_FIX, Actor.STAFF, 0, S.RECTIFYING),
    (S.VERIFIED, E.EXPLAIN, Actor.STAFF, 0, S.FEEDBACK_GIVEN),
    (S.VERIFIED, E.REPORT_DONE, Actor.STAFF, 0, r.IllegalTransition),
    (S.RECTIFYING, E.REPORT_DONE, Actor.STAFF, 0, S.FEEDBACK_GIVEN),
    (S.RECTIFYING, E.REPORT_DONE, Actor.APPLICANT, 0, r.NotPermitted),
    (S.FEEDBACK_GIVEN, E.REACT_SATISFIED, Actor.APPLICANT, 0, S.CLOSED),
    (S.FEEDBACK_GIVEN, E.REACT_BASIC, Actor.APPLICANT, 0, S.CLOSED),
    (S.FEEDBACK_GIVEN, E.REACT_UNSATISFIED, Actor.APPLICANT, 0, S.RECTIFYING),  # once more
    (S.FEEDBACK_GIVEN, E.REACT_UNSATISFIED, Actor.APPLICANT, 1, S.ESCALATED),  # the second time: the supervisor
    (S.FEEDBACK_GIVEN, E.REACT_SATISFIED, Actor.STAFF, 0, r.NotPermitted),  # staff cannot answer for the evaluator
    (S.FEEDBACK_GIVEN, E.NO_RESPONSE, Actor.SYSTEM, 0, S.CLOSED),
    (S.FEEDBACK_GIVEN, E.NO_RESPONSE, Actor.STAFF, 0, r.NotPermitted),
    (S.ESCALATED, E.CLOSE, Actor.SUPERVISOR, 0, S.CLOSED),
    (S.ESCALATED, E.CLOSE, Actor.STAFF, 0, r.NotPermitted),
    (S.CLOSED, E.REACT_UNSATISFIED, Actor.APPLICANT, 0, r.IllegalTransition),
    (S.CLOSED, E.ASSIGN, Actor.SUPERVISOR, 0, r.IllegalTransition),
]


@pytest.mark.parametrize(("status", "event", "actor", "reopened", "expected"), TRANSITION_CASES)
def test_transitions(status, event, actor, reopened, expected):
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            r.next_status(status, event, actor, reopen_count=reopened)
    else:
        assert r.next_status(status, event, actor, reopen_count=reopened) is expected


def test_every_pair_outside_the_table_is_illegal():
    for status, event, actor in itertools.product(S, E, Actor):
        if (status, event) in r.TRANSITIONS:
            continue
        with pytest.raises(r.IllegalTransition):
            r.next_status(status, event, actor)


@pytest.mark.parametrize(
    ("status", "actor", "expected"),
    [
        (S.PENDING_ASSIGN, Actor.STAFF, [E.ASSIGN]),
        (S.VERIFIED, Actor.STAFF, [E.START_FIX, E.EXPLAIN]),
        (S.VERIFIED, Actor.APPLICANT, []),
        (S.FEEDBACK_GIVEN, Actor.APPLICANT, [E.REACT_SATISFIED, E.REACT_BASIC, E.REACT_UNSATISFIED]),
        (S.CLOSED, Actor.STAFF, []),
    ],
)
def test_available_events(status, actor, expected):
    assert r.available_events(status, actor) == expected


# opened (business time) -> call-back due, answer due, first yellow day
DEADLINE_CASES = [
    ("2025-09-30 10:00", "2025-10-09", "2025-10-14", "2025-10-11"),  # across National Day; Sat 10-11 is worked
    ("2026-03-06 16:00", "2026-03-09", "2026-03-13", "2026-03-11"),  # a Friday: the weekend does not count
    ("2026-03-06 17:30", "2026-03-10", "2026-03-16", "2026-03-12"),  # after closing: counts from Monday
    ("2026-03-07 10:00", "2026-03-10", "2026-03-16", "2026-03-12"),  # on a Saturday: counts from Monday
    ("2026-02-13 10:00", "2026-02-14", "2026-02-27", "2026-02-25"),  # Spring Festival; Sat 02-14 is worked
]


@pytest.mark.parametrize(("opened", "callback", "due", "warn"), DEADLINE_CASES)
def test_deadlines(opened, callback, due, warn):
    deadlines = r.rectification_deadlines(datetime.fromisoformat(opened), REAL)
    assert (deadlines.callback_due_on, deadlines.due_on, deadlines.warn_on) == (D(callback), D(due), D(warn))


# Opened Fri 2026-03-06 16:00: call-back due Mon 03-09, answer due Fri 03-13, yellow from Wed 03-11.
TAG_CASES = [
    (S.ASSIGNED, "2026-03-06", WarnLevel.GREEN),
    (S.ASSIGNED, "2026-03-09", WarnLevel.YELLOW),  # the call-back is due today
    (S.ASSIGNED, "2026-03-10", WarnLevel.RED),  # no call-back within 1 working day
    (S.PENDING_ASSIGN, "2026-03-10", WarnLevel.RED),
    (S.VERIFIED, "2026-03-10", WarnLevel.GREEN),  # called back: only the answer deadline counts
    (S.RECTIFYING, "2026-03-11", WarnLevel.YELLOW),
    (S.RECTIFYING, "2026-03-13", WarnLevel.YELLOW),  # due today
    (S.RECTIFYING, "2026-03-16", WarnLevel.RED),
    (S.FEEDBACK_GIVEN, "2026-03-16", WarnLevel.DONE),
    (S.ESCALATED, "2026-04-01", WarnLevel.DONE),
    (S.CLOSED, "2026-04-01", WarnLevel.DONE),
]


@pytest.mark.parametrize(("status", "today", "expected"), TAG_CASES)
def test_tags(status, today, expected):
    tag = r.rectification_tag(
        status, today=D(today), callback_due_on=D("2026-03-09"), due_on=D("2026-03-13"), warn_on=D("2026-03-11")
    )
    assert tag is expected
