"""现场受理、后台流转 in the browser (issue 12, "Done when"), at 1024×768: staff-ll has taken in a COLLECT item for
ent-gd and accepts it; the department examiner dept-sc finds it in the department queue, reviews and approves it and
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
from tests import factories
from tests.helpers.browser import sign_in

COLLECTED_ITEM = "XK-SCJG-0001"  # 企业设立登记(有限责任公司): LL collects it for 市场监管


def _received_collected_case(app: Flask) -> str:
    with app.app_context():
        case = factories.make_case(by="staff-ll", item_obj=factories.item(COLLECTED_ITEM), materials="verified")
        db.session.commit()
        return case.case_no


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
def test_collected_case_is_decided_by_the_department_and_delivered_at_the_station(login, new_tablet, live_app: Flask):
    case_no = _received_collected_case(live_app)
    staff = login("staff-ll")
    staff.set_viewport_size({"width": 1024, "height": 768})
    staff.goto(f"/cases/{case_no}")
    _fire(staff, "受理", "已受理")
    expect(staff.locator("#case-panel").get_by_role("button", name="开始审查")).to_have_count(0)

    examiner = sign_in(new_tablet(), "dept-sc")
    examiner.set_viewport_size({"width": 1024, "height": 768})
    examiner.goto("/backoffice/")
    examiner.get_by_role("link", name=case_no).click()
    expect(examiner).to_have_url(re.compile(f"/cases/{case_no}$"))
    _fire(examiner, "开始审查", "审查中")
    _fire(examiner, "办结(通过)", "办结(通过)")
    _fire(examiner, "出证", "已出证")

    staff.goto(f"/cases/{case_no}")
    _fire(staff, "送达", "已送达")
    case, handler = _case(live_app, case_no)
    assert case.status is CaseStatus.DELIVERED and handler == "dept-sc"

    central = sign_in(new_tablet(), "central")
    central.goto("/dashboard/figures?period=month")
    expect(central.get_by_role("rowheader", name=re.compile("后台审批办结"))).to_be_visible()
    assert int(central.locator("[data-figure=issued]").inner_text()) >= 1
