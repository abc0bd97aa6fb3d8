"""Strict integer parsing (issue 18): Unicode digits and huge numbers are a 400/422, never a 500."""

from __future__ import annotations

import pytest

from stations.web.params import parse_int
from tests.enterprises.test_apply import application, post
from tests.helpers.cases import token
from tests.helpers.enterprises import offered_item
from tests.helpers.suite import CLIENT, username_of

HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("7", 7),
        ("007", 7),
        ("³", None),
        ("٣", None),
        ("७", None),
        (" 7", None),
        ("1_000", None),
        ("-1", None),
        ("+1", None),
        ("", None),
        (None, None),
        ("7\n", None),
        (HUGE, None),
        ("9" * 12, 10**12 - 1),
        ("9" * 13, None),
    ],
)
def test_parse_int_takes_ascii_digits_only(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("staff-ll", "/api/v1/cases?page=³"),
        ("staff-ll", f"/api/v1/cases?page={HUGE}"),
        (CLIENT, "/api/v1/messages?before=³"),
        (CLIENT, f"/api/v1/messages?before={HUGE}"),
        ("staff-ll", "/cases/?clerk=³"),
        ("staff-ll", f"/cases/?clerk={HUGE}"),
        ("staff-ll", "/cases/?page=٣"),
        ("central", "/dashboard/stations/LL?page=³"),
        ("admin", "/admin/users?page=³"),
        ("admin", "/admin/crossregion/outbox?page=³"),
        (CLIENT, "/notifications/?page=³"),
    ],
)
def test_unicode_digits_and_huge_numbers_are_refused(login_as, user, url, gd):
    assert login_as(username_of(user, gd)).get(url).status_code in (400, 422)


@pytest.mark.parametrize("page", ["³", HUGE])
def test_the_public_catalogue_shows_its_first_page_for_a_bad_page_number(client, page):
    response = client.get(f"/catalog/?page={page}")
    assert response.status_code == 200 and "第 1–30 项" in response.get_data(as_text=True)


def test_a_5000_digit_document_id_in_the_online_application_is_a_form_error(login_as, uploads, gd):
    item = offered_item("QH", online=True, also_at="LL")
    client = login_as(gd.username)
    data = application(client, item, station="QH", **{f"m{item.materials[0].id}": f"doc:{HUGE}"})
    assert post(client, data).status_code == 422


def test_a_5000_digit_enterprise_id_at_intake_is_a_form_error(login_as):
    client = login_as("staff-ll")
    response = client.post("/cases/new", data={"csrf_token": token(client), "enterprise": HUGE, "station": "LL"})
    assert response.status_code == 422
