"""Issue 14/16 seams: meeting commitments, session questions and blocked key-project procedures become appeals
(the one appeals core), once each, linked both ways; commitments carry a working-day deadline and 红黄绿."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from stations.appeals.models import Appeal, SourceChannel
from stations.calendar.services import current_calendar
from stations.domain.meeting_flow import MeetingEvent, MeetingStatus
from stations.domain.project_flow import ProcedureStatus
from stations.domain.workdays import add_working_days
from stations.extensions import db
from stations.meetings import policy_services, services
from stations.meetings.models import Meeting
from stations.meetings.policy_models import SessionQuestion
from stations.meetings.services import EventInput
from stations.projects import services as project_services
from stations.projects.models import Project
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.meetings import scheduled
from tests.helpers.suite import csrf_token_from
from tests.meetings.test_policy_sessions import _session


def _appeal(appeal_no: str) -> Appeal:
    return db.session.scalar(select(Appeal).where(Appeal.appeal_no == appeal_no))


def _held_with_commitments(owner: f.Client | None = None) -> Meeting:
    meeting = scheduled(owner=owner)
    with time_machine.travel(meeting.starts_at + timedelta(minutes=30), tick=False):
        services.fire(
            meeting,
            f.user("staff-ll"),
            MeetingEvent.HOLD,
            meeting.version,
            EventInput(
                minutes="部长答复:下月上旬可接驳。", commitments=[("办理接驳手续", "开发建设部", 5), ("复函", "", None)]
            ),
        )
    return meeting


def test_commitments_become_appeals_linked_both_ways(login_as, gd):
    meeting = _held_with_commitments(gd)
    first, second = meeting.commitments
    assert first.appeal_no and second.appeal_no and first.appeal_no != second.appeal_no
    appeal = _appeal(first.appeal_no)
    assert appeal.source_channel is SourceChannel.APPOINTMENT
    assert appeal.enterprise_id == meeting.enterprise_id and "办理接驳手续" in appeal.description
    held_on = services.local(meeting.starts_at).date()
    assert first.due_on == add_working_days(held_on, 5, current_calendar())
    assert second.due_on == add_working_days(held_on, 10, current_calendar())  # the default
    # Once: the seam called again keeps the appeal.
    assert services.commitment_to_appeal(first) == first.appeal_no
    assert (
        db.session.scalar(
            select(func.count()).select_from(Appeal).where(Appeal.origin_ref.like(f"{meeting.meeting_no}#%"))
        )
        == 2
    )
    db.session.commit()
    staff = login_as("staff-ll")
    page = staff.get(f"/meetings/{meeting.meeting_no}").get_data(as_text=True)
    assert f"/appeals/{first.appeal_no}" in page and "commitment-green" in page
    back = staff.get(f"/appeals/{first.appeal_no}").get_data(as_text=True)
    assert f"/meetings/{meeting.meeting_no}" in back and "约见承诺事项" in back
    enterprise_view = login_as(gd.username).get(f"/appeals/{first.appeal_no}").get_data(as_text=True)
    assert f"/meetings/{meeting.meeting_no}" in enterprise_view


def test_commitments_handed_to_appeals_do_not_hold_the_meeting_open():
    meeting = _held_with_commitments()
    assert meeting.status is MeetingStatus.FOLLOWING_UP
    assert all(not c.is_open for c in meeting.commitments)


def test_commitment_colour_turns_red_after_its_deadline(login_as):
    meeting = _held_with_commitments()
    db.session.commit()
    due = meeting.commitments[0].due_on
    with time_machine.travel(due + timedelta(days=3), tick=False):
        page = login_as("staff-ll").get(f"/meetings/{meeting.meeting_no}").get_data(as_text=True)
    assert "commitment-red" in page


def test_a_question_becomes_an_appeal_once(login_as, gd):
    session = _session(5)
    question = policy_services.ask(session, gd.account, "补贴何时申报?")
    db.session.commit()
    staff = login_as("staff-ll")
    token = csrf_token_from(staff, f"/sessions/{session.id}")
    assert "转为诉求" in staff.get(f"/sessions/{session.id}").get_data(as_text=True)
    for _ in range(2):
        assert staff.post(f"/sessions/questions/{question.id}/appeal", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    question = db.session.get(SessionQuestion, question.id)
    appeal = _appeal(question.appeal_no)
    assert appeal.source_channel is SourceChannel.POLICY_SESSION
    assert (
        db.session.scalar(
            select(func.count()).select_from(Appeal).where(Appeal.origin_ref == f"{session.id}#{question.id}")
        )
        == 1
    )
    assert question.appeal_no in staff.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/sessions/{session.id}" in staff.get(f"/appeals/{appeal.appeal_no}").get_data(as_text=True)
    enterprise = login_as(gd.username)
    own = csrf_token_from(enterprise, f"/sessions/{session.id}")
    assert enterprise.post(f"/sessions/questions/{question.id}/appeal", data={"csrf_token": own}).status_code == 403
    assert staff.post("/sessions/questions/999999/appeal", data={"csrf_token": token}).status_code == 404


def _blockable():
    for project in db.session.scalars(select(Project).where(Project.station_id == f.station("LL").id)):
        for procedure in project.procedures:
            if procedure.status is ProcedureStatus.IN_PROGRESS:
                return project, procedure
    raise AssertionError("no procedure in progress in the demo")


def test_a_blocked_procedure_raises_one_appeal_per_blockage(login_as):
    project, procedure = _blockable()
    comm = f.user("comm-ll")
    project_services.apply_procedure_event(
        procedure, project_services.ProcedureEvent.BLOCK, comm, note="用地指标待协调"
    )
    first = procedure.appeal_no
    appeal = _appeal(first)
    assert appeal.source_channel is SourceChannel.KEY_PROJECT and "用地指标待协调" in appeal.description
    # Blocked again after resuming while its appeal is still open: the same appeal, not a second one.
    project_services.apply_procedure_event(procedure, project_services.ProcedureEvent.RESUME, comm)
    project_services.apply_procedure_event(procedure, project_services.ProcedureEvent.BLOCK, comm, note="仍待协调")
    assert procedure.appeal_no == first
    assert project_services.raise_appeal_for_blocked(procedure, "again", comm) == first
    db.session.commit()
    staff = login_as("comm-ll")
    assert f"/appeals/{first}" in staff.get(f"/projects/{project.code}").get_data(as_text=True)
    assert f"/projects/{project.code}" in login_as("admin").get(f"/appeals/{first}").get_data(as_text=True)
    # Once the appeal is concluded, a new blockage raises a new appeal.
    appeal.status = appeal.status.__class__.CLOSED
    db.session.flush()
    project_services.apply_procedure_event(procedure, project_services.ProcedureEvent.RESUME, comm)
    project_services.apply_procedure_event(procedure, project_services.ProcedureEvent.BLOCK, comm, note="新的阻碍")
    assert procedure.appeal_no != first
    assert business_today()


def test_the_central_board_counts_commitments_by_colour(login_as):
    from stations.meetings import commitment_board

    before = commitment_board.counts()
    meeting = _held_with_commitments()
    db.session.commit()
    after = commitment_board.counts()
    assert after.open == before.open + 2 and after.green >= before.green + 1
    due = meeting.commitments[0].due_on
    with time_machine.travel(due + timedelta(days=3), tick=False):
        assert commitment_board.counts().red >= before.red + 1
    response = login_as("central").get("/dashboard")
    assert response.status_code == 200 and "commitment-counts" in response.get_data(as_text=True)


def test_api_answers_a_meeting_with_its_commitments(login_as, gd):
    from tests.web.test_openapi import conforms

    meeting = _held_with_commitments(gd)
    db.session.commit()
    answer = login_as(gd.username).get(f"/api/v1/meetings/{meeting.meeting_no}").get_json()
    assert conforms(answer, {"$ref": "#/components/schemas/Meeting"}) == []
    assert [c["appeal_no"] for c in answer["commitments"]] == [c.appeal_no for c in meeting.commitments]
    assert answer["commitments"][0]["warn_level"] == "GREEN"


def test_the_demo_links_commitments_and_blocked_procedures_to_appeals():
    from stations.appeals import origins

    kinds = set(db.session.scalars(select(Appeal.origin_kind).where(Appeal.origin_kind.is_not(None))))
    assert {origins.MEETING_COMMITMENT, origins.PROJECT_PROCEDURE} <= kinds


def test_only_the_hosting_station_answers_or_raises_a_question(login_as, gd):
    """A session hosted by LL: staff of QH get 404 on its questions, as on any record out of their scope."""
    session = _session(5)
    session.station_id = f.station("LL").id
    question = policy_services.ask(session, gd.account, "人才补贴何时申报?")
    db.session.commit()
    other = login_as("staff-qh")
    token = csrf_token_from(other, "/sessions/")
    answer_url = f"/sessions/questions/{question.id}/answer"
    appeal_url = f"/sessions/questions/{question.id}/appeal"
    assert other.post(answer_url, data={"csrf_token": token, "answer": "下月"}).status_code == 404
    assert other.post(appeal_url, data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    unchanged = db.session.get(SessionQuestion, question.id)
    assert unchanged.appeal_no is None and not unchanged.answer

    host = login_as("staff-ll")
    token = csrf_token_from(host, f"/sessions/{session.id}")
    assert host.post(answer_url, data={"csrf_token": token, "answer": "下月申报"}).status_code == 303
    assert host.post(appeal_url, data={"csrf_token": token}).status_code == 303
    admin = login_as("admin")
    assert admin.post(appeal_url, data={"csrf_token": csrf_token_from(admin, "/sessions/")}).status_code == 303
