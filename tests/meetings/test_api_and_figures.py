"""API v1 for meetings (create with Idempotency-Key, events, 409 / 422), the period figures, and reminders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from stations.extensions import db
from stations.meetings import figures
from stations.meetings.reminders import send_due_reminders
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import business_today, utcnow
from tests.helpers.meetings import requested, scheduled
from tests.helpers.suite import csrf_token_from


def _headers(client, **extra) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token_from(client, "/meetings/"), **extra}


def test_create_is_idempotent_and_answers_the_contract(login_as, gd, qn):
    client = login_as(gd.username)
    body = {"kind": "MEET", "topic": "排水管网接驳", "department": "KFJS"}
    first = client.post("/api/v1/meetings", json=body, headers=_headers(client, **{"Idempotency-Key": "m-1"}))
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/meetings", json=body, headers=_headers(client, **{"Idempotency-Key": "m-1"}))
    assert again.status_code == 201 and again.get_json() == first.get_json()
    data = first.get_json()
    assert set(data) >= {
        "meeting_no",
        "kind",
        "status",
        "department",
        "topic",
        "scheduled_at",
        "enterprise_uscc",
        "version",
    }
    assert data["status"] == "REQUESTED" and data["department"] == "KFJS" and data["scheduled_at"] is None
    listed = client.get("/api/v1/meetings").get_json()
    assert data["meeting_no"] in [item["meeting_no"] for item in listed["items"]]
    assert client.get(f"/api/v1/meetings/{data['meeting_no']}").status_code == 200
    assert login_as(qn.username).get(f"/api/v1/meetings/{data['meeting_no']}").status_code == 404


def test_events_versions_and_bad_input(login_as, gd):
    meeting = requested(owner=gd)
    staff = login_as("staff-ll")
    url = f"/api/v1/meetings/{meeting.meeting_no}/events"
    ok = staff.post(url, json={"event": "contact", "version": meeting.version}, headers=_headers(staff))
    assert ok.status_code == 200 and ok.get_json()["status"] == "CONTACTED"
    stale = staff.post(url, json={"event": "route", "version": 1, "department_id": 1}, headers=_headers(staff))
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    for body, status in (
        ({"event": "contact", "version": 2}, 422),  # not allowed now
        ({"event": "route", "version": 2}, 422),  # no department
        ({"event": "route", "version": 2, "department_id": "x"}, 422),
        ({"event": "route", "version": 2, "department_id": 999999}, 422),
        ({"event": "nope", "version": 2}, 422),
        ({"event": "route", "version": 2, "extra": 1}, 422),
        ({"event": "route"}, 422),
        ({"event": "route", "version": 2, "reason": 5}, 422),
    ):
        response = staff.post(url, json=body, headers=_headers(staff))
        assert response.status_code == status, (body, response.status_code, response.get_json())
        assert response.get_json()["error"]["message"]
    assert staff.post(url, data="not json", headers=_headers(staff)).status_code == 400
    enterprise = login_as(gd.username)
    refused = enterprise.post(
        url, json={"event": "route", "version": 2, "department_id": 1}, headers=_headers(enterprise)
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "not_permitted"


def test_create_bad_input(login_as, gd):
    client = login_as(gd.username)
    for body in (
        {"topic": ""},
        {"topic": "x", "kind": "LUNCH"},
        {"topic": "x", "department": "NOPE"},
        {"topic": "x", "preferred_dates": ["2020-01-01"]},
        {"topic": "x", "preferred_dates": "2026-01-01"},
        {"topic": "x", "preferred_dates": ["soon"]},
        {"topic": 5},
    ):
        response = client.post("/api/v1/meetings", json=body, headers=_headers(client))
        assert response.status_code == 422, (body, response.status_code)
    dept = login_as("dept-kf")
    assert dept.post("/api/v1/meetings", json={"topic": "x"}, headers=_headers(dept)).status_code == 403


def test_period_figures_in_the_api(login_as):
    meeting = scheduled()
    today = business_today()
    result = figures.period_figures(today - timedelta(days=30), today)
    assert result.requested >= 1
    central = login_as("central")
    start = (today - timedelta(days=40)).isoformat()
    body = central.get(f"/api/v1/metrics/period?from={start}&to={today.isoformat()}").get_json()
    assert set(body["meetings"]) >= {"requested", "held", "median_wd_to_meeting"}
    assert set(body["policy_sessions"]) >= {"held", "attendance"}
    # The demo's drainage-pipe meeting was held 2 working days after its request; the others too.
    assert body["meetings"]["held"] >= 1 and body["meetings"]["median_wd_to_meeting"] == 2.0
    assert body["policy_sessions"]["held"] >= 1 and body["policy_sessions"]["attendance"] >= 1
    assert "一键约见与政策宣讲" in central.get("/dashboard").get_data(as_text=True)
    fragment = central.get(f"/meetings/figures?from={start}&to={today.isoformat()}")
    assert fragment.status_code == 200 and 'data-figure="median_wd_to_meeting">2.0<' in fragment.get_data(as_text=True)
    assert central.get("/meetings/figures?from=x&to=2026-01-01").status_code == 400
    assert central.get("/meetings/figures?from=2026-02-01&to=2026-01-01").status_code == 400
    assert meeting.meeting_no


def test_reminders_once_each(app, gd):
    meeting = scheduled(owner=gd)
    start = meeting.starts_at
    count = select(func.count()).where(
        Notification.kind == NotificationKind.MEETING_REMINDER, Notification.link.contains(meeting.meeting_no)
    )
    assert send_due_reminders(start - timedelta(days=20)) == 0
    sent = send_due_reminders(start - timedelta(minutes=90))  # inside the day-before window (or later)
    assert sent >= 1
    assert send_due_reminders(start - timedelta(minutes=80)) == 0  # the same reminder is not sent again
    assert send_due_reminders(start - timedelta(minutes=30)) >= 1  # the hour-before one
    assert send_due_reminders(start - timedelta(minutes=10)) == 0
    users = db.session.scalar(count)
    assert users == 2 * (1 + 1)  # the client's account and the handler, twice
    assert gd.account.id in set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == NotificationKind.MEETING_REMINDER))
    )
    assert send_due_reminders(utcnow() + timedelta(days=400)) == 0


def test_answers_match_docs_openapi(login_as, gd):
    from tests.web.test_openapi import SPEC, conforms

    meeting = scheduled(owner=gd)
    client = login_as(gd.username)
    one = client.get(f"/api/v1/meetings/{meeting.meeting_no}").get_json()
    assert conforms(one, {"$ref": "#/components/schemas/Meeting"}) == []
    assert conforms(client.get("/api/v1/meetings").get_json(), {"$ref": "#/components/schemas/MeetingList"}) == []
    sessions = client.get("/api/v1/policy-sessions").get_json()
    assert conforms(sessions, {"$ref": "#/components/schemas/PolicySessionList"}) == []
    period = login_as("central").get("/api/v1/metrics/period").get_json()
    schema = SPEC["components"]["schemas"]["PeriodMetrics"]["properties"]
    assert conforms(period["meetings"], schema["meetings"]) == []
    assert conforms(period["policy_sessions"], schema["policy_sessions"]) == []


def test_the_reminders_are_a_periodic_job():
    from stations.jobs.tasks import SCHEDULE, TASKS

    assert TASKS["meetings.remind"] == "stations.meetings.reminders:remind_job"
    assert any(p.task == "meetings.remind" and p.every == "minute" for p in SCHEDULE)


def test_records_carry_due_on_and_warn_level(login_as, gd):
    meeting = requested(owner=gd)
    body = login_as(gd.username).get(f"/api/v1/meetings/{meeting.meeting_no}").get_json()
    assert body["due_on"] == meeting.contact_due_on.isoformat()
    assert body["warn_level"] in ("GREEN", "YELLOW", "RED")
    done = scheduled(owner=gd)
    assert login_as(gd.username).get(f"/api/v1/meetings/{done.meeting_no}").get_json()["due_on"] is None
