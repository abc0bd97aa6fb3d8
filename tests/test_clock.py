"""The app's one clock (stations/timeutil.py) and STATIONS_TEST_NOW, which travels the whole session (issue 11)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from stations.dashboard import export_jobs
from stations.timeutil import business_today, epoch_seconds, utcnow
from tests.helpers.suite import pinned_instant

SATURDAY_NIGHT = "2026-12-05T03:30+08:00"  # still Friday 19:30 in UTC


def test_pinned_instant_needs_an_offset():
    assert pinned_instant(SATURDAY_NIGHT) == datetime(2026, 12, 4, 19, 30, tzinfo=UTC)
    assert pinned_instant("2026-12-31T15:30Z") == datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    for bad in ("2026-12-05T03:30", "Saturday", ""):
        with pytest.raises(pytest.UsageError):
            pinned_instant(bad)


def test_every_reading_of_the_seam_follows_a_pinned_clock_in_every_thread():
    with time_machine.travel(pinned_instant(SATURDAY_NIGHT), tick=False):
        seen: dict[str, object] = {}
        worker = threading.Thread(target=lambda: seen.update(now=utcnow(), today=business_today()))
        worker.start()
        worker.join()
        assert utcnow() == seen["now"] == datetime(2026, 12, 4, 19, 30)  # naive UTC, as stored
        assert business_today() == seen["today"] == date(2026, 12, 5)  # the business date is Saturday
        assert epoch_seconds() == datetime(2026, 12, 4, 19, 30, tzinfo=UTC).timestamp()


def test_export_cleanup_ages_files_by_the_apps_clock(app, tmp_path):
    """A job saved at a pinned instant far from the wall clock is fresh for cleanup(), and old an hour later.

    Before: files carried the filesystem's date, so on a clock pinned ahead a running job's state was swept
    at once (a double click started a second export) and on a clock pinned behind nothing was ever removed.
    """
    job = export_jobs.Job(token="b" * 24, user_id=1, table="cases", fmt="csv", args={}, locale="zh", total=10)
    state = tmp_path / f"{job.token}.json"
    for offset in (timedelta(days=30), timedelta(days=-60)):
        with time_machine.travel(datetime.now(UTC) + offset, tick=False) as traveller:
            export_jobs.save(tmp_path, job)
            assert export_jobs.cleanup(tmp_path) == 0 and state.exists()
            traveller.shift(timedelta(seconds=export_jobs.MAX_AGE_SECONDS + 60))
            assert export_jobs.cleanup(tmp_path) == 1 and not state.exists()
