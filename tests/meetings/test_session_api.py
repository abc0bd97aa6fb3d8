"""API v1 for the hosting station's staff (issue 14): PATCH /api/v1/policy-sessions/<id> and
POST /api/v1/policy-sessions/questions/<id>/appeal, through the same services as the pages."""

from __future__ import annotations

from sqlalchemy import select

from stations.appeals.models import Appeal, SourceChannel
from stations.extensions import db
from stations.meetings import policy_services
from stations.meetings.policy_models import PolicySession
from tests import factories as f
from tests.helpers.suite import csrf_token_from
from tests.meetings.test_policy_sessions import _enterprise_users, _session


def _hosted(capacity: int = 30) -> PolicySession:
    session = _session(capacity)
    session.station_id = f.station("LL").id
    db.session.commit()
    return session


def _client(login_as, username: str):
    client = login_as(username)
    return client, {"X-CSRFToken": csrf_token_from(client, "/sessions/")}


def test_staff_of_the_hosting_station_edit_a_session(login_as):
    session = _hosted()
    client, headers = _client(login_as, "staff-ll")
    url = f"/api/v1/policy-sessions/{session.id}"
    answer = client.patch(url, json={"version": 1, "capacity": "40", "place": "二楼会议室"}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["capacity"], body["place"], body["version"], body["title"]) == (40, "二楼会议室", 2, session.title)

    stale = client.patch(url, json={"version": 1, "capacity": 50}, headers=headers)
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale"
    link = client.patch(url, json={"version": 2, "live_url": "http://example.com"}, headers=headers)
    assert link.status_code == 422 and link.get_json()["error"]["code"] == "bad_link"
    for bad in ({"capacity": 50}, {"version": 2, "capacity": 0}, {"version": 2, "starts_at": "soon"}, {"x": 1}):
        assert client.patch(url, json=bad, headers=headers).status_code == 422, bad
    db.session.expire_all()
    assert db.session.get(PolicySession, session.id).capacity == 40


def test_capacity_below_the_confirmed_sign_ups_is_refused(login_as):
    session = _hosted(capacity=3)
    for user in _enterprise_users(3):
        policy_services.sign_up(session.id, user)
    db.session.commit()
    client, headers = _client(login_as, "staff-ll")
    refused = client.patch(f"/api/v1/policy-sessions/{session.id}", json={"version": 1, "capacity": 2}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "capacity_below_confirmed"


def test_a_question_becomes_an_appeal_once_through_the_api(login_as, gd):
    session = _hosted()
    question = policy_services.ask(session, gd.account, "人才公寓如何申请?")
    db.session.commit()
    client, headers = _client(login_as, "staff-ll")
    url = f"/api/v1/policy-sessions/questions/{question.id}/appeal"
    first = client.post(url, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post(url, headers=headers)
    assert again.status_code == 200 and again.get_json()["appeal_no"] == first.get_json()["appeal_no"]
    appeal = db.session.scalar(select(Appeal).where(Appeal.appeal_no == first.get_json()["appeal_no"]))
    assert appeal is not None and appeal.source_channel is SourceChannel.POLICY_SESSION


def test_others_may_not_edit_or_raise(login_as, gd):
    session = _hosted()
    question = policy_services.ask(session, gd.account, "补贴何时发放?")
    db.session.commit()
    for username, status in (("staff-qh", 404), (gd.username, 403), ("central", 403), ("clerk-ll", 403)):
        client, headers = _client(login_as, username)
        edit = client.patch(
            f"/api/v1/policy-sessions/{session.id}", json={"version": 1, "capacity": 9}, headers=headers
        )
        raise_ = client.post(f"/api/v1/policy-sessions/questions/{question.id}/appeal", headers=headers)
        assert (edit.status_code, raise_.status_code) == (status, status), username
    client, headers = _client(login_as, "staff-ll")
    assert client.patch("/api/v1/policy-sessions/999999", json={"version": 1}, headers=headers).status_code == 404
    assert client.post("/api/v1/policy-sessions/questions/999999/appeal", headers=headers).status_code == 404
    db.session.expire_all()
    assert db.session.get(PolicySession, session.id).capacity == 30
