"""Taps at the counter (issue 19): from the queue to the printed receipt, a 即办件 in at most 6 taps and a 承诺件
with one 容缺 material in at most 9. Typing goes into the field that already has the focus (no tap counted because
none is needed: the test checks the focus first); every click is a tap and is counted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests import factories as f

RONGQUE_ITEM = "社会保障卡申领"  # a committed item on LL's list that allows 容缺
RONGQUE_MATERIAL = "法定代表人身份证复印件"  # a minor material that may be missing (容缺)
RECEIPT = re.compile(r"/cases/([A-Z0-9-]+)/receipt$")


class Taps:
    """Every tap of the walk goes through here, so the count is the walk's."""

    def __init__(self, page: Page, enterprise_name: str):
        self.page, self.count = page, 0
        self.enterprise_name = enterprise_name  # the client of the test's own that the counter takes in for

    def tap(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def type_into_focused(self, field: Locator, words: str) -> None:
        expect(field).to_be_focused()  # already there: typing needs no tap
        self.page.keyboard.type(words)


def _walk_to_the_checklist(page: Page, taps: Taps, item_name: str, typed: str | None = None) -> None:
    taps.tap(page.get_by_role("link", name="收件", exact=True))
    taps.type_into_focused(page.locator("#enterprise-q"), taps.enterprise_name)
    taps.tap(page.locator("#enterprise-results a.pick", has_text=taps.enterprise_name))
    taps.type_into_focused(page.locator("#item-q"), typed or item_name)
    exact = re.compile(f"^{re.escape(item_name)}$")
    pick = page.locator("#item-results a.pick").filter(has=page.locator("strong", has_text=exact))
    taps.tap(pick)
    expect(page.locator("#applicant-name")).not_to_have_value("")  # the enterprise's contact, pre-filled


def _print_the_receipt(page: Page, taps: Taps) -> str:
    expect(page).to_have_url(RECEIPT)
    expect(page.locator("#flash")).to_contain_text("已收件并受理")
    taps.tap(page.get_by_role("button", name="打印"))
    assert page.evaluate("window.__printed") is True
    return RECEIPT.search(page.url).group(1)


@pytest.fixture
def counter(page: Page, login, live_client) -> Taps:
    page.add_init_script("window.print = function () { window.__printed = true; };")
    login("staff-ll")
    return Taps(page, live_client.enterprise_name)


@pytest.mark.browser
def test_an_instant_item_from_the_queue_to_the_printed_receipt_in_six_taps(page: Page, counter: Taps, live_app):
    with live_app.app_context():
        item = f.item(station_code="LL", instant=True)
        item_name, item_code = item.name, item.code
    _walk_to_the_checklist(page, counter, item_name, typed=item_code)  # staff type the code or a few letters
    counter.tap(page.get_by_role("button", name="全部已核验"))
    counter.tap(page.get_by_role("button", name="收件并受理"))
    case_no = _print_the_receipt(page, counter)
    assert counter.count <= 6, counter.count
    page.goto(f"/cases/{case_no}")
    expect(page.locator("#case-status")).to_contain_text("已受理")


@pytest.mark.browser
def test_a_committed_item_with_one_rongque_material_in_nine_taps(page: Page, counter: Taps):
    _walk_to_the_checklist(page, counter, RONGQUE_ITEM)
    counter.tap(page.get_by_role("button", name="全部已核验"))
    row = page.locator("table.intake-materials tbody tr").filter(
        has=page.get_by_role("rowheader", name=RONGQUE_MATERIAL)
    )
    counter.tap(row.get_by_label("缺", exact=True))
    counter.tap(page.get_by_label("申请人已签署容缺承诺书"))
    counter.tap(page.get_by_role("button", name="收件并受理"))
    case_no = _print_the_receipt(page, counter)
    assert counter.count <= 9, counter.count
    expect(page.locator("main")).to_contain_text(RONGQUE_MATERIAL)  # the receipt lists what is owed (容缺)
    page.goto(f"/cases/{case_no}")
    expect(page.locator("#case-status")).to_contain_text("已受理")
