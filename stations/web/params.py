"""Strict integer parsing for every id and number read from a query string or a form (issue 18).

``str.isdigit()`` accepts "³" and "٣" and ``int()`` accepts "٣", " 7" and "1_000", and refuses more than
4,300 digits: a query value must be 1 to ``max_digits`` ASCII digits, nothing else.
"""

from __future__ import annotations

import re

from flask import abort, request

MAX_DIGITS = 12  # ids and page numbers are far below 10**12
_DIGITS = re.compile(r"[0-9]+")


def parse_int(raw: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The value of ``raw`` if it is 1 to ``max_digits`` ASCII digits, else None."""
    if raw is None or not 0 < len(raw) <= max_digits or not _DIGITS.fullmatch(raw):
        return None
    return int(raw)


def int_arg(name: str, default: int | None = None, *, minimum: int = 0, source=None) -> int | None:
    """A query (or ``source``: a form) integer; absent or empty gives ``default``, anything malformed aborts 400."""
    values = request.args if source is None else source
    raw = (values.get(name) or "").strip()
    if not raw:
        return default
    value = parse_int(raw)
    if value is None or value < minimum:
        abort(400)
    return value
