"""Exports in a real browser (issue 6, item 4): the pages are boosted, so every export link must still download."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from stations.extensions import db
from tests import factories as f


@pytest.fixture
def long_exports(live_app, tmp_path):
    """Per-case exports above one row take the background job (a real thread in the live server)."""
    saved = {key: live_app.config.get(key) for key in ("EXPORT_ASYNC_ROWS", "JOBS_RUNNER")}
    live_app.config.update(EXPORT_ASYNC_ROWS=1, JOBS_RUNNER="thread")
    yield tmp_path
    live_app.config.update(saved)


def test_a_board_export_link_downloads(login, page: Page):
    login("central")
    page.goto("/dashboard")
    with page.expect_download() as download:
        page.locator("a", has_text="导出 CSV").first.click()
    path = Path(download.value.path())
    assert path.read_text(encoding="utf-8-sig").startswith("网点,")
    expect(page.locator("h1")).to_have_text("驿站运行监控")  # the page is still there


def test_a_long_export_shows_progress_then_downloads(live_app, long_exports, login, page: Page):
    with live_app.app_context():
        case_nos = {f.make_case().case_no for _ in range(3)}
        db.session.commit()
    login("central")
    page.goto("/dashboard/stations/LL")
    with page.expect_download() as download:
        page.locator(".export-links a", has_text="导出 CSV").click()
        component = page.locator(".export-progress")
        expect(component).to_have_attribute("data-status", "done")  # polled in place until the job is done
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("办件编号,") and {row.split(",")[0] for row in rows[1:]} >= case_nos
    expect(page.locator(".export-progress a[download]")).to_be_visible()
    expect(page.locator("h1")).to_have_text("两链融合示范园政务服务驿站")
