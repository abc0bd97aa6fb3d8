"""The board's tile figures and the period figures agree with known cases (issue 6).

Cases are built through the services at fixed moments around the 2025/2026 year end, where 1-3 January 2026 are
public holidays: a one-day case accepted on 31 December is due on the next working day after the holiday, so on
2 January it is YELLOW, not RED (a calendar-day count would have made it red).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stations.calendar.services import current_calendar
from stations.dashboard import board_queries, period_queries
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.domain.workdays import next_workday
from tests import factories as f
from tests.helpers.cases import fire, utc

NOW = utc("2026-01-02 10:00")  # a holiday, between the year end and the first working day


def _accepted(received: str, promised: int, *, station_code: str = "LL", by: str = "staff-ll"):
    case = f.make_case(now=utc(received), station_code=station_code, by=by)
    case.item.promised_days = promised
    return fire(case, CaseEvent.ACCEPT, by=by, now=utc(received) + timedelta(minutes=5))


def _decided(received: str, promised: int, decided: str):
    case = _accepted(received, promised)
    fire(case, CaseEvent.START_REVIEW, now=utc(received) + timedelta(minutes=30))
    return fire(case, CaseEvent.DECIDE_APPROVE, now=utc(decided))


def build_known_cases():
    cases = {}
    cases["received_today"] = f.make_case(now=utc("2026-01-02 09:00"))  # open, not accepted: GREEN
    cases["red"] = _accepted("2025-12-29 10:00", 1)  # due 30 Dec: RED since its closing time
    cases["holiday"] = _accepted("2025-12-31 10:00", 1)  # due after the New Year holiday: YELLOW
    cases["green"] = _accepted("2025-12-31 11:00", 20)  # far from its deadline: GREEN
    cases["on_time"] = _decided("2025-12-30 10:00", 5, "2025-12-31 15:00")  # 1 working day
    cases["late"] = _decided("2025-12-22 10:00", 1, "2025-12-26 15:00")  # due 23 Dec, decided 26 Dec: 4 WD
    rongque = f.make_case(rongque=True, materials="missing_minor", now=utc("2025-12-31 14:00"))
    rongque.item.promised_days = 20  # GREEN: far from its deadline
    cases["rongque"] = fire(
        rongque, CaseEvent.ACCEPT_WITH_DEFICIENCY, now=utc("2025-12-31 14:10"), commitment_signed=True
    )
    paused = _accepted("2025-12-29 11:00", 20)
    fire(paused, CaseEvent.START_REVIEW, now=utc("2025-12-29 11:30"))
    cases["paused"] = fire(paused, CaseEvent.REQUEST_CORRECTION, now=utc("2025-12-30 09:00"), note="请补正")
    cases["qh"] = _accepted("2025-12-31 09:30", 20, station_code="QH", by="staff-qh")
    return cases


def test_every_tile_figure(app):
    cases = build_known_cases()
    holiday = cases["holiday"]
    # 1-3 January 2026 are off, Sunday 4 January is a make-up working day: the next working day after 31 December.
    assert holiday.due_on == date(2026, 1, 4) == next_workday(date(2026, 1, 1), current_calendar())
    assert cases["paused"].status is CaseStatus.CORRECTION
    deficiencies = len(cases["rongque"].deficiencies)
    assert deficiencies >= 1

    tiles = {t.station.code: t for t in board_queries.tiles(f.user("central"), now=NOW)}
    assert set(tiles) == {"ZX", "LL", "QH", "HZ", "YD1", "YD2", "YD3"}
    ll = tiles["LL"]
    assert ll.received_today == 1
    # open: received_today, red, holiday, green, rongque, paused (the two decided ones are not open)
    assert ll.open == 6
    assert ll.red == 1
    assert ll.yellow == 1
    assert ll.overdue == 1
    assert ll.rongque_pending == deficiencies
    assert ll.avg_rating is None
    assert (ll.staff_enabled, ll.staff_on_duty) == (2, 0)  # staff-ll and clerk-ll, neither signed in at NOW
    assert ll.colour == "red"
    qh = tiles["QH"]
    assert (qh.open, qh.red, qh.yellow, qh.received_today, qh.colour) == (1, 0, 0, 0, "green")
    assert tiles["HZ"].colour == "idle" and tiles["HZ"].open == 0

    red_list = board_queries.red_list(f.user("central"), now=NOW)
    assert [c.case_no for c in red_list] == [cases["red"].case_no]

    # A day later nothing was written, yet the holiday case has turned red by the clock: the figures follow.
    after = board_queries.tiles(
        f.user("central"), now=datetime.combine(holiday.due_on, datetime.min.time()) + timedelta(days=1)
    )
    assert {t.station.code: t for t in after}["LL"].red >= 2


def test_every_period_figure_across_the_year_end(app):
    cases = build_known_cases()
    central = f.user("central")

    december = period_queries.period_report(central, date(2025, 12, 1), date(2025, 12, 31))
    fig = december.figures
    assert fig.received == 8  # all but received_today (2 January)
    assert fig.accepted == 8
    assert fig.concluded == 2
    assert (fig.concluded_on_time, fig.concluded_late) == (1, 1)
    assert fig.on_time_rate == 0.5 and fig.overdue_rate == 0.5
    assert fig.mean_days_to_decision == 2.5  # (1 + 4) / 2 working days
    assert fig.instant_cases == 0 and fig.instant_share == 0.0
    assert fig.rongque_cases == 1
    assert fig.ratings == 0 and fig.satisfaction_rate is None
    assert december.by_channel["STATION"] == 8 and december.by_channel["XR_INBOUND"] == 0
    assert [(u.username, n, late) for u, n, late in december.ranking] == [("staff-ll", 2, 1)]
    assert december.catalog.item_count > 0
    assert sum(n for _d, n in december.by_day) == 8

    # A custom period across the year end counts both sides of it.
    span = period_queries.period_report(central, date(2025, 12, 31), date(2026, 1, 2)).figures
    assert span.received == 5  # 31 Dec: holiday, green, rongque, qh; 2 January: received_today
    assert span.accepted == 4
    assert span.concluded == 1  # on_time, decided 31 Dec

    # 容缺: a deficiency whose supply deadline falls in the period counts as due; none supplied yet.
    deadline = min(d.supply_deadline for d in cases["rongque"].deficiencies)
    due = period_queries.period_report(central, deadline, deadline).figures
    assert due.deficiencies_due >= 1 and due.deficiencies_on_time == 0 and due.rongque_on_time_rate == 0.0
