"""Item 8 of issue 12: a case overdue since Friday reads 已超期 on the weekend, never 今日到期."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from stations.domain.case_vocabulary import CaseEvent
from tests.helpers.cases import accepted_case, fire, text

FRIDAY = date(2026, 11, 27)


def _due_on_friday(case):
    """Move the case's deadline to Friday (the clock columns as acceptance would have set them)."""
    case.due_on = FRIDAY
    case.warn_on = FRIDAY - timedelta(days=2)
    case.overdue_at = datetime(2026, 11, 27, 16, 0)  # Saturday 00:00 in Beijing, as naive UTC
    return case


@pytest.mark.parametrize("local_moment", ["2026-11-28 10:00", "2026-11-29 21:00"])
def test_overdue_since_friday_reads_overdue_on_the_weekend(login_as, local_moment):
    case = _due_on_friday(fire(accepted_case(), CaseEvent.START_REVIEW))
    moment = datetime.fromisoformat(local_moment) - timedelta(hours=8)
    with time_machine.travel(moment, tick=False):
        body = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert "badge badge-RED" in body
    assert "已超期" in body and "今日到期" not in body


def test_due_today_still_reads_due_today_on_the_friday(login_as):
    case = _due_on_friday(fire(accepted_case(), CaseEvent.START_REVIEW))
    with time_machine.travel(datetime(2026, 11, 27, 2, 0), tick=False):
        body = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert "今日到期" in body and "已超期" not in body
