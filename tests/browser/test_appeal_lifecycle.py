"""An appeal to closure on tablets at 1024×768 (issue 13, "Done when"): staff-ll registers a phone call, the
supervisor assigns it from the queue row (交办, in place), the department signs, contacts and replies, the
enterprise's 不满意 call-back re-opens it, the department replies again and the 满意 call-back closes it; the
central office's board counts it as received and concluded.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from stations.demo import DEMO_PASSWORD
from tests.helpers.browser import sign_in

APPEAL_NO = re.compile(r"/appeals/(SQ\d{12,13})$")


def _figure(page: Page, name: str) -> int:
    page.goto("/dashboard")
    return int(page.locator(f"#appeal-figures [data-figure={name}]").inner_text())


def _act(page: Page, no: str, event: str, **fields: str) -> None:
    page.goto(f"/appeals/{no}")
    form = page.locator(f"form.action-form[data-event={event}]")
    for name, value in fields.items():
        if name == "feedback":
            form.locator(f"input[name=feedback][value={value}]").check()
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/appeals/{no}$"))
    expect(page.locator(".flash, .notice-danger").first).to_be_visible()
    expect(page.locator(".notice-danger")).to_have_count(0)


def _sign_in_admin(page: Page) -> Page:
    """The administrator's home is /admin/, not /home (conftest.sign_in waits for /home)."""
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_phone_call_to_closure(new_tablet, login):
    central = sign_in(new_tablet(), "central")
    received, concluded = _figure(central, "received"), _figure(central, "concluded")

    staff = login("staff-ll")
    staff.goto("/appeals/new")
    staff.select_option("#appeal-channel", "PHONE")
    staff.fill("#appeal-enterprise-name", "(浏览器测试)来电企业")
    staff.select_option("#appeal-category", "POLICY_FULFILMENT")
    staff.fill("#appeal-description", "研发费用补贴已公示但尚未拨付")
    staff.fill("#appeal-phone", "13800000000")
    staff.get_by_role("button", name="提交").click()
    expect(staff).to_have_url(APPEAL_NO)
    no = APPEAL_NO.search(staff.url).group(1)
    expect(staff.locator("#appeal-status")).to_contain_text("已登记")

    supervisor = _sign_in_admin(new_tablet())
    supervisor.goto("/appeals/?status=REGISTERED")
    row = supervisor.locator("tr.queue-row", has_text=no)
    row.locator("select[name=department_id]").select_option(label="人社(社保)")
    row.get_by_role("button", name=f"交办 {no}").click()
    expect(supervisor.locator("tr.queue-row", has_text=no).locator(".appeal-status")).to_have_text("已交办")

    department = sign_in(new_tablet(), "dept-rs")
    _act(department, no, "sign")
    _act(department, no, "first_contact")
    _act(department, no, "reply", reply_text="已协调财政局,本月内拨付", signed_off_by="人社科长")
    expect(department.locator("#appeal-status")).to_contain_text("已答复")

    _act(staff, no, "callback", feedback="UNSATISFIED", note="企业称仍未到账")
    expect(staff.locator("#appeal-status")).to_contain_text("不满意待重办")
    _act(staff, no, "reopen")
    _act(department, no, "reply", reply_text="补贴已于今日到账", signed_off_by="人社科长")
    _act(staff, no, "callback", feedback="SATISFIED")
    expect(staff.locator("#appeal-status")).to_contain_text("已办结销号")
    expect(staff.locator(".timeline li")).to_have_count(9)

    assert _figure(central, "received") == received + 1
    assert _figure(central, "concluded") == concluded + 1
