"""The enterprise's document store ("材料只交一次"): when a stored material may still be used.

A document without ``valid_until`` never expires. One that expires within ``EXPIRY_WARNING_DAYS`` (today
included) is flagged so that the enterprise renews it before a case needs it; after ``valid_until`` it is
expired and no longer offered for reuse.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

EXPIRY_WARNING_DAYS = 30


def N_(message: str) -> str:
    """Mark a msgid for Babel extraction; translate with gettext() when shown."""
    return message


class Validity(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


VALIDITY_LABELS: dict[Validity, str] = {
    Validity.VALID: N_("有效"),
    Validity.EXPIRING: N_("即将过期"),
    Validity.EXPIRED: N_("已过期"),
}


def expiry_horizon(today: date, days: int = EXPIRY_WARNING_DAYS) -> date:
    """The last ``valid_until`` that is flagged as expiring today."""
    return today + timedelta(days=days)


def validity(valid_until: date | None, today: date, days: int = EXPIRY_WARNING_DAYS) -> Validity:
    """Valid, expiring within ``days`` (the last valid day included) or expired."""
    if valid_until is None:
        return Validity.VALID
    if valid_until < today:
        return Validity.EXPIRED
    if valid_until <= expiry_horizon(today, days):
        return Validity.EXPIRING
    return Validity.VALID
