"""Enqueue a task and run it: the RQ backend (REDIS_URL) or threads in the app, one record per run (JobRun)."""

from __future__ import annotations

import importlib
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..database import write_intent, write_now
from ..extensions import db
from ..timeutil import to_business, utcnow
from .models import JobRun, RunStatus
from .tasks import SCHEDULE, TASKS, Periodic

log = logging.getLogger(__name__)

QUEUE_NAME = "stations"
RETRY_INTERVALS = (10, 60, 300)  # seconds before each retry of a failed or abandoned job
JOB_TIMEOUT = 1800  # seconds; long exports stay far below
TICK_SECONDS = 20
STALE_SECONDS = 120  # a beating run silent this long is dead (in-app runner); long tasks beat far more often

_current_run: ContextVar[int | None] = ContextVar("current_job_run", default=None)


def task_function(task: str) -> Callable[..., str | None]:
    module, _, name = TASKS[task].partition(":")
    return getattr(importlib.import_module(module), name)


def _record(task: str, key: str | None, kwargs: dict) -> JobRun | None:
    """The run's row, committed, or None when a run with this key exists already (a slot already taken)."""
    if task not in TASKS:
        raise KeyError(f"unknown task {task!r}")
    run = JobRun(key=key or f"{task}#{uuid.uuid4().hex}", task=task, kwargs=kwargs)
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        return None
    db.session.commit()
    return run


def enqueue(task: str, *, key: str | None = None, **kwargs) -> JobRun | None:
    """Queue ``task(**kwargs)``. Commits (the worker must see the row). With ``key``, once per key: a second call
    returns None. Runs in RQ when REDIS_URL is set, otherwise in a thread of this process (inline in tests)."""
    run = _record(task, key, kwargs)
    if run is None:
        return None
    _dispatch(current_app._get_current_object(), run.id)
    return run


def _dispatch(app: Flask, run_id: int) -> None:
    mode = app.config.get("JOBS_RUNNER") or ("rq" if app.config.get("REDIS_URL") else "thread")
    if mode == "inline":
        execute(run_id)
    elif mode == "rq":
        from rq import Retry

        intervals = list(app.config.get("JOBS_RETRY_INTERVALS") or RETRY_INTERVALS)
        rq_queue(app).enqueue(
            "stations.worker.run_job",
            run_id,
            job_id=f"stations-run-{run_id}",
            retry=Retry(max=len(intervals), interval=intervals),
            job_timeout=JOB_TIMEOUT,
        )
    else:
        threading.Thread(target=_execute_in_app, args=(app, run_id), name=f"job-{run_id}", daemon=True).start()


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))


def rq_figures(app: Flask) -> dict[str, int] | None:
    """The RQ queue's queued, started and failed jobs; None without REDIS_URL or when Redis does not answer."""
    if not app.config.get("REDIS_URL"):
        return None
    from redis import RedisError

    try:
        queue = rq_queue(app)
        return {
            "queued": queue.count,
            "started": queue.started_job_registry.count,
            "failed": queue.failed_job_registry.count,
        }
    except RedisError:
        return None


