"""50 tablets book the same slot at the same instant: exactly one wins, the others get a clear 409, no 500.

Runs the app on its own file database (SQLite) or its own PostgreSQL database (TEST_DATABASE_URL + suffix), with
real commits, 50 threads released together by a barrier. The UNIQUE meeting_bookings.slot_id decides.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from stations.extensions import db
from tests import dbutil
from tests.helpers.suite import AuthActions, build_database, csrf_token_from, make_test_app

ATTEMPTS = 50


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """Real commits on a database of its own: not the suite's rolled-back transaction."""


@pytest.fixture(scope="module")
def own_app() -> Iterator[Flask]:
    url = dbutil.test_database_url("_meetings_race")
    dbutil.reset_database(url)
    app = make_test_app(url)
    build_database(app, demo_cases=False)
    yield app
    with app.app_context():
        db.engine.dispose()


def _prepare(app: Flask) -> tuple[list[str], int]:
    """ATTEMPTS routed meetings of one client of the test's own (to 开发建设部) and one free slot; committed."""
    from tests.factories import make_client
    from tests.helpers.meetings import new_slot, routed

    with app.app_context():
        owner = make_client()
        numbers = [routed(owner=owner, topic=f"race {n}").meeting_no for n in range(ATTEMPTS)]
        slot_id = new_slot(days=5, hour=11, minute=15).id
        db.session.commit()
        return numbers, slot_id


def test_fifty_tablets_one_slot(own_app):
    from stations.meetings.models import Meeting, MeetingBooking

    numbers, slot_id = _prepare(own_app)
    clients = []
    for _ in range(ATTEMPTS):
        client = own_app.test_client()
        assert AuthActions(client).login("staff-ll").status_code == 303
        clients.append((client, csrf_token_from(client, "/meetings/")))
    barrier = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str]] = [(0, "")] * ATTEMPTS

    def attempt(index: int) -> None:
        client, token = clients[index]
        data = {"csrf_token": token, "event": "schedule", "version": 3, "slot_id": slot_id}
        barrier.wait()
        response = client.post(f"/meetings/{numbers[index]}/events", data=data)
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = Counter(status for status, _body in results)
    assert statuses == {303: 1, 409: ATTEMPTS - 1}, statuses
    refused = [body for status, body in results if status == 409]
    assert all(re.search("该时段刚被预约", body) for body in refused)
    with own_app.app_context():
        assert db.session.scalar(select(func.count()).where(MeetingBooking.slot_id == slot_id)) == 1
        scheduled = db.session.scalar(
            select(func.count()).where(Meeting.status == "SCHEDULED", Meeting.topic.like("race %"))
        )
        assert scheduled == 1
