"""The pure figure formulas (stations/domain/metrics.py), table-tested."""

from __future__ import annotations

from datetime import date

import pytest

from stations.domain import metrics
from stations.domain.workdays import TableCalendar


@pytest.mark.parametrize(
    ("red", "yellow", "open_", "colour"),
    [
        (1, 5, 9, "red"),  # 11 % overdue
        (5, 0, 100, "red"),  # exactly 5 %
        (1, 0, 1, "red"),
        (4, 0, 100, "yellow"),  # one overdue case among many: a warning, not an alarm
        (1, 0, 300, "yellow"),
        (0, 2, 9, "yellow"),  # 22 % in the warning window
        (0, 20, 100, "yellow"),  # exactly 20 %
        (0, 19, 100, "green"),
        (0, 1, 300, "green"),
        (0, 0, 3, "green"),
        (0, 0, 0, "idle"),
    ],
)
def test_tile_colour_follows_the_share_of_late_and_nearly_late_cases(red, yellow, open_, colour):
    assert metrics.tile_colour(red=red, yellow=yellow, open_=open_) == colour


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("month", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
        ("month", date(2025, 12, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        ("quarter", date(2026, 11, 27), (date(2026, 10, 1), date(2026, 12, 31))),
        ("quarter", date(2026, 5, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        ("year", date(2024, 2, 29), (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_period_bounds(kind, today, expected):
    assert metrics.period_bounds(kind, today) == expected


def test_custom_period_and_errors():
    assert metrics.period_bounds("custom", date(2026, 1, 1), date(2025, 12, 30), date(2026, 1, 2)) == (
        date(2025, 12, 30),
        date(2026, 1, 2),
    )
    with pytest.raises(ValueError):
        metrics.period_bounds("custom", date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 1))
    with pytest.raises(ValueError):
        metrics.period_bounds("week", date(2026, 1, 1))


def test_mean_working_days_skips_the_holiday():
    # 31 Dec 2025 (Wed) working, 1-3 Jan 2026 off, 4 Jan (Sun) a make-up working day.
    days = {date(2025, 12, 31): True, date(2026, 1, 1): False, date(2026, 1, 2): False, date(2026, 1, 3): False}
    days[date(2026, 1, 4)] = True
    calendar = TableCalendar.from_days(days)
    pairs = [(date(2025, 12, 31), date(2026, 1, 4), 3), (date(2025, 12, 31), date(2025, 12, 31), 1)]
    assert metrics.mean_working_days(pairs, calendar) == 0.75  # (1 * 3 + 0) / 4
    assert metrics.mean_working_days([], calendar) is None


@pytest.mark.parametrize(
    ("concluded", "late", "on_time_rate", "overdue_rate"),
    [(0, 0, None, None), (4, 1, 0.75, 0.25), (3, 1, 0.6667, 0.3333), (1, 0, 1.0, 0.0)],
)
def test_period_rates(concluded, late, on_time_rate, overdue_rate):
    figures = metrics.period_figures(
        received=10, accepted=9, concluded=concluded, concluded_late=late, mean_days=None, instant_cases=4,
        rongque_cases=1, deficiencies_due=2, deficiencies_on_time=1, ratings=3, ratings_satisfied=2,
    )  # fmt: skip
    assert (figures.on_time_rate, figures.overdue_rate) == (on_time_rate, overdue_rate)
    assert figures.instant_share == 0.4 and figures.rongque_on_time_rate == 0.5
    assert figures.satisfaction_rate == 0.6667 and figures.rectified_on_time_rate is None


def test_period_figures_refuse_impossible_counts():
    with pytest.raises(ValueError):
        metrics.period_figures(
            received=1, accepted=1, concluded=1, concluded_late=2, mean_days=None, instant_cases=0,
            rongque_cases=0, deficiencies_due=0, deficiencies_on_time=0,
        )  # fmt: skip
