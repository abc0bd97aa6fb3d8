"""ID checks: 统一社会信用代码 (GB 32100) and 居民身份证号码 (GB 11643), via python-stdnum."""

from __future__ import annotations

import unicodedata

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError


def normalise(value: str) -> str:
    """NFKC (full-width digits become ASCII), drop spaces and zero-width characters, upper-case."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch) != "Cf")
    return value.upper()


def is_valid_uscc(value: str) -> bool:
    try:
        uscc.validate(normalise(value))
    except ValidationError:
        return False
    return True


def is_valid_resident_id(value: str) -> bool:
    try:
        ric.validate(normalise(value))
    except ValidationError:
        return False
    return True


def mask_resident_id(value: str) -> str:
    """First 3 and last 4 characters shown: 610***********1231 (security.md P2)."""
    value = normalise(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
