"""Jobs (issue 20): runs recorded once, the periodic schedule by business-time slots, failures kept with the error."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from stations.extensions import db
from stations.jobs import enqueue
from stations.jobs.models import JobRun, RunStatus
from stations.jobs.queue import run_due, slot_key
from stations.jobs.tasks import SCHEDULE, TASKS


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_task_runs_and_its_run_is_recorded(app, tmp_path):
    marker = tmp_path / "marks"
    run = enqueue("jobs.selftest", marker=str(marker))
    db.session.refresh(run)
    assert run.status is RunStatus.DONE and run.attempts == 1 and run.result == "selftest done"
    assert marker.read_text() == "done\n"


def test_a_key_makes_a_run_happen_once(app, tmp_path):
    marker = tmp_path / "marks"
    assert enqueue("jobs.selftest", key="once-only", marker=str(marker)) is not None
    assert enqueue("jobs.selftest", key="once-only", marker=str(marker)) is None
    assert marker.read_text() == "done\n"


def test_a_failing_task_keeps_its_error(app, monkeypatch):
    monkeypatch.setitem(TASKS, "test.broken", "tests.jobs.test_jobs:_broken")
    with pytest.raises(RuntimeError):
        enqueue("test.broken")
    run = db.session.scalar(select(JobRun).where(JobRun.task == "test.broken"))
    assert run.status is RunStatus.FAILED and "partner down" in run.error


def _broken(**_):
    raise RuntimeError("partner down")


def test_unknown_task_is_refused(app):
    with pytest.raises(KeyError):
        enqueue("no.such.task")


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # 16:30 UTC on 4 December is 00:30 on the 5th in Shanghai: the day's slot is the 5th, before 07:00
        (
            "2026-12-04T16:30:00",
            {
                "crossregion.deliver@2026-12-05T00:30",
                "meetings.remind@2026-12-05T00:30",
                "idempotency.purge@none",
                "cases.deem_accepted@2026-12-05",  # issue 12: 00:30, before the day's warnings
                "cases.warnings@none",
            },
        ),
        (
            "2026-12-04T23:10:00",
            {
                "crossregion.deliver@2026-12-05T07:10",
                "meetings.remind@2026-12-05T07:10",
                "notifications.expiring@2026-12-05",
                "idempotency.purge@2026-12-05",
                "dashboard.exports_purge@2026-12-05",  # 03:30
                "cases.deem_accepted@2026-12-05",
                "cases.warnings@2026-12-05",
            },
        ),
        (
            "2026-12-31T16:00:00",
            {
                "crossregion.deliver@2027-01-01T00:00",
                "meetings.remind@2027-01-01T00:00",
                "idempotency.purge@none",
                "cases.deem_accepted@none",
                "cases.warnings@none",
            },
        ),
    ],
)
def test_slots_are_business_time(instant, expected):
    keys = {slot_key(p, utc(instant)) or f"{p.task}@none" for p in SCHEDULE}
    # daily tasks of later hours
    keys -= {"notifications.expiring@none", "appeals.sweep@none", "dashboard.exports_purge@none"}
    assert keys == expected


def test_each_slot_runs_once_however_many_processes_tick(app, monkeypatch):
    ran = []
    monkeypatch.setattr("stations.jobs.queue.execute", lambda run_id: ran.append(run_id))
    now = utc("2026-12-05T01:10:00")  # 09:10 in Shanghai: every daily task's hour has come
    first = run_due(now)
    assert len(first) == len(SCHEDULE) and len(ran) == len(SCHEDULE)
    assert run_due(now) == []  # a second process at the same instant finds every slot taken
    later = run_due(utc("2026-12-05T01:11:00"))
    assert sorted(later) == ["crossregion.deliver@2026-12-05T09:11", "meetings.remind@2026-12-05T09:11"]
    assert db.session.scalar(select(func.count(JobRun.id))) >= len(SCHEDULE) + 1


def test_administrators_see_queued_running_and_failed_runs_however_old_exports_included(login_as):
    """Issue 20: the minute tasks push a failed run out of the last 100 within the hour; it stays listed."""
    failed = JobRun(key="dashboard.export#old", task="dashboard.export", status=RunStatus.FAILED, error="disk full")
    running = JobRun(key="dashboard.export#now", task="dashboard.export", status=RunStatus.RUNNING, attempts=1)
    queued = JobRun(key="crossregion.deliver#q", task="crossregion.deliver", status=RunStatus.QUEUED)
    db.session.add_all([failed, running, queued])
    db.session.flush()
    db.session.add_all(
        JobRun(key=f"meetings.remind@{n}", task="meetings.remind", status=RunStatus.DONE) for n in range(120)
    )
    db.session.flush()
    page = login_as("admin").get("/admin/jobs/").get_data(as_text=True)
    unfinished = page[page.index('id="jobs-unfinished"') : page.index("最近运行</h2>")]
    for run in (failed, running, queued):
        assert f"<td>{run.id}</td>" in unfinished
    assert "disk full" in unfinished and "meetings.remind" not in unfinished
    assert "FAILED 1" in page and "RUNNING 1" in page and "QUEUED 1" in page and "DONE 120" in page
    assert "<option>dashboard.export</option>" not in page  # needs a token: started by the dashboard only


def test_only_runs_whose_beat_stopped_are_run_again(app, tmp_path):
    from datetime import timedelta

    from stations.jobs.queue import rescue_abandoned
    from stations.timeutil import utcnow

    marker = tmp_path / "marks"
    silent = JobRun(key="jobs.selftest#silent", task="jobs.selftest", status=RunStatus.RUNNING)  # never beats
    beating = JobRun(
        key="jobs.selftest#dead",
        task="jobs.selftest",
        kwargs={"marker": str(marker)},
        status=RunStatus.RUNNING,
        attempts=1,
        heartbeat_at=utcnow() - timedelta(minutes=1),
    )
    db.session.add_all([silent, beating])
    db.session.commit()  # committed, as a running job's row is (the claim's write transaction starts afresh)
    assert rescue_abandoned() == []  # a minute without a beat: maybe slow, not dead
    assert rescue_abandoned(utcnow() + timedelta(minutes=5)) == [beating.id]
    db.session.refresh(beating)
    db.session.refresh(silent)
    assert beating.status is RunStatus.DONE and beating.attempts == 2 and marker.read_text() == "done\n"
    assert silent.status is RunStatus.RUNNING  # tasks that never beat are never taken for dead


def test_without_rq_a_failed_run_is_retried_after_its_interval_as_often_as_rq_would(app, monkeypatch):
    from datetime import timedelta

    from stations.jobs.queue import RETRY_INTERVALS, rescue_abandoned
    from stations.timeutil import utcnow

    monkeypatch.setitem(TASKS, "test.broken", "tests.jobs.test_jobs:_broken")
    with pytest.raises(RuntimeError):
        enqueue("test.broken")
    run = db.session.scalar(select(JobRun).where(JobRun.task == "test.broken"))
    assert rescue_abandoned() == []  # its first interval (10 s) has not passed
    later = utcnow()
    for attempt in range(2, len(RETRY_INTERVALS) + 2):
        later += timedelta(seconds=RETRY_INTERVALS[attempt - 2] + 1)
        assert rescue_abandoned(later) == [run.id]
        db.session.refresh(run)
        assert run.status is RunStatus.FAILED and run.attempts == attempt
    assert rescue_abandoned(later + timedelta(hours=1)) == []  # 1 + 3 retries, as RQ: then it stays failed
