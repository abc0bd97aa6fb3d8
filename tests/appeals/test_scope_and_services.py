"""Who sees which appeal (access.appeal_scope), who acts as what, and the service rules: merge, extension, close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from stations.access import appeal_actor, may_see_appeal
from stations.appeals import queries
from stations.appeals.models import Category, Nature, SourceChannel
from stations.appeals.services import AppealError, EventInput, RegisterInput, StaleAppeal, apply_event, register
from stations.catalog.models import Department
from stations.domain.appeal_flow import Actor, AppealEvent, AppealStatus, Feedback, GuardFailed, Urgency
from stations.extensions import db
from stations.timeutil import business_today, utcnow
from tests import factories as f


def _appeal(enterprise=None, user="staff-ll", **extra):
    """An appeal taken in by ``user`` about ``enterprise`` (by default a new one of the test's own at LL)."""
    data = RegisterInput(
        source_channel=SourceChannel.PHONE,
        category=Category.GOV_SERVICE,
        nature=Nature.HELP,
        urgency=Urgency.NORMAL,
        description="测试",
        enterprise=enterprise or f.make_enterprise(station_code="LL"),
        **extra,
    )
    return register(data, f.user(user))


def _department(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def _assign(appeal, code="SB"):
    apply_event(
        appeal,
        EventInput(event=AppealEvent.ASSIGN, department_id=_department(code).id, due_on=appeal.due_on),
        f.user("admin"),
        Actor.SUPERVISOR,
    )


@pytest.mark.parametrize(
    ("username", "sees_ll", "sees_qn"),
    [
        ("admin", True, True),
        ("central", True, True),
        ("staff-ll", True, False),
        ("staff-qh", False, True),
        ("clerk-ll", True, False),  # the LL enterprise (gd) is its client
        ("gd's account", True, False),
        ("qn's account", False, True),
        ("comm-ll", True, False),
        ("dept-rs", True, False),  # the LL appeal is assigned to 人社 below
        ("dept-kf", False, False),
    ],
)
def test_scope_by_role(username, sees_ll, sees_qn, gd, qn):
    ll_appeal, qh_appeal = _appeal(gd.enterprise), _appeal(qn.enterprise, user="staff-qh")
    _assign(ll_appeal, "SB")
    _assign(qh_appeal, "SCJG")
    user = {"gd's account": gd.account, "qn's account": qn.account}.get(username) or f.user(username)
    assert may_see_appeal(user, ll_appeal) is sees_ll
    assert may_see_appeal(user, qh_appeal) is sees_qn
    assert (queries.appeal_for(user, ll_appeal.appeal_no) is not None) is sees_ll
    listed = {a.appeal_no for a in queries.queue(user, include_closed=True, size=500).rows}
    assert (ll_appeal.appeal_no in listed) is sees_ll and (qh_appeal.appeal_no in listed) is sees_qn


def test_actors_by_role(gd):
    appeal = _appeal(gd.enterprise)
    _assign(appeal, "SB")
    assert appeal_actor(f.user("admin"), appeal) is Actor.SUPERVISOR
    assert appeal_actor(f.user("central"), appeal) is None  # read-only
    assert appeal_actor(f.user("staff-ll"), appeal) is Actor.FRONT
    assert appeal_actor(f.user("comm-ll"), appeal) is Actor.FRONT
    assert appeal_actor(gd.account, appeal) is Actor.ENTERPRISE
    assert appeal_actor(f.user("dept-rs"), appeal) is Actor.DEPARTMENT
    assert appeal_actor(f.user("dept-kf"), appeal) is None


def test_queue_puts_urgent_first():
    normal = _appeal()
    data = RegisterInput(
        source_channel=SourceChannel.VISIT,
        category=Category.OTHER,
        nature=Nature.HELP,
        urgency=Urgency.URGENT,
        description="急",
        enterprise=f.make_enterprise(station_code="LL"),
    )
    urgent = register(data, f.user("staff-ll"))
    rows = [a.appeal_no for a in queries.queue(f.user("staff-ll"), size=500).rows]
    assert rows.index(urgent.appeal_no) < rows.index(normal.appeal_no)


def test_supervisor_merges_a_duplicate():
    enterprise = f.make_enterprise(station_code="LL")
    original, duplicate = _appeal(enterprise), _appeal(enterprise)  # the same enterprise's appeal twice
    admin = f.user("admin")
    with pytest.raises(AppealError):
        apply_event(duplicate, EventInput(event=AppealEvent.MERGE, original_no="SQ-NONE"), admin, Actor.SUPERVISOR)
    apply_event(duplicate, EventInput(event=AppealEvent.MERGE, original_no=original.appeal_no), admin, Actor.SUPERVISOR)
    assert duplicate.status is AppealStatus.MERGED and duplicate.duplicate_of_id == original.id


def test_leader_extends_and_a_stale_version_is_refused():
    appeal = _appeal()
    _assign(appeal)
    dept = f.user("dept-rs")
    apply_event(appeal, EventInput(event=AppealEvent.SIGN), dept, Actor.DEPARTMENT)
    apply_event(appeal, EventInput(event=AppealEvent.FIRST_CONTACT), dept, Actor.DEPARTMENT)
    later = appeal.due_on + timedelta(days=10)
    with pytest.raises(GuardFailed):
        apply_event(appeal, EventInput(event=AppealEvent.EXTEND, due_on=later), dept, Actor.DEPT_LEADER)
    apply_event(
        appeal, EventInput(event=AppealEvent.EXTEND, due_on=later, reason="需现场核查"), dept, Actor.DEPT_LEADER
    )
    assert appeal.due_on == later and appeal.warn_on < later
    with pytest.raises(StaleAppeal):
        apply_event(appeal, EventInput(event=AppealEvent.REPLY, version=1), dept, Actor.DEPARTMENT)


def test_close_without_answer_only_after_three_working_days():
    appeal = _appeal()
    _assign(appeal)
    dept, admin = f.user("dept-rs"), f.user("admin")
    for event in (AppealEvent.SIGN, AppealEvent.FIRST_CONTACT):
        apply_event(appeal, EventInput(event=event), dept, Actor.DEPARTMENT)
    apply_event(
        appeal, EventInput(event=AppealEvent.REPLY, reply_text="答复", signed_off_by="科长"), dept, Actor.DEPARTMENT
    )
    with pytest.raises(GuardFailed) as failure:
        apply_event(appeal, EventInput(event=AppealEvent.CLOSE), admin, Actor.SUPERVISOR)
    assert failure.value.code == "no_response_wait"
    apply_event(appeal, EventInput(event=AppealEvent.CLOSE), admin, Actor.SUPERVISOR, at=utcnow() + timedelta(days=10))
    assert appeal.status is AppealStatus.CLOSED and appeal.feedback is Feedback.NO_RESPONSE


def test_second_unsatisfied_callback_leads_to_escalation():
    appeal = _appeal()
    _assign(appeal)
    dept, staff, admin = f.user("dept-rs"), f.user("staff-ll"), f.user("admin")
    for event in (AppealEvent.SIGN, AppealEvent.FIRST_CONTACT):
        apply_event(appeal, EventInput(event=event), dept, Actor.DEPARTMENT)
    reply = EventInput(event=AppealEvent.REPLY, reply_text="答复", signed_off_by="科长")
    unsatisfied = EventInput(event=AppealEvent.CALLBACK, feedback=Feedback.UNSATISFIED)
    for _round in range(2):
        apply_event(appeal, reply, dept, Actor.DEPARTMENT)
        apply_event(appeal, unsatisfied, staff, Actor.FRONT)
        if appeal.reopen_count < 2:
            apply_event(appeal, EventInput(event=AppealEvent.REOPEN), staff, Actor.FRONT)
    assert appeal.status is AppealStatus.REOPENED and appeal.reopen_count == 2
    with pytest.raises(GuardFailed):
        apply_event(appeal, EventInput(event=AppealEvent.REOPEN), staff, Actor.FRONT)
    apply_event(appeal, EventInput(event=AppealEvent.ESCALATE), admin, Actor.SUPERVISOR)
    assert appeal.status is AppealStatus.ESCALATED and appeal.due_on >= business_today()


def test_due_date_in_the_past_is_refused():
    appeal = _appeal()
    event = EventInput(
        event=AppealEvent.ASSIGN, department_id=_department("SB").id, due_on=business_today() - timedelta(days=1)
    )
    with pytest.raises(AppealError) as failure:
        apply_event(appeal, event, f.user("admin"), Actor.SUPERVISOR)
    assert failure.value.code == "due_in_past"


def test_the_daily_sweep_closes_unanswered_replies_and_escalates(app):
    from stations.appeals.services import daily_sweep

    appeal = _appeal()
    _assign(appeal)
    dept, staff = f.user("dept-rs"), f.user("staff-ll")
    for event in (AppealEvent.SIGN, AppealEvent.FIRST_CONTACT):
        apply_event(appeal, EventInput(event=event), dept, Actor.DEPARTMENT)
    apply_event(
        appeal, EventInput(event=AppealEvent.REPLY, reply_text="答复", signed_off_by="科长"), dept, Actor.DEPARTMENT
    )
    assert appeal.status is AppealStatus.REPLIED
    daily_sweep()
    assert appeal.status is AppealStatus.REPLIED  # not yet 3 working days
    daily_sweep(utcnow() + timedelta(days=10))
    assert appeal.status is AppealStatus.CLOSED and appeal.feedback is Feedback.NO_RESPONSE
    assert appeal.events[-1].actor_role == "SYSTEM"
    runner = app.test_cli_runner()
    assert "closed" in runner.invoke(args=["appeals", "sweep"]).output
    del staff


def test_numbers_run_on_per_day():
    first, second = _appeal(), _appeal()
    assert first.appeal_no[:10] == second.appeal_no[:10] == f"SQ{business_today():%Y%m%d}"
    assert int(second.appeal_no[10:]) == int(first.appeal_no[10:]) + 1
