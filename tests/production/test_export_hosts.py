"""Long exports across app hosts (issue 20): two apps with different instance paths on one database.

- An export started on host A (its job in a thread of A, as `make run` runs jobs without Redis) is polled and
  downloaded through host B: the state and the file live in the database, nothing in either instance folder.
- An export whose process is SIGKILLed mid-file is picked up again by the in-app schedule's rescue (its job run
  stopped beating) and completes exactly once: one file, every case once, attempts 2.

Both apps need real commits, so they run on a database of their own (``test_database_url("_hosts")``: a SQLite
file, or a PostgreSQL database beside the suite's with TEST_DATABASE_URL), not in the suite's rolled-back
transaction.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from stations.auth.models import User
from stations.dashboard import export_jobs
from stations.dashboard.models import ExportChunk, ExportJob
from stations.extensions import db
from stations.jobs.models import JobRun, RunStatus
from stations.jobs.queue import rescue_abandoned
from stations.timeutil import utcnow
from tests import dbutil
from tests.factories import make_case
from tests.helpers.suite import AuthActions, build_database, csrf_token_from, htmx_headers, make_test_app

REPO = Path(__file__).resolve().parents[2]
TOKEN_IN_LOCATION = re.compile(r"/dashboard/exports/([A-Za-z0-9_-]+)$")
CASES = 5


@pytest.fixture
def hosts(tmp_path, monkeypatch):
    """Host A and host B: two apps on one database, each with its own instance folder."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # not the suite's connection-bound session
    url = dbutil.test_database_url("_hosts")
    dbutil.reset_database(url)
    apps: list[Flask] = []
    for name, runner in (("a", "thread"), ("b", "inline")):
        app = make_test_app(url, EXPORT_ASYNC_ROWS=1, JOBS_RUNNER=runner)
        app.instance_path = str(tmp_path / f"instance-{name}")
        apps.append(app)
    build_database(apps[0], demo_cases=False)
    with apps[0].app_context():
        case_nos = sorted(make_case().case_no for _ in range(CASES))
        db.session.commit()
    yield *apps, url, case_nos
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_in(app: Flask):
    client = app.test_client()
    assert AuthActions(client).login("central").status_code == 303
    return client


def csv_case_numbers(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "办件编号"
    return sorted(row[0] for row in rows[1:])


def test_an_export_started_on_one_host_is_polled_and_downloaded_through_another(hosts):
    host_a, host_b, _url, case_nos = hosts
    on_a, on_b = signed_in(host_a), signed_in(host_b)
    started = on_a.post("/dashboard/export/cases.csv", data={"csrf_token": csrf_token_from(on_a, "/dashboard")})
    token = TOKEN_IN_LOCATION.search(started.headers["Location"]).group(1)
    deadline, status = time.monotonic() + 30, ""
    while time.monotonic() < deadline:  # host A's thread writes; host B answers the poll
        page = on_b.get(f"/dashboard/exports/{token}", headers=htmx_headers(f"export-{token}"))
        assert page.status_code == 200
        status = re.search(r'data-status="(\w+)"', page.get_data(as_text=True)).group(1)
        if status != "running":
            break
        time.sleep(0.05)
    assert status == "done"
    download = on_b.get(f"/dashboard/exports/{token}/file")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert csv_case_numbers(download.data) == case_nos
    assert int(download.headers["Content-Length"]) == len(download.data)
    for app in (host_a, host_b):  # nothing written to either host's instance folder
        assert not Path(app.instance_path).exists() or not any(Path(app.instance_path).rglob("*"))
    with host_b.app_context():
        run = db.session.scalar(select(JobRun).where(JobRun.task == "dashboard.export"))
        assert run.status is RunStatus.DONE and run.attempts == 1


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from stations.dashboard import case_exports, export_jobs
    from stations.jobs.queue import execute
    from tests.helpers.suite import make_test_app

    url, run_id, reached = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    export_jobs.PROGRESS_EVERY = 1  # report (and beat) after every row
    real_rows = case_exports.iter_rows

    def rows_then_hang(*args, **kwargs):
        for number, row in enumerate(real_rows(*args, **kwargs)):
            if number == 2:  # two rows written and reported: the process is killed here
                reached.touch()
                time.sleep(600)
            yield row

    case_exports.iter_rows = rows_then_hang
    with make_test_app(url).app_context():
        execute(run_id)
    """
)


def test_an_export_killed_mid_file_is_picked_up_again_and_completes_exactly_once(hosts, tmp_path, monkeypatch):
    host_a, host_b, url, case_nos = hosts
    with host_a.app_context(), monkeypatch.context() as patch:
        central = db.session.scalar(select(User).where(User.username == "central"))
        # What POST /dashboard/export starts, with the run left to the worker process below.
        patch.setattr("stations.jobs.queue._dispatch", lambda app, run_id: None)
        token = export_jobs.start(central, "cases", "csv", {}, total=CASES, locale="zh").token
        run_id = db.session.scalar(select(JobRun.id).where(JobRun.key == f"dashboard.export#{token}"))
    reached = tmp_path / "reached"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(run_id), str(reached)], cwd=REPO, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not reached.exists():
            assert worker.poll() is None, "the export process ended early"
            assert time.monotonic() < deadline, "the export never got half-way"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    with host_b.app_context():
        row = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
        run = db.session.get(JobRun, run_id)
        assert row.status == "running" and row.written == 2 and run.status is RunStatus.RUNNING
        assert run.heartbeat_at is not None
        assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0  # no half file stored
        assert rescue_abandoned() == []  # still beating recently: not taken for dead
        # Host B's schedule, two minutes and more later: the run stopped beating, so it runs again (inline on B).
        assert rescue_abandoned(utcnow() + timedelta(minutes=3)) == [run_id]
        assert rescue_abandoned(utcnow() + timedelta(minutes=6)) == []  # done: nothing left to rescue
        db.session.expire_all()
        run = db.session.get(JobRun, run_id)
        row = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
        assert run.status is RunStatus.DONE and run.attempts == 2
        assert row.status == "done" and row.written == CASES and row.total == CASES
    client = signed_in(host_a)
    download = client.get(f"/dashboard/exports/{token}/file")
    assert download.status_code == 200 and csv_case_numbers(download.data) == case_nos  # every case exactly once
