"""The live board's pages, tile polling with ETag/304, access rules, API, exports and bounded queries (issue 6)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from stations.dashboard import exports
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.timeutil import business_today, utcnow
from tests import factories as f
from tests.helpers.cases import fire
from tests.helpers.suite import CLIENT, htmx_headers, username_of

SEVEN = ("ZX", "LL", "QH", "HZ", "YD1", "YD2", "YD3")


def _open_case(station_code: str = "LL", by: str = "staff-ll", promised: int = 20):
    case = f.make_case(station_code=station_code, by=by)
    case.item.promised_days = promised
    return fire(case, CaseEvent.ACCEPT, by=by)


def _turn_red(case) -> None:
    """What the clock does: the deadline passes, nothing is written through the services."""
    case.overdue_at = utcnow() - timedelta(minutes=1)
    db.session.flush()


def test_central_sees_all_seven_sites(login_as):
    _open_case()
    page = login_as("central").get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for code in SEVEN:
        assert f'id="tile-{code}"' in html
    assert 'hx-trigger="every 15s"' in html and "data-poll-visible" in html
    # A board left open must not keep the central office's session alive past its idle limit.
    assert html.count("""hx-headers='{"X-Poll": "1"}'""") >= len(SEVEN)
    assert "style=" not in html


@pytest.mark.parametrize("username", ["staff-ll", "clerk-ll", CLIENT])
def test_others_get_403_page_and_404_api(login_as, username, gd):
    client = login_as(username_of(username, gd))
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/figures").status_code == 403
    assert client.get("/api/v1/metrics/stations").status_code == 404
    assert client.get("/api/v1/metrics/period").status_code == 404


def test_anonymous_api_is_401(client):
    assert client.get("/api/v1/metrics/stations").status_code == 401


def test_unchanged_tile_answers_304_and_a_red_turn_changes_it(login_as):
    case = _open_case()
    client = login_as("central")
    first = client.get("/dashboard/tiles/LL", headers=htmx_headers())
    assert first.status_code == 200 and 'data-colour="green"' in first.get_data(as_text=True)
    etag = first.headers["ETag"].strip('"')
    assert "no-store" not in first.headers["Cache-Control"]
    again = client.get("/dashboard/tiles/LL", headers=htmx_headers(**{"If-None-Match": f'"{etag}"'}))
    assert again.status_code == 304 and again.get_data() == b""

    _turn_red(case)
    changed = client.get("/dashboard/tiles/LL", headers=htmx_headers(**{"If-None-Match": f'"{etag}"'}))
    assert changed.status_code == 200
    assert 'data-colour="red"' in changed.get_data(as_text=True)
    assert changed.headers["ETag"].strip('"') != etag

    english = client.get(
        "/dashboard/tiles/LL?lang=en", headers=htmx_headers(**{"If-None-Match": changed.headers["ETag"]})
    )
    assert english.status_code == 200  # another variant, another ETag


def test_red_list_names_the_first_handler(login_as):
    case = _open_case()
    fire(case, CaseEvent.START_REVIEW)
    _turn_red(case)
    html = login_as("central").get("/dashboard").get_data(as_text=True)
    assert case.case_no in html and case.first_handler.display_name in html


def test_board_query_count_does_not_grow_with_cases(login_as, count_queries):
    client = login_as("central")
    client.get("/dashboard")  # warm-up

    def board_queries() -> int:
        with count_queries() as counter:
            assert client.get("/dashboard").status_code == 200
        return counter.count

    for _ in range(3):
        _turn_red(_open_case())
    few = board_queries()
    for index in range(37):
        case = _open_case(*(("QH", "staff-qh") if index % 2 else ("LL", "staff-ll")))
        if index % 3 == 0:
            _turn_red(case)
    db.session.flush()
    assert board_queries() == few
    with count_queries() as counter:
        client.get("/dashboard/figures?period=year")
    figures = counter.count
    first_statements = list(counter.statements)
    _open_case()
    db.session.flush()  # the services' pending notification rows: not the page's queries
    with count_queries() as counter:
        client.get("/dashboard/figures?period=year")
    assert counter.count == figures, [x[:150] for x in counter.statements if x not in first_statements]


def test_drill_down_pages(login_as):
    case = _open_case()
    client = login_as("central")
    station = client.get("/dashboard/stations/LL").get_data(as_text=True)
    assert case.case_no in station and f"/cases/{case.case_no}" in station
    # The warning column shows translated colour names, never the raw RED/YELLOW/GREEN/PAUSED (issue 19).
    assert "正常</span>" in station and ">GREEN<" not in station
    assert client.get(f"/cases/{case.case_no}").status_code == 200
    assert case.clerk is not None  # its client's dedicated clerk, clerk-ll
    clerks = client.get("/dashboard/clerks").get_data(as_text=True)
    assert case.clerk.display_name in clerks
    assert client.get("/dashboard/departments").status_code == 200
    assert client.get("/dashboard/stations/NOPE").status_code == 404


def test_api_stations_and_period(login_as):
    _turn_red(_open_case())
    client = login_as("admin")
    rows = client.get("/api/v1/metrics/stations").get_json()
    assert [r["station"] for r in rows] == list(SEVEN)
    ll = rows[1]
    assert set(ll) == {"station", "received_today", "open", "yellow", "red", "overdue", "rongque_pending", "avg_rating"}
    assert ll["open"] == 1 and ll["red"] == 1 and ll["received_today"] == 1
    today = business_today()  # the roll-ups count by the business date (Asia/Shanghai), never the UTC date
    period = client.get(f"/api/v1/metrics/period?from={today.replace(month=1, day=1)}&to={today}").get_json()
    assert period["accepted"] >= 1 and period["by_channel"]["XR_INBOUND"] == 0
    assert client.get("/api/v1/metrics/period?from=2026-02-01&to=2026-01-01").status_code == 400


def test_figures_page_renders_chart_and_period_switch(login_as):
    _open_case()
    client = login_as("central")
    for query in ("period=month", "period=quarter", "period=year", "from=2025-12-15&to=2026-01-15"):
        response = client.get(f"/dashboard/figures?{query}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<svg" in html and "chart-bar" in html and "style=" not in html
    fragment = client.get("/dashboard/figures?period=year", headers=htmx_headers("figures"))
    assert "<html" not in fragment.get_data(as_text=True) and 'id="figures"' in fragment.get_data(as_text=True)


def test_safe_cell_neutralises_formulas():
    assert [exports.safe_cell(v) for v in ("=1+1", "+86", "-2", "@SUM(A1)", "正常", 5)] == [
        "'=1+1",
        "'+86",
        "'-2",
        "'@SUM(A1)",
        "正常",
        5,
    ]


def test_exports_csv_and_xlsx_with_chinese_headers(login_as):
    _open_case()
    client = login_as("central")
    response = client.get("/dashboard/export/tiles.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "网点" and len(rows) == 8
    for table in exports.TABLES:
        xlsx = client.get(f"/dashboard/export/{table}.xlsx")
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        assert sheet.cell(1, 1).value  # a Chinese header
    assert client.get("/dashboard/export/nope.csv").status_code == 404


def test_channels_are_named_in_chinese_on_the_page_and_in_the_export(login_as):
    _open_case()  # taken in at a station: channel STATION
    client = login_as("central")
    html = client.get("/dashboard/figures?period=year").get_data(as_text=True)
    assert '<th scope="row">驿站</th>' in html and '<th scope="row">STATION</th>' not in html
    text = client.get("/dashboard/export/channels.csv?period=year").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["渠道", "收件量"]
    assert "驿站" in {row[0] for row in rows[1:]} and "STATION" not in {row[0] for row in rows[1:]}
