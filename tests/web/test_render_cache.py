"""Reused pages (issue 21, stations/web/render_cache.py): served again only while nothing they show has changed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select, text, update

from stations.auth.models import User
from stations.cases.models import Case
from stations.extensions import db
from stations.timeutil import business_to_utc, business_today, utcnow
from stations.web import change_stamp, render_cache
from tests import factories as f
from tests.helpers.cases import accepted_case

QUEUE = "/cases/"


@pytest.fixture(autouse=True)
def _mid_morning():
    """Every test here at 10:00 of today's business date (the clock still ticks): a kept page also expires at the
    day's end, and a test run at 23:59:59 must not see that instead of what it checks."""
    moment = business_to_utc(datetime.combine(business_today(), time(10, 0)))
    with time_machine.travel(moment.replace(tzinfo=UTC), tick=True):
        yield


def _stamp() -> int:
    return db.session.scalar(text("SELECT value FROM change_stamps WHERE id = 1"))


def test_a_page_asked_again_is_served_again_with_one_statement(login_as, count_queries):
    client = login_as("staff-ll")
    client.get(QUEUE)  # the session's first page makes its CSRF secret: that answer is not kept
    first = client.get(QUEUE)
    db.session.expunge_all()  # the test's session holds the user: forget it, so the request loads it as in production
    with count_queries(reuse=True) as again:
        second = client.get(QUEUE)
    assert second.status_code == 200
    assert second.data == first.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    # The view's own statements are saved, and the user's row too: the worker kept a copy under this same stamp
    # (auth/user_snapshots.py). What is left is the stamp.
    assert again.count == 1, again.statements
    assert again.statements[0] == "SELECT value FROM change_stamps WHERE id = 1"


@pytest.mark.parametrize("endpoint", ["home.mine", "cases.index", "cases.show", "api.list_cases", "api.get_case"])
def test_the_reusable_views_are_known_before_they_run(app, endpoint):
    """auth/sessions.py loads a narrower user for them, so the mark must reach the registered view through every
    decorator around it."""
    assert getattr(app.view_functions[endpoint], "reusable_page", False)


def test_a_page_rendered_after_a_narrow_user_load_still_shows_the_station(login_as):
    client = login_as("staff-ll")
    station = db.session.scalar(select(User).where(User.username == "staff-ll")).station.name
    db.session.expunge_all()
    page = client.get(QUEUE).get_data(as_text=True)  # rendered, with the user loaded without its station
    assert f"办件队列 · {station}" in page


def test_a_committed_write_shows_at_once(login_as):
    client = login_as("staff-ll")
    client.get(QUEUE)
    before = client.get(QUEUE).get_data(as_text=True)
    assert client.get(QUEUE).get_data(as_text=True) == before
    case = f.make_case()
    db.session.commit()
    after = client.get(QUEUE).get_data(as_text=True)
    assert case.case_no not in before
    assert case.case_no in after


@pytest.mark.parametrize("how", ["core", "raw"])
def test_writes_that_bypass_the_orm_change_the_stamp_too(login_as, how):
    case = f.make_case()
    db.session.commit()
    client = login_as("staff-ll")
    assert "示例经办人" in client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    if how == "core":
        db.session.execute(update(Case).where(Case.id == case.id).values(applicant_name="核心改名"))
    else:
        db.session.execute(text("UPDATE cases SET applicant_name = '原生改名' WHERE id = :id"), {"id": case.id})
    db.session.commit()
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert ("核心改名" if how == "core" else "原生改名") in page


def test_every_commit_that_wrote_changes_the_stamp_and_a_read_does_not():
    first = _stamp()
    db.session.commit()  # nothing written
    assert _stamp() == first
    f.make_case()
    db.session.commit()
    assert _stamp() != first


def test_a_transaction_that_has_written_and_not_committed_reuses_nothing(login_as):
    client = login_as("staff-ll")
    client.get(QUEUE)
    case = f.make_case()  # flushed into this connection's transaction, not committed
    db.session.flush()
    assert change_stamp.current() is None
    assert case.case_no in client.get(QUEUE).get_data(as_text=True)


def test_users_and_sessions_never_share_a_page(login_as):
    own = login_as("staff-ll").get(QUEUE).get_data(as_text=True)
    other_station = login_as("staff-qh").get(QUEUE).get_data(as_text=True)
    assert own != other_station
    second_session = login_as("staff-ll").get(QUEUE).get_data(as_text=True)
    # The same user in another session gets its own page: its own CSRF token, not the first session's.
    assert second_session != own


