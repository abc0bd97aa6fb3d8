"""In-place updates you can trust on the station queue (issue 19, item 1).

- Finding a case by number and then acting on its row never redraws the old row (the search no longer re-runs on
  blur, and a search answered while a row action was on its way is run again instead of swapped in), so the next
  tap is not a false "updated by someone else".
- Each row action says what it did in #flash (role=status) and moves focus to the row it redrew.
- Back shows what is true now (no stale history snapshot): the row's current state and the chips of the filter.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from stations.extensions import db
from tests import factories
from tests.helpers.browser import sign_in

CONFLICT = "该办件刚刚已被他人更新"


def _received_case(app: Flask) -> str:
    with app.app_context():
        case = factories.make_case(by="staff-ll", station_code="LL", materials="verified")
        db.session.commit()
        return case.case_no


def _row(page: Page, case_no: str):
    return page.locator("tr.queue-row").filter(has=page.get_by_role("link", name=case_no, exact=True))


def _search(page: Page, case_no: str) -> None:
    """Type the number key by key, as at the counter, and wait for the table to hold that case only."""
    box = page.locator("#queue-q")
    box.click()
    with page.expect_response(lambda r: f"q={case_no}" in r.url):
        box.press_sequentially(case_no)
    expect(page.locator("tr.queue-row")).to_have_count(1)


@pytest.mark.browser
def test_search_then_row_actions_never_give_a_false_conflict(login, live_app: Flask):
    case_no = _received_case(live_app)
    _received_case(live_app)  # another case, so the search has something to leave out
    page = login("staff-ll")  # the queue is the staff home
    _search(page, case_no)
    row = _row(page, case_no)
    expect(row.locator("td[data-label=状态]")).to_have_text("已收件")

    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if r.method == "GET" and "q=" in r.url else None)
    row.get_by_role("button", name=re.compile("^受理")).click()  # the tap blurs the search box
    expect(row.locator("td[data-label=状态]")).to_have_text("已受理")
    flash = page.locator("#flash")
    expect(flash.get_by_role("paragraph")).to_have_text(f"{case_no}：已受理。")
    expect(row).to_be_focused()  # focus on what changed, not lost on the body
    page.wait_for_timeout(600)  # longer than the search's delay: a re-run on blur would have come by now
    assert searches == [], f"the search re-ran after the row action: {searches}"
    expect(row.locator("td[data-label=状态]")).to_have_text("已受理")

    # The second tap on the same row goes through: no 409, no conflict banner.
    with page.expect_response(lambda r: r.request.method == "POST" and "/events/start_review" in r.url) as info:
        row.get_by_role("button", name=re.compile("^开始审查")).click()
    assert info.value.status == 200
    expect(row.locator("td[data-label=状态]")).to_have_text("审查中")
    expect(flash).not_to_contain_text(CONFLICT)
    expect(flash.get_by_role("paragraph")).to_have_text(f"{case_no}：已开始审查。")


@pytest.mark.browser
def test_a_search_answered_after_a_row_action_does_not_redraw_the_old_row(login, live_app: Flask):
    """The search's answer was computed before the action committed: it must not redraw the row afterwards."""
    case_no = _received_case(live_app)
    page = login("staff-ll")
    _search(page, case_no)
    row = _row(page, case_no)
    held: list = []

    def hold(route) -> None:  # the first: fetch its answer now (the old row), hand it to the page only later
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(lambda url: "q=" in url and "/cases" in url, hold)
    page.locator("#queue-q").press_sequentially(" ")  # the search runs again (the server trims the space)
    for _ in range(60):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the search did not run"
    row.get_by_role("button", name=re.compile("^受理")).click()
    expect(row.locator("td[data-label=状态]")).to_have_text("已受理")
    route, stale = held[0]
    with page.expect_response(lambda r: "q=" in r.url and r.request.method == "GET"):  # the search runs again
        route.fulfill(response=stale)
    expect(_row(page, case_no).locator("td[data-label=状态]")).to_have_text("已受理")
    expect(_row(page, case_no).get_by_role("button", name=re.compile("^开始审查"))).to_be_visible()


@pytest.mark.browser
def test_conflict_banner_goes_with_the_next_action(login, new_tablet, live_app: Flask, expected_http_errors: set[int]):
    expected_http_errors.add(409)
    case_no = _received_case(live_app)
    page = login("staff-ll")
    row = _row(page, case_no)
    expect(row.locator("td[data-label=状态]")).to_have_text("已收件")
    other = new_tablet()
    sign_in(other, "staff-ll")
    other.goto(f"/cases/{case_no}")
    other.locator("#case-panel").get_by_role("button", name="受理", exact=True).click()
    expect(other.locator("#case-status")).to_contain_text("已受理")

    row.get_by_role("button", name=re.compile("^受理")).click()
    expect(page.locator("#flash")).to_contain_text(CONFLICT)  # a true conflict: someone else did act
    row.get_by_role("button", name=re.compile("^开始审查")).click()
    expect(row.locator("td[data-label=状态]")).to_have_text("审查中")
    expect(page.locator("#flash")).not_to_contain_text(CONFLICT)


@pytest.mark.browser
def test_back_shows_the_current_row_and_the_filter_chips(login, live_app: Flask):
    case_no = _received_case(live_app)
    page = login("staff-ll")
    row = _row(page, case_no)
    level = row.locator("td[data-label=时限] .badge").get_attribute("class")
    colour = re.search(r"badge-([A-Z]+)", level or "").group(1).lower()

    # Filter by the case's colour: the rows update in place and the address bar says so.
    page.locator(f"input[name=colour][value={colour}]").check()
    page.wait_for_url(re.compile(rf"colour={colour}"))
    expect(row.locator("td[data-label=状态]")).to_have_text("已收件")

    # Open the case, act there, come Back: the queue shows the case as it is now, under the same filter.
    row.get_by_role("link", name=case_no, exact=True).click()
    page.wait_for_url(f"**/cases/{case_no}")
    page.locator("#case-panel").get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#case-status")).to_contain_text("已受理")
    expect(page.locator("#flash")).to_have_text(f"{case_no}：已受理。")  # said, not only shown
    expect(page.locator("#case-status")).to_be_focused()  # the tapped button is gone: focus on the new state
    page.go_back()
    page.wait_for_url(re.compile(rf"colour={colour}"))
    expect(_row(page, case_no).locator("td[data-label=状态]")).to_have_text("已受理")
    expect(page.locator(f"input[name=colour][value={colour}]")).to_be_checked()
    expect(page.locator("input[name=colour][value='']")).not_to_be_checked()
