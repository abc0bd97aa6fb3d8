"""Case numbers JH{station}{yyyyMMdd}{seq:04d} and query codes (domain.md §4.9)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from ..counters import bump_counter
from ..extensions import db
from .models import CaseSequence

# No 0/O, 1/I/L: the code is read off paper and typed on a phone.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


def next_sequence(station_id: int, day: date) -> int:
    """The next number for this station and day, safe under concurrent intake (see stations/counters.py)."""
    return bump_counter(CaseSequence, "last_seq", {"station_id": station_id, "day": day}, what="a case number")


def format_case_no(station_code: str, day: date, seq: int) -> str:
    return f"JH{station_code}{day:%Y%m%d}{seq:04d}"


def peek_sequence(station_id: int, day: date) -> int:
    return (
        db.session.scalar(
            select(CaseSequence.last_seq).where(CaseSequence.station_id == station_id, CaseSequence.day == day)
        )
        or 0
    )
