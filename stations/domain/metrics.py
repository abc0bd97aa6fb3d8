"""Pure formulas of the central office's figures (domain.md §5.2-5.4): counts in, ratios and means out.

The queries (stations/dashboard/board_queries.py, period_queries.py) count in SQL; these functions only divide, so that the rules can be
table-tested without a database. Ratios are fractions rounded half-up to 4 places (0.9065 = 90.65 %), or None when
there is nothing to divide by (shown as "—").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .catalog_metrics import ratio
from .workdays import WorkCalendar, working_days_between

__all__ = ["PeriodFigures", "mean_working_days", "period_bounds", "period_figures", "ratio", "tile_colour"]


# A tile's colour tells the central office which stations need a call, so it follows the SHARE of a station's open
# cases that are late or nearly so, not the single worst case (one overdue case among 300 turned every tile red,
# issue 19). Red: at least 5 % overdue (the on-time rate the province expects, 95 %, is being missed). Yellow: some
# overdue case, or at least 20 % of open cases in the warning window. The counts beside the colour still show every
# red case.
RED_SHARE = 0.05
WARNING_SHARE = 0.20


def tile_colour(*, red: int, yellow: int, open_: int) -> str:
    """A station tile's colour from the share of its open cases that are red and yellow (idle when none is open)."""
    if not open_:
        return "idle"
    if red and red >= RED_SHARE * open_:
        return "red"
    if red or (red + yellow) >= WARNING_SHARE * open_:
        return "yellow"
    return "green"


def period_bounds(kind: str, today: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The first and last day (inclusive) of the month, quarter or year containing ``today``, or a custom range.

    :raise ValueError: for an unknown kind, a custom range without both ends, or one ending before it starts.
    """
    if kind == "month":
        first = today.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    if kind == "quarter":
        month = 3 * ((today.month - 1) // 3) + 1
        first = date(today.year, month, 1)
        nxt = date(today.year + 1, 1, 1) if month == 10 else date(today.year, month + 3, 1)
        return first, nxt - timedelta(days=1)
    if kind == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if kind == "custom":
        if start is None or end is None or end < start:
            raise ValueError("custom period needs from <= to")
        return start, end
    raise ValueError(f"unknown period {kind!r}")


def mean_working_days(pairs: Iterable[tuple[date, date, int]], calendar: WorkCalendar) -> float | None:
    """Mean working days from acceptance to decision over (accepted_on, decided_on, count) groups, to 2 places.

    A case decided on the day it was accepted took 0 working days; the acceptance day itself is not counted
    (working_days_between counts the working days after ``start`` up to and including ``end``).
    """
    total = cases = 0
    for accepted_on, decided_on, count in pairs:
        days = working_days_between(accepted_on, decided_on, calendar) if decided_on > accepted_on else 0
        total += days * count
        cases += count
    return round(total / cases, 2) if cases else None


@dataclass(frozen=True)
class PeriodFigures:
    received: int
    accepted: int
    concluded: int
    concluded_on_time: int
    concluded_late: int
    on_time_rate: float | None  # 按期办结率 = on time / concluded
    overdue_rate: float | None  # 超期率 = late / concluded
    mean_days_to_decision: float | None
    instant_cases: int
    instant_share: float | None  # 即办件办件占比 = instant-item cases / received
    rongque_cases: int
    deficiencies_due: int
    deficiencies_on_time: int
    rongque_on_time_rate: float | None  # verified by the supply deadline / due in P
    ratings: int
    ratings_satisfied: int
    satisfaction_rate: float | None  # level >= 3 / valid ratings
    bad_reviews_due: int
    bad_reviews_on_time: int
    rectified_on_time_rate: float | None  # 差评 closed by their due date / due in P


def period_figures(
    *,
    received: int,
    accepted: int,
    concluded: int,
    concluded_late: int,
    mean_days: float | None,
    instant_cases: int,
    rongque_cases: int,
    deficiencies_due: int,
    deficiencies_on_time: int,
    ratings: int = 0,
    ratings_satisfied: int = 0,
    bad_reviews_due: int = 0,
    bad_reviews_on_time: int = 0,
) -> PeriodFigures:
    """The figures of domain.md §5.2-5.4 for one period from its counts.

    :raise ValueError: when a part exceeds its whole or a count is negative.
    """
    parts = (
        (concluded_late, concluded),
        (instant_cases, received),
        (deficiencies_on_time, deficiencies_due),
        (ratings_satisfied, ratings),
        (bad_reviews_on_time, bad_reviews_due),
    )
    if any(value < 0 for pair in parts for value in pair) or any(part > whole for part, whole in parts):
        raise ValueError("counts must be non-negative and parts no larger than their whole")
    on_time = concluded - concluded_late
    return PeriodFigures(
        received=received,
        accepted=accepted,
        concluded=concluded,
        concluded_on_time=on_time,
        concluded_late=concluded_late,
        on_time_rate=ratio(on_time, concluded),
        overdue_rate=ratio(concluded_late, concluded),
        mean_days_to_decision=mean_days,
        instant_cases=instant_cases,
        instant_share=ratio(instant_cases, received),
        rongque_cases=rongque_cases,
        deficiencies_due=deficiencies_due,
        deficiencies_on_time=deficiencies_on_time,
        rongque_on_time_rate=ratio(deficiencies_on_time, deficiencies_due),
        ratings=ratings,
        ratings_satisfied=ratings_satisfied,
        satisfaction_rate=ratio(ratings_satisfied, ratings),
        bad_reviews_due=bad_reviews_due,
        bad_reviews_on_time=bad_reviews_on_time,
        rectified_on_time_rate=ratio(bad_reviews_on_time, bad_reviews_due),
    )
