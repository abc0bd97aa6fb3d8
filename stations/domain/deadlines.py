"""Due dates and red / yellow / green (domain.md §4.1-§4.3), from a promised limit in working days.

Times here are naive *business* time (Asia/Shanghai); an aware datetime passed in is taken to be in business time
already and its tzinfo is dropped. ``now`` / ``today`` and the calendar are always parameters.

Colour rule (mirrored by the SQL on stored columns): DONE > PAUSED > RED (now >= overdue_at_local) >
YELLOW (today >= warn_on) > GREEN.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from stations.domain.workdays import (
    MAX_SCAN_DAYS,
    ONE_DAY,
    WorkCalendar,
    add_working_days,
    is_provisional,
    next_workday,
    working_days_between,
)

CLOSING_TIME = time(17, 0)
DEFAULT_RONGQUE_DAYS = 5
DEFICIENCY_YELLOW_DAYS = 2


class WarnLevel(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    DONE = "done"


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def acceptance_day(accepted_local: datetime, closing: time, calendar: WorkCalendar) -> date:
    """The day counting starts from (§4.1 rule 4).

    On a non-working day, or at / after closing time, the acceptance counts as made on the next working day;
    otherwise it is the acceptance day itself.
    """
    moment = _naive(accepted_local)
    day = moment.date()
    if moment.time() >= closing:
        day += ONE_DAY
    return next_workday(day, calendar)


def yellow_days(limit_days: int, override: int | None = None) -> int:
    """Y of §4.2: the case turns YELLOW when at most Y working days remain. ``max(1, ceil(L / 3))``."""
    if override is not None:
        return override
    return max(1, math.ceil(limit_days / 3))


@dataclass(frozen=True)
class Deadline:
    due_on: date  # the last day to decide on
    warn_on: date  # the first day the case is YELLOW
    overdue_at_local: datetime  # naive business time: the moment it turns RED
    provisional: bool  # counted over a year the calendar does not know (Mon-Fri assumed)


class _PausedCalendar:
    """A calendar on which every day inside a pause (inclusive date ranges) is not a working day."""

    def __init__(self, calendar: WorkCalendar, pauses: Sequence[tuple[date, date]]) -> None:
        self._calendar = calendar
        self._pauses = tuple(pauses)

    def is_workday(self, day: date) -> bool:
        if any(start <= day <= end for start, end in self._pauses):
            return False
        return self._calendar.is_workday(day)

    def is_known(self, day: date) -> bool:
        return self._calendar.is_known(day)


def working_days_before(end: date, count: int, calendar: WorkCalendar) -> date:
    """The ``count``-th working day before ``end`` (``end`` itself does not count); ``end`` when count is 0."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = end
    remaining = count
    for _ in range(MAX_SCAN_DAYS + count):
        if remaining == 0:
            return day
        day -= ONE_DAY
        if calendar.is_workday(day):
            remaining -= 1
    raise ValueError("no working day found in ten years")


def compute_deadline(
    accepted_local: datetime,
    limit_days: int,
    calendar: WorkCalendar,
    closing: time = CLOSING_TIME,
    pauses: Sequence[tuple[date, date]] = (),
    warn_override: int | None = None,
) -> Deadline:
    """The deadline of a case accepted at ``accepted_local`` with a promised limit of ``limit_days`` working days.

    Committed items (limit > 0): ``due_on`` is the limit-th working day after the acceptance day, not counting working
    days inside ``pauses`` (inclusive ``(first, last)`` date ranges; pass an open pause with ``last`` = the day before
    resumption). ``warn_on`` is the Y-th working day before ``due_on`` (plain calendar, so that it agrees with
    ``remaining_working_days``), never before the acceptance day. RED from midnight after ``due_on``.

    Instant items (limit 0, 即办件): due on the acceptance day, RED from closing time that day, never YELLOW:
    ``warn_on`` is the day after ``due_on`` (by then the case is RED, which takes precedence).
    """
    if limit_days < 0:
        raise ValueError("limit_days must not be negative")
    start = acceptance_day(accepted_local, closing, calendar)
    if limit_days == 0:
        due_on = start
        warn_on = due_on + ONE_DAY
        overdue_at = datetime.combine(due_on, closing)
    else:
        due_on = add_working_days(start, limit_days, _PausedCalendar(calendar, pauses))
        warn_on = max(start, working_days_before(due_on, yellow_days(limit_days, warn_override), calendar))
        overdue_at = datetime.combine(due_on + ONE_DAY, time(0, 0))
    provisional = is_provisional(min(_naive(accepted_local).date(), start), due_on, calendar)
    return Deadline(due_on=due_on, warn_on=warn_on, overdue_at_local=overdue_at, provisional=provisional)


def remaining_working_days(today: date, due_on: date, calendar: WorkCalendar) -> int:
    """Working days in (today, due_on]: 0 on the due day, negative once overdue."""
    return working_days_between(today, due_on, calendar)


def warn_level(
    *,
    now_local: datetime,
    warn_on: date | None,
    overdue_at_local: datetime | None,
    is_done: bool,
    is_paused: bool,
) -> WarnLevel:
    """DONE > PAUSED > RED (now >= overdue_at) > YELLOW (today >= warn_on) > GREEN; a missing bound never fires."""
    if is_done:
        return WarnLevel.DONE
    if is_paused:
        return WarnLevel.PAUSED
    now = _naive(now_local)
    if overdue_at_local is not None and now >= _naive(overdue_at_local):
        return WarnLevel.RED
    if warn_on is not None and now.date() >= warn_on:
        return WarnLevel.YELLOW
    return WarnLevel.GREEN


def deficiency_deadline(
    accepted_day: date,
    promised_days: int,
    rongque_default_days: int | None,
    due_on: date,
    calendar: WorkCalendar,
) -> date:
    """The supply deadline of a 容缺 item (§4.3 rules 6-7), counted from the acceptance day (``acceptance_day``).

    ``min(rongque_default_days or 5, promised_days)`` working days after acceptance, never after ``due_on``.
    On an instant item (promised 0) the item's own ``rongque_default_days`` applies as is.
    :raise ValueError: on an instant item without its own 容缺 days (容缺 is not offered there).
    """
    if promised_days == 0:
        if rongque_default_days is None:
            raise ValueError("容缺 is not offered on an instant item without its own 容缺 days")
        return add_working_days(accepted_day, rongque_default_days, calendar)
    own = DEFAULT_RONGQUE_DAYS if rongque_default_days is None else rongque_default_days
    deadline = add_working_days(accepted_day, min(own, promised_days), calendar)
    return min(deadline, due_on)


def deficiency_warn_on(supply_deadline: date, calendar: WorkCalendar) -> date:
    """A 容缺 item is YELLOW from the 2nd working day before its supply deadline (≤ 2 WD left)."""
    return working_days_before(supply_deadline, DEFICIENCY_YELLOW_DAYS, calendar)
