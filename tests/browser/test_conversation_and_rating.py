"""Issue 4, parts 4-6 in a browser: an enterprise writes to its clerk clerk-ll, who answers, and each sees the other's
message appear without reloading (the polled list); after delivery the enterprise rates 不满意 on its case page, the
station's rectification appears at LL with its deadline, staff-ll works it, and the answer shows to the enterprise.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from stations.extensions import db
from stations.ratings.models import Rectification
from tests.helpers.browser import sign_in
from tests.helpers.ratings import delivered_case

POLLED = 12_000  # the message list polls every 5 s


def _mark(page: Page) -> None:
    """A marker that a full reload would wipe: the page must be updated in place."""
    page.evaluate("window.__marker = 1")


def _still_marked(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated in place"


def test_conversation_then_bad_rating_and_its_rectification(page: Page, login, new_tablet, live_app, live_client):
    enterprise_id = live_client.enterprise_id
    with live_app.app_context():
        case_no = delivered_case(enterprise=live_client.loaded().enterprise).case_no
        db.session.commit()

    # --- the conversation: each side sees the other's message without reloading -----------------------------------
    login(live_client.username)
    page.goto("/messages/")
    expect(page.get_by_text("您的办事专员：办事专员 张丽")).to_be_visible()
    clerk = new_tablet()
    sign_in(clerk, "clerk-ll")
    clerk.goto(f"/messages/{enterprise_id}")
    _mark(clerk)

    page.fill("textarea[name=body]", "营业执照地址变更,需要准备哪些材料?")
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#message-list")).to_contain_text("营业执照地址变更")
    expect(page.locator("textarea[name=body]")).to_have_value("")  # a fresh form after sending

    expect(clerk.locator("#message-list")).to_contain_text("营业执照地址变更", timeout=POLLED)
    _still_marked(clerk)
    _mark(page)
    clerk.fill("textarea[name=body]", "请带营业执照原件和新的租赁合同。")
    clerk.get_by_role("button", name="发送").click()
    expect(clerk.locator("#message-list")).to_contain_text("请带营业执照原件")
    expect(page.locator("#message-list")).to_contain_text("请带营业执照原件", timeout=POLLED)
    _still_marked(page)

    # --- 不满意 on the delivered case ----------------------------------------------------------------------------
    page.goto(f"/cases/{case_no}")
    panel = page.locator("#rating-panel")
    panel.get_by_label("不满意", exact=True).check()
    panel.get_by_label("办理时间长").check()
    panel.get_by_label("意见建议（选填）").fill("等了很久才拿到证")
    _mark(page)
    panel.get_by_role("button", name="提交评价").click()
    expect(panel).to_contain_text("您的评价：不满意")
    expect(panel).to_contain_text("整改进度：待回访")
    _still_marked(page)

    # --- the station's rectification, with its deadlines, worked by staff-ll --------------------------------------
    with live_app.app_context():
        rectification = db.session.scalar(select(Rectification).where(Rectification.case.has(case_no=case_no)))
        due_on, callback_due_on, rectification_id = (
            rectification.due_on.isoformat(),
            rectification.callback_due_on.isoformat(),
            rectification.id,
        )
    staff = new_tablet()
    sign_in(staff, "staff-ll")
    staff.goto("/rectifications/")
    row = staff.locator(f"#rectification-{rectification_id}")
    expect(row).to_contain_text(case_no)
    expect(row).to_contain_text(due_on)
    expect(row).to_contain_text(callback_due_on)
    row.get_by_role("link", name=case_no).click()
    expect(staff).to_have_url(re.compile(rf"/rectifications/{rectification_id}$"))

    staff.fill("textarea[name=findings]", "已电话回访,企业反映属实。")
    staff.get_by_role("button", name="确认回访核实").click()
    expect(staff.locator("#rect-status")).to_contain_text("已回访核实")
    staff.get_by_text("开始整改", exact=True).click()
    staff.get_by_role("button", name="确认开始整改").click()
    expect(staff.locator("#rect-status")).to_contain_text("整改中")
    staff.fill("textarea[name=measures]", "证照制作改为当日送达。")
    staff.fill("textarea[name=feedback]", "已改进证照送达流程,今后当日送达,感谢您的监督。")
    staff.get_by_role("button", name="确认反馈整改结果").click()
    expect(staff.locator("#rect-status")).to_contain_text("已反馈")

    # --- the answer shows to the enterprise, which says it is satisfied -------------------------------------------
    page.goto(f"/cases/{case_no}")
    panel = page.locator("#rating-panel")
    expect(panel).to_contain_text("已改进证照送达流程,今后当日送达,感谢您的监督。")
    expect(panel).to_contain_text("证照制作改为当日送达。")
    panel.get_by_role("button", name="满意", exact=True).click()
    expect(panel).to_contain_text("整改进度：已办结")
    expect(panel).to_contain_text("您对整改的评价")
