"""现场受理、后台流转 in the browser (issue 12, "Done when"), at 1024×768: staff-ll takes in a COLLECT item for
a client of the test's own on the intake page (taps, no case factory) and accepts it; the central board's LL tile counts it as received; the department examiner dept-sc finds it in the department queue, reviews and approves it and
issues the result at the centre; staff-ll delivers it at LL; the examiner is its first handler; the central office's
figures count it under the department (decided) and the period's results issued.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from stations.cases.models import Case
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests.helpers.browser import sign_in

COLLECTED_ITEM = "企业设立登记(有限责任公司)"  # XK-SCJG-0001: LL collects it for 市场监管
CASE_NO = re.compile(r"/cases/(JHLL\d{12})$")
TABLET = {"width": 1024, "height": 768}


def _received_on_the_intake_page(staff, enterprise_name: str) -> str:
    """Tap through the counter's intake page: the enterprise, the item (live search), every material checked."""
    staff.get_by_role("link", name="收件", exact=True).click()
    expect(staff).to_have_url(re.compile(r"/cases/new$"))
    # Key by key: a search typed before htmx has bound the freshly swapped page still fires on the later keys.
    staff.locator("#enterprise-q").press_sequentially(enterprise_name, delay=120)
    staff.locator("#enterprise-results a.pick", has_text=enterprise_name).click()
    expect(staff).to_have_url(re.compile(r"/cases/new\?enterprise=\d+"))  # the item search of that page, not the last
    expect(staff.locator("#item-q")).to_be_editable()
    staff.locator("#item-q").press_sequentially("企业设立登记", delay=120)
    name = staff.locator("strong", has_text=re.compile(f"^{re.escape(COLLECTED_ITEM)}$"))
    pick = staff.locator("#item-results a.pick").filter(has=name)
    expect(pick).to_have_count(1)
    pick.click()
    rows = staff.locator("table.intake-materials tbody tr")
    expect(rows.first).to_be_visible()
    for n in range(rows.count()):
        rows.nth(n).get_by_label("已核验").check()
    staff.locator("#applicant-name").fill("王经办")
    staff.locator("#applicant-phone").fill("13900000001")
    staff.get_by_role("button", name="仅收件（稍后受理）").click()
    expect(staff).to_have_url(CASE_NO)
    expect(staff.locator("#case-status")).to_contain_text("已收件")
    return CASE_NO.search(staff.url).group(1)


def _ll_received_today(board) -> int:
    board.goto("/dashboard")
    return int(board.locator("#tile-LL [data-figure=received_today]").inner_text())


def _case(app: Flask, case_no: str) -> Case:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.case_no == case_no))
        return case, case.first_handler.username if case.first_handler else None


def _fire(page, label: str, status: str) -> None:
    panel = page.locator("#case-panel")
    button = panel.get_by_role("button", name=label, exact=True)
    if not button.is_visible():  # an event with a form opens its card first
        panel.locator("summary", has_text=label).first.click()
        button = panel.get_by_role("button", name=f"确认{label}", exact=True)
    button.click()
    expect(page.locator("#case-status")).to_contain_text(status)


@pytest.mark.browser
def test_collected_case_is_decided_by_the_department_and_delivered_at_the_station(
    login, new_tablet, live_app: Flask, live_client
):
    central = sign_in(new_tablet(), "central")
    central.set_viewport_size(TABLET)
    received_before = _ll_received_today(central)
    staff = login("staff-ll")
    staff.set_viewport_size(TABLET)
    case_no = _received_on_the_intake_page(staff, live_client.enterprise_name)
    _fire(staff, "受理", "已受理")
    central.goto("/dashboard")
    expect(central.locator("#tile-LL [data-figure=received_today]")).to_have_text(str(received_before + 1))
    expect(staff.locator("#case-panel").get_by_role("button", name="开始审查")).to_have_count(0)

    examiner = sign_in(new_tablet(), "dept-sc")
    examiner.set_viewport_size(TABLET)
    examiner.goto("/backoffice/")
    examiner.get_by_role("link", name=case_no).click()
    expect(examiner).to_have_url(re.compile(f"/cases/{case_no}$"))
    _fire(examiner, "开始审查", "审查中")
    _fire(examiner, "办结（通过）", "办结（通过）")
    _fire(examiner, "出证", "已出证")

    staff.goto(f"/cases/{case_no}")
    _fire(staff, "送达", "已送达")
    case, handler = _case(live_app, case_no)
    assert case.status is CaseStatus.DELIVERED and handler == "dept-sc"

    central.goto("/dashboard/figures?period=month")
    expect(central.get_by_role("rowheader", name=re.compile("后台审批办结"))).to_be_visible()
    assert int(central.locator("[data-figure=issued]").inner_text()) >= 1
