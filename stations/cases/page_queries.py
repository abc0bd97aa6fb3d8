"""Reads behind the case pages: the queue's per-row facts, the 容缺 ledger, the first-handler table, tracking.

Like queries.py, every function that lists cases starts from access (``case_scope`` / ``cases_visible_to``),
except ``tracked_case``: the public lookup, gated by the case number *and* its query code instead of a user.
Every function runs a fixed number of statements whatever the data size.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..access import case_scope
from ..auth.models import Role, User
from ..catalog.models import Department, OnlineMode, ServiceItem
from ..domain.case_vocabulary import AWAITING_DECISION_STATUSES, CLOCK_STOPPED_STATUSES
from ..domain.deficiency_flow import DeficiencyStatus
from ..enterprises.models import Document
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import business_today, utcnow
from ..uploads.models import StoredFile
from .intake import PERSONAL_CATEGORIES
from .models import Case, Deficiency
from .queries import deficiency_tag_expr

OPEN_DEFICIENCY = (DeficiencyStatus.PENDING.value, DeficiencyStatus.SUPPLIED.value)
# Awaiting a decision with the clock running: past overdue_at, such a case is overdue now.
CLOCK_RUNNING = tuple(s.value for s in AWAITING_DECISION_STATUSES - CLOCK_STOPPED_STATUSES)


def intake_item_scope(station: Station) -> Select[tuple[int]]:
    """Ids of the items ``station`` may take in (accept on site or collect for the centre; not guide-only)."""
    return select(StationItem.item_id).where(StationItem.station_id == station.id, StationItem.mode != ScopeMode.GUIDE)


def intake_item(station: Station, code: str) -> ServiceItem | None:
    """An active item of the station's intake scope by code, with its materials, or None."""
    statement = (
        select(ServiceItem)
        .where(
            ServiceItem.code == code, ServiceItem.is_active.is_(True), ServiceItem.id.in_(intake_item_scope(station))
        )
        .options(selectinload(ServiceItem.materials))
    )
    return db.session.scalars(statement).first()


def online_item_scope(*, personal_only: bool = False) -> Select[tuple[int]]:
    """Ids of the items an enterprise may apply for online: marked online and taken in at some active station.
    ``personal_only``: a person's, the personal items only (intake.PERSONAL_CATEGORIES)."""
    scope = (
        select(StationItem.item_id)
        .join(ServiceItem, ServiceItem.id == StationItem.item_id)
        .join(Station, Station.id == StationItem.station_id)
        .where(
            ServiceItem.online_mode != OnlineMode.OFFLINE,
            StationItem.mode != ScopeMode.GUIDE,
            Station.is_active.is_(True),
        )
    )
    if personal_only:
        scope = scope.join(Department, Department.id == ServiceItem.department_id).where(
            Department.category.in_(PERSONAL_CATEGORIES)
        )
    return scope


def application_item(code: str) -> ServiceItem | None:
    """An active item by code with its materials (online or not: the caller says why it may not be applied for)."""
    statement = (
        select(ServiceItem)
        .where(ServiceItem.code == code, ServiceItem.is_active.is_(True))
        .options(selectinload(ServiceItem.materials))
    )
    return db.session.scalars(statement).first()


def application_stations(item: ServiceItem) -> list[Station]:
    """The active stations that take the item in (accept on site or collect for the centre), in display order."""
    statement = (
        select(Station)
        .join(StationItem, StationItem.station_id == Station.id)
        .where(StationItem.item_id == item.id, StationItem.mode != ScopeMode.GUIDE, Station.is_active.is_(True))
        .order_by(Station.sort_order, Station.code)
    )
    return list(db.session.scalars(statement).all())


def load_users(ids: Iterable[int | None]) -> None:
    """Put these users in the session's identity map, so that many-to-one ``actor`` / ``responsible`` need no SQL."""
    wanted = {i for i in ids if i}
    if wanted:
        db.session.scalars(select(User).where(User.id.in_(wanted))).all()


def queue_items(station: Station | None) -> list:
    """The items to filter the queue by (code and name, as columns): the user's station's scope, or all active items
    without a station."""
    statement = (
        select(ServiceItem.code, ServiceItem.name).where(ServiceItem.is_active.is_(True)).order_by(ServiceItem.code)
    )
    if station is not None:
        statement = statement.where(
            ServiceItem.id.in_(select(StationItem.item_id).where(StationItem.station_id == station.id))
        )
    return list(db.session.execute(statement).all())


def clerks() -> list:
    """The queue's clerk filter: each enabled clerk's id and name (columns, not users)."""
    statement = (
        select(User.id, User.display_name)
        .where(User.role == Role.CLERK, User.is_enabled.is_(True))
        .order_by(User.display_name)
    )
    return list(db.session.execute(statement).all())


# --- the 容缺 ledger (台账) ---------------------------------------------------------------------------------------


@dataclass
class LedgerGroup:
    case: Case
    rows: list[tuple[Deficiency, str]]  # (deficiency, tag)


@dataclass
class LedgerPage:
    groups: list[LedgerGroup]
    page: int
    has_next: bool


