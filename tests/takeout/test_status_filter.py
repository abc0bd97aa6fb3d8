"""The takeout orders list filtered by status: a page (200) with that chip marked current. The filter once reached
render() as its HTTP status argument, as the meetings list's did (tests/meetings/test_status_filter.py): a filtered
list answered with its status name as the HTTP status line and no page."""

from __future__ import annotations

import re

import pytest

from stations.domain.takeout_flow import OrderStatus

CURRENT_CHIP = re.compile(r'<a class="chip" href="([^"]+)" aria-current="true"')


@pytest.mark.parametrize("status", list(OrderStatus))
def test_a_status_filter_answers_a_page_with_its_chip_current(login_as, status):
    response = login_as("staff-ll").get(f"/takeout/?status={status.value}")
    assert response.status_code == 200
    assert CURRENT_CHIP.findall(response.get_data(as_text=True)) == [f"/takeout/?status={status.value}"]


def test_the_unfiltered_list_marks_the_all_chip(login_as):
    page = login_as("staff-ll").get("/takeout/").get_data(as_text=True)
    assert CURRENT_CHIP.findall(page) == ["/takeout/"]
