"""Reads of cases. Every function starts from access.cases_visible_to(user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from ..access import case_scope, cases_visible_to
from ..auth.models import User
from ..domain.case_vocabulary import AWAITING_DECISION_STATUSES, CLOCK_STOPPED_STATUSES, CLOSED_STATUSES, CaseStatus
from ..domain.deadlines import WarnLevel
from ..domain.deficiency_flow import DeficiencyStatus
from ..extensions import db
from ..timeutil import business_today, utcnow
from .models import Case, CaseMaterial, Deficiency

# Colour precedence: DONE > PAUSED > RED > YELLOW > GREEN (domain.md §4.2), from stored dates only.
# A case is DONE for deadline purposes once nothing is awaited before a decision.
DONE_STATUSES = tuple(s.value for s in CaseStatus if s not in AWAITING_DECISION_STATUSES)
PAUSED_STATUSES = tuple(s.value for s in CLOCK_STOPPED_STATUSES)
RUNNING_STATUSES = tuple(s.value for s in CaseStatus if s.value not in DONE_STATUSES + PAUSED_STATUSES)
# The complements, spelled as IN lists: "status IN (the few open ones)" lets both databases use the (station,
# status) index, where "NOT IN (the closed ones)" walks a station's whole history (40,000 rows at 200k cases).
AWAITING_STATUSES = tuple(s.value for s in CaseStatus if s.value not in DONE_STATUSES)
NOT_CLOSED_STATUSES = tuple(s.value for s in CaseStatus if s not in CLOSED_STATUSES)
COMMON_STATUSES = (CaseStatus.DELIVERED.value,)  # where nearly every case ends: most of any history
URGENCY = {WarnLevel.RED: 0, WarnLevel.YELLOW: 1, WarnLevel.GREEN: 2, WarnLevel.PAUSED: 3, WarnLevel.DONE: 4}


# The parts of the colour that do not depend on the time, built once: a list page builds the colour expression two or
# three times, and coercing the status lists into bound parameters was most of its cost (143 -> 51 us). SQLAlchemy
# expressions are immutable, so statements may share them.
_IS_DONE = Case.status.in_(DONE_STATUSES)
_IS_PAUSED = Case.status.in_(PAUSED_STATUSES)
_IS_RUNNING = Case.status.in_(RUNNING_STATUSES)
_HAS_OVERDUE_AT = Case.overdue_at.is_not(None)
_HAS_WARN_ON = Case.warn_on.is_not(None)
_LEVEL = {level: literal(level.value) for level in WarnLevel}


def warn_level_expr(now_utc: datetime, today: date) -> ColumnElement[str]:
    return case(
        (_IS_DONE, _LEVEL[WarnLevel.DONE]),
        (_IS_PAUSED, _LEVEL[WarnLevel.PAUSED]),
        (and_(_HAS_OVERDUE_AT, Case.overdue_at <= now_utc), _LEVEL[WarnLevel.RED]),
        (and_(_HAS_WARN_ON, Case.warn_on <= today), _LEVEL[WarnLevel.YELLOW]),
        else_=_LEVEL[WarnLevel.GREEN],
    )


class no_index(FunctionElement):
    """The same value, hidden from SQLite's index choice: ``+column`` on SQLite, ``column`` elsewhere.

    SQLite keeps no statistics (unless ANALYZE is run), so for "a station's newest cases, filtered" it walks the
    station's whole history in date order when the filter is rare (RED: a handful in 30,000), and uses the status
    index to fetch nearly everything when the filter is common (DONE). The unary + (SQLite's documented way to
    disqualify a term) steers it: rare filters by the status index then sort, common ones in date order.
    PostgreSQL decides from its statistics and gets the plain expression.
    """

    name = "no_index"
    inherit_cache = True

    def __init__(self, expression):
        super().__init__(expression)
        self.type = expression.type


@compiles(no_index)
def _no_index_default(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(no_index, "sqlite")
def _no_index_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses.clauses[0], **kw)}"


def is_rare_filter(filters: QueueFilters) -> bool:
    """True when the filter keeps a small part of the history: a colour other than DONE, any status but DELIVERED."""
    if filters.colour:
        return filters.colour.lower() != WarnLevel.DONE.value
    return bool(filters.status) and filters.status not in COMMON_STATUSES


def colour_condition(colour: str, now_utc: datetime, today: date) -> ColumnElement[bool]:
    """``warn_level_expr(now, today) == colour`` written so that the database can use its indexes.

    The CASE expression hides ``status`` and the dates from the planner; this states the same precedence
    (DONE > PAUSED > RED > YELLOW > GREEN) as plain predicates on the columns.
    """
    try:
        level = WarnLevel(colour.lower())
    except ValueError:
        return false()  # an unknown colour matches nothing, as the CASE comparison did
    if level is WarnLevel.DONE:
        return no_index(Case.status).in_(DONE_STATUSES)  # most of the history: read it in date order
    if level is WarnLevel.PAUSED:
        return _IS_PAUSED
    running = _IS_RUNNING
    red = and_(_HAS_OVERDUE_AT, Case.overdue_at <= now_utc)
    not_red = or_(Case.overdue_at.is_(None), Case.overdue_at > now_utc)
    if level is WarnLevel.RED:
        return and_(running, red)
    yellow = and_(_HAS_WARN_ON, Case.warn_on <= today)
    not_yellow = or_(Case.warn_on.is_(None), Case.warn_on > today)
    if level is WarnLevel.YELLOW:
        return and_(running, not_red, yellow)
    return and_(running, not_red, not_yellow)


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


# What a row of a list shows, in one query. Only one level of joins: the related rows' own eager relationships
# (an item's department, a clerk's station and enterprise) stay lazy, because eight LEFT JOINs cost PostgreSQL
# 20-30 ms of planning per list (2 ms with four); nothing on a case row shows them.
def _case_row_loading() -> tuple:
    return (
        joinedload(Case.item).lazyload("*"),
        joinedload(Case.enterprise).lazyload("*"),
        joinedload(Case.station),
        joinedload(Case.clerk).lazyload("*"),
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    colour: str | None = None
    item_code: str | None = None
    clerk_id: int | None = None
    channel: str | None = None
    q: str | None = None
    # Without a status filter the queue is today's work: closed cases (delivered, refused...) only on request.
    include_closed: bool = False


@dataclass
class Page:
    rows: list  # (case, warn level) pairs from case_rows; rows of values from case_values
    page: int
    has_next: bool


def _page_statement(user: User, filters: QueueFilters, now: datetime, order: str) -> Select:
    """``select(Case, warn_level)`` of the cases the user may see, filtered and ordered (not yet paged)."""
    today = business_today(now)
    level = warn_level_expr(now, today).label("warn_level")
    stmt: Select = cases_visible_to(user).add_columns(level)
    stmt = _apply_filters(stmt, filters, now, today)
    if order == "urgency":
        return stmt.order_by(urgency_expr(level), Case.overdue_at.asc().nulls_last(), Case.received_at.desc())
    if is_rare_filter(filters):
        return stmt.order_by(no_index(Case.received_at).desc(), Case.id.desc())
    return stmt.order_by(Case.received_at.desc(), Case.id.desc())


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
    stmt = _page_statement(user, filters, now or utcnow(), order)
    stmt = stmt.options(*_case_row_loading()).offset((page - 1) * page_size).limit(page_size + 1)
    rows = [(row[0], row[1]) for row in db.session.execute(stmt).unique().all()]
    return Page(rows=rows[:page_size], page=page, has_next=len(rows) > page_size)


def case_values(
    user: User,
    filters: QueueFilters,
    *,
    page: int = 1,
    page_size: int = 30,
    now: datetime | None = None,
    order: str = "urgency",
) -> Page:
    """The same page as ``case_rows``, as rows of plain values (``CaseValues``) rather than ORM objects.

    For lists that show only columns (the API's): building a case, its item, enterprise, station and clerk as
    objects was most of such a request's time."""
    from ..auth.models import User as Clerk
    from ..catalog.models import ServiceItem
    from ..enterprises.models import Enterprise
    from ..sites.models import Station

    stmt = _page_statement(user, filters, now or utcnow(), order)
    level = stmt.selected_columns.warn_level
    stmt = (
        stmt.with_only_columns(
            *(getattr(Case, name) for name in CASE_VALUE_COLUMNS),
            ServiceItem.code.label("item_code"),
            Station.code.label("station_code"),
            Enterprise.uscc.label("enterprise_uscc"),
            Clerk.username.label("clerk_username"),
            level,
            maintain_column_froms=True,
        )
        .outerjoin(ServiceItem, ServiceItem.id == Case.item_id)  # outer joins, as the ORM rows' joinedload
        .outerjoin(Station, Station.id == Case.station_id)
        .outerjoin(Enterprise, Enterprise.id == Case.enterprise_id)
        .outerjoin(Clerk, Clerk.id == Case.clerk_id)
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = db.session.execute(stmt).all()
    return Page(rows=rows[:page_size], page=page, has_next=len(rows) > page_size)


# The case's own columns a list row of values carries (``case_values``); the related codes come as item_code,
# station_code, enterprise_uscc and clerk_username, the colour as warn_level.
CASE_VALUE_COLUMNS = (
    "case_no",
    "query_code",
    "status",
    "channel",
    "received_at",
    "accepted_at",
    "promised_days",
    "extended_days",
    "due_on",
    "due_provisional",
    "is_rongque",
    "version",
)


def _apply_filters(stmt: Select, filters: QueueFilters, now: datetime, today: date) -> Select:
    from ..catalog.models import ServiceItem

    if filters.status:
        status = no_index(Case.status) if filters.status in COMMON_STATUSES else Case.status
        stmt = stmt.where(status == filters.status)
    elif not filters.include_closed:
        stmt = stmt.where(Case.status.in_(NOT_CLOSED_STATUSES))
    if filters.colour:
        stmt = stmt.where(colour_condition(filters.colour, now, today))
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


def next_turn_red_stmt(now: datetime) -> Select:
    """The next moment any running case turns RED by itself (its ``overdue_at``), for pages reused until then
    (web/render_cache.py). A moment, not a case, so it is read across every scope: the earliest is the safe one."""
    return select(func.min(Case.overdue_at)).where(_IS_RUNNING, Case.overdue_at > now)


def next_turn_red(now: datetime) -> datetime | None:
    return db.session.scalar(next_turn_red_stmt(now))


def colour_counts(user: User, *, open_only: bool = True, now: datetime | None = None) -> dict[str, int]:
    """How many visible cases are of each colour (one query)."""
    now = now or utcnow()
    level = warn_level_expr(now, business_today(now))
    stmt = select(level.label("level"), func.count()).where(case_scope(user))
    if open_only:
        stmt = stmt.where(Case.status.in_(AWAITING_STATUSES))
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
            *_case_row_loading(),
            joinedload(Case.first_handler).lazyload("*"),
            selectinload(Case.materials).joinedload(CaseMaterial.item_material),
            selectinload(Case.materials).joinedload(CaseMaterial.document),
            selectinload(Case.deficiencies),
            selectinload(Case.events),
        )
    )
    return db.session.scalars(stmt).unique().first()


def case_brief_for(user: User, case_no: str) -> Case | None:
    """One case with what a list row shows (its item, enterprise, station and clerk), or None when the user may not
    see it: for answers that show the case as a row (the API's), without its checklist and history."""
    stmt = cases_visible_to(user).where(Case.case_no == case_no).options(*_case_row_loading())
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
