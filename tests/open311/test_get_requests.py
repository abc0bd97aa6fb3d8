"""GET requests: the filters, the 90-day window, paging, and bad parameters (400, never 500)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from stations.cases.services import apply_event
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.open311 import BASE, FORMATS, error_codes, online_item, post, request_form, requests_of


def ids(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [r["service_request_id"] for r in requests_of(response, "json")]


def case_at(when: datetime, station_code: str = "LL"):
    staff = {"LL": "staff-ll", "QH": "staff-qh"}[station_code]
    return f.make_case(now=when, station_code=station_code, by=staff)


def test_default_window_is_the_last_90_days_newest_first(client):
    now = utcnow()
    recent, older, old = (
        case_at(now - timedelta(days=1)),
        case_at(now - timedelta(days=80)),
        case_at(now - timedelta(days=91)),
    )
    listed = ids(client.get(f"{BASE}/requests.json"))
    assert recent.case_no in listed and older.case_no in listed and old.case_no not in listed
    assert listed.index(recent.case_no) < listed.index(older.case_no)


def test_start_and_end_dates(client):
    a = case_at(datetime(2025, 3, 3, 2, 0))  # 10:00 +08:00
    b = case_at(datetime(2025, 4, 10, 2, 0))
    c = case_at(datetime(2025, 6, 20, 2, 0))
    listed = ids(client.get(f"{BASE}/requests.json?start_date=2025-03-01T00:00:00Z&end_date=2025-05-01T00:00:00Z"))
    assert a.case_no in listed and b.case_no in listed and c.case_no not in listed
    # offsets are honoured: 10:00+08:00 is 02:00Z
    assert a.case_no not in ids(client.get(f"{BASE}/requests.json?start_date=2025-03-03T10:00:01%2B08:00"))
    assert a.case_no in ids(client.get(f"{BASE}/requests.json?start_date=2025-03-03T10:00:00%2B08:00"))
    # a date alone: the whole day (business time); start alone: 90 days from it; end alone: 90 days up to it
    assert ids(client.get(f"{BASE}/requests.json?start_date=2025-03-03&end_date=2025-03-03")) == [a.case_no]
    assert c.case_no not in ids(client.get(f"{BASE}/requests.json?start_date=2025-03-01"))
    assert set(ids(client.get(f"{BASE}/requests.json?end_date=2025-06-30"))) >= {b.case_no, c.case_no}


def test_status_and_service_code_filters(client, api_key):
    item = online_item()
    open_no = post(client, "json", request_form(api_key, item)).json[0]["service_request_id"]
    closed_no = post(client, "json", request_form(api_key, item)).json[0]["service_request_id"]
    from .test_post import case_by_no

    closed = case_by_no(closed_no)
    apply_event(closed, CaseEvent.WITHDRAW, f.user("staff-ll"), version=closed.version)
    db.session.commit()
    opened = ids(client.get(f"{BASE}/requests.json?status=open"))
    assert open_no in opened and closed_no not in opened
    closed_list = ids(client.get(f"{BASE}/requests.json?status=closed"))
    assert closed_no in closed_list and open_no not in closed_list
    both = ids(client.get(f"{BASE}/requests.json?status=open,closed"))
    assert {open_no, closed_no} <= set(both)
    by_code = ids(client.get(f"{BASE}/requests.json?service_code=NO-SUCH,{item.code}"))
    assert {open_no, closed_no} <= set(by_code)
    assert ids(client.get(f"{BASE}/requests.json?service_code=NO-SUCH")) == []


def test_ids_override_the_other_filters(client):
    old = case_at(datetime(2024, 1, 8, 2, 0))
    other = case_at(datetime(2024, 1, 9, 2, 0))
    url = f"{BASE}/requests.json?service_request_id={old.case_no},NOPE,{other.case_no}&status=closed&service_code=X"
    assert set(ids(client.get(url))) == {old.case_no, other.case_no}


def test_jurisdiction_limits_to_a_station(client):
    now = utcnow()
    ll, qh = case_at(now - timedelta(hours=2)), case_at(now - timedelta(hours=1), "QH")
    at_ll = ids(client.get(f"{BASE}/requests.json?jurisdiction_id=LL"))
    assert ll.case_no in at_ll and qh.case_no not in at_ll
    whole = ids(client.get(f"{BASE}/requests.json?jurisdiction_id=jinghe"))
    assert {ll.case_no, qh.case_no} <= set(whole)
    assert client.get(f"{BASE}/requests/{qh.case_no}.json?jurisdiction_id=LL").status_code == 404


def test_paging(client):
    now = utcnow()
    made = [case_at(now - timedelta(minutes=n)) for n in range(1, 6)]
    first = ids(client.get(f"{BASE}/requests.json?page_size=2"))
    second = ids(client.get(f"{BASE}/requests.json?page_size=2&page=2"))
    assert first == [made[0].case_no, made[1].case_no]
    assert second == [made[2].case_no, made[3].case_no]


def test_empty_parameters_are_absent_ones(client):
    recent = case_at(utcnow() - timedelta(hours=1))
    url = f"{BASE}/requests.json?start_date=&end_date=&status=&service_code=&service_request_id=&page=&page_size=&jurisdiction_id=&api_key="
    assert recent.case_no in ids(client.get(url))


def test_the_listing_runs_a_fixed_number_of_queries(client, count_queries):
    now = utcnow()
    for n in range(3):
        case_at(now - timedelta(minutes=n + 1))
    with count_queries() as few:
        client.get(f"{BASE}/requests.json")
    for n in range(12):
        case_at(now - timedelta(minutes=n + 10))
    with count_queries() as many:
        assert len(ids(client.get(f"{BASE}/requests.json"))) >= 15
    assert many.count == few.count <= 3


BAD_QUERIES = {
    "start_date=yesterday": "invalid_date",
    "end_date=2025-13-01": "invalid_date",
    "start_date=2025-02-30T00:00:00Z": "invalid_date",
    "start_date=2025-01-01T25:00:00Z": "invalid_date",
    "start_date=2025-01-01&end_date=2025-06-01": "date_range_too_long",
    "start_date=2025-01-01T00:00:00Z&end_date=2025-04-01T00:00:01Z": "date_range_too_long",
    "start_date=2025-06-01&end_date=2025-01-01": "date_range_reversed",
    "status=pending": "invalid_status",
    "page=0": "invalid_page",
    "page=-1": "invalid_page",
    "page=abc": "invalid_page",
    "page_size=1001": "invalid_page_size",
    "page_size=0": "invalid_page_size",
    "page_size=1e3": "invalid_page_size",
    "service_request_id=" + ",".join(f"X{n}" for n in range(1001)): "too_many_ids",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", sorted(BAD_QUERIES))
def test_bad_parameters_are_400_error_lists(client, query, fmt):
    response = client.get(f"{BASE}/requests.{fmt}?{query}")
    assert response.status_code == 400
    assert error_codes(response, fmt) == [BAD_QUERIES[query]]


def test_two_bad_dates_are_both_reported(client):
    response = client.get(f"{BASE}/requests.json?start_date=x&end_date=y")
    assert [e["code"] for e in response.json] == ["invalid_date", "invalid_date"]
    assert "start_date" in response.json[0]["description"] and "end_date" in response.json[1]["description"]


def test_exactly_90_days_is_allowed(client):
    response = client.get(f"{BASE}/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2025-04-01T00:00:00Z")
    assert response.status_code == 200
