"""现场受理、后台流转 (issue 12, item 1): a case for an item its station only COLLECTs goes to the department.

The station accepts it (or 容缺-accepts it) with its materials; at that moment the case is handed to the queue of
the department that owns the item. From then on the department reviews, decides and issues (case_flow's
BACK_OFFICE_EVENTS); the station keeps correction notices and delivery. Its first examiner is the 首办负责人.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..sites.models import ScopeMode, StationItem
from .models import Case, CaseEventRecord

HAND_OVER_EVENT = "to_department"  # a note on the timeline: 转交后台 (the department)


def is_collected(case: Case) -> bool:
    """True when the receiving station only collects this item for the centre (ScopeMode.COLLECT)."""
    mode = db.session.scalar(
        select(StationItem.mode).where(StationItem.station_id == case.station_id, StationItem.item_id == case.item_id)
    )
    return mode is ScopeMode.COLLECT


def hand_over_if_collected(case: Case, now: datetime) -> bool:
    """At acceptance: hand a collected case to its item's department (once). True when it was handed over."""
    if case.department_id is not None or not is_collected(case):
        return False
    case.department_id = case.item.department_id
    case.handed_at = now
    return True


def record_hand_over(case: Case, now: datetime) -> None:
    """The timeline line 转交后台, right after the acceptance that handed the case over at ``now``."""
    if case.department_id is None or case.handed_at != now:
        return
    db.session.add(
        CaseEventRecord(
            case=case,
            at=now,
            actor_id=None,
            actor_role="SYSTEM",
            event=HAND_OVER_EVENT,
            from_status=case.status.value,
            to_status=case.status.value,
            note=case.item.department.name,
        )
    )
