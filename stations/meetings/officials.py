"""The officials an enterprise can book (一键约见): the administrator adds, renames and deactivates them.
Flush, never commit. Meetings, patterns and slots keep a text copy of the name; a rename rewrites the copies on the
weekly patterns and on the slots still to come (not on meetings: what was booked stays as it was)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..catalog.models import Department
from ..domain.case_vocabulary import N_
from ..extensions import db
from ..timeutil import utcnow
from . import queries
from .errors import MeetingError
from .models import AvailabilityPattern, MeetingSlot, Official, OfficialKind

MAX_NAME = 100
KIND_LABELS = {
    OfficialKind.LEADER: N_("领导"),
    OfficialKind.SECTION: N_("业务科室"),
    OfficialKind.DEPARTMENT: N_("部门（不指定领导或科室）"),
}


def official_label(official: Official, *, with_department: bool = True) -> str:
    """How a picker shows an official: 开发建设部 · 部长; the department itself as 开发建设部（部门）."""
    name = official.name or _("部门")
    if not with_department:
        return name
    if not official.name:
        return f"{official.department.name}（{name}）"
    return f"{official.department.name} · {name}"


def official_choices(department_id: int | None = None, *, named_only: bool = False) -> list[tuple[str, str]]:
    """(value, label) of every active official (of one department; only leaders and sections), for a select."""
    return [
        (str(o.id), official_label(o, with_department=department_id is None))
        for o in queries.officials(department_id=department_id)
        if o.name or not named_only
    ]


def _checked(name: str, kind: str) -> tuple[str, OfficialKind]:
    name = (name or "").strip()
    if "\x00" in name or len(name) > MAX_NAME:
        raise MeetingError("bad_official_name")
    try:
        kind = OfficialKind(kind)
    except ValueError as bad:
        raise MeetingError("bad_official_kind") from bad
    if bool(name) == (kind is OfficialKind.DEPARTMENT):  # a leader or section has a name, the department none
        raise MeetingError("official_name_required" if not name else "bad_official_kind")
    return name, kind


def _flush_unique() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exists:
        raise MeetingError("official_exists") from exists


def add_official(department_id: int | None, name: str, kind: str) -> Official:
    """:raise MeetingError: unknown department, bad name or kind, or the department already has that official."""
    if department_id is None or db.session.get(Department, department_id) is None:
        raise MeetingError("unknown_department")
    name, kind = _checked(name, kind)
    official = Official(department_id=department_id, name=name, kind=kind, is_active=True)
    db.session.add(official)
    _flush_unique()
    return official


def rename_official(official: Official, name: str, kind: str, *, now: datetime | None = None) -> Official:
    """New name (and kind); the copies on its patterns and future slots follow. :raise MeetingError:"""
    name, kind = _checked(name, kind)
    try:
        with db.session.begin_nested():
            official.name, official.kind = name, kind
            db.session.flush()
            db.session.execute(
                update(AvailabilityPattern).where(AvailabilityPattern.official_id == official.id).values(leader=name)
            )
            db.session.execute(
                update(MeetingSlot)
                .where(MeetingSlot.official_id == official.id, MeetingSlot.starts_at > (now or utcnow()))
                .values(leader=name)
            )
    except IntegrityError as exists:
        raise MeetingError("official_exists") from exists
    return official


def set_official_active(official: Official, active: bool) -> Official:
    """Deactivated: no longer offered on any form, and refused by id (``unknown_official``); history keeps it."""
    official.is_active = active
    db.session.flush()
    return official


# --- officials: the one place that turns an official into the texts kept on meetings, patterns and slots ------------


def official_for(official_id: int | None) -> Official | None:
    """The active official ``official_id`` (None for None). :raise MeetingError: ``unknown_official`` when no such
    official exists or it was deactivated."""
    if official_id is None:
        return None
    official = db.session.get(Official, official_id)
    if official is None or not official.is_active:
        raise MeetingError("unknown_official")
    return official


def matching_official(department_id: int | None, name: str) -> Official | None:
    """The active official an old client named by text (department + leader or section), if there is one."""
    if department_id is None:
        return None
    return db.session.scalar(
        select(Official).where(
            Official.department_id == department_id, Official.name == name.strip()[:100], Official.is_active
        )
    )


def official_texts(official: Official) -> tuple[str, str]:
    """(target_leader, target_section) copied onto a meeting: the name shows as the leader or section booked."""
    return official.name, official.name if official.kind is OfficialKind.SECTION else ""