def _execute_in_app(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute(run_id)
        except Exception:  # a thread has nobody to raise to: the run's row and the log say what happened
            log.exception("job run %s failed", run_id)


def execute(run_id: int) -> None:
    """Run one recorded job: never twice once DONE (a duplicate delivery or a retry after success does nothing).

    A retry after a crash finds the row RUNNING or FAILED and runs the task again: tasks are idempotent.
    Re-raises the task's error so that RQ schedules the retry.
    """
    claimed = write_now(lambda: _claim(run_id))
    if claimed is None:
        return
    task, kwargs, attempt = claimed
    token = _current_run.set(run_id)
    # A task writes, as a POST does: on SQLite its transactions begin IMMEDIATE and queue on the busy timeout,
    # instead of failing at once when a read snapshot older than another process's write is upgraded (two web
    # workers' schedules run their tasks side by side). A task that streams a long read turns it off meanwhile.
    intent = write_intent.set(True)
    try:
        result = task_function(task)(**kwargs)
    except Exception:
        error = traceback.format_exc()[-4000:]
        db.session.rollback()
        write_now(lambda: _end(run_id, RunStatus.FAILED, error=error))
        log.warning("job %s (%s) failed on attempt %s", run_id, task, attempt)
        raise
    finally:
        write_intent.reset(intent)
        _current_run.reset(token)
    summary = (str(result) if result else "")[:500]
    write_now(lambda: _end(run_id, RunStatus.DONE, result=summary))
    log.info("job %s (%s) done: %s", run_id, task, summary)


# The run's own bookkeeping goes through write_now: a job thread whose read snapshot is older than a web request's
# write would otherwise fail at once on SQLite ("database is locked", SQLITE_BUSY_SNAPSHOT) and never start.
def _claim(run_id: int) -> tuple[str, dict, int] | None:
    run = db.session.get(JobRun, run_id)
    if run is None or run.status is RunStatus.DONE:
        return None
    run.status, run.started_at, run.attempts, run.error = RunStatus.RUNNING, utcnow(), run.attempts + 1, None
    run.heartbeat_at = None
    return run.task, dict(run.kwargs or {}), run.attempts


def _end(run_id: int, status: RunStatus, *, result: str | None = None, error: str | None = None) -> None:
    run = db.session.get(JobRun, run_id)
    run.status, run.finished_at = status, utcnow()
    if error is not None:
        run.error = error
    if result is not None:
        run.result = result


def beat(connection: Connection | None = None) -> None:
    """The running job is alive (a long task calls this every so often). On ``connection`` when given: a task
    streaming a query on the session cannot commit that session mid-stream."""
    run_id = _current_run.get()
    if run_id is None:
        return
    statement = update(JobRun).where(JobRun.id == run_id).values(heartbeat_at=utcnow())
    if connection is not None:
        connection.execute(statement)
    else:
        write_now(lambda: db.session.execute(statement))


def rescue_abandoned(now: datetime | None = None) -> list[int]:
    """Without RQ, what RQ does for its jobs: run again every beating run whose beat stopped (its process died),
    and every failed run whose retry interval has passed (RETRY_INTERVALS, as many retries as intervals).
    Returns the ids run again. Each claim is one conditional UPDATE, so of several ticking processes exactly one
    takes each run. With RQ it does nothing: RQ retries its own."""
    app = current_app._get_current_object()
    if (app.config.get("JOBS_RUNNER") or ("rq" if app.config.get("REDIS_URL") else "thread")) == "rq":
        return []
    now = now or utcnow()
    cutoff = now - timedelta(seconds=app.config.get("JOBS_STALE_SECONDS", STALE_SECONDS))
    dead = (JobRun.status == RunStatus.RUNNING) & (JobRun.heartbeat_at < cutoff)
    intervals = list(app.config.get("JOBS_RETRY_INTERVALS") or RETRY_INTERVALS)
    due = [
        (JobRun.status == RunStatus.FAILED)
        & (JobRun.attempts == attempt)
        & (JobRun.finished_at < now - timedelta(seconds=wait))
        for attempt, wait in enumerate(intervals, start=1)
    ]
    wanted = dead | or_(*due) if due else dead
    rescued = []
    for run_id in db.session.scalars(select(JobRun.id).where(wanted).order_by(JobRun.id)).all():
        claim = update(JobRun).where(JobRun.id == run_id, wanted).values(status=RunStatus.QUEUED, heartbeat_at=now)
        if write_now(lambda claim=claim: db.session.execute(claim).rowcount) == 1:
            log.warning("job run %s died or failed: running it again", run_id)
            rescued.append(run_id)
            try:
                _dispatch(app, run_id)
            except Exception:  # inline: the run's row says what happened
                log.exception("job run %s failed again", run_id)
    return rescued


# --- the periodic schedule ----------------------------------------------------------------------------------------


def slot_key(periodic: Periodic, now: datetime) -> str | None:
    """The key of the slot ``now`` falls in (business time), or None before a daily task's hour."""
    local = to_business(now)
    if periodic.every == "minute":
        return f"{periodic.task}@{local:%Y-%m-%dT%H:%M}"
    if periodic.at and local.strftime("%H:%M") < periodic.at:
        return None
    return f"{periodic.task}@{local:%Y-%m-%d}"


def run_due(now: datetime | None = None) -> list[str]:
    """Record and run every periodic task whose current slot has not run yet; returns the keys run here.

    Any number of processes may call it: the slot's unique key lets exactly one of them run each slot.
    """
    now = now or utcnow()
    ran = []
    rescue_abandoned(now)
    for periodic in SCHEDULE:
        key = slot_key(periodic, now)
        if key is None:
            continue
        run = _record(periodic.task, key, {})
        if run is not None:
            ran.append(key)
            try:
                execute(run.id)
            except Exception:
                log.exception("periodic job %s failed", key)
    return ran


def init_app(app: Flask) -> None:
    """Without Redis, each web process ticks the schedule in a daemon thread, started at its first request (after
    gunicorn has forked), unless JOBS_IN_APP_SCHEDULE is off (tests, or a host that runs `flask jobs cron`)."""
    if app.config.get("REDIS_URL") or not app.config.get("JOBS_IN_APP_SCHEDULE", True) or app.testing:
        return
    started = threading.Event()

    @app.before_request
    def _start_ticking() -> None:
        if not started.is_set():
            started.set()
            threading.Thread(target=_tick_forever, args=(app,), name="jobs-schedule", daemon=True).start()


def _tick_forever(app: Flask) -> None:
    write_intent.set(True)  # this thread only writes: IMMEDIATE transactions, queued on SQLite's busy timeout
    while True:
        try:
            with app.app_context():
                run_due()
        except Exception:  # a locked or unreachable database: log, wait, tick again
            log.exception("periodic tick failed")
        time.sleep(TICK_SECONDS)


def recent_runs(limit: int = 100) -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit)))


def unfinished_runs(limit: int = 100) -> list[JobRun]:
    """Queued, running and failed runs, newest first, however old: the minute tasks push them out of the recent
    list within the hour, and an administrator must still see them (a failed export, a stuck delivery)."""
    query = select(JobRun).where(JobRun.status != RunStatus.DONE).order_by(JobRun.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def status_counts() -> dict[RunStatus, int]:
    rows = db.session.execute(select(JobRun.status, func.count()).group_by(JobRun.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in RunStatus}
