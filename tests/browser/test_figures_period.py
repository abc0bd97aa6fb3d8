"""统计指标 (issue 19, "Done when"): tapping 本季度 or 本年 swaps the whole page once, never a second header, nav
and footer nested inside the figures area (the period links used to inherit the date form's hx-target).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_period_links_keep_one_header(login, page: Page):
    login("central")
    page.goto("/dashboard/figures?period=month")
    for label, period in (("本季度", "quarter"), ("本年", "year")):
        page.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(f"/dashboard/figures?period={period}")
        expect(page.get_by_role("link", name=label, exact=True)).to_have_attribute("aria-current", "page")
        expect(page.locator("header")).to_have_count(1)
        expect(page.locator("#figures header, #figures footer, #figures h1")).to_have_count(0)
        expect(page.locator("h1")).to_have_count(1)
