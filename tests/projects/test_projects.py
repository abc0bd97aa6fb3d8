"""Key projects: the board (colours, flat query count), a project page, procedure events, dispatch meetings with
new time points, site visits, 销号, the API, bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from stations.domain.project_flow import ProcedureStatus
from stations.extensions import db
from stations.projects import queries
from stations.projects.models import Project, ProjectProcedure
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.suite import csrf_token_from
from tests.web.test_openapi import conforms, response_schema


def test_the_demo_board_has_57_projects_in_every_colour(login_as):
    rows = queries.board(f.user("central"), business_today())
    assert len(rows) == 57
    levels = {row.level for row in rows}
    assert {"red", "yellow", "green", "paused", "done"} <= levels
    figures = queries.period_figures(business_today())
    assert figures["total"] == 57 and figures["closed_out"] == 20
    assert figures["red"] + figures["yellow"] + figures["green"] + figures["closed_out"] == 57
    page = login_as("central").get("/projects/?level=red")
    assert page.status_code == 200 and "超期" in page.get_data(as_text=True)


def test_commissioner_sees_its_park_and_department_its_procedures(login_as):
    commissioner = queries.board(f.user("comm-ll"), business_today())
    assert commissioner and all(row.station == f.station("LL").name for row in commissioner)
    assert queries.board(f.user("dept-kf"), business_today())  # 用地 is 开发建设部's
    assert queries.board(f.user("dept-rs"), business_today()) == []  # 人社 has no procedure
    other = db.session.scalar(select(Project).where(Project.station_id == f.station("QH").id))
    assert login_as("comm-ll").get(f"/projects/{other.code}").status_code == 404


def test_board_query_count_is_flat(app, login_as, count_queries):
    client = login_as("central")
    client.get("/projects/")  # warm the calendar cache
    with count_queries() as few:
        client.get("/projects/")
    department = db.session.scalar(select(ProjectProcedure.department_id).limit(1))
    for n in range(40):
        project = Project(code=f"T{n:04d}", name=f"测试项目{n}", station_id=f.station("LL").id)
        for k in range(12):
            project.procedures.append(
                ProjectProcedure(seq=k, name=f"手续{k}", department_id=department, planned_on=business_today())
            )
        db.session.add(project)
    db.session.flush()
    with count_queries() as many:
        response = client.get("/projects/")
    assert response.status_code == 200 and "测试项目39" in response.get_data(as_text=True)
    assert many.count == few.count, (few.statements, many.statements)


def test_commissioner_drives_procedures_meeting_visit_and_close_out(login_as):
    project = f.make_project()  # at the LL park: 立项 done, 用地 in progress, 施工许可 planned
    client = login_as("comm-ll")
    token = csrf_token_from(client, f"/projects/{project.code}")
    procedure = next(p for p in project.procedures if p.status is ProcedureStatus.IN_PROGRESS)
    url = f"/projects/{project.code}/procedures/{procedure.id}"
    assert client.post(f"{url}/block", data={"csrf_token": token}).status_code == 422  # a reason is required
    assert client.post(f"{url}/block", data={"csrf_token": token, "note": "用地指标待协调"}).status_code == 303
    page = client.get(f"/projects/{project.code}").get_data(as_text=True)
    assert "用地指标待协调" in page and "下次调度会议议题" in page
    assert client.post(f"{url}/start", data={"csrf_token": token}).status_code == 409  # not from BLOCKED
    assert client.post(f"{url}/resume", data={"csrf_token": token}).status_code == 303
    open_procedures = [
        p for p in project.procedures if p.status not in (ProcedureStatus.DONE, ProcedureStatus.CLOSED_OUT)
    ]
    new_date = business_today() + timedelta(days=30)
    meeting = {
        "csrf_token": token,
        "held_on": business_today().isoformat(),
        "decisions": "明确时间节点",
        "owners": "开发建设部",
        **{f"planned_{p.id}": new_date.isoformat() for p in open_procedures},
    }
    assert client.post(f"/projects/{project.code}/meetings", data=meeting).status_code == 303
    assert all(p.planned_on == new_date for p in open_procedures)
    bad = dict(meeting, **{f"planned_{open_procedures[0].id}": "2026-13-45"})
    assert client.post(f"/projects/{project.code}/meetings", data=bad).status_code == 422
    visit = {"csrf_token": token, "visited_on": business_today().isoformat(), "note": "现场走访"}
    assert client.post(f"/projects/{project.code}/visits", data=visit).status_code == 303
    assert client.post(f"/projects/{project.code}/close-out", data={"csrf_token": token}).status_code == 403
    central = login_as("central")
    central_token = csrf_token_from(central, f"/projects/{project.code}")
    refused = central.post(f"/projects/{project.code}/close-out", data={"csrf_token": central_token})
    assert refused.status_code == 409 and "不能销号" in refused.get_data(as_text=True)
    for p in open_procedures:
        p.status = ProcedureStatus.DONE
    db.session.flush()
    assert central.post(f"/projects/{project.code}/close-out", data={"csrf_token": central_token}).status_code == 303
    assert project.closed_out_at is not None
    assert all(p.status is ProcedureStatus.CLOSED_OUT for p in project.procedures)


def test_department_marks_its_own_procedure_done_only(login_as):
    project = f.make_project()
    land = next(p for p in project.procedures if p.name.startswith("用地"))
    other = next(p for p in project.procedures if p.name == "施工许可")
    client = login_as("dept-kf")
    token = csrf_token_from(client, f"/projects/{project.code}")
    assert (
        client.post(f"/projects/{project.code}/procedures/{other.id}/done", data={"csrf_token": token}).status_code
        == 403
    )
    land.status = ProcedureStatus.IN_PROGRESS
    db.session.flush()
    assert (
        client.post(f"/projects/{project.code}/procedures/{land.id}/done", data={"csrf_token": token}).status_code
        == 303
    )
    assert land.status is ProcedureStatus.DONE
    assert (
        client.post(f"/projects/{project.code}/procedures/{land.id}/nonsense", data={"csrf_token": token}).status_code
        == 404
    )


def test_api_projects_per_contract(login_as):
    response = login_as("central").get("/api/v1/projects")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 57 and conforms(body, response_schema("/api/v1/projects", 200)) == []
    assert {p["warn_level"] for p in body} >= {"RED", "YELLOW", "GREEN", "DONE"}
    assert login_as("staff-ll").get("/api/v1/projects").status_code == 403
