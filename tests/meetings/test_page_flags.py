"""The meeting pages show what the Python flags say: a policy session's sign-up card and question form for whoever
may attend (and the routes behind them refuse everyone else), the sign-up's own flags (live, admitted at the door:
the QR code), and, in the meetings list, the deadline of the step each meeting waits for."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from stations.domain.meeting_flow import MeetingStatus
from stations.extensions import db
from stations.meetings import policy_services
from stations.meetings.policy_models import PolicySession, SessionSignup, SignupState
from stations.timeutil import utcnow
from tests import factories as f
from tests.factories import Client
from tests.helpers import meetings as helpers
from tests.helpers.suite import csrf_token_from

ACCOUNTS = ("admin", "central", "staff-ll", "clerk-ll", "dept-rs", "comm-ll", "person-demo")
SIGN_UP_FORM = 'action="/sessions/{id}/signup"'
ASK_FORM = 'action="/sessions/{id}/questions"'


def _session(capacity: int = 30) -> PolicySession:
    start = utcnow() + timedelta(hours=48)
    session = PolicySession(
        title="标志测试宣讲", starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity
    )
    db.session.add(session)
    db.session.flush()
    return session


@pytest.mark.parametrize("username", ACCOUNTS)
def test_only_who_may_attend_sees_the_sign_up_card_and_the_routes_refuse_the_rest(login_as, username):
    session = _session()
    client = login_as(username)
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert SIGN_UP_FORM.format(id=session.id) not in page and ASK_FORM.format(id=session.id) not in page
    token = csrf_token_from(client, f"/sessions/{session.id}")
    for action in ("signup", "cancel", "questions"):
        assert client.post(f"/sessions/{session.id}/{action}", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/sessions/{session.id}/qr.svg").status_code == 403


def test_the_enterprise_sees_the_card_and_may_follow_it(login_as, gd: Client):
    session = _session()
    ent = login_as(gd.username)
    page = ent.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert SIGN_UP_FORM.format(id=session.id) in page and ASK_FORM.format(id=session.id) in page
    token = csrf_token_from(ent, f"/sessions/{session.id}")
    assert ent.post(f"/sessions/{session.id}/signup", data={"csrf_token": token}).status_code == 303
    assert (
        ent.post(f"/sessions/{session.id}/questions", data={"csrf_token": token, "body": "何时申报?"}).status_code
        == 303
    )


# state -> (live: the state is shown with a cancel button; admits: the QR code is shown and served)
SIGNUP_FLAGS = {
    SignupState.CONFIRMED: (True, True),
    SignupState.WAITING: (True, False),  # on the waiting list: no seat, no code for the door
    SignupState.CANCELLED: (False, False),  # as if never signed up: the sign-up button again
}


@pytest.mark.parametrize(("state", "flags"), list(SIGNUP_FLAGS.items()))
def test_signup_flags(state, flags):
    signup = SessionSignup(state=state)
    assert (signup.is_live, signup.admits) == flags


@pytest.mark.parametrize("state", list(SignupState))
def test_the_page_and_the_qr_route_read_the_signup_flags(login_as, gd: Client, state):
    session = _session()
    signup = policy_services.sign_up(session.id, gd.account)
    signup.state = state
    db.session.flush()
    ent = login_as(gd.username)
    page = ent.get(f"/sessions/{session.id}").get_data(as_text=True)
    live, admits = SIGNUP_FLAGS[state]
    assert ("signup-state" in page) is live
    assert (SIGN_UP_FORM.format(id=session.id) in page) is not live
    assert (f'src="/sessions/{session.id}/qr.svg"' in page) is admits
    assert ent.get(f"/sessions/{session.id}/qr.svg").status_code == (200 if admits else 404)


def test_the_door_admits_what_the_page_shows_a_code_for(login_as, gd: Client):
    session = _session(capacity=0)  # full: the sign-up waits
    signup = policy_services.sign_up(session.id, gd.account)
    assert signup.state is SignupState.WAITING and not signup.admits
    with pytest.raises(policy_services.SessionError) as refused:
        policy_services.check_in(session, signup.token, by=f.user("staff-ll"))
    assert refused.value.code == "not_confirmed"


CONTACT_DUE, MEETING_DUE = date(2031, 1, 6), date(2031, 1, 13)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (MeetingStatus.REQUESTED, CONTACT_DUE),  # the station owes the call first
        (MeetingStatus.CONTACTED, MEETING_DUE),
        (MeetingStatus.ROUTED, MEETING_DUE),
        (MeetingStatus.CANCELLED, MEETING_DUE),  # no time was set: the meeting deadline it had
    ],
)
def test_the_list_shows_the_deadline_of_the_current_step(login_as, gd: Client, status, shown):
    meeting = helpers.requested(gd, topic=f"期限测试{status.value}")
    meeting.status, meeting.contact_due_on, meeting.meeting_due_on = status, CONTACT_DUE, MEETING_DUE
    db.session.flush()
    page = login_as(gd.username).get("/meetings/").get_data(as_text=True)
    row = re.search(rf"{meeting.meeting_no}.*?</tr>", page, re.S).group(0)
    assert f"期限 {shown.isoformat()}" in row


def _hosted_by(station_code: str) -> PolicySession:
    session = _session()
    session.station_id = f.station(station_code).id
    db.session.flush()
    return session


@pytest.mark.parametrize(("username", "runs"), [("staff-ll", True), ("staff-qh", False), ("admin", True)])
def test_the_door_and_answer_controls_show_only_to_who_runs_the_session(login_as, username, runs):
    """Staff of another station saw 现场签到 and the answer forms, and got 404 following them (may_run_session)."""
    session = _hosted_by("LL")
    client = login_as(username)
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert (f'href="/sessions/{session.id}/checkin"' in page) is runs
    assert client.get(f"/sessions/{session.id}/checkin").status_code == (200 if runs else 404)


@pytest.mark.parametrize(
    ("username", "sees"), [("staff-ll", True), ("admin", True), ("central", True), ("staff-qh", False)]
)
def test_the_roster_and_the_questions_show_to_who_runs_the_session_and_the_central_office(login_as, gd, username, sees):
    """Staff of another station once saw a station's sign-up list and every enterprise's questions."""
    session = _hosted_by("LL")
    policy_services.sign_up(session.id, gd.account)
    policy_services.ask(session, gd.account, "园区补贴何时申报？")
    db.session.commit()
    page = login_as(username).get(f"/sessions/{session.id}").get_data(as_text=True)
    assert (gd.enterprise.name in page) is sees
    assert ("园区补贴何时申报？" in page) is sees
