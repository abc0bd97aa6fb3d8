"""Officials' availability: weekly patterns respect the working-day calendar; one-off slots; withdrawals."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from stations.extensions import db
from stations.meetings import slots
from stations.meetings.errors import MeetingError
from stations.meetings.models import MeetingSlot
from stations.meetings.services import local
from tests.helpers.meetings import department, new_slot, scheduled
from tests.helpers.suite import csrf_token_from


def test_a_weekly_pattern_skips_the_national_day_holidays():
    """Thursdays from 2026-09-24 to 2026-10-15: 10-01 is a holiday (chinesecalendar), the others are slots."""
    pattern = slots.add_pattern(department("GJ").id, "科长", 3, time(9, 30), 60, "工建专区", date(2026, 9, 23))
    made = slots.publish_week_slots(pattern, date(2026, 9, 24), date(2026, 10, 15))
    days = sorted(
        local(s.starts_at).date()
        for s in db.session.scalars(select(MeetingSlot).where(MeetingSlot.department_id == department("GJ").id))
        if date(2026, 9, 24) <= local(s.starts_at).date() <= date(2026, 10, 15)
    )
    assert date(2026, 10, 1) not in days
    assert days == [date(2026, 9, 24), date(2026, 10, 8), date(2026, 10, 15)]
    assert slots.publish_week_slots(pattern, date(2026, 9, 24), date(2026, 10, 15)) == 0  # idempotent
    assert made == 0  # add_pattern already published these weeks


def test_one_off_slots_refuse_days_off_and_duplicates():
    with pytest.raises(MeetingError) as refused:
        slots.add_one_off_slot(department().id, "部长", datetime(2026, 10, 3, 10, 0), 60, "")
    assert refused.value.code == "not_a_workday"
    slots.add_one_off_slot(department().id, "部长", datetime(2026, 10, 10, 10, 0), 60, "")  # make-up Saturday
    with pytest.raises(MeetingError):
        slots.add_one_off_slot(department().id, "部长", datetime(2026, 10, 10, 10, 0), 60, "")


def test_a_booked_slot_cannot_be_withdrawn():
    meeting = scheduled()
    slot = db.session.scalar(select(MeetingSlot).where(MeetingSlot.starts_at == meeting.starts_at))
    with pytest.raises(MeetingError):
        slots.withdraw_slot(slot)
    free = new_slot(days=6)
    slots.withdraw_slot(free)
    assert free.is_withdrawn


def test_the_department_page(login_as):
    client = login_as("dept-kf")
    token = csrf_token_from(client, "/meetings/slots")
    form = {"csrf_token": token, "kind": "weekly", "weekday": "1", "start": "15:00", "minutes": "60", "leader": "部长"}
    assert client.post("/meetings/slots", data=form).status_code == 303
    for bad in ({"start": "25:99"}, {"weekday": "9"}, {"minutes": "5"}, {"kind": "once", "day": "nope"}):
        assert client.post("/meetings/slots", data={**form, **bad}).status_code == 422, bad
    assert "部长" in client.get("/meetings/slots").get_data(as_text=True)
    other = new_slot("SB", days=7)
    assert client.post(f"/meetings/slots/{other.id}/withdraw", data={"csrf_token": token}).status_code == 404
    staff = login_as("staff-ll")
    assert staff.get("/meetings/slots?department=NOPE").status_code == 404
    assert staff.get("/meetings/slots?department=SB").status_code == 200
