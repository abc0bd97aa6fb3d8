"""The small domain answers the pages read instead of copying status sets: whether an appeal's reply is still owed
(appeal_flow.awaits_reply), whether a project procedure is still open (project_flow.is_open), and which deadline a
meeting's current step runs against (meeting_flow.step_deadline). One row per status, each saying why."""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain.appeal_flow import AWAITING_REPLY_STATUSES, AppealStatus, awaits_reply
from stations.domain.meeting_flow import MeetingDeadlines, MeetingStatus, step_deadline
from stations.domain.project_flow import FINISHED, ProcedureStatus, is_open

A, P, M = AppealStatus, ProcedureStatus, MeetingStatus


@pytest.mark.parametrize(
    ("status", "owed"),
    [
        (A.REGISTERED, True),  # not even assigned: the reply date counts from registration
        (A.ASSIGNED, True),
        (A.SIGNED, True),
        (A.IN_PROGRESS, True),
        (A.REPLIED, False),  # answered: waiting for the enterprise's feedback, no promise left to keep
        (A.REOPENED, True),  # unsatisfied: a new reply is owed
        (A.ESCALATED, True),  # escalated after two re-opens: still owed, now with the leaders
        (A.CLOSED, False),
        (A.MERGED, False),  # the original appeal carries the promise
    ],
)
def test_awaits_reply(status, owed):
    assert awaits_reply(status) is owed


def test_awaits_reply_covers_every_status_and_reads_the_one_set():
    assert {s for s in AppealStatus if awaits_reply(s)} == AWAITING_REPLY_STATUSES


@pytest.mark.parametrize(
    ("status", "open_"),
    [
        (P.PLANNED, True),
        (P.IN_PROGRESS, True),
        (P.BLOCKED, True),  # blocked is still to be done: a dispatch meeting gives it a new date
        (P.DONE, False),  # done keeps the date it was done against
        (P.CLOSED_OUT, False),
    ],
)
def test_procedure_is_open(status, open_):
    assert is_open(status) is open_


def test_is_open_is_the_complement_of_finished():
    assert {s for s in ProcedureStatus if not is_open(s)} == FINISHED


DEADLINES = MeetingDeadlines(
    contact_due_on=date(2026, 3, 3),
    meeting_due_on=date(2026, 3, 9),
    contact_warn_on=date(2026, 3, 2),
    meeting_warn_on=date(2026, 3, 6),
)
CONTACT = (DEADLINES.contact_due_on, DEADLINES.contact_warn_on)
MEETING = (DEADLINES.meeting_due_on, DEADLINES.meeting_warn_on)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (M.REQUESTED, CONTACT),  # the station must call the enterprise within 1 working day
        (M.CONTACTED, MEETING),  # contacted: the meeting itself is what is due now
        (M.ROUTED, MEETING),
        (M.SCHEDULED, MEETING),  # a set time is judged against the meeting deadline
        (M.HELD, MEETING),  # over: the list shows its time, not a deadline
        (M.FOLLOWING_UP, MEETING),
        (M.CLOSED, MEETING),
        (M.CANCELLED, MEETING),  # without a time, the list still names the meeting deadline it had
        (M.REDIRECTED, MEETING),
    ],
)
def test_step_deadline(status, expected):
    assert step_deadline(status, DEADLINES) == expected
