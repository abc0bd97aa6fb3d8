"""Reads of cases. Every function starts from access.cases_visible_to(user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from ..access import case_scope, cases_visible_to
from ..auth.models import User
from ..domain.case_flow import AWAITING_DECISION_STATUSES, CLOCK_STOPPED_STATUSES, CaseStatus, DeficiencyStatus
from ..domain.deadlines import WarnLevel
from ..extensions import db
from ..timeutil import business_today, utcnow
from .models import Case, CaseMaterial, Deficiency

# Colour precedence: DONE > PAUSED > RED > YELLOW > GREEN (domain.md §4.2), from stored dates only.
# A case is DONE for deadline purposes once nothing is awaited before a decision.
DONE_STATUSES = tuple(s.value for s in CaseStatus if s not in AWAITING_DECISION_STATUSES)
PAUSED_STATUSES = tuple(s.value for s in CLOCK_STOPPED_STATUSES)
URGENCY = {WarnLevel.RED: 0, WarnLevel.YELLOW: 1, WarnLevel.GREEN: 2, WarnLevel.PAUSED: 3, WarnLevel.DONE: 4}


def warn_level_expr(now_utc: datetime, today: date) -> ColumnElement[str]:
    return case(
        (Case.status.in_(DONE_STATUSES), literal(WarnLevel.DONE.value)),
        (Case.status.in_(PAUSED_STATUSES), literal(WarnLevel.PAUSED.value)),
        (and_(Case.overdue_at.is_not(None), Case.overdue_at <= now_utc), literal(WarnLevel.RED.value)),
        (and_(Case.warn_on.is_not(None), Case.warn_on <= today), literal(WarnLevel.YELLOW.value)),
        else_=literal(WarnLevel.GREEN.value),
    )


def urgency_expr(level: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((level == lvl.value, rank) for lvl, rank in URGENCY.items()), else_=9)


def deficiency_tag_expr(today: date) -> ColumnElement[str]:
    open_ = Deficiency.status.in_((DeficiencyStatus.PENDING.value, DeficiencyStatus.SUPPLIED.value))
    return case(
        (~open_, literal(WarnLevel.DONE.value)),
        (Deficiency.supply_deadline < today, literal(WarnLevel.RED.value)),
        (Deficiency.warn_on <= today, literal(WarnLevel.YELLOW.value)),
        else_=literal(WarnLevel.GREEN.value),
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    colour: str | None = None
    item_code: str | None = None
    clerk_id: int | None = None
    channel: str | None = None
    q: str | None = None


@dataclass
class Page:
    rows: list[tuple[Case, str]]  # (case, warn level)
    page: int
    has_next: bool


def case_rows(
    user: User,
    filters: QueueFilters,
    *,
    page: int = 1,
    page_size: int = 30,
    now: datetime | None = None,
    order: str = "urgency",
) -> Page:
    """One page of the cases the user may see, filtered, with each case's colour: a bounded number of queries."""
    now = now or utcnow()
    today = business_today(now)
    level = warn_level_expr(now, today).label("warn_level")
    stmt: Select = cases_visible_to(user).add_columns(level)
    stmt = _apply_filters(stmt, filters, level)
    if order == "urgency":
        stmt = stmt.order_by(urgency_expr(level), Case.overdue_at.asc().nulls_last(), Case.received_at.desc())
    else:
        stmt = stmt.order_by(Case.received_at.desc(), Case.id.desc())
    stmt = (
        stmt.options(
            joinedload(Case.item),
            joinedload(Case.enterprise),
            joinedload(Case.station),
            joinedload(Case.clerk),
        )
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = [(row[0], row[1]) for row in db.session.execute(stmt).unique().all()]
    return Page(rows=rows[:page_size], page=page, has_next=len(rows) > page_size)


def _apply_filters(stmt: Select, filters: QueueFilters, level: ColumnElement[str]) -> Select:
    from ..catalog.models import ServiceItem

    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.colour:
        stmt = stmt.where(level == filters.colour)
    if filters.item_code:
        stmt = stmt.where(
            Case.item_id == select(ServiceItem.id).where(ServiceItem.code == filters.item_code).scalar_subquery()
        )
    if filters.clerk_id:
        stmt = stmt.where(Case.clerk_id == filters.clerk_id)
    if filters.channel:
        stmt = stmt.where(Case.channel == filters.channel)
    if filters.q:
        stmt = stmt.where(Case.case_no.contains(filters.q.strip().upper(), autoescape=True))
    return stmt


def colour_counts(user: User, *, open_only: bool = True, now: datetime | None = None) -> dict[str, int]:
    """How many visible cases are of each colour (one query)."""
    now = now or utcnow()
    level = warn_level_expr(now, business_today(now))
    stmt = select(level.label("level"), func.count()).where(case_scope(user))
    if open_only:
        stmt = stmt.where(Case.status.not_in(DONE_STATUSES))
    counts = {lvl.value: 0 for lvl in WarnLevel}
    for lvl, count in db.session.execute(stmt.group_by("level")).all():
        counts[lvl] = count
    return counts


def case_for(user: User, case_no: str) -> Case | None:
    """One case with everything its page shows, or None when the user may not see it."""
    stmt = (
        cases_visible_to(user)
        .where(Case.case_no == case_no)
        .options(
            joinedload(Case.item),
            joinedload(Case.enterprise),
            joinedload(Case.station),
            joinedload(Case.clerk),
            joinedload(Case.first_handler),
            selectinload(Case.materials).joinedload(CaseMaterial.item_material),
            selectinload(Case.materials).joinedload(CaseMaterial.document),
            selectinload(Case.deficiencies),
            selectinload(Case.events),
        )
    )
    return db.session.scalars(stmt).unique().first()


def warn_level_of(case_: Case, now: datetime | None = None) -> str:
    """The colour of one loaded case, by the same rule as the SQL expression."""
    from ..domain.deadlines import warn_level

    now = now or utcnow()
    from ..timeutil import to_business

    return warn_level(
        now_local=to_business(now).replace(tzinfo=None),
        warn_on=case_.warn_on,
        overdue_at_local=to_business(case_.overdue_at).replace(tzinfo=None) if case_.overdue_at else None,
        is_done=case_.status.value in DONE_STATUSES,
        is_paused=case_.status.value in PAUSED_STATUSES,
    ).value
