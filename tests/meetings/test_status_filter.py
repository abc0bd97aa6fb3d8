"""The meetings list filtered by status: a page (200) with that chip marked current and a next page that keeps the
filter. The filter once reached render() as its HTTP status argument: the answer was '0 CANCELLED', no page."""

from __future__ import annotations

import re

import pytest

from stations.domain.meeting_flow import MeetingStatus
from stations.extensions import db
from tests.factories import Client
from tests.helpers import meetings as helpers


@pytest.mark.parametrize("status", list(MeetingStatus))
def test_a_status_filter_answers_a_page_with_its_chip_current(login_as, status):
    response = login_as("staff-ll").get(f"/meetings/?status={status.value}")
    assert response.status_code == 200
    current = re.findall(r'<a class="chip" href="([^"]+)" aria-current="true"', response.get_data(as_text=True))
    assert current == [f"/meetings/?status={status.value}"]


def test_the_unfiltered_list_marks_the_to_do_chip(login_as):
    page = login_as("staff-ll").get("/meetings/").get_data(as_text=True)
    assert re.findall(r'<a class="chip" href="([^"]+)" aria-current="true"', page) == ["/meetings/"]


def test_the_next_page_keeps_the_filter(login_as, gd: Client):
    for n in range(31):  # one more than a page
        helpers.requested(gd, topic=f"翻页测试{n}")
    db.session.flush()
    page = login_as(gd.username).get("/meetings/?status=REQUESTED").get_data(as_text=True)
    assert 'href="/meetings/?status=REQUESTED&amp;page=2"' in page