def test_a_fragment_and_the_whole_page_are_kept_apart(login_as):
    client = login_as("staff-ll")
    client.get(QUEUE)  # makes the session's CSRF secret (a token in the page is signed with the second it was made)
    page = client.get(QUEUE)
    fragment = client.get(QUEUE, headers={"HX-Request": "true", "HX-Target": "case-table"})
    again = client.get(QUEUE)
    assert b"<html" in page.data and b"<html" not in fragment.data
    assert again.data == page.data


def test_the_language_is_part_of_the_page(login_as):
    client = login_as("staff-ll")
    chinese = client.get(QUEUE).get_data(as_text=True)
    english = client.get(QUEUE + "?lang=en").get_data(as_text=True)
    assert "办件" in chinese
    assert "Cases" in english or "cases" in english


def test_a_case_turning_red_shows_at_its_moment_not_after_the_maximum_age(app, login_as, count_queries):
    case = accepted_case()
    now = utcnow()
    case.overdue_at = now + timedelta(seconds=20)
    case.warn_on = None
    db.session.commit()
    client = login_as("staff-ll")
    page = f"/cases/{case.case_no}"
    with time_machine.travel(now, tick=False):
        client.get(page)
        before = client.get(page).get_data(as_text=True)
    with time_machine.travel(now + timedelta(seconds=10), tick=False), count_queries(reuse=True) as kept:
        assert client.get(page).get_data(as_text=True) == before
    with time_machine.travel(now + timedelta(seconds=25), tick=False):
        after = client.get(page).get_data(as_text=True)
    assert not any("FROM cases" in statement for statement in kept.statements)  # it was served again
    assert app.config["RENDER_CACHE_MAX_AGE"] > 25
    assert "badge-RED" not in before
    assert "badge-RED" in after


def test_a_page_is_kept_no_longer_than_the_maximum_age(app, login_as, count_queries):
    client = login_as("staff-ll")
    now = utcnow()
    age = app.config["RENDER_CACHE_MAX_AGE"]
    with time_machine.travel(now, tick=False):
        client.get(QUEUE)
        client.get(QUEUE)
    with time_machine.travel(now + timedelta(seconds=age - 1), tick=False), count_queries(reuse=True) as within:
        client.get(QUEUE)
    with time_machine.travel(now + timedelta(seconds=age + 1), tick=False), count_queries(reuse=True) as past:
        client.get(QUEUE)
    assert not any("FROM cases" in statement for statement in within.statements)
    assert any("FROM cases" in statement for statement in past.statements)


def test_flashed_messages_are_never_served_from_a_kept_page(app, login_as):
    client = login_as("staff-ll")
    client.get(QUEUE)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "一条只显示一次的提示")]
    assert "一条只显示一次的提示" in client.get(QUEUE).get_data(as_text=True)
    assert "一条只显示一次的提示" not in client.get(QUEUE).get_data(as_text=True)


def test_switched_off_every_request_renders(app, login_as, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "RENDER_CACHE_ENABLED", False)
    client = login_as("staff-ll")
    client.get(QUEUE)
    with count_queries(reuse=True) as again:
        client.get(QUEUE)
    assert any("FROM cases" in statement for statement in again.statements)
    assert not any("change_stamps" in statement for statement in again.statements)


def test_the_store_keeps_the_latest_pages_within_its_capacity():
    store = render_cache.PageStore(2)
    now = utcnow()
    later = now + timedelta(seconds=60)
    for key in ("a", "b", "c"):
        store.put(key, render_cache._Entry(key.encode(), 200, (), now, later))
    assert len(store) == 2
    assert store.get("a", now) is None
    assert store.get("c", now).body == b"c"
    assert store.get("c", later) is None  # expired
    store.put("d", render_cache._Entry(b"d", 200, (), now, later))
    assert store.get("d", now - timedelta(seconds=1)) is None  # the clock went back: rendered in its future


def test_a_kept_page_with_an_etag_answers_a_revalidation_with_304(login_as):
    """The enterprise's home is polled with If-None-Match (web/caching.py); a kept copy answers it as the view would."""
    f.make_case(enterprise=f.user("ent-gd").enterprise)  # open: the home keeps polling (200, not 286)
    db.session.commit()
    client = login_as("ent-gd")
    client.get("/home")
    poll = {"HX-Request": "true", "HX-Target": "enterprise-cases"}
    first = client.get("/home", headers=poll)
    kept = client.get("/home", headers=poll)
    assert first.status_code == kept.status_code == 200 and first.headers["ETag"] == kept.headers["ETag"]
    again = client.get("/home", headers={**poll, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
