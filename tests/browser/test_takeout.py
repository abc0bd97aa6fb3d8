"""Issue 15's "Done when" in a browser: an enterprise orders two menu lines on its phone (390×844); staff-ll contacts and
dispatches a team on the tablet (1024×768); the team member checks in, the network drops (Playwright's offline
mode), a case is taken in with a photo, the network comes back: exactly one case arrives with its material, linked
to the order; the visit is finished, the result delivered and the order rated."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from stations.cases.models import Case, MaterialStatus
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.takeout import services
from stations.takeout.models import MenuLine, Order, OrderCase
from tests import factories as f
from tests.helpers.browser import CSP_LISTENER, TIMEOUT_MS, sign_in, watch
from tests.helpers.cases import fire as fire_case
from tests.helpers.takeout import menu_codes

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "ERR_NETWORK_CHANGED")  # what Chromium logs for requests made offline


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _device(new_context, size) -> tuple[Page, list[str]]:
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    device = context.new_page()
    device.set_viewport_size(size)
    return device, watch(device)


def test_order_dispatch_offline_intake_finish_and_rate(page: Page, new_context, live_app, live_client):
    with live_app.app_context():
        codes = menu_codes(2)
        titles = [db.session.scalar(select(MenuLine.title).where(MenuLine.code == c)) for c in codes]

    # --- the enterprise orders two menu lines on its phone --------------------------------------------------------
    phone, phone_problems = _device(new_context, PHONE)
    sign_in(phone, live_client.username)
    phone.goto("/takeout/new")
    for n, (code, title) in enumerate(zip(codes, titles, strict=True), start=1):
        phone.get_by_label("搜索服务（名称或拼音首字母）").fill(title)
        phone.locator(f"#menu-results input[value='{code}']").check()
        expect(phone.locator("#menu-results input:checked")).to_have_count(n)  # the first stays chosen
    phone.get_by_label("上门地址").fill("泾河新城两链融合示范园3号厂房")
    phone.get_by_label("联系人").fill("王经理")
    phone.get_by_label("联系电话").fill("13800000001")
    phone.get_by_role("button", name="提交点单").click()
    phone.wait_for_url(re.compile(r"/takeout/WM\d+$"))
    order_no = phone.url.rsplit("/", 1)[-1]
    expect(phone.locator("[data-status]")).to_have_text("已点单")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with live_app.app_context():
        order = db.session.scalar(select(Order).where(Order.order_no == order_no))
        assert sorted(line.menu_line.code for line in order.lines) == sorted(codes)
        staff_name = f.user("staff-ll").display_name

    # --- the station calls back and dispatches a team (staff-ll goes itself), on the tablet ------------------------
    page.set_viewport_size(TABLET)
    sign_in(page, "staff-ll")
    page.goto(f"/takeout/{order_no}")
    page.get_by_role("button", name="已联系企业").click()
    expect(page.locator("[data-status]")).to_have_text("已联系")
    team = page.locator(".team-choices")
    for box in team.locator("input[type=checkbox]").all():
        box.uncheck()
    team.get_by_text(staff_name).click()
    page.get_by_role("button", name="派单").click()
    expect(page.locator("[data-status]")).to_have_text("已派单")
    page.get_by_role("button", name="到达签到").click()
    expect(page.locator("[data-status]")).to_have_text("上门服务中")

    # --- on site, the network drops: the intake with its photo waits on the tablet ---------------------------------
    tablet, tablet_problems = _device(new_context, TABLET)
    sign_in(tablet, "staff-ll")
    tablet.goto(f"/takeout/{order_no}")
    expect(tablet.locator(".onsite-intake").first).to_be_visible()
    with live_app.app_context():
        cases_before = db.session.scalar(select(func.count(Case.id)))
    tablet.context.set_offline(True)
    intake = tablet.locator(".onsite-intake").first  # the first item of the order: one photo per material
    intake.locator("input[type=file]").first.set_input_files(
        {"name": "license.png", "mimeType": "image/png", "buffer": _png()}
    )
    intake.get_by_role("button", name="收件").click()
    expect(tablet.locator("[data-offline-banner]")).to_be_visible()
    expect(tablet.locator("[data-waiting-count]")).to_have_text("1")
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == cases_before  # nothing reached the server
    tablet.context.set_offline(False)
    tablet.wait_for_load_state()
    expect(tablet.locator("#offline-outbox [data-outbox-list] li")).to_have_count(0, timeout=15_000)
    with live_app.app_context():
        links = db.session.scalars(select(OrderCase).join(Order).where(Order.order_no == order_no)).all()
        assert len(links) == 1  # exactly one case, linked to the order
        assert db.session.scalar(select(func.count(Case.id))) == cases_before + 1
        case = db.session.get(Case, links[0].case_id)
        assert any(m.document_id for m in case.materials)  # with its photographed material
        case_no = case.case_no

    # --- the visit is finished, offline too; the case goes through the back office, its result is delivered --------
    tablet.goto(f"/takeout/{order_no}")
    tablet.context.set_offline(True)
    tablet.get_by_label("服务结果（受理了什么、解答了什么）").fill("现场受理1件,解答社保问题")
    tablet.get_by_role("button", name="完成上门服务").click()
    expect(tablet.locator("[data-waiting-count]")).to_have_text("1")
    tablet.context.set_offline(False)
    tablet.wait_for_load_state()
    expect(tablet.locator("[data-status]")).to_have_text("后台流转中", timeout=15_000)
    expect(tablet.get_by_text(case_no)).to_be_visible()
    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.case_no == case_no))
        for material in case.materials:  # the originals are checked at the station
            material.status = MaterialStatus.VERIFIED
        for event in (CaseEvent.ACCEPT, CaseEvent.START_REVIEW, CaseEvent.DECIDE_APPROVE, CaseEvent.ISSUE):
            if event in case_events_open(case):
                fire_case(case, event)
        fire_case(case, CaseEvent.DELIVER)
        assert services.deliver_settled() >= 1
        db.session.commit()

    # --- the enterprise rates it on its phone ---------------------------------------------------------------------
    phone.goto(f"/takeout/{order_no}")
    expect(phone.locator("[data-status]")).to_have_text("结果已送达")
    phone.get_by_text("非常满意").click()
    phone.get_by_role("button", name="评价").click()
    expect(phone.locator("[data-status]")).to_have_text("已完成")

    noise = [p for p in phone_problems + tablet_problems if not any(n in p for n in OFFLINE_NOISE)]
    assert not noise, "\n".join(noise)


def case_events_open(case) -> set:
    """The case events that still apply (an instant item skips none; a committed one may need review first)."""
    from stations.access import actor_for
    from stations.cases.services import facts_for
    from stations.domain.case_flow import available_events

    return set(available_events(facts_for(case), actor_for(f.user("staff-ll"), case)))
