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


def test_exports_expire_by_the_apps_clock(app):
    """An export made at a pinned instant far from the wall clock is fresh for purge(), and gone an hour later.

    Before issue 20 files carried the filesystem's date, so on a clock pinned ahead a running export was swept at
    once (a double click started a second one) and on a clock pinned behind nothing was ever removed. Exports now
    live in the database, stamped by the app's clock (created_at = utcnow()): purge() must read the same clock.
    """
    from stations.dashboard.models import ExportJob
    from stations.extensions import db
    from tests import factories as f

    for n, offset in enumerate((timedelta(days=30), timedelta(days=-60))):
        with time_machine.travel(datetime.now(UTC) + offset, tick=False) as traveller:
            row = ExportJob(token=f"clock-{n}", user_id=f.user("central").id, table_name="cases", fmt="csv",
                            locale="zh", filename="cases.csv")  # fmt: skip
            db.session.add(row)
            db.session.flush()
            assert export_jobs.purge() == 0 and db.session.get(ExportJob, row.id) is not None
            traveller.shift(timedelta(seconds=export_jobs.MAX_AGE_SECONDS + 60))
            assert export_jobs.purge() == 1
            db.session.expire_all()
            assert db.session.get(ExportJob, row.id) is None
