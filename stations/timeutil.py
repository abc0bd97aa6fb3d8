"""Clock helpers. Stored datetimes are naive UTC; business dates are Asia/Shanghai.

This module is the app's one clock: product code reads the time through utcnow(), business_today()
or epoch_seconds(), never datetime.now()/date.today()/time.time() directly, so that a test (or the whole
suite, see STATIONS_TEST_NOW in tests/conftest.py) can pin it in one place.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
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


# The conversions below are the only ones in the app (stored naive UTC <-> naive Asia/Shanghai wall clock).


def business_now(now: datetime | None = None) -> datetime:
    """Naive Asia/Shanghai wall-clock time for a naive-UTC ``now`` (default: the clock's now)."""
    return to_business(now or utcnow()).replace(tzinfo=None)


def business_to_utc(value: datetime) -> datetime:
    """Naive business wall-clock time (or an aware datetime) as the naive UTC the database stores."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=BUSINESS_TZ)
    return aware.astimezone(UTC).replace(tzinfo=None)


def business_day(moment: datetime) -> date:
    """The business date of a stored naive-UTC moment (what SQL's ``business_date`` computes in the database)."""
    return to_business(moment).date()


def utc_start_of(day: date) -> datetime:
    """The naive-UTC moment at which the business day ``day`` begins."""
    return business_to_utc(datetime.combine(day, datetime.min.time()))


def utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Naive-UTC [start, end) of the business days first..last inclusive."""
    return utc_start_of(first), utc_start_of(last + timedelta(days=1))


def iso_with_offset(value: datetime | None) -> str | None:
    return to_business(value).isoformat() if value else None
