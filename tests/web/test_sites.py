"""Station pages: the list of the seven sites and one station's facts."""

from __future__ import annotations

import re

import pytest

from stations.sites.labels import opening_hours_lines

ORDER = ["ZX", "LL", "QH", "HZ", "YD1", "YD2", "YD3"]


def test_station_list(client):
    response = client.get("/stations/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>服务网点</h1>" in body
    assert re.findall(r'<h2><a href="/stations/([A-Z0-9]+)">', body) == ORDER
    for label in ("政务中心", "产业园区驿站", "楼宇驿站", "商圈驿站"):
        assert label in body
    assert body.count(">试点<") == 3  # the three commercial-district stations
    assert "泾河新城两链融合示范园综合服务楼一层" in body  # address
    assert "周一至周五 09:00–12:00、13:00–17:00" in body
    counts = dict(re.findall(r'href="/catalog/\?station=([A-Z0-9]+)">(\d+) 项', body))
    assert counts == {"ZX": "555", "LL": "152", "QH": "152", "HZ": "152", "YD1": "118", "YD2": "118", "YD3": "118"}


def test_station_list_query_count(client, count_queries):
    client.get("/stations/")
    with count_queries() as counter:
        client.get("/stations/")
    assert counter.count == 1


def test_station_page(client):
    response = client.get("/stations/LL")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>两链融合示范园政务服务驿站</h1>" in body
    for text in ("产业园区驿站", "两链融合示范园", "029-3366", "周一至周五", "152 项", "可直接受理", "代收转中心"):
        assert text in body, text
    assert ">试点<" not in body
    assert 'href="/catalog/?station=LL"' in body
    assert 'href="/catalog/metrics?station=LL"' in body
    assert 'href="/stations/ZX"' in body  # its centre


def test_pilot_station_page(client):
    body = client.get("/stations/YD2").get_data(as_text=True)
    assert "商圈驿站" in body
    assert ">试点<" in body
    assert "118 项" in body


def test_centre_page_has_no_parent(client):
    body = client.get("/stations/ZX").get_data(as_text=True)
    assert "555 项" in body  # every item (issue 12); 190 of them at the comprehensive window
    assert "上级中心" not in body


@pytest.mark.parametrize("code", ["XX", "zz", "LL1"])
def test_unknown_station_is_404(client, code):
    assert client.get(f"/stations/{code}").status_code == 404


def test_nav_link_to_stations(client):
    body = client.get("/stations/").get_data(as_text=True)
    assert '<a href="/stations/">服务网点</a>' in body


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (
            [{"days": "1-5", "open": "09:00", "close": "12:00"}, {"days": "1-5", "open": "13:00", "close": "17:00"}],
            ["周一至周五 09:00–12:00、13:00–17:00"],
        ),
        (
            [{"days": "1-5", "open": "09:00", "close": "17:00"}, {"days": "6", "open": "09:00", "close": "12:00"}],
            ["周一至周五 09:00–17:00", "周六 09:00–12:00"],
        ),
        ([{"days": "1,3", "open": "10:00", "close": "11:00"}], ["周一、周三 10:00–11:00"]),
        ([{"days": "weekends", "open": "10:00", "close": "11:00"}], ["weekends 10:00–11:00"]),
        ([], []),
        (None, []),
    ],
)
def test_opening_hours_lines(app, hours, expected):
    with app.test_request_context("/"):
        assert opening_hours_lines(hours) == expected
