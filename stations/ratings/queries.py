"""Reads of ratings and rectifications: averages, one case's rating, the station's rectification list.

Who sees which rectification: staff of its station; the central office and the administrator all of them; the
enterprise that rated sees its own through its case. Each function runs one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from ..access import case_scope
from ..auth.models import Role, User
from ..cases.models import Case
from ..cases.queries import no_index
from ..domain.deadlines import WarnLevel
from ..domain.ratings import ANSWERED, AWAITING_CALLBACK, RATABLE_STATUSES, average
from ..extensions import db
from ..timeutil import business_today
from .models import Rating, Rectification, RectificationEventRecord

ANSWERED_VALUES = tuple(s.value for s in ANSWERED)
AWAITING_CALLBACK_VALUES = tuple(s.value for s in AWAITING_CALLBACK)
URGENCY = {WarnLevel.RED: 0, WarnLevel.YELLOW: 1, WarnLevel.GREEN: 2, WarnLevel.DONE: 3}


# --- averages (clerk directory, dashboards) -----------------------------------------------------------------------


def _averages(column, ids: Iterable[int]) -> dict[int, float]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = db.session.execute(
        select(column, func.sum(Rating.level), func.count(Rating.id))
        .where(column.in_(wanted), Rating.is_invalidated.is_(False))
        .group_by(column)
    ).all()
    return {key: value for key, total, count in rows if (value := average(total, count)) is not None}


def average_for_clerks(clerk_ids: Iterable[int]) -> dict[int, float]:
    """Mean rating (1-5, 2 decimals) of the cases each clerk handled; clerks without ratings are left out."""
    return _averages(Rating.clerk_id, clerk_ids)


def average_for_stations(station_ids: Iterable[int]) -> dict[int, float]:
    """Mean rating (1-5, 2 decimals) of the cases each station received; stations without ratings are left out."""
    return _averages(Rating.station_id, station_ids)


# --- the enterprise's side ------------------------------------------------------------------------------------------


def rating_for_case(case_id: int) -> Rating | None:
    """A case's rating with its rectification and the rectification's steps."""
    return db.session.scalar(
        select(Rating)
        .where(Rating.case_id == case_id)
        .options(
            joinedload(Rating.rectification)
            .selectinload(Rectification.events)
            .joinedload(RectificationEventRecord.actor)
        )
    )


def cases_to_rate(user: User, *, limit: int = 5) -> list[Case]:
    """The user's delivered cases it has not rated yet, the latest first (the enterprise's to-dos): one query."""
    rated = select(Rating.id).where(Rating.case_id == Case.id).exists()
    # The status is hidden from SQLite's index choice (no_index): with "status IN ('DELIVERED')" it walked the status
    # index, where most of a large history is (59 ms for ent-gd at 200,000 cases), instead of the enterprise's own.
    delivered = no_index(Case.status).in_([s.value for s in RATABLE_STATUSES])
    statement = (
        select(Case)
        .where(case_scope(user), delivered, ~rated)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement).all())


def unrated_among(case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` that are delivered and not rated yet: one query."""
    ids = list(case_ids)
    if not ids:
        return set()
    rated = select(Rating.id).where(Rating.case_id == Case.id).exists()
    # The status is checked here, not in SQL: with "status IN ('DELIVERED')" in the WHERE clause SQLite walked the
    # status index (most of a large history is delivered: 16 ms at 200,000 cases) instead of the few ids given.
    statement = select(Case.id, Case.status).where(Case.id.in_(ids), ~rated)
    return {case_id for case_id, status in db.session.execute(statement) if status in RATABLE_STATUSES}


@dataclass
class RatingPage:
    rows: list[Rating]
    page: int
    has_next: bool


def ratings_of_enterprise(enterprise_id: int, *, page: int = 1, page_size: int = 30) -> RatingPage:
    """The enterprise's ratings, newest first, with their case and rectification."""
    rows = list(
        db.session.scalars(
            select(Rating)
            .where(Rating.enterprise_id == enterprise_id)
            .options(joinedload(Rating.case).joinedload(Case.item), joinedload(Rating.rectification))
            .order_by(Rating.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size + 1)
        ).unique()
    )
    return RatingPage(rows[:page_size], page, len(rows) > page_size)


# --- the station's side ---------------------------------------------------------------------------------------------


def rectification_scope(user: User | None) -> ColumnElement[bool]:
    """The WHERE clause limiting rectifications to the station side that may see them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return true()
    if user.role is Role.STAFF and user.station_id is not None:
        return Rectification.station_id == user.station_id
    return false()


def tag_expr(today: date) -> ColumnElement[str]:
    """domain.ratings.rectification_tag in SQL, from the stored dates."""
    awaiting = Rectification.status.in_(AWAITING_CALLBACK_VALUES)
    return case(
        (Rectification.status.in_(ANSWERED_VALUES), literal(WarnLevel.DONE.value)),
        (
            or_(Rectification.due_on < today, and_(awaiting, Rectification.callback_due_on < today)),
            literal(WarnLevel.RED.value),
        ),
        (
            or_(Rectification.warn_on <= today, and_(awaiting, Rectification.callback_due_on <= today)),
            literal(WarnLevel.YELLOW.value),
        ),
        else_=literal(WarnLevel.GREEN.value),
    )


@dataclass
class RectificationPage:
    rows: list[tuple[Rectification, str]]  # (rectification, tag)
    page: int
    has_next: bool


def rectification_rows(
    user: User,
    *,
    status: str | None = None,
    open_only: bool = False,
    page: int = 1,
    page_size: int = 30,
    today: date | None = None,
) -> RectificationPage:
    """One page of the rectifications the user may see, most urgent first, each with its tag."""
    today = today or business_today()
    tag = tag_expr(today).label("tag")
    urgency = case(*((tag == level.value, rank) for level, rank in URGENCY.items()), else_=9)
    stmt = select(Rectification, tag).where(rectification_scope(user))
    if status:
        stmt = stmt.where(Rectification.status == status)
    if open_only:
        stmt = stmt.where(Rectification.status.not_in(ANSWERED_VALUES))
    stmt = (
        stmt.options(
            joinedload(Rectification.rating),
            joinedload(Rectification.case).joinedload(Case.item),
            joinedload(Rectification.case).joinedload(Case.enterprise),
            joinedload(Rectification.station),
            joinedload(Rectification.responsible),
        )
        .order_by(urgency, Rectification.due_on, Rectification.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    rows = [(row[0], row[1]) for row in db.session.execute(stmt).unique().all()]
    return RectificationPage(rows[:page_size], page, len(rows) > page_size)


def tag_counts(user: User, *, today: date | None = None) -> dict[str, int]:
    """How many rectifications the user may see are of each tag (one query)."""
    tag = tag_expr(today or business_today()).label("tag")
    counts = {level.value: 0 for level in URGENCY}
    for level, count in db.session.execute(
        select(tag, func.count(Rectification.id)).where(rectification_scope(user)).group_by(tag)
    ).all():
        counts[level] = count
    return counts


def rectification_for(user: User, rectification_id: int) -> Rectification | None:
    """One rectification with what its page shows, or None when the user may not see it."""
    return db.session.scalar(
        select(Rectification)
        .where(Rectification.id == rectification_id, rectification_scope(user))
        .options(
            joinedload(Rectification.rating),
            joinedload(Rectification.case).joinedload(Case.item),
            joinedload(Rectification.case).joinedload(Case.enterprise),
            joinedload(Rectification.station),
            joinedload(Rectification.responsible),
            selectinload(Rectification.events).joinedload(RectificationEventRecord.actor),
        )
    )
