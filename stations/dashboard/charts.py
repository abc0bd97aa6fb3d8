"""Server-rendered SVG charts: the geometry is computed here, the markup is a Jinja macro (dashboard/_charts.html).

No inline style: bars carry CSS classes and SVG presentation attributes only (the CSP forbids style="").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, MARGIN_BOTTOM, MARGIN_TOP = 640, 220, 24, 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    maximum: int
    label_every: int


def received_series(report) -> list[tuple[str, int]]:
    """Cases received per day, or per month when the period is longer than two months."""
    if (report.end - report.start).days <= 62:
        return [(day.strftime("%m-%d"), count) for day, count in _every_day(report)]
    months: dict[str, int] = {}
    for day, count in _every_day(report):
        key = day.strftime("%Y-%m")
        months[key] = months.get(key, 0) + count
    return list(months.items())


def _every_day(report) -> list[tuple[date, int]]:
    from datetime import timedelta

    counts = dict(report.by_day)
    days, day = [], report.start
    while day <= report.end:
        days.append((day, counts.get(day, 0)))
        day += timedelta(days=1)
    return days


def bar_chart(series: list[tuple[str, int]]) -> BarChart:
    maximum = max((value for _label, value in series), default=0)
    plot = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = WIDTH / max(1, len(series))
    bars = []
    for index, (label, value) in enumerate(series):
        height = plot * value / maximum if maximum else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(index * slot + slot * 0.1, 2),
                y=round(MARGIN_TOP + plot - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
            )
        )
    return BarChart(
        bars=bars,
        width=WIDTH,
        height=HEIGHT,
        baseline=HEIGHT - MARGIN_BOTTOM,
        maximum=maximum,
        label_every=max(1, len(series) // 12),
    )
