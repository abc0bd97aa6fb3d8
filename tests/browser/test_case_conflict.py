"""Two tablets on one case (issue 3, "Done when"): the second, stale one gets a 409 with a clear message and the fresh
state swapped in where it acted (the case block, or the queue row plus a message), never an error page, and no
update is lost or doubled.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from stations.cases.models import Case, CaseEventRecord
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests import factories
from tests.helpers.browser import sign_in

CONFLICT = "该办件刚刚已被他人更新。下面是最新内容，请确认后再操作。"


def _received_case(app: Flask) -> str:
    """A RECEIVED case at LL with every required material verified (a plain 受理 away from ACCEPTED)."""
    with app.app_context():
        case = factories.make_case(by="staff-ll", station_code="LL", materials="verified")
        db.session.commit()
        return case.case_no


def _events(app: Flask, case_no: str, event: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(CaseEventRecord)
            .join(Case, Case.id == CaseEventRecord.case_id)
            .where(Case.case_no == case_no, CaseEventRecord.event == event)
        )


def _status(app: Flask, case_no: str) -> CaseStatus:
    with app.app_context():
        return db.session.scalar(select(Case.status).where(Case.case_no == case_no))


@pytest.mark.browser
def test_stale_tablet_gets_409_with_the_fresh_case(login, new_tablet, live_app: Flask, expected_http_errors: set[int]):
    expected_http_errors.add(409)  # Chromium logs the conflict's status; it is the point of the test
    case_no = _received_case(live_app)
    tablet_a = login("staff-ll")
    tablet_b = sign_in(new_tablet(), "staff-ll")
    for tablet in (tablet_a, tablet_b):
        tablet.goto(f"/cases/{case_no}")
        expect(tablet.locator("#case-status")).to_contain_text("已收件")
    tablet_b.evaluate("window.__marker = 1")

    # Tablet A accepts.
    tablet_a.locator("#case-panel").get_by_role("button", name="受理", exact=True).click()
    expect(tablet_a.locator("#case-status")).to_contain_text("已受理")

    # Tablet B still shows 受理 (its page is stale) and taps it: 409, the message and the fresh block, in place.
    with tablet_b.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/accept")) as info:
        tablet_b.locator("#case-panel").get_by_role("button", name="受理", exact=True).click()
    response = info.value
    assert response.status == 409
    assert "<html" not in response.text(), "the conflict must answer the case block, not a page"
    panel = tablet_b.locator("#case-panel")
    expect(panel.get_by_role("alert")).to_have_text(CONFLICT)
    expect(tablet_b.locator("#case-status")).to_contain_text("已受理")
    expect(panel.get_by_role("button", name="受理", exact=True)).to_have_count(0)  # only what may be done now
    expect(panel.get_by_role("button", name="开始审查")).to_be_visible()
    expect(tablet_b.locator("ol.timeline li .what")).to_have_text(["收件", "受理"])
    assert tablet_b.evaluate("window.__marker") == 1, "the stale tablet got a new page instead of the fresh block"
    assert _events(live_app, case_no, "accept") == 1
    assert _status(live_app, case_no) is CaseStatus.ACCEPTED

    # With the fresh block, B's next action goes through (nothing is stuck after a conflict).
    panel.get_by_role("button", name="开始审查").click()
    expect(tablet_b.locator("#case-status")).to_contain_text("审查中")
    expect(panel.get_by_role("alert")).to_have_count(0)
    assert _events(live_app, case_no, "start_review") == 1


@pytest.mark.browser
def test_stale_queue_row_gets_409_with_the_fresh_row_and_a_message(
    login, new_tablet, live_app: Flask, expected_http_errors: set[int]
):
    expected_http_errors.add(409)
    case_no = _received_case(live_app)
    tablet_a = login("staff-ll")
    tablet_b = sign_in(new_tablet(), "staff-ll")  # on the queue, the staff home
    row = tablet_b.locator("tr.queue-row").filter(has=tablet_b.get_by_role("link", name=case_no, exact=True))
    expect(row.locator("td[data-label=状态]")).to_have_text("已收件")
    tablet_b.evaluate("window.__marker = 1")

    tablet_a.goto(f"/cases/{case_no}")
    tablet_a.locator("#case-panel").get_by_role("button", name="受理", exact=True).click()
    expect(tablet_a.locator("#case-status")).to_contain_text("已受理")

    with tablet_b.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/accept")) as info:
        row.get_by_role("button", name=re.compile("^受理")).click()
    assert info.value.status == 409
    expect(tablet_b.locator("#flash")).to_contain_text(CONFLICT)
    expect(row.locator("td[data-label=状态]")).to_have_text("已受理")
    expect(row.get_by_role("button", name=re.compile("^开始审查"))).to_be_visible()
    assert tablet_b.evaluate("window.__marker") == 1, "the queue was reloaded instead of the row swapped"
    assert _events(live_app, case_no, "accept") == 1
    assert _status(live_app, case_no) is CaseStatus.ACCEPTED
