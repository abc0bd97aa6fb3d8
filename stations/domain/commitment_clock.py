"""红黄绿 of a meeting's commitments (domain.md §3.4): a deadline in working days from the day it was promised.

Pure: the caller passes business dates and the working-day calendar. A commitment turns YELLOW when at most
``yellow_days(limit)`` working days remain (as cases and appeals), RED the day after its deadline, DONE once done
(ticked on the meeting, or its appeal concluded).
"""

from __future__ import annotations

from datetime import date

from stations.domain.deadlines import WarnLevel, working_days_before, yellow_days
from stations.domain.workdays import WorkCalendar, add_working_days, working_days_between

DEFAULT_DAYS = 10  # a promise without a stated deadline is due in 10 working days
MAX_DAYS = 60


def due_on(promised_on: date, working_days: int | None, calendar: WorkCalendar) -> date:
    """The deadline ``working_days`` working days after the day of the promise (that day does not count)."""
    days = DEFAULT_DAYS if working_days is None else working_days
    if not 1 <= days <= MAX_DAYS:
        raise ValueError("working_days out of range")
    return add_working_days(promised_on, days, calendar)


def colour(today: date, promised_on: date, due: date | None, *, done: bool, calendar: WorkCalendar) -> WarnLevel:
    if done:
        return WarnLevel.DONE
    if due is None:
        return WarnLevel.GREEN
    if today > due:
        return WarnLevel.RED
    limit = max(1, working_days_between(promised_on, due, calendar))
    if today >= working_days_before(due, yellow_days(limit), calendar):
        return WarnLevel.YELLOW
    return WarnLevel.GREEN
