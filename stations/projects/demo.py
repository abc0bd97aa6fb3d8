"""Demo key projects (report §7): 57 projects with their procedures in every colour, six dispatch meetings that set
the time points, 50+ site visits, some closed out (销号). Fictional names, marked 示例. Idempotent; flushes.

Dates are relative to the business day the demo is built, so that there are RED, YELLOW, GREEN and blocked
procedures on the board today.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..catalog.models import Department
from ..domain.project_flow import ProcedureStatus
from ..domain.workdays import add_working_days
from ..enterprises.models import Enterprise
from ..extensions import db
from ..sites.models import Station
from ..timeutil import business_today, utcnow
from .models import DispatchMeeting, Project, ProjectProcedure, SiteVisit

PROJECT_COUNT = 57
# procedure, department code
PROCEDURES = [
    ("立项(备案)", "FZJJ"),
    ("用地(土地出让)", "KFJS"),
    ("规划许可", "GJ"),
    ("节能审查", "FZJJ"),
    ("施工图审查", "GJ"),
    ("施工许可", "GJ"),
    ("竣工验收", "GJ"),
]
SUBJECTS = [
    "氢能装备",
    "光电子",
    "新材料",
    "智能制造",
    "生物医药",
    "数据中心",
    "冷链物流",
    "汽车零部件",
    "新能源电池",
    "食品加工",
]
KINDS = ["产业园", "生产基地", "研发中心", "扩建项目", "示范项目", "总部项目"]
CLOSED = 20  # closed out: every procedure done (the report: 57 / 57 done by the year's end)
MEETINGS = 6
VISITS = 54


def seed_projects(today: date | None = None) -> int:
    if db.session.scalar(select(func.count(Project.id))):
        return 0
    stations = {s.code: s for s in db.session.scalars(select(Station))}
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    if "LL" not in stations or not departments:
        return 0
    today = today or business_today()
    calendar = current_calendar()
    rng = random.Random(57)  # noqa: S311  (demo data, not secrets)
    commissioner = db.session.scalar(select(User).where(User.username == "comm-ll", User.role == Role.COMMISSIONER))
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id).limit(40)))
    parks = [stations[c] for c in ("LL", "QH", "HZ") if c in stations]
    meeting_days = [today - timedelta(days=30 * k + 7) for k in range(MEETINGS)][::-1]
    for n in range(PROJECT_COUNT):
        park = parks[n % len(parks)]
        project = Project(
            code=f"ZD{2026}{n + 1:03d}",
            name=f"示例{SUBJECTS[n % len(SUBJECTS)]}{KINDS[n % len(KINDS)]}({n + 1:02d})",
            level="新区级" if n % 4 else "省级",
            station_id=park.id,
            commissioner_id=commissioner.id if commissioner and park.code == "LL" else None,
            enterprise_id=enterprises[n % len(enterprises)].id if enterprises else None,
        )
        _procedures(project, n, today, calendar, departments, rng)
        if n < CLOSED:
            project.closed_out_at = utcnow() - timedelta(days=rng.randint(5, 200))
        for day in meeting_days[n % 3 :: 2]:
            project.meetings.append(
                DispatchMeeting(
                    held_on=day, decisions="示例:明确各手续时间节点,责任部门按节点推进", owners="开发建设部"
                )
            )
        db.session.add(project)
    db.session.flush()
    projects = list(db.session.scalars(select(Project).order_by(Project.id)))
    for k in range(VISITS):
        project = projects[(k * 7) % len(projects)]
        db.session.add(
            SiteVisit(
                project=project,
                visited_on=today - timedelta(days=rng.randint(1, 300)),
                note="示例:现场走访,了解手续办理进度和企业诉求",
                visitor_id=commissioner.id if commissioner else None,
            )
        )
    db.session.flush()
    return PROJECT_COUNT


def _procedures(project: Project, n: int, today: date, calendar, departments, rng: random.Random) -> None:
    """Closed projects: every procedure done. The others: done ones first, then one of each colour in turn."""
    done_count = len(PROCEDURES) if n < CLOSED else 1 + n % 4
    for seq, (name, dept) in enumerate(PROCEDURES):
        planned = today - timedelta(days=(len(PROCEDURES) - seq) * 20)
        status = ProcedureStatus.CLOSED_OUT if n < CLOSED else ProcedureStatus.DONE
        blocked_note = None
        if seq >= done_count:
            offset = seq - done_count
            flavour = (n + offset) % 5
            if offset == 0 and flavour == 0:  # RED: the planned date has passed
                status, planned = ProcedureStatus.IN_PROGRESS, today - timedelta(days=rng.randint(2, 20))
            elif offset == 0 and flavour == 1:  # YELLOW: within 5 working days
                status, planned = ProcedureStatus.IN_PROGRESS, add_working_days(today, rng.randint(1, 4), calendar)
            elif offset == 0 and flavour == 2:  # blocked: on the next dispatch meeting's agenda
                status, planned = ProcedureStatus.BLOCKED, add_working_days(today, 10, calendar)
                blocked_note = "示例:用地指标待协调"
            else:  # GREEN: later
                status = ProcedureStatus.IN_PROGRESS if offset == 0 else ProcedureStatus.PLANNED
                planned = add_working_days(today, 8 + 15 * offset, calendar)
        project.procedures.append(
            ProjectProcedure(
                seq=seq + 1,
                name=name,
                department_id=departments[dept].id if dept in departments else None,
                planned_on=planned,
                status=status,
                blocked_note=blocked_note,
                done_at=utcnow() - timedelta(days=20)
                if status in (ProcedureStatus.DONE, ProcedureStatus.CLOSED_OUT)
                else None,
            )
        )
