"""Workers forked from an app built in the master (gunicorn's preload_app, issue 21) never reuse its connections."""

from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from stations.database import configure_engine_events
from stations.web.ratelimit_store import SQLiteFileStorage
from tests import dbutil

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is what gunicorn's preload_app does")


def in_forked_child(work: Callable[[], str]) -> str:
    """Run ``work`` in a forked child and return what it answered (or the error it raised)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, and leave without running the parent's cleanup
        os.close(read)
        try:
            answer = work()
        except BaseException as error:  # reported to the parent, which asserts on it
            answer = f"error: {error!r}"
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return answer


def connection_identity(connection) -> str:
    """Which server session (PostgreSQL) or which handle (SQLite) a connection is."""
    if connection.dialect.name == "postgresql":
        return str(connection.execute(text("SELECT pg_backend_pid()")).scalar())
    return str(id(connection.connection.dbapi_connection))


def test_a_forked_worker_opens_its_own_database_connection_and_leaves_the_parents_working():
    engine = create_engine(dbutil.test_database_url())
    configure_engine_events(engine)
    try:
        with engine.connect() as connection:
            parent = connection_identity(connection)  # now idle in the parent's pool

        def child() -> str:
            idle = engine.pool.checkedin()
            with engine.connect() as connection:
                return f"{idle} {connection_identity(connection)} {connection.execute(text('SELECT 1')).scalar()}"

        idle, child_identity, value = in_forked_child(child).split()
        assert (idle, value) == ("0", "1")  # the child started from an empty pool and its new connection works
        if engine.dialect.name == "postgresql":
            assert child_identity != parent
        with engine.connect() as connection:  # the parent's pooled connection was not closed by the child
            assert connection_identity(connection) == parent
            assert connection.execute(text("SELECT 2")).scalar() == 2
    finally:
        engine.dispose()


def test_a_forked_worker_counts_limits_on_its_own_sqlite_connection(tmp_path):
    storage = SQLiteFileStorage(f"stationsfile://{tmp_path / 'limits.sqlite'}")
    assert storage.incr("login:1", 60) == 1
    parent = storage._connect()

    def child() -> str:
        own = storage._connect() is not parent
        return f"{own} {storage.incr('login:1', 60)}"

    assert in_forked_child(child) == "True 2"  # the child's count lands in the shared file
    assert storage._connect() is parent
    assert storage.incr("login:1", 60) == 3


def test_the_server_builds_and_warms_the_app_once_before_forking(app):
    config = runpy.run_path(str(REPO / "deploy" / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    server = SimpleNamespace(cfg=SimpleNamespace(preload_app=True), app=SimpleNamespace(wsgi=lambda: app))
    config["when_ready"](server)
    names = app.jinja_env.list_templates()
    assert len(names) > 100 and len(app.jinja_env.cache) >= len(names)  # every template compiled in the master


def test_recycled_workers_forked_from_the_master_keep_answering(tmp_path):
    """gunicorn as `make run` starts it, with a worker recycled every 5 requests: every answer is still right."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": dbutil.test_database_url(),
        "SECRET_KEY": "forked-workers-test-" + "0" * 32,
        "STATIONS_JOBS_IN_APP_SCHEDULE": "false",
        "STATIONS_RATELIMIT_STORAGE_URI": f"stationsfile://{tmp_path / 'limits.sqlite'}",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--max-requests", "5", "--max-requests-jitter", "0", "wsgi:app"]
    server = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        answers = [status_and_body(f"http://127.0.0.1:{port}{path}") for path in ("/healthz", "/login") * 15]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert [status for status, _ in answers] == [200] * 30
    assert all("登录" in body for _, body in answers[1::2])  # the login page, rendered from the inherited templates
    assert log.count("Autorestarting worker") >= 4, log[-2000:]  # the workers were recycled, and forked again
    assert "Traceback" not in log, log[-4000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.communicate()[1][-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.25)
    raise AssertionError("gunicorn did not answer within 30 s")


def status_and_body(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()
