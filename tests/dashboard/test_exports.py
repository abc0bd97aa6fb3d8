"""Per-case exports: direct download when short, a background job with a polled progress component when long.

Long exports are ``dashboard.export`` jobs (stations/jobs): the suite's runner is ``inline`` (runs in the request,
so it sees the per-test transaction); the ``manual_runner`` fixture only records the run, so a test can look at
the running state before running it. tests/production/test_export_hosts.py runs them across two app hosts.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from stations.dashboard.models import ExportChunk, ExportJob
from stations.extensions import db
from stations.jobs.models import JobRun
from stations.jobs.queue import execute
from tests.factories import make_case
from tests.helpers.suite import csrf_token_from, htmx_headers

TOKEN_IN_LOCATION = re.compile(r"/dashboard/exports/([A-Za-z0-9_-]+)$")
TOKEN_IN_BODY = re.compile(r'id="export-([A-Za-z0-9_-]+)"')
CASES_HEADERS = [
    "办件编号",
    "网点",
    "事项",
    "申请企业",
    "渠道",
    "状态",
    "状态代码",
    "预警",
    "收件时间",
    "截止日期",
    "办结时间",
    "首办负责人",
]


@pytest.fixture
def export_dir(app, monkeypatch) -> None:
    """Exports are long above 2 rows, and run in the request unless a test says otherwise."""
    monkeypatch.setitem(app.config, "EXPORT_ASYNC_ROWS", 2)


@pytest.fixture
def manual_runner(app, monkeypatch) -> list[str]:
    """Export runs are only recorded (their tokens): the test runs them with ``run`` when it wants them done."""
    started: list[str] = []

    def record(_app, run_id: int) -> None:
        started.append(db.session.get(JobRun, run_id).kwargs["token"])

    monkeypatch.setattr("stations.jobs.queue._dispatch", record)
    return started


def run(token: str) -> None:
    """What the job queue does with the export's run."""
    execute(db.session.scalar(select(JobRun.id).where(JobRun.key == f"dashboard.export#{token}")))


def _three_cases() -> list[str]:
    cases = [make_case(), make_case(), make_case(by="staff-zx", station_code="ZX")]
    db.session.flush()
    return [c.case_no for c in cases]


def _htmx_post(client, url: str):
    token = csrf_token_from(client, "/dashboard/figures")
    return client.post(url, headers=htmx_headers(**{"X-CSRFToken": token}))


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")  # BOM for Excel
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_long_csv_export_start_progress_done_download(login_as, export_dir, manual_runner):
    case_nos = _three_cases()
    client = login_as("central")

    started = _htmx_post(client, "/dashboard/export/cases.csv?period=month")
    body = started.get_data(as_text=True)
    assert started.status_code == 200 and "<html" not in body
    token = TOKEN_IN_BODY.search(body).group(1)
    assert manual_runner == [token]
    assert 'hx-trigger="load delay:1s"' in body and "<progress" in body and 'data-status="running"' in body
    assert "0 / 3" in body

    polled = client.get(f"/dashboard/exports/{token}", headers=htmx_headers(f"export-{token}"))
    text = polled.get_data(as_text=True)
    assert polled.status_code == 200 and "<html" not in text and "HX-Request" in polled.headers["Vary"]
    assert 'hx-trigger="load delay:1s"' in text and "Refresh" not in polled.headers

    run(token)
    done = client.get(f"/dashboard/exports/{token}", headers=htmx_headers(f"export-{token}"))
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and 'data-status="done"' in text
    assert 'hx-trigger="load delay:1s"' not in text  # polling stops
    assert f'href="/dashboard/exports/{token}/file"' in text
    assert 'hx-trigger="load" hx-swap="none"' in text  # with JS the download starts by itself

    # With htmx, the file URL answers with a client redirect so that the browser downloads it itself.
    assert client.get(f"/dashboard/exports/{token}/file", headers=htmx_headers()).headers["HX-Redirect"] == (
        f"/dashboard/exports/{token}/file"
    )
    download = client.get(f"/dashboard/exports/{token}/file")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.mimetype == "text/csv"
    rows = _csv_rows(download.data)
    assert rows[0] == CASES_HEADERS
    assert sorted(r[0] for r in rows[1:]) == sorted(case_nos)
    assert {r[1] for r in rows[1:]} == {"两链融合示范园政务服务驿站", "西咸新区政务服务(泾河)中心"}
    assert {r[4] for r in rows[1:]} == {"驿站"}


