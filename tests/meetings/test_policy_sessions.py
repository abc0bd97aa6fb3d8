"""政策宣讲: capacity and the waiting list, moving up on cancellation (with a notification), check-in by QR token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from stations.auth.models import Role, User
from stations.enterprises.models import Enterprise
from stations.extensions import db
from stations.meetings import policy_services as services
from stations.meetings.policy_models import PolicySession, SessionSignup, SignupState
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import utcnow
from tests.helpers.suite import csrf_token_from


def _session(capacity: int = 30, *, hours: int = 48) -> PolicySession:
    start = utcnow() + timedelta(hours=hours)
    session = PolicySession(
        title="人才政策解读(测试)",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        place="报告厅",
    )
    db.session.add(session)
    db.session.flush()
    return session


def _enterprise_users(count: int) -> list[User]:
    """``count`` enterprises, each with one user (made here)."""
    users = []
    for n in range(count):
        enterprise = Enterprise(name=f"测试企业{n}", uscc=f"9161110000T{n:06d}"[:18])
        db.session.add(enterprise)
        db.session.flush()
        user = User(
            username=f"t-ent-{n}",
            display_name=f"测试{n}",
            role=Role.ENTERPRISE,
            password_hash="x",
            enterprise_id=enterprise.id,
        )
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def test_capacity_thirty_forty_sign_ups_and_one_cancellation():
    session = _session(30)
    users = _enterprise_users(40)
    states = [services.sign_up(session.id, user).state for user in users]
    assert states.count(SignupState.CONFIRMED) == 30 and states.count(SignupState.WAITING) == 10
    assert states[:30] == [SignupState.CONFIRMED] * 30  # first come, first served
    first_waiting = users[30]
    cancelled = db.session.scalar(select(SessionSignup).where(SessionSignup.user_id == users[4].id))
    promoted = services.cancel(cancelled)
    assert promoted is not None and promoted.enterprise_id == first_waiting.enterprise_id
    assert promoted.state is SignupState.CONFIRMED
    assert services.confirmed_count(session.id) == 30
    told = db.session.scalars(
        select(Notification).where(
            Notification.user_id == first_waiting.id, Notification.kind == NotificationKind.SESSION_CONFIRMED
        )
    ).all()
    assert len(told) == 1
    # The second waiting one was not moved up nor told.
    assert not db.session.scalars(select(Notification).where(Notification.user_id == users[31].id)).all()
    # Cancelling a waiting sign-up frees no seat: nobody moves up.
    waiting = db.session.scalar(select(SessionSignup).where(SessionSignup.user_id == users[35].id))
    assert services.cancel(waiting) is None


def test_signing_up_twice_keeps_one_sign_up():
    session = _session(1)
    (user,) = _enterprise_users(1)
    assert services.sign_up(session.id, user).id == services.sign_up(session.id, user).id


def test_check_in_by_scanned_token(login_as, gd):

    session = _session(5, hours=1)
    signup = services.sign_up(session.id, gd.account)
    enterprise = login_as(gd.username)
    page = enterprise.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "签到二维码" in page
    qr = enterprise.get(f"/sessions/{session.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    staff = login_as("staff-ll")
    token = csrf_token_from(staff, f"/sessions/{session.id}/checkin")
    bad = staff.post(f"/sessions/{session.id}/checkin", data={"csrf_token": token, "token": "nope"})
    assert bad.status_code == 422 and "二维码无效" in bad.get_data(as_text=True)
    assert (
        staff.post(f"/sessions/{session.id}/checkin", data={"csrf_token": token, "token": "x" * 500}).status_code == 422
    )
    good = staff.post(f"/sessions/{session.id}/checkin", data={"csrf_token": token, "token": signup.token})
    assert good.status_code == 200 and "签到成功" in good.get_data(as_text=True)
    db.session.refresh(signup)
    assert signup.checked_in_at is not None


def test_pages_sign_up_cancel_and_questions(login_as, gd):
    session = _session(1)
    enterprise = login_as(gd.username)
    token = csrf_token_from(enterprise, f"/sessions/{session.id}")
    assert enterprise.post(f"/sessions/{session.id}/signup", data={"csrf_token": token}).status_code == 303
    assert 'data-state="CONFIRMED"' in enterprise.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert (
        enterprise.post(f"/sessions/{session.id}/questions", data={"csrf_token": token, "body": ""}).status_code == 422
    )
    assert (
        enterprise.post(
            f"/sessions/{session.id}/questions", data={"csrf_token": token, "body": "补贴何时申报?"}
        ).status_code
        == 303
    )
    staff = login_as("staff-ll")
    page = staff.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "补贴何时申报?" in page
    assert enterprise.post(f"/sessions/{session.id}/cancel", data={"csrf_token": token}).status_code == 303
    assert enterprise.post("/sessions/999999/signup", data={"csrf_token": token}).status_code == 404


def test_api_sign_up_and_list(login_as, gd, qn):
    session = _session(1)
    enterprise = login_as(gd.username)
    token = csrf_token_from(enterprise, "/sessions/")
    response = enterprise.post(
        f"/api/v1/policy-sessions/{session.id}/signups", headers={"X-CSRFToken": token, "Idempotency-Key": "s-1"}
    )
    assert response.status_code == 201 and response.get_json()["state"] == "CONFIRMED"
    listed = enterprise.get("/api/v1/policy-sessions").get_json()["items"]
    mine = next(item for item in listed if item["id"] == session.id)
    assert mine["confirmed"] == 1 and mine["capacity"] == 1 and mine["online"] is False
    other = login_as(qn.username)
    token = csrf_token_from(other, "/sessions/")
    answer = other.post(f"/api/v1/policy-sessions/{session.id}/signups", headers={"X-CSRFToken": token})
    assert answer.get_json()["state"] == "WAITING"
    assert other.post("/api/v1/policy-sessions/999999/signups", headers={"X-CSRFToken": token}).status_code == 404


def test_staff_put_a_session_on_the_calendar(login_as):
    staff = login_as("staff-ll")
    token = csrf_token_from(staff, "/sessions/new")
    start = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT14:30")
    form = {"csrf_token": token, "title": "科技金融政策解读", "starts_at": start, "minutes": "90", "capacity": "30"}
    response = staff.post("/sessions/new", data={**form, "submission_key": "ps-1"})
    assert response.status_code == 303
    again = staff.post("/sessions/new", data={**form, "submission_key": "ps-1"})
    assert again.headers["Location"] == response.headers["Location"]  # the same session, not a second one
    for bad in ({"title": ""}, {"capacity": "0"}, {"starts_at": "soon"}, {"live_url": "javascript:alert(1)"}):
        assert staff.post("/sessions/new", data={**form, **bad}).status_code == 422, bad


def test_staff_put_up_the_replay_link(login_as, gd):
    session = _session(3, hours=-3)
    staff = login_as("staff-ll")
    token = csrf_token_from(staff, f"/sessions/{session.id}")
    bad = {"csrf_token": token, "replay_url": "javascript:alert(1)"}
    assert staff.post(f"/sessions/{session.id}/replay", data=bad).status_code == 422
    good = {"csrf_token": token, "replay_url": "https://live.example.org/replay/1"}
    assert staff.post(f"/sessions/{session.id}/replay", data=good).status_code == 303
    page = login_as(gd.username).get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "https://live.example.org/replay/1" in page
