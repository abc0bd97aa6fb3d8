"""Reads on bundles and bundle cases, always from the access scope (stations/access)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..access import bundle_case_scope as _scope
from ..auth.models import User
from ..cases.queries import warn_level_of
from ..catalog.models import ServiceItem
from ..domain import bundles as rules
from ..domain.deadlines import WarnLevel, warn_level
from ..extensions import db
from ..timeutil import to_business, utcnow
from .models import Bundle, BundleCase, BundleChild, BundleLevel, BundleMember
from .services import child_state

PAGE_SIZE = 50


def bundle_case_scope(user: User):
    return _scope(user, BundleCase.station_id, BundleCase.enterprise_id)


def bundles(level: BundleLevel | None = None, *, active_only: bool = True) -> list[Bundle]:
    stmt = select(Bundle).options(selectinload(Bundle.members)).order_by(Bundle.level, Bundle.code)
    if level is not None:
        stmt = stmt.where(Bundle.level == level)
    if active_only:
        stmt = stmt.where(Bundle.is_active.is_(True))
    return list(db.session.scalars(stmt))


def get_bundle(code: str) -> Bundle | None:
    return db.session.scalar(
        select(Bundle)
        .where(Bundle.code == code)
        .options(selectinload(Bundle.members).joinedload(BundleMember.item).selectinload(ServiceItem.materials))
    )


def merged_materials(bundle: Bundle) -> list[rules.MergedMaterial]:
    """The bundle's one set of materials: each material its members ask for, once (一套材料)."""
    return rules.merge_materials(
        rules.MaterialNeed(member.seq, material.id, material.name, material.is_required)
        for member in bundle.members
        for material in member.item.materials
    )


def _with_children(stmt):
    return stmt.options(
        selectinload(BundleCase.children).joinedload(BundleChild.case),
        selectinload(BundleCase.documents),
        joinedload(BundleCase.enterprise),
        joinedload(BundleCase.station),
    )


def visible_bundle_cases(user: User, *, page: int = 1, page_size: int = PAGE_SIZE) -> list[BundleCase]:
    stmt = (
        select(BundleCase)
        .where(bundle_case_scope(user))
        .order_by(BundleCase.received_at.desc(), BundleCase.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(db.session.scalars(_with_children(stmt)))


def get_visible(user: User, bundle_no: str) -> BundleCase | None:
    stmt = select(BundleCase).where(BundleCase.bundle_no == bundle_no, bundle_case_scope(user))
    return db.session.scalar(_with_children(stmt))


def tracked(bundle_no: str, code: str) -> BundleCase | None:
    """Public tracking: number and query code must both match (compared in constant time, as for cases)."""
    found = db.session.scalar(_with_children(select(BundleCase).where(BundleCase.bundle_no == bundle_no.upper())))
    expected = found.query_code if found is not None else "\x00" * 6
    if not hmac.compare_digest(expected.encode(), code.strip().upper().encode()) or found is None:
        return None
    return found


@dataclass
class Step:
    seq: int
    item_name: str
    state: rules.ChildState
    case: object | None
    level: str
    waits_for: list[int]


def own_level(bundle_case: BundleCase, now: datetime | None = None) -> WarnLevel:
    now_local = to_business(now or utcnow()).replace(tzinfo=None)
    return warn_level(
        now_local=now_local,
        warn_on=bundle_case.warn_on,
        overdue_at_local=to_business(bundle_case.overdue_at).replace(tzinfo=None) if bundle_case.overdue_at else None,
        is_done=bundle_case.status is not rules.BundleStatus.IN_PROGRESS,
        is_paused=False,
    )


def steps(bundle_case: BundleCase, now: datetime | None = None) -> list[Step]:
    return [
        Step(
            seq=child.seq,
            item_name=child.item.name,
            state=child_state(child),
            case=child.case,
            level=warn_level_of(child.case, now) if child.case is not None else WarnLevel.GREEN.value,
            waits_for=list(child.depends_on or []),
        )
        for child in bundle_case.children
    ]


def level_of(bundle_case: BundleCase, now: datetime | None = None) -> str:
    """The bundle's colour: its own promised total and its open children's colours, rolled up."""
    children = [WarnLevel(step.level) for step in steps(bundle_case, now) if step.case is not None]
    return rules.roll_up_level(bundle_case.status, own_level(bundle_case, now), children).value


def next_turn_red_stmt(now: datetime) -> Select:
    """The next moment an open bundle's own promised total runs out (for pages reused until then, like the
    cases' ``next_turn_red_stmt``); its children turn red on their cases' clocks."""
    return select(func.min(BundleCase.overdue_at)).where(
        BundleCase.status == rules.BundleStatus.IN_PROGRESS.value, BundleCase.overdue_at > now
    )


# --- the central office's figures -----------------------------------------------------------------------------------


def level_counts() -> dict[str, dict[str, int]]:
    """Active bundles per level, and how many of them may be applied for online (§5.5: 38 / 21 / 80, 35 online)."""
    rows = db.session.execute(
        select(Bundle.level, func.count(), func.sum(case((Bundle.is_online.is_(True), 1), else_=0)))
        .where(Bundle.is_active.is_(True))
        .group_by(Bundle.level)
    ).all()
    counts = {level.value: {"bundles": 0, "online": 0} for level in BundleLevel}
    for level, total, online in rows:
        key = level.value if isinstance(level, BundleLevel) else str(level)
        counts[key] = {"bundles": int(total), "online": int(online or 0)}
    return counts


def period_figures(low: datetime, high: datetime) -> dict[str, float | int | None]:
    """Bundle cases received in [low, high) (UTC), and the on-time rate of those concluded in it: concluded no
    later than the bundle's own promised total ran out. One query."""
    concluded = and_(
        BundleCase.status == rules.BundleStatus.CONCLUDED.value,
        BundleCase.concluded_at >= low,
        BundleCase.concluded_at < high,
    )
    received, done, on_time = db.session.execute(
        select(
            func.count(case((and_(BundleCase.received_at >= low, BundleCase.received_at < high), 1))),
            func.count(case((concluded, 1))),
            func.count(
                case(
                    (
                        and_(
                            concluded,
                            (BundleCase.overdue_at.is_(None)) | (BundleCase.concluded_at < BundleCase.overdue_at),
                        ),
                        1,
                    )
                )
            ),
        )
    ).one()
    return {"cases": int(received), "on_time_rate": round(on_time / done, 4) if done else None}
