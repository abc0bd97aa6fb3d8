"""一件事 on a tablet (issue 16, "Done when"): staff-ll takes in 新办企业开办一件事 for a new enterprise with one set
of materials; the first child case appears at LL, the four that depend on it wait; when it is concluded they open;
the enterprise's page and /track show one bundle with its steps; the bundle turns green → yellow → red with the
clock (its own promised total of 3 working days), pinned with time_machine (the live server shares the process).

Mon 2026-03-02 10:00 Beijing: accepted that day, due Thu 03-05, YELLOW from Wed 03-04 (Y = 1), RED from Fri 03-06.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from playwright.sync_api import Page, expect
from sqlalchemy import select

from stations.auth.models import Role, User
from stations.auth.services import hash_password
from stations.bundles import queries as bundle_queries
from stations.bundles.models import BundleCase
from stations.cases import services as case_services
from stations.demo import DEMO_PASSWORD, make_uscc
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from tests.browser.test_case_lifecycle import _pdf
from tests.helpers.browser import sign_in

BEIJING = timedelta(hours=8)
START = datetime(2026, 3, 2, 10, 0) - BEIJING  # naive UTC
NEW_USCC = make_uscc("91611100MA6XGD8N1")
NEW_NAME = "泾河示例开办科技有限公司"
BUNDLE_NO = re.compile(r"/bundles/cases/(YJS-LL\d{8}\d{3})$")


def _fits(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in a {widths[1]} px viewport"


def _apply(page: Page, tmp_path) -> str:
    page.goto("/bundles/XC-QYKB/apply")
    _fits(page)
    page.fill("#bundle-uscc", NEW_USCC)
    page.fill("#bundle-enterprise-name", NEW_NAME)
    page.fill("#bundle-applicant", "赵开办")
    rows = page.locator("table tbody tr")
    for n in range(rows.count()):
        if rows.nth(n).get_by_text("必交").count():
            rows.nth(n).locator("input[type=file]").set_input_files(_pdf(tmp_path, f"m{n}.pdf"))
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(BUNDLE_NO)
    return BUNDLE_NO.search(page.url).group(1)


def _conclude_first(live_app, bundle_no: str) -> None:
    """The handler concludes the first child (accept, review, approve) through the case services."""
    with live_app.app_context():
        bundle_case = db.session.scalar(select(BundleCase).where(BundleCase.bundle_no == bundle_no))
        case = bundle_case.children[0].case
        staff = db.session.scalar(select(User).where(User.username == "staff-ll"))
        for event in (CaseEvent.ACCEPT, CaseEvent.START_REVIEW, CaseEvent.DECIDE_APPROVE):
            # an item the station only collects is decided by its department once accepted (issue 12)
            actor = staff
            if case.department_id is not None:
                actor = db.session.scalar(
                    select(User)
                    .where(User.role == Role.DEPARTMENT, User.department_id == case.department_id)
                    .order_by(User.id)
                )
            case_services.apply_event(case, event, actor, version=case.version)
        enterprise_id = bundle_case.enterprise_id
        if not db.session.scalar(select(User.id).where(User.username == "ent-kb")):
            db.session.add(
                User(
                    username="ent-kb",
                    display_name="开办企业 赵开办",
                    role=Role.ENTERPRISE,
                    password_hash=hash_password(DEMO_PASSWORD),
                    enterprise_id=enterprise_id,
                )
            )
        db.session.commit()


def _query_code(live_app, bundle_no: str) -> str:
    with live_app.app_context():
        return db.session.scalar(select(BundleCase.query_code).where(BundleCase.bundle_no == bundle_no))


def _level_on_track(page: Page, bundle_no: str, code: str) -> str:
    """Public tracking, signed out (a jump of days ends any session)."""
    page.context.clear_cookies()
    page.goto(f"/track?case_no={bundle_no}&code={code}")
    result = page.locator("#track-result")
    expect(result).to_contain_text("新办企业开办一件事")
    return result.locator("p .badge").first.inner_text()


def test_new_enterprise_start_up_bundle_on_a_tablet(page: Page, live_app, tmp_path):
    with time_machine.travel(START, tick=True):
        sign_in(page, "staff-ll")
        bundle_no = _apply(page, tmp_path)
        steps = page.locator(".bundle-steps li")
        expect(steps).to_have_count(5)
        expect(steps.nth(0)).to_contain_text("企业设立登记")
        expect(steps.nth(0).locator("a.mono")).to_have_count(1)  # a case at LL
        for n in range(1, 5):
            expect(steps.nth(n)).to_contain_text("等待前置事项办结")
        expect(page.locator("#bundle-level")).to_have_attribute("data-level", "green")
        _fits(page)

        _conclude_first(live_app, bundle_no)
        page.reload()
        expect(steps.nth(0)).to_contain_text("已办结")
        for n in range(1, 5):
            expect(steps.nth(n).locator("a.mono")).to_have_count(1)  # each dependant now has its case
        expect(page.locator("#bundle-status")).to_have_text("办理中")
        page.goto("/cases/")
        for item in ("增值税一般纳税人登记", "发票领用", "单位参保登记", "单位住房公积金缴存登记"):
            expect(page.locator("main")).to_contain_text(item)

        page.context.clear_cookies()
        sign_in(page, "ent-kb")
        mine = page.locator("#my-bundles")
        expect(mine.locator("article.bundle-row")).to_have_count(1)
        expect(mine).to_contain_text(bundle_no)
        expect(mine.locator(".bundle-steps li")).to_have_count(5)
        _fits(page)
        code = _query_code(live_app, bundle_no)
        assert _level_on_track(page, bundle_no, code) == "正常"
        expect(page.locator("#track-result .bundle-steps li")).to_have_count(5)

    with time_machine.travel(START + timedelta(days=2), tick=True):  # Wed 03-04: the last working day's third
        assert _level_on_track(page, bundle_no, code) == "预警"
    with time_machine.travel(START + timedelta(days=4), tick=True):  # Fri 03-06: the promised total has run out
        assert _level_on_track(page, bundle_no, code) == "超期"
    with live_app.app_context():
        bundle_case = db.session.scalar(select(BundleCase).where(BundleCase.bundle_no == bundle_no))
        assert bundle_queries.level_of(bundle_case, START + timedelta(days=4)) == "red"
