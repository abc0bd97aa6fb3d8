"""The administrator maintains the officials (issue 14) on a tablet: a bad entry is answered in place (422, the
message next to the form, nothing reloaded), a good one appears in the list, deactivating asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from stations.demo import DEMO_PASSWORD


@pytest.fixture
def expected_http_errors() -> set[int]:
    return {422}


@pytest.mark.browser
def test_add_refuse_in_place_and_deactivate(page: Page):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto("/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/admin/")
    page.get_by_role("link", name="约见对象").click()
    expect(page.get_by_role("heading", name="约见对象")).to_be_visible()

    add = page.locator("#official-add")
    add.get_by_label("部门", exact=True).select_option(label="开发建设部")
    add.get_by_label("类别").select_option(label="领导")
    add.get_by_label("名称（如 部长、审批科；部门本身不填）").fill("开发建设部 部长")  # already there
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    add.get_by_role("button", name="添加").click()
    expect(page.locator("#official-add-error")).to_contain_text("该部门已有同名的领导或科室")
    assert page.evaluate("window.__marker") == 1
    expect(page.locator("#official-add").get_by_label("名称（如 部长、审批科；部门本身不填）")).to_have_value(
        "开发建设部 部长"
    )

    page.locator("#official-add").get_by_label("类别").select_option(label="业务科室")
    page.locator("#official-add").get_by_label("名称（如 部长、审批科；部门本身不填）").fill("招商服务科")
    page.locator("#official-add").get_by_role("button", name="添加").click()
    row = page.locator("tr", has=page.locator("input[value='招商服务科']"))
    expect(row).to_contain_text("启用")
    assert page.evaluate("window.__marker") == 1

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="停用").click()
    expect(page.locator("tr", has=page.locator("input[value='招商服务科']"))).to_contain_text("已停用")
