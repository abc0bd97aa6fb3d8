"""Clock helpers. Stored datetimes are naive UTC; business dates are Asia/Shanghai.

This module is the app's one clock: product code reads the time through utcnow(), business_today()
or epoch_seconds(), never datetime.now()/date.today()/time.time() directly, so that a test (or the whole
suite, see STATIONS_TEST_NOW in tests/conftest.py) can pin it in one place.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC now (what the database columns store)."""
    return datetime.now(UTC).replace(tzinfo=None)


def epoch_seconds() -> float:
    """Seconds since the epoch (signature timestamps, job bookkeeping), from the same clock as utcnow()."""
    return time.time()


def to_business(value: datetime) -> datetime:
    """A stored naive-UTC datetime as an aware Asia/Shanghai datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BUSINESS_TZ)


def business_today(now: datetime | None = None) -> date:
    return to_business(now or utcnow()).date()


def iso_with_offset(value: datetime | None) -> str | None:
    return to_business(value).isoformat() if value else None
