"""Writes on key projects: procedure events, dispatch meetings with new time points, site visits, 销号.

Flush, never commit. A blocked procedure goes on the next dispatch meeting's agenda and raises an appeal through
``raise_appeal_for_blocked`` (the one seam).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ..access import project_actions_for
from ..appeals import origins
from ..appeals.models import Category, Nature, SourceChannel
from ..appeals.services import RegisterInput
from ..auth.models import User
from ..cases.models import Case
from ..domain import project_flow
from ..domain.appeal_flow import Urgency
from ..domain.project_flow import ProcedureEvent, ProcedureStatus
from ..extensions import db
from ..timeutil import utcnow
from .models import DispatchMeeting, Project, ProjectProcedure, SiteVisit

MAX_TEXT = 2000


class ProjectError(Exception):
    def __init__(self, code: str, status: int = 422):
        super().__init__(code)
        self.code = code
        self.status = status


def _require(user: User, project: Project, action: str, procedure: ProjectProcedure | None = None) -> None:
    if action not in project_actions_for(user, project, procedure):
        raise ProjectError("read_only", 403)


def raise_appeal_for_blocked(procedure: ProjectProcedure, note: str, user: User) -> str | None:
    """THE seam to appeals (issue 16): a blocked procedure of a key project raises an appeal (source 重点项目).

    Once per blockage: while the procedure's appeal is still open, blocking again keeps it (appeals.origins finds
    it); after it concluded, a new blockage raises a new one. The number stays on the procedure
    (``appeal_no``), the appeal links back to the project. The block also goes on the next dispatch meeting.
    """
    project = procedure.project
    enterprise = project.enterprise
    data = RegisterInput(
        source_channel=SourceChannel.KEY_PROJECT,
        category=Category.GOV_SERVICE,
        nature=Nature.HELP,
        urgency=Urgency.COMPLEX,
        description=f"重点项目 {project.code}「{project.name}」手续「{procedure.name}」受阻:{note}",
        enterprise=enterprise,
        enterprise_name=project.name if enterprise is None else "",
        station_id=project.station_id,
    )
    appeal = origins.raise_from(origins.PROJECT_PROCEDURE, f"{project.code}#{procedure.id}", data, user)
    procedure.appeal_no = appeal.appeal_no
    return appeal.appeal_no


def apply_procedure_event(
    procedure: ProjectProcedure, event: ProcedureEvent, user: User, *, note: str = "", now: datetime | None = None
) -> ProjectProcedure:
    """:raise ProjectError: ``read_only`` (403), ``not_allowed`` when the event does not apply, ``note_required``."""
    _require(user, procedure.project, event.value, procedure)
    try:
        target = project_flow.next_status(procedure.status, event)
    except project_flow.ProcedureFlowError as error:
        raise ProjectError("not_allowed", 409) from error
    note = note.strip()[:MAX_TEXT]
    if event is ProcedureEvent.BLOCK:
        if not note:
            raise ProjectError("note_required")
        procedure.blocked_note = note
        raise_appeal_for_blocked(procedure, note, user)
    if event is ProcedureEvent.RESUME:
        procedure.blocked_note = None
    if event is ProcedureEvent.DONE:
        procedure.done_at = now or utcnow()
    procedure.status = target
    db.session.flush()
    return procedure


@dataclass
class NewTimePoint:
    procedure_id: int
    planned_on: date


def record_meeting(
    project: Project,
    user: User,
    *,
    held_on: date,
    decisions: str,
    owners: str,
    time_points: list[NewTimePoint],
) -> DispatchMeeting:
    """调度推进会议: its decisions and owners; the new time points replace the procedures' planned dates."""
    _require(user, project, "meeting")
    if not decisions.strip():
        raise ProjectError("decisions_required")
    procedures = {p.id: p for p in project.procedures}
    for point in time_points:
        procedure = procedures.get(point.procedure_id)
        if procedure is None:
            raise ProjectError("not_found", 404)
        if project_flow.is_open(procedure.status):  # the page offers the open ones only
            procedure.planned_on = point.planned_on
    meeting = DispatchMeeting(
        project=project,
        held_on=held_on,
        decisions=decisions.strip()[:MAX_TEXT],
        owners=owners.strip()[:200],
        recorded_by_id=user.id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def log_visit(project: Project, user: User, *, visited_on: date, note: str) -> SiteVisit:
    _require(user, project, "visit")
    visit = SiteVisit(project=project, visited_on=visited_on, note=note.strip()[:MAX_TEXT], visitor_id=user.id)
    db.session.add(visit)
    db.session.flush()
    return visit


def link_case(procedure: ProjectProcedure, user: User, case_no: str) -> ProjectProcedure:
    """Link the case that handles this procedure (a case of the project's owner)."""
    _require(user, procedure.project, "link", procedure)
    case = db.session.scalar(select(Case).where(Case.case_no == case_no.strip().upper()[:24]))
    if case is None or (procedure.project.enterprise_id and case.enterprise_id != procedure.project.enterprise_id):
        raise ProjectError("case_not_found", 404)
    procedure.case_id = case.id
    db.session.flush()
    return procedure


def close_out(project: Project, user: User, *, now: datetime | None = None) -> Project:
    """销号: every procedure done → closed out, the project with them. :raise ProjectError: ``not_all_done``."""
    _require(user, project, "close_out")
    if project.closed_out_at is not None:
        raise ProjectError("already_closed", 409)
    if not project_flow.may_close_out(p.status for p in project.procedures):
        raise ProjectError("not_all_done", 409)
    for procedure in project.procedures:
        if procedure.status is ProcedureStatus.DONE:
            procedure.status = ProcedureStatus.CLOSED_OUT
    project.closed_out_at = now or utcnow()
    db.session.flush()
    return project
