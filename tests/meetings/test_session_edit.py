"""Editing a policy session: version check, capacity never below the confirmed, the waiting list moves up when it
grows, every signed-up enterprise told of a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stations.extensions import db
from stations.meetings import policy_services as services
from stations.meetings.policy_models import PolicySession, SessionSignup, SignupState
from stations.meetings.session_edit import SessionChange, edit_session
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import to_business
from tests import factories as f
from tests.helpers.suite import csrf_token_from
from tests.meetings.test_policy_sessions import _enterprise_users, _session


def _change(session: PolicySession, **kw) -> SessionChange:
    values = dict(
        title=session.title, starts_at=session.starts_at, minutes=120, capacity=session.capacity, place=session.place
    )
    values.update(kw)
    return SessionChange(**values)


def _states(session_id: int) -> dict:
    rows = db.session.execute(
        select(SessionSignup.state, func.count())
        .where(SessionSignup.session_id == session_id)
        .group_by(SessionSignup.state)
    ).all()
    return {state: n for state, n in rows}


def _told(kind: NotificationKind) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == kind))


def test_growing_capacity_moves_the_waiting_list_up_in_order():
    session = _session(2)
    users = _enterprise_users(5)
    for user in users:
        services.sign_up(session.id, user)
    confirmed_before = _told(NotificationKind.SESSION_CONFIRMED)
    _, moved = edit_session(session.id, _change(session, capacity=4), session.version, by=f.user("admin"))
    assert [s.enterprise_id for s in moved] == [users[2].enterprise_id, users[3].enterprise_id]
    assert _states(session.id) == {SignupState.CONFIRMED: 4, SignupState.WAITING: 1}
    assert _told(NotificationKind.SESSION_CONFIRMED) == confirmed_before + 2
    assert session.version == 2


def test_capacity_cannot_go_below_the_confirmed():
    session = _session(3)
    for user in _enterprise_users(3):
        services.sign_up(session.id, user)
    with pytest.raises(services.SessionError) as refused:
        edit_session(session.id, _change(session, capacity=2), session.version, by=f.user("admin"))
    assert refused.value.code == "capacity_below_confirmed"
    edit_session(session.id, _change(session, capacity=3), session.version, by=f.user("admin"))  # equal is fine


def test_a_stale_version_is_refused():
    session = _session(3)
    with pytest.raises(services.SessionError) as refused:
        edit_session(session.id, _change(session), session.version + 1, by=f.user("admin"))
    assert refused.value.status == 409


def test_a_new_time_is_told_to_every_signed_up_enterprise():
    session = _session(1)
    for user in _enterprise_users(3):  # 1 confirmed, 2 waiting
        services.sign_up(session.id, user)
    before = _told(NotificationKind.SESSION_CHANGED)
    edit_session(
        session.id,
        _change(session, starts_at=session.starts_at + timedelta(days=1)),
        session.version,
        by=f.user("admin"),
    )
    assert _told(NotificationKind.SESSION_CHANGED) == before + 3
    edit_session(session.id, _change(session, capacity=1), session.version, by=f.user("admin"))  # nothing told changed
    assert _told(NotificationKind.SESSION_CHANGED) == before + 3


def test_the_edit_page(login_as, gd):
    session = _session(2)
    db.session.commit()
    staff = login_as("staff-ll")
    page = staff.get(f"/sessions/{session.id}/edit")
    assert page.status_code == 200 and session.title in page.get_data(as_text=True)
    token = csrf_token_from(staff, f"/sessions/{session.id}/edit")
    local = to_business(session.starts_at).replace(tzinfo=None)
    form = {
        "csrf_token": token,
        "title": "人才政策解读(改期)",
        "starts_at": (local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "90",
        "capacity": "40",
        "place": "二楼报告厅",
        "version": str(session.version),
    }
    assert staff.post(f"/sessions/{session.id}/edit", data=form).status_code == 303
    db.session.expire_all()
    edited = db.session.get(PolicySession, session.id)
    assert edited.title == "人才政策解读(改期)" and edited.capacity == 40 and edited.version == 2
    assert edited.ends_at - edited.starts_at == timedelta(minutes=90)
    stale = staff.post(f"/sessions/{session.id}/edit", data=form)  # the old version again
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    bad = staff.post(f"/sessions/{session.id}/edit", data={**form, "capacity": "0", "version": "2"})
    assert bad.status_code == 422
    enterprise = login_as(gd.username)
    assert enterprise.get(f"/sessions/{session.id}/edit").status_code == 403


def test_only_who_runs_a_session_edits_it_sets_its_replay_or_checks_in_on_every_entry_point(login_as):
    """Staff of another station: the pages are 404 as the API is, and the core refuses whoever calls it."""
    session = _session(5)
    session.station_id = f.station("LL").id
    db.session.commit()
    other = login_as("staff-qh")
    other_token = csrf_token_from(other, "/sessions/")
    assert other.get(f"/sessions/{session.id}/edit").status_code == 404
    assert other.post(f"/sessions/{session.id}/edit", data={"csrf_token": other_token}).status_code == 404
    assert other.post(f"/sessions/{session.id}/replay", data={"csrf_token": other_token}).status_code == 404
    assert other.get(f"/sessions/{session.id}/checkin").status_code == 404
    stranger = f.user("staff-qh")
    for attempt in (
        lambda: edit_session(session.id, _change(session, capacity=9), session.version, by=stranger),
        lambda: services.set_replay(session, "https://example.org/replay", by=stranger),
        lambda: services.check_in(session, "whatever", by=stranger),
    ):
        with pytest.raises(services.SessionError) as refused:
            attempt()
        assert refused.value.code == "not_found" and refused.value.status == 404
    db.session.expire_all()
    assert session.capacity == 5 and not session.replay_url
    # The hosting station's staff still reach it.
    assert login_as("staff-ll").get(f"/sessions/{session.id}/edit").status_code == 200
