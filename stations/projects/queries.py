"""Reads on key projects, from the access scope: the board (colours counted in SQL, flat query count), one project,
the agenda of blocked procedures for the next dispatch meeting, the period figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from ..access import project_scope
from ..auth.models import User
from ..calendar.services import current_calendar
from ..catalog.models import Department
from ..domain.deadlines import WarnLevel
from ..domain.project_flow import FINISHED, ProcedureStatus, project_level, yellow_before
from ..extensions import db
from ..sites.models import Station
from .models import Project, ProjectProcedure

LEVELS = (WarnLevel.RED, WarnLevel.YELLOW, WarnLevel.PAUSED, WarnLevel.GREEN, WarnLevel.DONE)


def _department_projects(department_id: int):
    return Project.id.in_(select(ProjectProcedure.project_id).where(ProjectProcedure.department_id == department_id))


def scope(user: User) -> ColumnElement[bool]:
    return project_scope(user, Project.station_id, Project.commissioner_id, _department_projects)


def level_expr(today: date, yellow_from: date) -> ColumnElement[str]:
    """The procedure colour of domain.project_flow.procedure_level, in SQL."""
    return case(
        (ProjectProcedure.status.in_([s.value for s in FINISHED]), literal(WarnLevel.DONE.value)),
        (ProjectProcedure.status == ProcedureStatus.BLOCKED.value, literal(WarnLevel.PAUSED.value)),
        (ProjectProcedure.planned_on.is_(None), literal(WarnLevel.GREEN.value)),
        (ProjectProcedure.planned_on < today, literal(WarnLevel.RED.value)),
        (ProjectProcedure.planned_on < yellow_from, literal(WarnLevel.YELLOW.value)),
        else_=literal(WarnLevel.GREEN.value),
    )


def horizon(today: date) -> date:
    return yellow_before(today, current_calendar())


@dataclass
class BoardRow:
    """One project on the board, as plain values (a thousand rows render without ORM objects or lazy lookups)."""

    code: str
    name: str
    station: str
    commissioner: str
    closed: bool
    counts: dict[str, int]
    next_planned: date | None
    level: str = ""
    badge: str = ""  # the CSS class suffix (badge-RED)

    def __post_init__(self) -> None:
        open_levels = [WarnLevel(k) for k, n in self.counts.items() if n and k != WarnLevel.DONE.value]
        self.level = project_level(open_levels).value
        self.badge = self.level.upper()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def board(user: User, today: date) -> list[BoardRow]:
    """Every project in scope with its procedures counted by colour: two queries, whatever the number."""
    yellow_from = horizon(today)
    colour = level_expr(today, yellow_from)
    finished = [s.value for s in FINISHED]
    counts_stmt = (
        select(
            ProjectProcedure.project_id,
            *(func.sum(case((colour == lv.value, 1), else_=0)).label(lv.value) for lv in LEVELS),
            func.min(case((ProjectProcedure.status.in_(finished), None), else_=ProjectProcedure.planned_on)),
        )
        .join(Project, Project.id == ProjectProcedure.project_id)
        .where(scope(user))
        .group_by(ProjectProcedure.project_id)
    )
    counts = {row[0]: row[1:] for row in db.session.execute(counts_stmt)}
    projects = db.session.execute(
        select(Project.id, Project.code, Project.name, Project.closed_out_at, Station.name, User.display_name)
        .outerjoin(Station, Station.id == Project.station_id)
        .outerjoin(User, User.id == Project.commissioner_id)
        .where(scope(user))
        .order_by(Project.code)
    ).all()
    rows = []
    for pid, code, name, closed_at, station, commissioner in projects:
        found = counts.get(pid)
        by_level = {lv.value: int(found[n] or 0) if found else 0 for n, lv in enumerate(LEVELS)}
        next_planned = found[len(LEVELS)] if found else None
        if isinstance(next_planned, str):  # SQLite returns MIN() over a CASE as text
            next_planned = date.fromisoformat(next_planned)
        rows.append(
            BoardRow(code, name, station or "", commissioner or "", closed_at is not None, by_level, next_planned)
        )
    return rows


def colour_totals(rows: list[BoardRow]) -> dict[str, int]:
    totals = {lv.value: 0 for lv in LEVELS}
    for row in rows:
        totals[row.level] += 1
    return totals


def get_visible(user: User, code: str) -> Project | None:
    return db.session.scalar(
        select(Project)
        .where(Project.code == code, scope(user))
        .options(
            selectinload(Project.procedures).joinedload(ProjectProcedure.case),
            selectinload(Project.meetings),
            selectinload(Project.visits),
            joinedload(Project.station),
        )
    )


def agenda(project: Project) -> list[ProjectProcedure]:
    """Blocked procedures: what the next dispatch meeting must settle."""
    return [p for p in project.procedures if p.status is ProcedureStatus.BLOCKED]


@dataclass
class ProcedureRow:
    name: str
    department: str | None
    planned_on: date | None
    status: ProcedureStatus


def visible_projects(user: User) -> list[tuple[str, str, list[ProcedureRow]]]:
    """For the API: (code, name, procedures) of every project in scope, as plain rows: two queries."""
    projects = db.session.execute(select(Project.id, Project.code, Project.name).where(scope(user))).all()
    procedures: dict[int, list[ProcedureRow]] = {pid: [] for pid, _code, _name in projects}
    rows = db.session.execute(
        select(
            ProjectProcedure.project_id,
            ProjectProcedure.name,
            Department.name,
            ProjectProcedure.planned_on,
            ProjectProcedure.status,
        )
        .join(Project, Project.id == ProjectProcedure.project_id)
        .outerjoin(Department, Department.id == ProjectProcedure.department_id)
        .where(scope(user))
        .order_by(ProjectProcedure.project_id, ProjectProcedure.seq)
    )
    for pid, name, department, planned_on, status in rows:
        procedures[pid].append(ProcedureRow(name, department, planned_on, status))
    return [(code, name, procedures[pid]) for pid, code, name in sorted(projects, key=lambda row: row[1])]


def period_figures(today: date) -> dict[str, int]:
    """Key projects by colour today (closed-out ones apart), for the central office's period figures."""
    yellow_from = horizon(today)
    colour = level_expr(today, yellow_from)
    per_project = (
        select(
            Project.id.label("id"),
            Project.closed_out_at.label("closed"),
            func.max(case((colour == "red", 3), (colour == "yellow", 2), (colour == "paused", 1), else_=0)).label(
                "worst"
            ),
        )
        .outerjoin(ProjectProcedure, ProjectProcedure.project_id == Project.id)
        .group_by(Project.id, Project.closed_out_at)
        .subquery()
    )
    open_ = per_project.c.closed.is_(None)
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((and_(open_, per_project.c.worst == 3), 1), else_=0)),
            func.sum(case((and_(open_, per_project.c.worst == 2), 1), else_=0)),
            func.sum(case((and_(open_, per_project.c.worst < 2), 1), else_=0)),
            func.sum(case((~open_, 1), else_=0)),
        ).select_from(per_project)
    ).one()
    total, red, yellow, green, closed = (int(v or 0) for v in row)
    return {"total": total, "red": red, "yellow": yellow, "green": green, "closed_out": closed}


def stations_with_projects() -> list[Station]:
    return list(
        db.session.scalars(
            select(Station).where(Station.id.in_(select(Project.station_id))).order_by(Station.sort_order)
        )
    )
