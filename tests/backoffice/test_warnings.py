"""Warnings that reach people (issue 12, item 2): yellow / red once, 容缺 reminders, department digests."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from stations.cases.warnings import send_warnings
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import business_today, utcnow
from tests import factories as f
from tests.helpers.cases import fire, rongque_case


def _kinds_for(username: str) -> list[NotificationKind]:
    user = f.user(username)
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def _handed_case():
    case = f.make_case(item_obj=f.item("XK-SCJG-0001"))
    return fire(case, CaseEvent.ACCEPT)


def test_yellow_then_red_each_sent_once_to_the_handler_and_the_station(app):
    case = _handed_case()
    case.warn_on = business_today() - timedelta(days=1)
    case.overdue_at = utcnow() + timedelta(days=3)
    db.session.flush()

    run = send_warnings()
    assert run.cases == 1
    for username in ("dept-sc", "dept-sc-lead", "staff-ll"):  # before review: the department's people
        assert NotificationKind.DEADLINE_YELLOW in _kinds_for(username)
    assert NotificationKind.DEADLINE_YELLOW not in _kinds_for("dept-rs")
    assert _kinds_for("dept-sc").count(NotificationKind.DEPARTMENT_DIGEST) == 1
    again = send_warnings()
    assert again.cases == 0 and again.digests == 0  # idempotent

    fire(case, CaseEvent.START_REVIEW, by="dept-sc")
    case.overdue_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert send_warnings().cases == 1
    assert NotificationKind.DEADLINE_RED in _kinds_for("dept-sc")  # the first handler now
    assert NotificationKind.DEADLINE_RED not in _kinds_for("dept-sc-lead")
    assert NotificationKind.DEADLINE_RED in _kinds_for("staff-ll")
    assert send_warnings().cases == 0


def test_green_and_paused_cases_warn_nobody(app):
    case = f.make_case()
    fire(case, CaseEvent.ACCEPT)
    case.warn_on = business_today() + timedelta(days=5)
    db.session.flush()
    assert send_warnings().cases == 0


def test_rongque_items_falling_due_remind_the_responsible_clerk_once(app):
    case = rongque_case()
    for deficiency in case.deficiencies:
        deficiency.warn_on = business_today()
    db.session.flush()
    run = send_warnings()
    assert run.rongque == 1
    assert NotificationKind.RONGQUE_DUE in _kinds_for("staff-ll")
    assert send_warnings().rongque == 0


def test_the_daily_command(app):
    from stations.cases.cli import cases_group

    result = CliRunner().invoke(cases_group, ["warnings"], obj=app.cli)
    assert result.exit_code == 0 and "case warnings:" in result.output


def test_the_daily_jobs_are_on_the_job_runner(app):
    from stations.jobs.tasks import SCHEDULE, TASKS

    assert {"cases.deem_accepted", "cases.warnings"} <= {p.task for p in SCHEDULE} <= set(TASKS)
    from stations.cases.jobs import deem_accepted_job, warnings_job

    assert "deemed accepted" in deem_accepted_job() and "digests" in warnings_job()
