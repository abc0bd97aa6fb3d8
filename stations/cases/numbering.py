"""Case numbers JH{station}{yyyyMMdd}{seq:04d} and query codes (domain.md §4.9)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import CaseSequence

# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


def next_sequence(station_id: int, day: date) -> int:
    """The next number for this station and day, safe under concurrent intake.

    The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite), so two
    intakes never get the same number; the first intake of a day inserts the row, and a
    racing insert is retried as an update.
    """
    for _ in range(3):
        result = db.session.execute(
            update(CaseSequence)
            .where(CaseSequence.station_id == station_id, CaseSequence.day == day)
            .values(last_seq=CaseSequence.last_seq + 1)
            .returning(CaseSequence.last_seq)
        ).scalar()
        if result is not None:
            return result
        try:
            with db.session.begin_nested():
                db.session.add(CaseSequence(station_id=station_id, day=day, last_seq=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")


def format_case_no(station_code: str, day: date, seq: int) -> str:
    return f"JH{station_code}{day:%Y%m%d}{seq:04d}"


def peek_sequence(station_id: int, day: date) -> int:
    return (
        db.session.scalar(
            select(CaseSequence.last_seq).where(CaseSequence.station_id == station_id, CaseSequence.day == day)
        )
        or 0
    )
