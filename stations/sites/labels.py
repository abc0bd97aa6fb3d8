"""Chinese labels (gettext msgids) for station kinds, scope modes and opening hours."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import ScopeMode, StationKind

STATION_KIND_LABELS = {
    StationKind.CENTER: _l("政务中心"),
    StationKind.PARK: _l("产业园区驿站"),
    StationKind.BUILDING: _l("楼宇驿站"),
    StationKind.COMMERCIAL: _l("商圈驿站"),
}

SCOPE_MODE_LABELS = {
    ScopeMode.ACCEPT: _l("可直接受理"),
    ScopeMode.COLLECT: _l("代收转中心"),
    ScopeMode.GUIDE: _l("咨询帮办"),
}

_WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))


def _days_label(days: str) -> str:
    """ "1-5" -> 周一至周五, "6" -> 周六, "1,3" -> 周一、周三 (ISO weekday numbers)."""
    parts = []
    for chunk in str(days).split(","):
        first, _sep, last = chunk.strip().partition("-")
        if not first.isdigit() or not 1 <= int(first) <= 7 or (last and not (last.isdigit() and 1 <= int(last) <= 7)):
            return str(days)
        if last:
            parts.append(_("%(first)s至%(last)s", first=_WEEKDAYS[int(first) - 1], last=_WEEKDAYS[int(last) - 1]))
        else:
            parts.append(str(_WEEKDAYS[int(first) - 1]))
    return "、".join(parts)


def opening_hours_lines(hours: list[dict] | None) -> list[str]:
    """One line per group of days: "周一至周五 09:00–12:00、13:00–17:00", in the stored order."""
    grouped: dict[str, list[str]] = {}
    for slot in hours or []:
        grouped.setdefault(str(slot.get("days", "")), []).append(f"{slot.get('open', '')}–{slot.get('close', '')}")
    return [f"{_days_label(days)} {'、'.join(spans)}" for days, spans in grouped.items()]
