"""Reads of cases for the enterprise's and the dedicated clerk's own pages (their homes, the clerk directory).

Like queries.py, every function that looks at cases starts from access (``case_scope``), except ``clerk_loads``:
the directory shows how busy each clerk is (counts only, no case data) to an enterprise choosing one.
Each function is one query whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, distinct, func, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.orm import contains_eager

from ..access import case_scope
from ..auth.models import User
from ..clerks.models import ClerkChoice
from ..domain.case_vocabulary import OPEN_STATUSES, CaseStatus
from ..domain.deadlines import WarnLevel
from ..domain.deficiency_flow import DeficiencyStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..timeutil import business_today, utcnow
from .models import Case, CaseMaterial, Deficiency, MaterialStatus
from .queries import deficiency_tag_expr, warn_level_expr

OPEN = tuple(status.value for status in OPEN_STATUSES)


@dataclass(frozen=True)
class ListState:
    """The user's cases reduced to what their list shows: the version of the list (an ETag's input)."""

    total: int
    open: int  # not closed: the applicant still waits for something
    red: int  # overdue now (the colour turns red at a time of day, not only at midnight)
    owed: int  # 容缺 items still to supply + materials to correct
    last_change: datetime | None

    @property
    def parts(self) -> tuple:
        return (self.total, self.open, self.red, self.owed, self.last_change.isoformat() if self.last_change else "")


def list_state(user: User, *, now: datetime | None = None) -> ListState:
    """Counts and the latest change of the cases in the user's scope: ONE query (the poll's ETag)."""
    now = now or utcnow()
    scope = case_scope(user)
    level = warn_level_expr(now, business_today(now))
    owed_items = (
        select(func.count(Deficiency.id))
        .join(Case, Case.id == Deficiency.case_id)
        .where(scope, Deficiency.status == DeficiencyStatus.PENDING)
        .correlate(None)
        .scalar_subquery()
    )
    owed_materials = (
        select(func.count(CaseMaterial.id))
        .join(Case, Case.id == CaseMaterial.case_id)
        .where(scope, CaseMaterial.status == MaterialStatus.NEEDS_CORRECTION)
        .correlate(None)
        .scalar_subquery()
    )
    statement = select(
        func.count(Case.id),
        func.count(sql_case((Case.status.in_(OPEN), Case.id))),
        func.count(sql_case((level == WarnLevel.RED.value, Case.id))),
        func.max(Case.updated_at),
        owed_items,
        owed_materials,
    ).where(scope)
    total, open_, red, last_change, items, materials = db.session.execute(statement).one()
    return ListState(int(total), int(open_), int(red), int(items or 0) + int(materials or 0), last_change)


def owed_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """Per case: 容缺 items still to supply plus materials to correct (cases without any are left out): one query."""
    ids = list(case_ids)
    if not ids:
        return {}
    items = select(Deficiency.case_id.label("case_id")).where(
        Deficiency.case_id.in_(ids), Deficiency.status == DeficiencyStatus.PENDING
    )
    materials = select(CaseMaterial.case_id.label("case_id")).where(
        CaseMaterial.case_id.in_(ids), CaseMaterial.status == MaterialStatus.NEEDS_CORRECTION
    )
    owed = union_all(items, materials).subquery()
    statement = select(owed.c.case_id, func.count()).group_by(owed.c.case_id)
    return {case_id: count for case_id, count in db.session.execute(statement).all()}


def cases_owing(user: User, *, limit: int = 10) -> list[tuple[Case, int]]:
    """The user's cases that wait for materials from it (容缺 items to supply, materials to correct), with how
    many each, the oldest first (they are the closest to their deadline): one query."""
    items = select(Deficiency.case_id.label("case_id")).where(Deficiency.status == DeficiencyStatus.PENDING)
    materials = select(CaseMaterial.case_id.label("case_id")).where(
        CaseMaterial.status == MaterialStatus.NEEDS_CORRECTION
    )
    owed = union_all(items, materials).subquery()
    counts = select(owed.c.case_id, func.count().label("owed")).group_by(owed.c.case_id).subquery()
    statement = (
        select(Case, counts.c.owed)
        .join(counts, counts.c.case_id == Case.id)
        .where(case_scope(user), Case.status.in_(OPEN))
        .order_by(Case.received_at, Case.id)
        .limit(limit)
    )
    return [(case, int(owed)) for case, owed in db.session.execute(statement).all()]


@dataclass(frozen=True)
class Load:
    clients: int = 0
    open_cases: int = 0


def clerk_loads(clerk_ids: Iterable[int]) -> dict[int, Load]:
    """Per clerk: its current clients and their open cases, in ONE aggregate query (clerks without clients: absent)."""
    ids = list(clerk_ids)
    if not ids:
        return {}
    statement = (
        select(ClerkChoice.clerk_id, func.count(distinct(ClerkChoice.enterprise_id)), func.count(Case.id))
        .select_from(ClerkChoice)
        .outerjoin(Case, and_(Case.enterprise_id == ClerkChoice.enterprise_id, Case.status.in_(OPEN)))
        .where(ClerkChoice.is_current, ClerkChoice.clerk_id.in_(ids))
        .group_by(ClerkChoice.clerk_id)
    )
    return {clerk_id: Load(clients, cases) for clerk_id, clients, cases in db.session.execute(statement).all()}


def open_case_count(enterprise_id: int) -> int:
    """The enterprise's open cases: those a change of clerk hands over."""
    statement = select(func.count(Case.id)).where(Case.enterprise_id == enterprise_id, Case.status.in_(OPEN))
    return db.session.scalar(statement) or 0


