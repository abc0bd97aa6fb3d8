"""The outbox worker outlives a busy SQLite database (issue 18).

The worker runs as its own process against a partner that answers 500, while two API writers take in cases in
the same SQLite file for 30 s. It used to exit on "database is locked" when recording an attempt, and the lost
record reset the backoff (a failing partner retried about every 2 s). Now it must still be running at the end,
and the partner must have seen attempts spaced by a growing backoff (2, 4, 8, 16 s: five at most in 30 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import ClassVar

import pytest
from sqlalchemy import select

from stations.auth import tokens
from stations.auth.models import User
from stations.config import REPO_ROOT
from stations.crossregion import services
from stations.crossregion.models import AgreementKind, OutboxMessage, PartnerRegion
from stations.extensions import db
from tests.api.test_cases_api import intake_body, item_at
from tests.helpers.crossregion import KEY, forward_payload
from tests.helpers.suite import build_database, make_test_app

pytestmark = [pytest.mark.integration, pytest.mark.own_database]

BUSY_SECONDS = 30


class FailingPartner(BaseHTTPRequestHandler):
    hits: ClassVar[list[float]] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FailingPartner.hits.append(time.monotonic())
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def partner_url():
    FailingPartner.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingPartner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_worker_keeps_running_and_backing_off_while_the_app_writes(tmp_path, partner_url):
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    app = make_test_app(url, UPLOAD_ROOT=str(tmp_path / "uploads"))
    build_database(app, demo_cases=False)
    with app.app_context():
        partner = PartnerRegion(
            code="PF", name="总出错区", agreement_kind=AgreementKind.CROSS_REGION, shared_key=KEY, base_url=partner_url
        )
        db.session.add(partner)
        db.session.flush()
        services.forward_transfer(partner, forward_payload("JH0001"))
        staff = db.session.scalar(select(User).where(User.username == "staff-ll"))
        headers = [{"Authorization": f"Bearer {tokens.issue_token(staff, f'w{n}')[1]}"} for n in range(2)]
        body = intake_body(item_at("LL"))
        db.session.commit()

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "worker-test", "STATIONS_ENV": "development"}
    env.pop("TEST_DATABASE_URL", None)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "crossregion", "deliver", "--loop", "--interval", "0.2"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stop = threading.Event()
    created = []

    def writer(auth):
        client = app.test_client()
        while not stop.is_set():
            created.append(client.post("/api/v1/cases", json=body, headers=auth).status_code)

    threads = [threading.Thread(target=writer, args=(h,)) for h in headers]
    try:
        for thread in threads:
            thread.start()
        time.sleep(BUSY_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(30)
        still_running = worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(10)
    output = log_path.read_text()
    assert still_running, output[-3000:]
    assert len(created) > 20 and set(created) == {201}
    hits = FailingPartner.hits
    gaps = [later - earlier for earlier, later in pairwise(hits)]
    assert 3 <= len(hits) <= 6, (hits, output[-3000:])
    assert all(gap >= 2 ** (n + 1) - 0.1 for n, gap in enumerate(gaps)), gaps  # the backoff grows: 2, 4, 8 s...
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.attempts == len(hits)  # every attempt recorded, none lost to a busy database
        db.session.remove()
        db.engine.dispose()
    assert output.count("delivery failed") == len(hits)  # one line per failed delivery
