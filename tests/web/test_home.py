"""Each role's home page: useful facts and links for the Foundation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stations.auth.models import Role
from stations.extensions import db
from stations.sites.models import Station
from tests.accounts import logged_in, make_user
from tests.factories import make_enterprise


def body_of(client, url: str = "/home") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_root_goes_to_the_catalogue(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/"


def test_signed_in_root_goes_to_the_role_home(login_as):
    assert login_as("staff-ll").get("/").headers["Location"] == "/home"
    assert login_as("admin").get("/").headers["Location"] == "/admin/"
    assert login_as("admin").get("/home").headers["Location"] == "/admin/"


@pytest.mark.parametrize(("username", "station_code"), [("staff-ll", "LL"), ("clerk-qh", "QH")])
def test_staff_and_clerk_homes_name_their_station(login_as, username, station_code):
    """Their home is the station's work page (the case queue once cases exist): it names the station."""
    station = db.session.scalar(select(Station).where(Station.code == station_code))
    assert station.name in body_of(login_as(username))


def test_enterprise_home_shows_the_company_and_its_station(app):
    enterprise = make_enterprise(station_code="LL")
    make_user("ent-test", Role.ENTERPRISE, enterprise_id=enterprise.id)
    body = body_of(logged_in(app, "ent-test"))
    assert enterprise.name in body
    assert enterprise.uscc in body  # the company's public code, shown in full
    assert "我的服务驿站" in body and enterprise.station.name in body
    assert "周一至周五 09:00–12:00、13:00–17:00" in body
    for link in ('href="/catalog/?station=LL"', 'href="/catalog/metrics?station=LL"', 'href="/stations/LL"'):
        assert link in body


def test_enterprise_without_a_company_is_told_so(app):
    make_user("no-company", Role.ENTERPRISE)
    body = body_of(logged_in(app, "no-company"))
    assert "尚未关联企业" in body and "尚未关联驿站" in body


def test_central_home_lists_every_station_with_links(login_as):
    body = body_of(login_as("central"))
    for code in ("ZX", "LL", "QH", "HZ", "YD1", "YD2", "YD3"):
        assert f'href="/stations/{code}"' in body
        assert f'href="/catalog/?station={code}"' in body
    assert body.count('<td class="num">') == 7


def test_home_pages_run_a_fixed_number_of_queries(login_as, count_queries, gd):
    # The enterprise's home also lists its cases, its clerk and its expiring documents (issue 4; the bound with
    # many cases is checked in tests/enterprises/test_home.py). Issue 19 added three: the rows awaiting a rating,
    # and the pinned 需要您做 block's two lists (materials owed, cases to rate).
    for username, bound in ((gd.username, 11), ("central", 6)):
        client = login_as(username)
        with count_queries() as counter:
            client.get("/home")
        assert counter.count <= bound, (username, counter.statements)
