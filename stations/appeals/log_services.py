"""Writing the commissioners' service log (行政专员台账): one entry per visit, call, 帮办代办, policy talk or problem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..access import appeal_scope, case_scope
from ..auth.models import User
from ..cases.models import Case
from ..enterprises.models import Enterprise
from ..extensions import db
from .models import Appeal, LogKind, ServiceLogEntry
from .services import AppealError, parse_enum


@dataclass
class LogInput:
    kind: str
    enterprise_id: int | None
    day: date
    note: str = ""
    solved: bool = False
    case_no: str = ""
    appeal_no: str = ""


def add_entry(user: User, data: LogInput) -> ServiceLogEntry:
    """A new entry by ``user``; a linked case or appeal must be one the user may see."""
    kind = parse_enum(LogKind, data.kind, "unknown_kind")
    enterprise = db.session.get(Enterprise, data.enterprise_id) if data.enterprise_id else None
    if enterprise is None:
        raise AppealError("unknown_enterprise")
    if len(data.note) > 2000:
        raise AppealError("text_too_long")
    case_id = appeal_id = None
    if data.case_no.strip():
        case_id = db.session.scalar(select(Case.id).where(Case.case_no == data.case_no.strip(), case_scope(user)))
        if case_id is None:
            raise AppealError("unknown_case")
    if data.appeal_no.strip():
        appeal_id = db.session.scalar(
            select(Appeal.id).where(Appeal.appeal_no == data.appeal_no.strip(), appeal_scope(user))
        )
        if appeal_id is None:
            raise AppealError("unknown_original")
    entry = ServiceLogEntry(
        author_id=user.id,
        enterprise_id=enterprise.id,
        kind=kind,
        day=data.day,
        note=data.note.strip(),
        solved=bool(data.solved) and kind is LogKind.PROBLEM,
        case_id=case_id,
        appeal_id=appeal_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
