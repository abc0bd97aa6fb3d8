"""The legal clock on cases (issue 12, item 6): deemed acceptance, 延期, 特别程序, status codes, 统一出证 counts."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from stations.cases import services
from stations.cases.deemed import deem_accepted
from stations.cases.models import CasePause
from stations.cases.services import CaseError, EventInput
from stations.domain.case_flow import GuardFailed, NotPermitted
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.extensions import db
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.cases import fire, utc


def test_deemed_acceptance_on_the_day_after_day_5_across_national_day(app):
    # Received Tue 09-29: 09-30, (holiday 10-01..07), 10-08, 10-09, Sat 10-10 (worked), 10-12 = day 5.
    case = f.make_case(now=utc("2026-09-29 10:00"))
    assert deem_accepted(now=utc("2026-10-12 18:00")) == []
    assert case.status is CaseStatus.RECEIVED

    assert deem_accepted(now=utc("2026-10-13 08:00")) == [case]
    assert case.status is CaseStatus.ACCEPTED and case.deemed_accepted
    assert case.accepted_at == case.received_at  # accepted from the receipt (行政许可法 Art. 32)
    assert case.due_on is not None and case.accepted_by_id is None
    assert [r.event for r in case.events][-1] == "deemed_accept"
    assert deem_accepted(now=utc("2026-10-14 08:00")) == []  # idempotent


def test_a_case_with_a_correction_notice_is_never_deemed_accepted(app):
    case = f.make_case(now=utc("2026-09-29 10:00"), materials="missing")
    fire(case, CaseEvent.REQUEST_CORRECTION, now=utc("2026-09-29 11:00"), note="营业执照")
    fire(case, CaseEvent.CORRECTION_DONE, now=utc("2026-09-30 11:00"))
    assert deem_accepted(now=utc("2026-11-02 08:00")) == []


def test_the_daily_command_is_idempotent(app):
    f.make_case(now=utc("2026-09-29 10:00"))
    runner = CliRunner()
    from stations.cases.cli import cases_group

    first = runner.invoke(cases_group, ["deem-accepted"], obj=app.cli)
    assert first.exit_code == 0 and "deemed accepted: 1" in first.output
    second = runner.invoke(cases_group, ["deem-accepted"], obj=app.cli)
    assert "deemed accepted: 0" in second.output


def _accepted_in_review(at: str = "2026-11-02 09:00"):
    case = f.make_case(now=utc(at))
    fire(case, CaseEvent.ACCEPT, now=utc(at))
    return fire(case, CaseEvent.START_REVIEW, now=utc(at))


def test_extension_moves_the_due_date_by_ten_working_days_once_with_an_approvers_consent(app):
    case = _accepted_in_review()
    due = case.due_on
    with pytest.raises(NotPermitted):
        fire(case, CaseEvent.EXTEND, by="staff-ll", reason="需现场核查")
    fire(case, CaseEvent.EXTEND, by="admin", reason="需现场核查", now=utc("2026-11-03 10:00"))
    assert case.extended_days == 10 and case.extended_at is not None
    cal = services.current_calendar()
    from stations.domain.workdays import working_days_between

    assert working_days_between(due, case.due_on, cal) == 10
    assert case.warn_on < case.due_on and case.overdue_at is not None
    with pytest.raises(GuardFailed, match="already_extended"):
        fire(case, CaseEvent.EXTEND, by="admin", reason="再次延期")


def test_special_procedure_pauses_the_clock_and_moves_the_due_date(app):
    case = _accepted_in_review("2026-11-02 09:00")  # Mon; 5 WD promised or more
    due = case.due_on
    with pytest.raises(CaseError):
        fire(case, CaseEvent.START_SPECIAL, reason="专家评审", special_kind="不存在", now=utc("2026-11-03 09:00"))
    fire(case, CaseEvent.START_SPECIAL, reason="组织专家评审", special_kind="专家评审", now=utc("2026-11-03 09:00"))
    assert case.status is CaseStatus.SPECIAL
    pause = db.session.query(CasePause).filter_by(case_id=case.id).one()
    assert pause.started_on == date(2026, 11, 3) and pause.ended_on is None
    fire(case, CaseEvent.END_SPECIAL, now=utc("2026-11-10 09:00"))  # one week later: 5 working days not counted
    assert case.status is CaseStatus.IN_REVIEW and pause.ended_on == date(2026, 11, 10)
    from stations.domain.workdays import working_days_between

    assert working_days_between(due, case.due_on, services.current_calendar()) == 5
    assert case.extended_days == 5


def test_status_code_in_the_api_and_issued_in_the_period_figures(login_as):
    case = _accepted_in_review()
    fire(case, CaseEvent.START_SPECIAL, reason="检验", special_kind="检验")
    staff = login_as("staff-ll")
    assert staff.get(f"/api/v1/cases/{case.case_no}").get_json()["status_code"] == 9
    fire(case, CaseEvent.END_SPECIAL)
    fire(case, CaseEvent.DECIDE_APPROVE)
    fire(case, CaseEvent.ISSUE)
    assert staff.get(f"/api/v1/cases/{case.case_no}").get_json()["status_code"] == 11
    db.session.commit()
    central = login_as("central")
    today = business_today().isoformat()
    body = central.get(f"/api/v1/metrics/period?from={today}&to={today}").get_json()
    assert body["issued"] >= 1


def test_extend_and_special_through_the_case_page(login_as):
    from tests.helpers.cases import post_event

    case = _accepted_in_review()
    admin = login_as("admin")
    page = admin.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "/events/extend" in page
    assert post_event(admin, case, "extend").status_code == 422  # a reason is required
    assert post_event(admin, case, "extend", reason="需现场核查").status_code == 303
    staff = login_as("staff-ll")
    assert post_event(staff, case, "start_special", reason="听证", special_kind="无此类别").status_code == 422
    assert post_event(staff, case, "start_special", reason="听证会", special_kind="听证").status_code == 303
    db.session.expire_all()
    assert case.status is CaseStatus.SPECIAL


def test_event_input_carries_the_special_kind():
    assert EventInput(special_kind="检测").special_kind == "检测"


def test_the_board_shows_issued(login_as):
    body = login_as("central").get("/dashboard/figures?period=month").get_data(as_text=True)
    assert 'data-figure="issued"' in body and "统一出证量" in body