def test_long_xlsx_export_without_javascript(login_as, export_dir, manual_runner):
    """No JS: GET offers a form, its POST answers 303 to a page that refreshes itself until the file is ready."""
    case_nos = _three_cases()
    client = login_as("central")

    # LL alone has two open cases, not above the threshold: a plain download.
    assert "attachment" in client.get("/dashboard/export/queue.xlsx?station=LL").headers["Content-Disposition"]

    offer = client.get("/dashboard/export/queue.xlsx")
    page = offer.get_data(as_text=True)
    assert offer.status_code == 200 and "<html" in page and 'action="/dashboard/export/queue.xlsx"' in page
    assert "3" in page and not manual_runner  # GET starts nothing

    started = client.post("/dashboard/export/queue.xlsx", data={"csrf_token": csrf_token_from(client, "/dashboard")})
    assert started.status_code == 303
    token = TOKEN_IN_LOCATION.search(started.headers["Location"]).group(1)
    running = client.get(f"/dashboard/exports/{token}")
    assert running.status_code == 200 and "<html" in running.get_data(as_text=True)
    assert running.headers["Refresh"] == "2"

    run(token)
    done = client.get(f"/dashboard/exports/{token}")
    assert "Refresh" not in done.headers and 'hx-trigger="load"' not in done.get_data(as_text=True)
    download = client.get(f"/dashboard/exports/{token}/file")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["办件编号", "网点", "事项", "申请企业", "办事专员", "预警", "截止日期"]
    assert sorted(row[0] for row in values[1:]) == sorted(case_nos)
    assert {row[5] for row in values[1:]} <= {"正常", "预警", "超期", "暂停计时"}


def test_inline_job_is_done_at_once_and_xlsx_by_htmx(login_as, export_dir):
    case_nos = _three_cases()
    client = login_as("admin")
    started = _htmx_post(client, "/dashboard/export/cases.xlsx?period=month")
    body = started.get_data(as_text=True)
    token = TOKEN_IN_BODY.search(body).group(1)
    assert 'data-status="done"' in body and "导出完成，共 3 行" in body
    download = client.get(f"/dashboard/exports/{token}/file")
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == CASES_HEADERS and sorted(row[0] for row in values[1:]) == sorted(case_nos)


def test_another_user_gets_404_for_the_job_and_its_file(login_as, export_dir):
    _three_cases()
    owner = login_as("central")
    token = TOKEN_IN_BODY.search(_htmx_post(owner, "/dashboard/export/cases.csv").get_data(as_text=True)).group(1)
    assert owner.get(f"/dashboard/exports/{token}/file").status_code == 200
    other = login_as("admin")
    assert other.get(f"/dashboard/exports/{token}").status_code == 404
    assert other.get(f"/dashboard/exports/{token}", headers=htmx_headers(f"export-{token}")).status_code == 404
    assert other.get(f"/dashboard/exports/{token}/file").status_code == 404
    # Station staff do not reach the routes at all (the 403 page, as for every dashboard route).
    assert login_as("staff-ll").get(f"/dashboard/exports/{token}").status_code == 403
    assert owner.get("/dashboard/exports/..%2f..%2fsecret_key").status_code == 404
    assert owner.get("/dashboard/exports/not-a-token-at-all-0000/file").status_code == 404


