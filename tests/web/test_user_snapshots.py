"""The worker's copy of the signed-in user's row for reused pages (issue 21, stations/auth/user_snapshots.py).

The copy saves the row's load only while the change stamp is the same; whatever changes the row is a committed
write, and the next request loads the row again. These tests hold the pages to that: sign-out elsewhere, a disabled
account and a new role take effect at the next request, however many pages are kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from sqlalchemy import select, update

from stations.auth.models import Role, User
from stations.auth.user_snapshots import UserSnapshots
from stations.extensions import db
from stations.timeutil import business_to_utc, business_today
from tests import factories as f

QUEUE = "/cases/"
STAMP_ALONE = "SELECT value FROM change_stamps WHERE id = 1"


@pytest.fixture(autouse=True)
def _mid_morning():
    """At 10:00 of today's business date: a kept page also expires at the day's end (see test_render_cache.py)."""
    moment = business_to_utc(datetime.combine(business_today(), time(10, 0)))
    with time_machine.travel(moment.replace(tzinfo=UTC), tick=True):
        yield


def _warm(client) -> bytes:
    """Two visits: the first makes the session's CSRF secret (not kept), the second is kept with the user's copy."""
    client.get(QUEUE)
    page = client.get(QUEUE).data
    db.session.expunge_all()  # the test's session holds the user: forget it, so requests load it as in production
    return page


def _staff_ll() -> User:
    return db.session.scalar(select(User).where(User.username == "staff-ll"))


def test_a_reused_page_reads_the_stamp_alone_and_takes_the_user_from_the_copy(app, login_as, count_queries):
    client = login_as("staff-ll")
    first = _warm(client)
    with count_queries(reuse=True) as again:
        assert client.get(QUEUE).data == first
    assert again.statements == [STAMP_ALONE]
    assert _staff_ll().id in [user_id for user_id in app.extensions["user_snapshots"]._copies]


def test_a_worker_that_never_saw_the_user_reads_the_row_with_the_stamp_in_one_statement(app, login_as, count_queries):
    client = login_as("staff-ll")
    first = _warm(client)
    app.extensions["user_snapshots"].clear()  # a fresh worker; its kept pages are another matter
    with count_queries(reuse=True) as again:
        assert client.get(QUEUE).data == first
    assert len(again.statements) == 1
    assert "FROM users" in again.statements[0] and "change_stamps" in again.statements[0]
    assert "JOIN" not in again.statements[0]  # the user's own row: no station, enterprise or department joined


def test_after_a_write_the_row_is_read_again_and_the_page_rendered(login_as, count_queries):
    client = login_as("staff-ll")
    _warm(client)
    case_no = f.make_case().case_no
    db.session.commit()
    db.session.expunge_all()
    with count_queries(reuse=True) as after:
        page = client.get(QUEUE).get_data(as_text=True)
    assert case_no in page
    assert after.statements[0] == STAMP_ALONE  # the stamp has moved: the copy is not used...
    assert "FROM users" in after.statements[1]  # ...and the row is read again


def test_signing_out_elsewhere_ends_the_session_at_the_next_reused_page(login_as):
    client = login_as("staff-ll")
    _warm(client)
    db.session.execute(update(User).where(User.username == "staff-ll").values(session_epoch=User.session_epoch + 1))
    db.session.commit()
    db.session.expunge_all()
    answer = client.get(QUEUE)
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_a_disabled_account_is_refused_at_the_next_reused_page(login_as):
    client = login_as("staff-ll")
    _warm(client)
    db.session.execute(update(User).where(User.username == "staff-ll").values(is_enabled=False))
    db.session.commit()
    db.session.expunge_all()
    assert client.get(QUEUE).status_code == 302


def test_a_new_role_is_seen_at_the_next_request(login_as):
    client = login_as("staff-ll")
    _warm(client)
    db.session.execute(update(User).where(User.username == "staff-ll").values(role=Role.ENTERPRISE))
    db.session.commit()
    db.session.expunge_all()
    assert client.get(QUEUE).status_code == 403  # the queue is for staff and clerks


def test_the_user_from_a_copy_belongs_to_the_request_and_loads_its_station(app, login_as):
    client = login_as("staff-ll")
    _warm(client)
    station = _staff_ll().station.name
    db.session.expunge_all()
    app.extensions["render_cache"].clear()  # the page is rendered, with the user merged from the copy
    page = client.get(QUEUE).get_data(as_text=True)
    assert f"办件队列 · {station}" in page
    kept = next(iter(app.extensions["user_snapshots"]._copies.values()))[1]
    assert db.inspect(kept).detached  # the kept copy itself never joins a session


def test_a_transaction_that_has_written_keeps_no_copy(app, login_as):
    client = login_as("staff-ll")
    client.get(QUEUE)
    app.extensions["user_snapshots"].clear()
    db.session.expunge_all()
    f.make_case()
    db.session.flush()  # written, not committed: what this transaction reads, no stamp covers
    client.get(QUEUE)
    assert len(app.extensions["user_snapshots"]) == 0


def test_the_copies_are_bounded_and_the_least_recent_goes_first():
    copies = UserSnapshots(capacity=2)
    users = [f.user(name) for name in ("staff-ll", "staff-qh", "ent-gd")]
    copies.put(1, users[0])
    copies.put(1, users[1])
    assert copies.get(users[0].id, 1) is not None  # now the most recent
    copies.put(1, users[2])
    assert copies.get(users[1].id, 1) is None
    assert copies.get(users[0].id, 1).username == "staff-ll"
    assert copies.get(users[2].id, 2) is None  # another stamp: not this copy
    assert len(copies) == 2