# --- the clerk's home: its clients and what each still owes ------------------------------------------------


@dataclass
class ClientRow:
    enterprise: Enterprise
    open_cases: int


def clients_of(clerk: User, limit: int = 200) -> list[ClientRow]:
    """The clerk's current clients by name, each with its open cases: one query."""
    per_client = (
        select(ClerkChoice.enterprise_id.label("enterprise_id"), func.count(Case.id).label("open_cases"))
        .select_from(ClerkChoice)
        .outerjoin(Case, and_(Case.enterprise_id == ClerkChoice.enterprise_id, Case.status.in_(OPEN)))
        .where(ClerkChoice.clerk_id == clerk.id, ClerkChoice.is_current)
        .group_by(ClerkChoice.enterprise_id)
        .subquery()
    )
    statement = (
        select(Enterprise, per_client.c.open_cases)
        .join(per_client, per_client.c.enterprise_id == Enterprise.id)
        .order_by(Enterprise.name, Enterprise.id)
        .limit(limit)
    )
    return [ClientRow(enterprise, open_cases) for enterprise, open_cases in db.session.execute(statement).all()]


@dataclass
class ClientDues:
    enterprise: Enterprise
    items: list[tuple[Deficiency, str]] = field(default_factory=list)  # PENDING 容缺 items with their tag
    corrections: list[CaseMaterial] = field(default_factory=list)  # materials to correct (case in CORRECTION)


def client_dues(clerk: User, *, now: datetime | None = None, limit: int = 100) -> list[ClientDues]:
    """What each client of the clerk still owes: 容缺 items to supply and materials to correct. Two queries.

    Clients come in the order of their most urgent 容缺 deadline (then those with corrections only).
    """
    today = business_today(now or utcnow())
    scope = case_scope(clerk)
    items = db.session.execute(
        select(Deficiency, deficiency_tag_expr(today))
        .join(Deficiency.case)
        .where(scope, Deficiency.status == DeficiencyStatus.PENDING)
        .options(
            contains_eager(Deficiency.case).joinedload(Case.enterprise),
            contains_eager(Deficiency.case).joinedload(Case.item),
        )
        .order_by(Deficiency.supply_deadline, Deficiency.id)
        .limit(limit)
    ).all()
    corrections = db.session.scalars(
        select(CaseMaterial)
        .join(CaseMaterial.case)
        .where(scope, Case.status == CaseStatus.CORRECTION, CaseMaterial.status == MaterialStatus.NEEDS_CORRECTION)
        .options(
            contains_eager(CaseMaterial.case).joinedload(Case.enterprise),
            contains_eager(CaseMaterial.case).joinedload(Case.item),
        )
        .order_by(Case.correction_requested_at, CaseMaterial.case_id, CaseMaterial.sort_order)
        .limit(limit)
    ).all()
    dues: dict[int, ClientDues] = {}
    for deficiency, tag in items:
        entry = dues.setdefault(deficiency.case.enterprise_id, ClientDues(deficiency.case.enterprise))
        entry.items.append((deficiency, tag))
    for material in corrections:
        entry = dues.setdefault(material.case.enterprise_id, ClientDues(material.case.enterprise))
        entry.corrections.append(material)
    return list(dues.values())