def deficiency_ledger(
    user: User, *, tag: str | None = None, page: int = 1, page_size: int = 20, now: datetime | None = None
) -> LedgerPage:
    """A page of the 容缺 ledger: the cases in scope that have 容缺 items, each with all its items and their tags.

    Cases come most urgent first (earliest open supply deadline; closed-out cases last). ``tag`` keeps the items of
    that colour (and the cases having one). Two queries: a page of case ids, then their items.
    """
    today = business_today(now or utcnow())
    tag_expr = deficiency_tag_expr(today)
    earliest_open = func.min(sql_case((Deficiency.status.in_(OPEN_DEFICIENCY), Deficiency.supply_deadline)))
    ids_stmt = (
        select(Case.id)
        .join(Deficiency, Deficiency.case_id == Case.id)
        .where(case_scope(user))
        .where(tag_expr == tag if tag else true())
        .group_by(Case.id)
        .order_by(earliest_open.asc().nulls_last(), Case.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    ids = list(db.session.scalars(ids_stmt).all())
    has_next = len(ids) > page_size
    ids = ids[:page_size]
    if not ids:
        return LedgerPage(groups=[], page=page, has_next=False)
    rows_stmt = (
        select(Deficiency, tag_expr.label("tag"))
        .join(Deficiency.case)
        .where(Deficiency.case_id.in_(ids))
        .options(
            contains_eager(Deficiency.case).joinedload(Case.item),
            contains_eager(Deficiency.case).joinedload(Case.enterprise),
            joinedload(Deficiency.responsible),
        )
        .order_by(Deficiency.case_id, Deficiency.supply_deadline, Deficiency.id)
    )
    if tag:
        rows_stmt = rows_stmt.where(tag_expr == tag)
    by_case: dict[int, LedgerGroup] = {}
    for deficiency, row_tag in db.session.execute(rows_stmt).unique().all():
        group = by_case.setdefault(deficiency.case_id, LedgerGroup(case=deficiency.case, rows=[]))
        group.rows.append((deficiency, row_tag))
    return LedgerPage(groups=[by_case[i] for i in ids if i in by_case], page=page, has_next=has_next)


# --- 首办负责人 overdue table ------------------------------------------------------------------------------------


@dataclass
class FirstHandlerRow:
    handler: User
    total: int  # cases with this first handler
    concluded: int  # decided (办结)
    overdue: int  # decided after the deadline, or undecided and past it now

    @property
    def overdue_rate(self) -> float:
        return self.overdue / self.total if self.total else 0.0


def first_handler_table(user: User, *, now: datetime | None = None, limit: int = 200) -> list[FirstHandlerRow]:
    """Per first handler of the cases in scope: how many, concluded, overdue; worst first. One aggregate query."""
    now = now or utcnow()
    concluded = func.count(Case.decided_at)
    late_decision = and_(Case.decided_at.is_not(None), Case.overdue_at.is_not(None), Case.decided_at > Case.overdue_at)
    late_now = and_(
        Case.decided_at.is_(None),
        Case.status.in_(CLOCK_RUNNING),
        Case.overdue_at.is_not(None),
        Case.overdue_at <= now,
    )
    per_handler = (
        select(
            Case.first_handler_id.label("handler_id"),
            func.count(Case.id).label("total"),
            concluded.label("concluded"),
            func.count(sql_case((or_(late_decision, late_now), Case.id))).label("overdue"),
        )
        .where(case_scope(user), Case.first_handler_id.is_not(None))
        .group_by(Case.first_handler_id)
        .subquery()
    )
    # Aggregate per id first, then join the users (their eager-loaded station must stay out of the GROUP BY).
    statement = (
        select(User, per_handler.c.total, per_handler.c.concluded, per_handler.c.overdue)
        .join(per_handler, per_handler.c.handler_id == User.id)
        .order_by(per_handler.c.overdue.desc(), per_handler.c.total.desc(), User.id)
        .limit(limit)
    )
    return [
        FirstHandlerRow(handler=handler, total=t, concluded=c, overdue=o)
        for handler, t, c, o in db.session.execute(statement).all()
    ]


# --- files and public tracking ----------------------------------------------------------------------------------


def case_file(case: Case, file_id: int) -> StoredFile | None:
    """The stored file ``file_id`` if it belongs to one of this case's materials or 容缺 items, else None."""
    document_ids = {m.document_id for m in case.materials if m.document_id}
    document_ids |= {d.document_id for d in case.deficiencies if d.document_id}
    if not document_ids:
        return None
    statement = (
        select(StoredFile)
        .join(Document, Document.file_id == StoredFile.id)
        .where(StoredFile.id == file_id, Document.id.in_(document_ids))
    )
    return db.session.scalars(statement).first()


def _normalise(value: str | None, length: int) -> str:
    return (value or "").strip().upper()[:length]


def tracked_case(case_no: str | None, code: str | None) -> Case | None:
    """The case with this number *and* query code, or None for a wrong pair (whichever half is wrong).

    The code is compared in constant time, and a dummy comparison runs when the number is unknown, so that the
    two failures cost about the same.
    """
    number, given = _normalise(case_no, 24), _normalise(code, 6)
    if not number or not given:
        return None
    case = db.session.scalars(
        select(Case)
        .where(Case.case_no == number)
        .options(joinedload(Case.item), joinedload(Case.station), selectinload(Case.events))
    ).first()
    expected = case.query_code if case is not None else "\x00" * 6
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return None
    return case
