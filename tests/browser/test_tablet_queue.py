"""The station queue on a 1024×768 tablet (issue 19, item 5): rows start near the top (the rarely used filters
fold behind 更多筛选), every target is at least 44 px tall, dates and case numbers never break inside, and the
columns hold in Chinese and in English."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from stations.extensions import db
from tests import factories

TAP = 44


def _cases(app: Flask, n: int = 3) -> list[str]:
    with app.app_context():
        numbers = [factories.make_case(by="staff-ll", station_code="LL").case_no for _ in range(n)]
        db.session.commit()
        return numbers


def _boxes(page: Page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();"
        " return {text: e.textContent.trim(), top: r.top, width: r.width, height: r.height}; })",
    )


@pytest.mark.browser
def test_rows_start_near_the_top_and_the_other_filters_fold(page: Page, login, live_app: Flask):
    _cases(live_app)
    login("staff-ll")
    first_row = page.locator("tr.queue-row").first
    expect(first_row).to_be_visible()
    top = first_row.bounding_box()["y"]
    # It started ~580 px down (1.5 rows in view); now four rows of the demo's height fit under it.
    assert top <= 420, f"the first row starts {top:.0f} px down"
    more = page.locator("details.more-filters")
    expect(more).not_to_have_attribute("open", "")
    expect(page.locator("#queue-status")).to_be_hidden()
    more.locator("summary").click()
    expect(page.locator("#queue-status")).to_be_visible()
    page.locator("#queue-status").select_option("ALL")
    expect(page).to_have_url(re.compile(r"status=ALL"))
    page.reload()
    expect(page.locator("details.more-filters")).to_have_attribute("open", "")  # a filter in use stays in view
    expect(page.locator("details.more-filters summary .badge")).to_have_text("1")


@pytest.mark.browser
@pytest.mark.parametrize("language", ["zh", "en"])
def test_targets_are_44_px_and_dates_and_numbers_stay_whole(page: Page, login, live_app: Flask, language: str):
    numbers = _cases(live_app)
    login("staff-ll")
    if language == "en":
        page.goto("/home?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("tr.queue-row").first).to_be_visible()
    for selector in (".queue-filters .chip", "tr.queue-row a.case-no", "tr.queue-row .btn", ".counters a"):
        small = [box for box in _boxes(page, selector) if box["height"] < TAP]
        assert not small, (language, selector, small[:3])
    # One line each: a date or a case number broken inside is taller than one line of its text.
    for selector in ("tr.queue-row a.case-no", "tr.queue-row .item-code", "tr.queue-row .badge"):
        lines = page.eval_on_selector_all(
            selector,
            "els => els.map(e => e.getClientRects().length)",  # one box per line of an inline element
        )
        assert lines and max(lines) == 1, (language, selector, lines)
    item_column = page.locator("table.queue-table thead th").nth(1).bounding_box()["width"]
    assert item_column >= 130, (language, item_column)
    assert numbers[0] in page.content()
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if widths[0] > widths[1]:
        page.screenshot(path=f"/tmp/queue-{language}.png", full_page=True)
    assert widths[0] <= widths[1], (language, widths)
