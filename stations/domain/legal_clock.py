"""The legal clock beyond the promised limit (domain.md §4.1 rules 6, 7, 9): deemed acceptance, 延期, 特别程序.

Pure date arithmetic over a ``WorkCalendar``; no clock, no database. The case services (stations/cases/legal_clock.py)
read the calendar and today, and store what these functions answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from stations.domain.deadlines import working_days_before, yellow_days
from stations.domain.workdays import ONE_DAY, WorkCalendar, add_working_days

# Rule 6 (行政许可法 Art. 32): a notice of missing materials within 5 (working) days of receipt, else accepted.
DEEMED_ACCEPT_DAYS = 5
# Rule 7 (Art. 42): the decision limit may be extended once by 10 working days with the head's approval.
EXTENSION_DAYS = 10

# 特别程序 (Art. 45): the kinds of procedure whose time is not counted.
SPECIAL_KINDS: tuple[str, ...] = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")


def last_notice_day(received_day: date, calendar: WorkCalendar) -> date:
    """The last day a correction notice or refusal may be given: the 5th working day after the receipt day."""
    return add_working_days(received_day, DEEMED_ACCEPT_DAYS, calendar)


def is_deemed_accepted(received_day: date, today: date, calendar: WorkCalendar) -> bool:
    """True once the 5th working day after receipt has passed without an answer (from the next day on)."""
    return today > last_notice_day(received_day, calendar)


def extended_due(due_on: date, calendar: WorkCalendar, days: int = EXTENSION_DAYS) -> date:
    """The due date after a 延期 of ``days`` working days."""
    return add_working_days(due_on, days, calendar)


def resumed_due(due_on: date, paused_on: date, resumed_on: date, calendar: WorkCalendar) -> date:
    """The due date after a pause from ``paused_on`` (its first day not counted) to ``resumed_on`` (counted again).

    The working days that were left from ``paused_on`` to ``due_on`` (both counted) are counted again from
    ``resumed_on``. A pause that starts after the due date moves nothing.
    """
    if resumed_on <= paused_on or paused_on > due_on:
        return due_on
    left = 0
    day = paused_on
    while day <= due_on:
        if calendar.is_workday(day):
            left += 1
        day += ONE_DAY
    if left == 0:
        return due_on
    return add_working_days(resumed_on - ONE_DAY, left, calendar)


def corrected_due(due_on: date, start_day: date, paused_on: date, resumed_on: date, calendar: WorkCalendar) -> date:
    """The due date after a correction (补正) that paused the clock from ``paused_on`` until ``resumed_on``.

    It moves the CURRENT due date (which may already carry a 延期 or a 特别程序's shift) rather than recomputing it
    from the acceptance, so those shifts are kept. Days up to the acceptance day (``start_day``) were never
    counted, so a notice given that day pauses from the next day on, as ``compute_deadline``'s pauses do.
    """
    return resumed_due(due_on, max(paused_on, start_day + ONE_DAY), resumed_on, calendar)


@dataclass(frozen=True)
class MovedDeadline:
    due_on: date
    warn_on: date
    overdue_at_local: datetime  # naive business time: midnight after the due day


def moved_deadline(
    due_on: date, start_day: date, limit_days: int, calendar: WorkCalendar, warn_override: int | None = None
) -> MovedDeadline:
    """Yellow day and RED moment for a committed case whose due date moved (same rule as compute_deadline)."""
    warn_on = max(start_day, working_days_before(due_on, yellow_days(max(limit_days, 1), warn_override), calendar))
    return MovedDeadline(due_on, warn_on, datetime.combine(due_on + ONE_DAY, time(0, 0)))