def test_short_exports_download_directly(login_as, app, export_dir, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_ASYNC_ROWS", 100)
    case_nos = _three_cases()
    client = login_as("central")
    response = client.get("/dashboard/export/cases.csv?period=month")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert rows[0] == CASES_HEADERS and sorted(r[0] for r in rows[1:]) == sorted(case_nos)

    queue = _csv_rows(client.get("/dashboard/export/queue.csv?station=LL").data)
    assert len(queue) == 3 and all(r[1] == "两链融合示范园政务服务驿站" for r in queue[1:])

    # A click with htmx on a short export: a client redirect to the download (no job, no file written).
    clicked = _htmx_post(client, "/dashboard/export/queue.csv?station=LL")
    assert clicked.headers["HX-Redirect"] == "/dashboard/export/queue.csv?station=LL"
    token = csrf_token_from(client, "/dashboard")
    plain = client.post("/dashboard/export/queue.xlsx?station=LL", data={"csrf_token": token})
    assert plain.status_code == 303 and plain.headers["Location"] == "/dashboard/export/queue.xlsx?station=LL"
    assert db.session.scalar(select(func.count(ExportJob.id))) == 0
    # The aggregate tables never take the job path, whatever the threshold.
    monkeypatch.setitem(app.config, "EXPORT_ASYNC_ROWS", 0)
    assert "attachment" in client.get("/dashboard/export/tiles.csv").headers["Content-Disposition"]


def test_count_is_one_query(login_as, export_dir, count_queries, manual_runner):
    _three_cases()
    client = login_as("central")
    client.get("/dashboard")  # warm the session (user load) outside the count
    with count_queries() as counter:
        response = client.get("/dashboard/export/cases.csv?period=month")
    assert response.status_code == 200 and "开始导出" in response.get_data(as_text=True)
    on_cases = [s for s in counter.statements if "FROM cases" in s]
    assert len(on_cases) == 1 and "count(*)" in on_cases[0]  # the page decides from one COUNT, reads no row
    assert counter.count <= 4  # the user, the notification badge and the count


def test_double_click_reuses_the_running_job_and_old_exports_are_removed(login_as, export_dir, manual_runner):
    _three_cases()
    client = login_as("central")
    first = TOKEN_IN_BODY.search(_htmx_post(client, "/dashboard/export/cases.csv").get_data(as_text=True)).group(1)
    run(first)
    old = db.session.scalar(select(ExportJob).where(ExportJob.token == first))
    assert old.status == "done" and db.session.scalar(select(func.count()).where(ExportChunk.export_id == old.id))
    old.created_at -= timedelta(hours=2)  # expired: it reads as gone and the next start removes it
    db.session.flush()
    assert client.get(f"/dashboard/exports/{first}/file").status_code == 404
    second = TOKEN_IN_BODY.search(_htmx_post(client, "/dashboard/export/cases.csv").get_data(as_text=True)).group(1)
    third = TOKEN_IN_BODY.search(_htmx_post(client, "/dashboard/export/cases.csv").get_data(as_text=True)).group(1)
    assert second == third and manual_runner == [first, second]
    assert db.session.scalar(select(func.count(ExportJob.id))) == 1
    assert db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0


def test_a_job_silent_for_half_an_hour_reads_as_failed(login_as, export_dir, manual_runner):
    _three_cases()
    client = login_as("central")
    token = TOKEN_IN_BODY.search(_htmx_post(client, "/dashboard/export/cases.csv").get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
    row.updated_at -= timedelta(minutes=31)
    db.session.flush()
    page = client.get(f"/dashboard/exports/{token}", headers=htmx_headers(f"export-{token}"))
    assert 'data-status="failed"' in page.get_data(as_text=True)


def test_a_file_above_the_bound_fails_without_retry(app, login_as, export_dir, monkeypatch):
    _three_cases()
    monkeypatch.setitem(app.config, "EXPORT_MAX_BYTES", 10)
    client = login_as("central")
    body = _htmx_post(client, "/dashboard/export/cases.csv").get_data(as_text=True)
    assert 'data-status="failed"' in body
    row = db.session.scalar(select(ExportJob))
    assert row.error.startswith("too large") and db.session.scalar(select(func.count()).select_from(ExportChunk)) == 0
    assert db.session.scalar(select(JobRun.status).where(JobRun.task == "dashboard.export")).value == "DONE"


def test_pages_offer_the_per_case_exports(login_as):
    make_case()
    client = login_as("central")
    station = client.get("/dashboard/stations/LL").get_data(as_text=True)
    link = 'href="/dashboard/export/queue.xlsx?station=LL" hx-post="/dashboard/export/queue.xlsx?station=LL"'
    assert link in station and 'hx-target="this" hx-swap="outerHTML"' in station
    figures = client.get("/dashboard/figures?from=2026-01-01&to=2026-03-31", headers=htmx_headers("figures"))
    text = figures.get_data(as_text=True)
    assert "<html" not in text and 'hx-post="/dashboard/export/cases.csv?from=2026-01-01&amp;to=2026-03-31"' in text


def test_a_boosted_export_link_becomes_a_browser_download(login_as):
    """hx-boost turns every link into an XMLHttpRequest: the file URL answers with HX-Redirect to itself."""
    client = login_as("central")
    boosted = client.get("/dashboard/export/figures.xlsx?period=year", headers=htmx_headers(**{"HX-Boosted": "true"}))
    assert boosted.headers["HX-Redirect"] == "/dashboard/export/figures.xlsx?period=year" and not boosted.data
    assert client.get("/dashboard/export/tiles.csv", headers=htmx_headers()).headers["HX-Redirect"] == (
        "/dashboard/export/tiles.csv"
    )


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(monkeypatch):
    from stations.dashboard import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    data = exports.xlsx_bytes("cases", ["办件编号"], [[f"JH{n}"] for n in range(5)] + [["=1+1"]])
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheets = [[row[0] for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets]
    assert [ws.title for ws in workbook.worksheets] == ["cases", "cases-2", "cases-3"]
    assert sheets == [["办件编号", "JH0", "JH1"], ["办件编号", "JH2", "JH3"], ["办件编号", "JH4", "'=1+1"]]
