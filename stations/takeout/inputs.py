"""Reading an order event from a form or a JSON body, the same way for the pages and API v1.

Liberal in what it takes (strings or numbers, a list or a comma-separated string of team ids), strict in what it
passes on: an unknown event, a bad date or a bad number is a TakeoutError with its own code (-> 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..domain.takeout_flow import OrderEvent
from .services import EventInput, TakeoutError

MAX_NOTE = 2000


def _text(value: Any, limit: int = MAX_NOTE) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or "\x00" in value:
        raise TakeoutError("bad_field")
    return value.strip()[:limit]


def _int(value: Any) -> int | None:
    text = _text(value, 12)
    if not text:
        return None
    if not text.isdigit():
        raise TakeoutError("bad_field")
    return int(text)


def _ids(value: Any) -> list[int]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [n for n in (_int(item) for item in items[:20]) if n is not None]


def _date(value: Any) -> date | None:
    text = _text(value, 10)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as bad:
        raise TakeoutError("bad_date") from bad


def parse_event(body: Mapping[str, Any], *, team_ids: list | None = None) -> tuple[OrderEvent, int | None, EventInput]:
    """``body``: a JSON object or a form's fields. ``team_ids``: a form's repeated checkbox values, if any."""
    name = _text(body.get("event"), 20).lower()
    if name not in {e.value for e in OrderEvent} or name in (OrderEvent.ORDER, OrderEvent.AUTO_CLOSE):
        raise TakeoutError("unknown_event")
    data = EventInput(
        reason=_text(body.get("reason")),
        alternative=_text(body.get("alternative"), 16).upper(),
        team_ids=_ids(team_ids if team_ids is not None else body.get("team")),
        agreed_visit_on=_date(body.get("agreed_visit_on")),
        outcome=_text(body.get("outcome")),
        level=_int(body.get("level")),
        note=_text(body.get("note"), 500),
    )
    return OrderEvent(name), _int(body.get("version")), data
