"""The meeting pages end to end (test client): request, contact, route, schedule, .ics, reschedule, hold, close."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from icalendar import Calendar
from sqlalchemy import func, select

from stations.extensions import db
from stations.meetings.models import Meeting, MeetingBooking
from stations.notifications.models import Notification, NotificationKind
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.meetings import department, new_slot, requested, scheduled, token
from tests.helpers.suite import htmx_headers


def _post_event(client, meeting, event, **fields):
    data = {"csrf_token": token(client), "event": event, "version": meeting.version, **fields}
    return client.post(f"/meetings/{meeting.meeting_no}/events", data=data)


def _reload(meeting_no: str) -> Meeting:
    db.session.expire_all()
    return db.session.scalar(select(Meeting).where(Meeting.meeting_no == meeting_no))


def test_the_whole_path(login_as, gd):
    enterprise = login_as(gd.username)
    response = enterprise.post(
        "/meetings/new",
        data={
            "csrf_token": token(enterprise, "/meetings/new"),
            "kind": "MEET",
            "department_id": str(department().id),
            "topic": "雨污排水管网接驳时间",
            "preferred_dates": "",
            "submission_key": "k-whole-path",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    meeting_no = response.headers["Location"].rsplit("/", 1)[-1]
    meeting = _reload(meeting_no)
    assert meeting.status.value == "REQUESTED" and meeting.enterprise_id == gd.enterprise.id
    staff = login_as("staff-ll")
    assert _post_event(staff, meeting, "contact").status_code == 303
    meeting = _reload(meeting_no)
    assert _post_event(staff, meeting, "route", department_id=department().id, target_leader="部长").status_code == 303
    first, second = new_slot(days=3), new_slot(days=4, hour=15)
    meeting = _reload(meeting_no)
    page = staff.get(f"/meetings/{meeting_no}").get_data(as_text=True)
    assert f'value="{first.id}"' in page  # the free slot is offered
    assert _post_event(staff, meeting, "schedule", slot_id=first.id).status_code == 303
    meeting = _reload(meeting_no)
    assert meeting.status.value == "SCHEDULED" and meeting.starts_at == first.starts_at
    ics = enterprise.get(f"/meetings/{meeting_no}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    # The enterprise moves it itself into another published slot: no phone call.
    assert _post_event(enterprise, meeting, "reschedule", slot_id=second.id).status_code == 303
    meeting = _reload(meeting_no)
    assert meeting.starts_at == second.starts_at
    assert db.session.scalar(select(MeetingBooking.slot_id).where(MeetingBooking.meeting_id == meeting.id)) == second.id
    moved = Calendar.from_ical(enterprise.get(f"/meetings/{meeting_no}.ics").data).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == sequence + 1
    assert moved.decoded("DTSTART").replace(tzinfo=None) == second.starts_at
    # The old slot is free again.
    assert db.session.scalar(select(MeetingBooking).where(MeetingBooking.slot_id == first.id)) is None
    with time_machine.travel(second.starts_at + timedelta(minutes=30), tick=False):  # during the meeting
        response = _post_event(
            login_as("staff-ll"),
            meeting,
            "hold",
            minutes="部长答复:下月上旬可接驳。",
            commitments="办理接驳手续 | 开发建设部 | ",
        )
        assert response.status_code == 303, response.get_data(as_text=True)
    meeting = _reload(meeting_no)
    assert meeting.status.value == "FOLLOWING_UP" and len(meeting.commitments) == 1
    assert meeting.commitments[0].text == "办理接驳手续"
    kinds = set(
        db.session.scalars(
            select(Notification.kind).where(
                Notification.user_id == gd.account.id, Notification.link.contains(meeting_no)
            )
        )
    )
    assert {NotificationKind.MEETING_CONTACTED, NotificationKind.MEETING_SCHEDULED} <= kinds


def test_cancel_sends_a_cancelling_calendar_file(login_as, gd):
    meeting = scheduled(owner=gd)
    enterprise = login_as(gd.username)
    assert _post_event(enterprise, meeting, "cancel").status_code == 303
    body = Calendar.from_ical(enterprise.get(f"/meetings/{meeting.meeting_no}.ics").data)
    assert str(body["METHOD"]) == "CANCEL"
    assert str(body.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_a_stale_version_is_a_409_with_a_message(login_as):
    meeting = requested()
    staff = login_as("staff-ll")
    data = {"csrf_token": token(staff), "event": "contact", "version": meeting.version + 5}
    response = staff.post(f"/meetings/{meeting.meeting_no}/events", data=data, headers=htmx_headers("meeting-panel"))
    assert response.status_code == 409
    assert "已被他人更新" in response.get_data(as_text=True)


def test_bad_input_is_a_clear_4xx(login_as, gd):
    meeting = requested(owner=gd)
    staff = login_as("staff-ll")
    for fields in (
        {"event": "fly"},
        {"event": "request"},
        {"event": "redirect", "reason": ""},
        {"event": "contact", "version": "abc"},
        {"event": "contact", "slot_id": "x"},
        {"event": "contact", "reason": "x" * 9000},
    ):
        data = {"csrf_token": token(staff), "version": meeting.version, **fields}
        response = staff.post(f"/meetings/{meeting.meeting_no}/events", data=data)
        assert response.status_code in (409, 422), (fields, response.status_code)
    routed_meeting = requested(owner=gd, topic="另一")
    for event in ("contact",):
        _post_event(staff, routed_meeting, event)
    bad_slot = {
        "csrf_token": token(staff),
        "event": "route",
        "version": _reload(routed_meeting.meeting_no).version,
        "department_id": "999999",
    }
    assert staff.post(f"/meetings/{routed_meeting.meeting_no}/events", data=bad_slot).status_code == 422
    enterprise = login_as(gd.username)
    form = {
        "csrf_token": token(enterprise, "/meetings/new"),
        "kind": "MEET",
        "topic": "x",
        "preferred_dates": "2020-01-01",
    }
    assert enterprise.post("/meetings/new", data=form).status_code == 422
    form.update(preferred_dates="tomorrow")
    assert enterprise.post("/meetings/new", data=form).status_code == 422
    form.update(preferred_dates="", topic="")
    assert enterprise.post("/meetings/new", data=form).status_code == 422
    form.update(topic="x", kind="NOPE")
    assert enterprise.post("/meetings/new", data=form).status_code == 422


def test_others_do_not_see_the_meeting(login_as, qn):
    meeting = requested()
    assert login_as(qn.username).get(f"/meetings/{meeting.meeting_no}").status_code == 404
    assert login_as("staff-qh").get(f"/meetings/{meeting.meeting_no}").status_code == 404
    assert login_as("dept-rs").get(f"/meetings/{meeting.meeting_no}").status_code == 404
    assert login_as("central").get(f"/meetings/{meeting.meeting_no}").status_code == 200
    assert login_as("clerk-ll").get(f"/meetings/{meeting.meeting_no}").status_code == 200


def test_clerk_requests_on_behalf(login_as, gd, qn):
    clerk = login_as("clerk-ll")
    form = {
        "csrf_token": token(clerk, "/meetings/new"),
        "kind": "CONSULT",
        "topic": "代企业约见",
        "enterprise_uscc": gd.enterprise.uscc,
    }
    response = clerk.post("/meetings/new", data=form)
    assert response.status_code == 303
    form.update(enterprise_uscc=qn.enterprise.uscc, csrf_token=token(clerk, "/meetings/new"))
    assert clerk.post("/meetings/new", data=form).status_code == 422  # not its client


def test_enterprise_asks_to_move_without_calling(login_as, gd):
    meeting = scheduled(owner=gd)
    enterprise = login_as(gd.username)
    data = {"csrf_token": token(enterprise), "text": "下周二上午更方便"}
    assert enterprise.post(f"/meetings/{meeting.meeting_no}/ask", data=data).status_code == 303
    page = login_as("staff-ll").get(f"/meetings/{meeting.meeting_no}").get_data(as_text=True)
    assert "下周二上午更方便" in page
    assert (
        enterprise.post(
            f"/meetings/{meeting.meeting_no}/ask", data={"csrf_token": token(enterprise), "text": ""}
        ).status_code
        == 422
    )


def test_demo_data_has_every_status_and_the_drainage_meeting():
    statuses = set(db.session.scalars(select(Meeting.status)))
    assert {s.value for s in statuses} >= {
        "REQUESTED",
        "CONTACTED",
        "ROUTED",
        "SCHEDULED",
        "HELD",
        "FOLLOWING_UP",
        "CLOSED",
        "CANCELLED",
        "REDIRECTED",
    }
    drainage = db.session.scalar(select(Meeting).where(Meeting.topic.contains("排水管网")))
    assert drainage.status.value == "CLOSED" and drainage.held_at > drainage.requested_at
    assert utcnow() > drainage.held_at


def test_the_routed_department_hears_of_it_and_others_do_not(login_as):
    from tests.helpers.meetings import routed

    meeting = routed()
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.link.contains(meeting.meeting_no))))
    assert f.user("dept-kf").id in told and f.user("dept-rs").id not in told
    assert login_as("dept-kf").get(f"/meetings/{meeting.meeting_no}").status_code == 200
    page = login_as("dept-kf").get("/meetings/").get_data(as_text=True)
    assert meeting.meeting_no in page


def test_odd_urls_are_404_not_500(login_as, gd):
    client = login_as("staff-ll")
    for url in ("/meetings/" + "Y" * 300, "/meetings/NOPE.ics", "/sessions/abc", "/sessions/0", "/meetings/a-b"):
        assert client.get(url).status_code == 404, url
    assert client.get("/meetings/%00").status_code == 400
    assert client.get("/meetings/?status=%00").status_code == 400
    meeting = requested(owner=gd)
    data = {"csrf_token": token(client), "event": "redirect", "version": meeting.version, "reason": "a\x00b"}
    assert client.post(f"/meetings/{meeting.meeting_no}/events", data=data).status_code == 400
    body = {"event": "redirect", "version": meeting.version, "reason": "a\x00b"}
    headers = {"X-CSRFToken": token(client)}
    answer = client.post(f"/api/v1/meetings/{meeting.meeting_no}/events", json=body, headers=headers)
    assert answer.status_code == 422
    assert client.post("/api/v1/meetings", json={"topic": "a\x00"}, headers=headers).status_code in (403, 422)
    enterprise = login_as(gd.username)
    api = enterprise.post("/api/v1/meetings", json={"topic": "a\x00"}, headers={"X-CSRFToken": token(enterprise)})
    assert api.status_code == 422


def test_the_request_form_replays_on_a_double_tap(login_as, gd):
    client = login_as(gd.username)
    form = {"csrf_token": token(client, "/meetings/new"), "kind": "MEET", "topic": "双击", "submission_key": "dbl-1"}
    first = client.post("/meetings/new", data=form)
    second = client.post("/meetings/new", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).where(Meeting.topic == "双击")) == 1


def test_staff_and_department_hear_when_the_enterprise_moves_it(login_as, gd):
    meeting = scheduled(owner=gd)
    other = new_slot(days=5, hour=9)
    enterprise = login_as(gd.username)
    assert _post_event(enterprise, meeting, "reschedule", slot_id=other.id).status_code == 303
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.link.contains(meeting.meeting_no), Notification.text.contains("改期")
            )
        )
    )
    assert {f.user("staff-ll").id, f.user("dept-kf").id} <= told


def test_attachments_go_through_the_upload_checks(login_as, gd):
    import io

    client = login_as(gd.username)
    form = {"csrf_token": token(client, "/meetings/new"), "kind": "MEET", "topic": "带附件"}
    pdf = (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "项目说明.pdf")
    response = client.post("/meetings/new", data={**form, "attachments": pdf}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    meeting = _reload(response.headers["Location"].rsplit("/", 1)[-1])
    assert [a.stored_file.display_name for a in meeting.attachments] == ["项目说明.pdf"]
    exe = (io.BytesIO(b"MZ\x90\x00not a pdf"), "tool.pdf")
    refused = client.post("/meetings/new", data={**form, "attachments": exe}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "附件未通过检查" in refused.get_data(as_text=True)
