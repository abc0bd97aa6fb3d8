"""RQ on the machine's Redis (issue 20): a job killed with its worker mid-run completes exactly once after a restart.

Real parts: Redis on 127.0.0.1:6379 (database 15, emptied first; .ci/run starts Redis when it is down), real
`flask jobs worker` processes on a database file of their own (the suite's rolled-back transaction would hide rows
from another process).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from stations import create_app
from stations.config import TestConfig
from stations.extensions import db
from stations.jobs.models import JobRun, RunStatus
from stations.jobs.queue import QUEUE_NAME, _dispatch

REDIS_URL = "redis://127.0.0.1:6379/15"
REPO = Path(__file__).resolve().parents[2]


def redis_up() -> bool:
    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not redis_up() and os.environ.get("CI") != "true",
    reason="Redis is not listening on 127.0.0.1:6379 (required when CI=true)",
)


@pytest.fixture
def rq_app(tmp_path):
    Redis.from_url(REDIS_URL).flushdb()
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=REDIS_URL, JOBS_RUNNER="rq", JOBS_RETRY_INTERVALS=[0, 0, 0])
    app = create_app(config)
    with app.app_context():
        db.create_all()  # the app's own engine: the worker's database file
        db.engine.dispose()
    yield app, url


def enqueue_on(app, url: str, **kwargs) -> int:
    """Record the run in the workers' database (the suite's session is bound to its own) and hand it to RQ."""
    engine = create_engine(url)
    with Session(engine) as session:
        run = JobRun(key=f"test#{time.time_ns()}", task="jobs.selftest", kwargs=kwargs)
        session.add(run)
        session.commit()
        run_id = run.id
    engine.dispose()
    _dispatch(app, run_id)
    return run_id


def worker(url: str, *, burst: bool) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "STATIONS_JOBS_RUNNER": '"rq"'}
    env.pop("STATIONS_ENV", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", *(["--burst"] if burst else [])]
    return subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)


def descendants(pid: int) -> list[int]:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    for victim in [*descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def run_row(url: str, run_id: int) -> JobRun:
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        row = session.scalar(select(JobRun).where(JobRun.id == run_id))
    engine.dispose()
    return row


def test_a_job_killed_with_its_worker_completes_exactly_once_after_a_restart(rq_app, tmp_path):
    app, url = rq_app
    marker = tmp_path / "marks"
    gate = tmp_path / "gate"  # the first attempt waits at the gate until it is killed; the retry finds it open
    run_id = enqueue_on(app, url, marker=str(marker), gate=str(gate))
    first = worker(url, burst=False)
    try:
        deadline = time.monotonic() + 60
        while run_row(url, run_id).status is not RunStatus.RUNNING:
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
    finally:
        kill_tree(first.pid)  # the worker and its work horse (RQ puts the horse in a process group of its own)
        first.wait(10)
    assert not marker.exists()
    gate.touch()
    # What a restarted worker's maintenance does once the dead worker's heartbeat has expired (60 s and more):
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(REDIS_URL))
    queue.started_job_registry.cleanup(timestamp=time.time() + 600)
    second = worker(url, burst=True)
    assert second.wait(120) == 0
    row = run_row(url, run_id)
    assert row.status is RunStatus.DONE and row.attempts == 2
    assert marker.read_text() == "done\n"  # the task's effect happened exactly once


def test_a_finished_job_delivered_again_does_nothing(rq_app, tmp_path):
    app, url = rq_app
    marker = tmp_path / "marks"
    run_id = enqueue_on(app, url, marker=str(marker))
    assert worker(url, burst=True).wait(120) == 0
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(REDIS_URL))
    queue.enqueue("stations.worker.run_job", run_id)  # a duplicate delivery of the same run
    assert worker(url, burst=True).wait(120) == 0
    assert run_row(url, run_id).attempts == 1 and marker.read_text() == "done\n"


def test_a_long_export_runs_on_an_rq_worker_and_any_app_serves_its_file(rq_app, tmp_path):
    """Issue 20: with REDIS_URL the export is an RQ job run by `flask jobs worker`; the file is in the database."""
    from stations.auth.models import User
    from stations.dashboard.models import ExportJob
    from tests.factories import make_case
    from tests.helpers.suite import AuthActions, build_database, csrf_token_from

    app, url = rq_app
    app.config["EXPORT_ASYNC_ROWS"] = 1
    saved_session = db.session
    db.session = db._make_scoped_session({})  # this app's own session, not the suite's connection-bound one
    try:
        build_database(app, demo_cases=False)
        with app.app_context():
            case_nos = sorted(make_case().case_no for _ in range(3))
            db.session.commit()
        client = app.test_client()
        assert AuthActions(client).login("central").status_code == 303
        started = client.post("/dashboard/export/cases.csv", data={"csrf_token": csrf_token_from(client, "/dashboard")})
        token = started.headers["Location"].rsplit("/", 1)[1]
        assert worker(url, burst=True).wait(120) == 0
        with app.app_context():
            row = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
            assert row.status == "done" and row.written == 3
            assert db.session.scalar(select(User.id).where(User.username == "central")) == row.user_id
            db.session.remove()
        data = client.get(f"/dashboard/exports/{token}/file").data.decode("utf-8-sig").splitlines()
        assert sorted(line.split(",")[0] for line in data[1:]) == case_nos
    finally:
        db.session = saved_session
        with app.app_context():
            db.engine.dispose()
