"""Reads for takeout orders, always from the access scope (stations/access.py), and the menu search."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..access import takeout_scope
from ..auth.models import Role, User
from ..catalog.search import pinyin_initials
from ..domain import takeout_flow as flow
from ..domain.deadlines import WarnLevel
from ..domain.takeout_flow import OPEN_STATUSES, OrderStatus
from ..extensions import db
from ..timeutil import business_now, to_business
from .models import MenuLine, Order, OrderAppeal, OrderCase, OrderEventRecord, OrderLine, TeamMember

NUMBER_RE = re.compile(r"[A-Z0-9]{1,20}")
MENU_LIMIT = 30


def order_for(user: User, order_no: str) -> Order | None:
    """The order with this number if ``user`` may see it (else None: a 404, not a 403)."""
    number = (order_no or "").strip().upper()
    if not NUMBER_RE.fullmatch(number):
        return None
    return db.session.scalar(
        select(Order)
        .where(Order.order_no == number, takeout_scope(user, Order, TeamMember))
        .options(
            selectinload(Order.lines).selectinload(OrderLine.menu_line),
            selectinload(Order.team).selectinload(TeamMember.user),
        )
    )


def orders_for(user: User, *, status: str | None = None, open_only: bool = False, page: int = 1, size: int = 30):
    """A page of orders in scope (one more row than ``size``, to tell whether a next page exists): the staff queue
    (open only) by contact deadline, else the newest first."""
    query = (
        select(Order)
        .where(takeout_scope(user, Order, TeamMember))
        .options(selectinload(Order.lines).selectinload(OrderLine.menu_line), selectinload(Order.enterprise))
    )
    if status in OrderStatus.__members__:
        query = query.where(Order.status == OrderStatus(status))
    elif open_only:
        query = query.where(Order.status.in_(OPEN_STATUSES))
    if open_only:
        query = query.order_by(Order.contact_due_at, Order.id)
    else:
        query = query.order_by(Order.ordered_at.desc(), Order.id.desc())
    return list(db.session.scalars(query.limit(size + 1).offset((page - 1) * size)))


def warn_level_of(order: Order, now: datetime) -> WarnLevel:
    return flow.warn_level(
        order.status,
        business_now(now),
        contact_due_at=to_business(order.contact_due_at).replace(tzinfo=None),
        visit_due_on=order.visit_due_on,
    )


def timeline(order: Order) -> list[OrderEventRecord]:
    return list(
        db.session.scalars(
            select(OrderEventRecord).where(OrderEventRecord.order_id == order.id).order_by(OrderEventRecord.id)
        )
    )


def case_nos(order: Order) -> list[str]:
    from ..cases.models import Case

    return list(
        db.session.scalars(
            select(Case.case_no).join(OrderCase, OrderCase.case_id == Case.id).where(OrderCase.order_id == order.id)
        )
    )


def appeal_nos(order: Order) -> list[str]:
    from ..appeals.models import Appeal

    return list(
        db.session.scalars(
            select(Appeal.appeal_no)
            .join(OrderAppeal, OrderAppeal.appeal_id == Appeal.id)
            .where(OrderAppeal.order_id == order.id)
        )
    )


def search_menu(text: str, *, limit: int = MENU_LIMIT, active_only: bool = True) -> list[MenuLine]:
    """Menu lines (active ones unless told) whose title, code, category or pinyin (full or initials) holds ``text``."""
    query = select(MenuLine).where(MenuLine.is_active.is_(True)) if active_only else select(MenuLine)
    words = (text or "").strip()[:40]
    if words:
        like = f"%{words.lower()}%"
        query = query.where(
            or_(
                MenuLine.title.contains(words),
                MenuLine.category.contains(words),
                MenuLine.code.ilike(like),
                MenuLine.pinyin.contains(words.lower().replace(" ", "")),
            )
        )
    return list(db.session.scalars(query.order_by(MenuLine.kind, MenuLine.code).limit(limit)))


def menu_lines(codes: list[str]) -> list[MenuLine]:
    return list(db.session.scalars(select(MenuLine).where(MenuLine.code.in_(codes[:20])).order_by(MenuLine.code)))


def menu_pinyin(title: str) -> str:
    """What search_menu matches a line's pinyin against (the catalogue's initials, lower case)."""
    return pinyin_initials(title).lower()


def team_candidates(order: Order) -> list[tuple[User, int, int]]:
    """The order's station staff and clerks with (skills the order's lines need that they have, open orders they are
    on), best first: the team is chosen by skills and current load (issue 15). Skills are business lines
    (department codes): a clerk's profile lists them; a menu line names those it needs."""
    from sqlalchemy import func

    from ..clerks.models import ClerkProfile

    needed = {skill for line in order.lines for skill in (line.menu_line.skills or [])}
    load = (
        select(TeamMember.user_id, func.count(TeamMember.id).label("n"))
        .join(Order, Order.id == TeamMember.order_id)
        .where(Order.status.in_([OrderStatus.DISPATCHED, OrderStatus.ON_SITE]))
        .group_by(TeamMember.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, ClerkProfile.business_lines, func.coalesce(load.c.n, 0))
        .outerjoin(load, load.c.user_id == User.id)
        .outerjoin(ClerkProfile, ClerkProfile.user_id == User.id)
        .where(User.role.in_([Role.STAFF, Role.CLERK]), User.station_id == order.station_id, User.is_enabled)
        .order_by(User.id)
    ).all()
    scored = [(user, len(needed & set(lines or [])), n) for user, lines, n in rows]
    return sorted(scored, key=lambda row: (-row[1], row[2], row[0].id))
