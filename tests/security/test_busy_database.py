"""Refusals under concurrent writers (issue 18): every 403 is recorded, none becomes a 500.

Two API writers take in cases for 15 s while four users of four roles ask, 100 times in all, for pages they may
not see. On SQLite a
refusal's audit row used to be written from the GET's read transaction, which SQLite cannot upgrade once another
request has written ("database is locked": 350 of 447 answers were 500). Runs on the suite's database engine
(TEST_DATABASE_URL for PostgreSQL), on a database of its own that every request really commits to.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from stations.auth import tokens
from stations.auth.models import AuditEvent, User
from stations.cases.models import Case
from stations.extensions import db
from tests import dbutil
from tests.api.test_cases_api import intake_body, item_at
from tests.factories import make_client
from tests.helpers.suite import CLIENT, AuthActions, build_database, make_test_app, username_of

WRITE_SECONDS = 15
DENIED_REQUESTS = 100
# A role asking for a page it may not see, one of each kind of guard (staff, central office, administrator).
# CLIENT: an enterprise client of the test's own (made in the busy database).
REFUSALS = [(CLIENT, "/cases/"), ("clerk-ll", "/dashboard"), ("staff-ll", "/admin/"), ("central", "/cases/new")]


@pytest.fixture
def busy_app(tmp_path) -> Flask:
    url = dbutil.test_database_url("_busy")
    dbutil.reset_database(url)
    app = make_test_app(url, UPLOAD_ROOT=str(tmp_path / "uploads"))
    build_database(app, demo_cases=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.own_database
def test_refusals_are_403_and_audited_while_two_api_writers_commit(busy_app: Flask):
    with busy_app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "staff-ll"))
        headers = [{"Authorization": f"Bearer {tokens.issue_token(staff, f'writer-{n}')[1]}"} for n in range(2)]
        body = intake_body(item_at("LL"))
        own = make_client()
        usernames = {username: username_of(username, own) for username, _url in REFUSALS}
        db.session.commit()
    stop = threading.Event()
    writes: Counter[int] = Counter()

    def writer(auth: dict[str, str]) -> None:
        client = busy_app.test_client()
        while not stop.is_set():
            writes[client.post("/api/v1/cases", json=body, headers=auth).status_code] += 1

    answers: Counter[int] = Counter()

    def refused(client, url: str) -> None:
        # Four callers in parallel, each spread over the writers' 15 s.
        per_caller = DENIED_REQUESTS // len(REFUSALS)
        for n in range(per_caller):
            answers[client.get(url).status_code] += 1
            time.sleep(max(0.0, started + (n + 1) * WRITE_SECONDS / per_caller - time.monotonic()))

    callers = []
    for username, url in REFUSALS:
        caller = busy_app.test_client()
        assert AuthActions(caller).login(usernames[username]).status_code == 303
        callers.append(threading.Thread(target=refused, args=(caller, url)))
    threads = [threading.Thread(target=writer, args=(h,)) for h in headers]
    started = time.monotonic()
    for thread in threads + callers:
        thread.start()
    for thread in callers:
        thread.join(120)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert answers == {403: DENIED_REQUESTS}
    # Writers wait for the lock (30 s busy timeout); on an overloaded host one may still get 503 + Retry-After.
    assert set(writes) <= {201, 503} and writes[201] > 10 * writes[503], writes
    with busy_app.app_context():
        denied = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.event == "authz.denied", AuditEvent.username.in_(usernames.values())
            )
        )
        assert denied == DENIED_REQUESTS
        assert db.session.scalar(select(func.count(Case.id))) == writes[201]


def test_a_database_busy_beyond_the_timeout_is_503_with_retry_after(login_as, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from stations.api import cases as api_cases

    def busy(*args, **kwargs):
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(api_cases.case_queries, "case_values", busy)
    response = login_as("staff-ll").get("/api/v1/cases")
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "busy"
