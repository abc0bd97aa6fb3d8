"""The one gap-free counter behind case, appeal and meeting numbers (stations/counters.py)."""

from __future__ import annotations

from datetime import date

from stations.appeals.models import AppealSequence
from stations.cases.models import CaseSequence
from stations.counters import bump_counter
from stations.meetings.models import MeetingSequence
from tests import factories as f

DAY = date(2031, 1, 6)


def test_numbers_run_on_per_key_from_one():
    ll, qh = {"station_id": f.station("LL").id, "day": DAY}, {"station_id": f.station("QH").id, "day": DAY}
    assert [bump_counter(CaseSequence, "last_seq", ll) for _ in range(3)] == [1, 2, 3]
    assert bump_counter(CaseSequence, "last_seq", qh) == 1
    assert bump_counter(MeetingSequence, "last", {"day": DAY}) == 1


def test_a_block_of_numbers_is_taken_at_once():
    assert bump_counter(AppealSequence, "last_seq", {"day": DAY}, 5) == 5
    assert bump_counter(AppealSequence, "last_seq", {"day": DAY}, 2) == 7
