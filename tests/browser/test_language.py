"""Switching the interface language in a real browser: the English link, then it sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_english_link_switches_language_and_it_persists(page: Page):
    page.goto("/login")
    html = page.locator("html")
    langs = page.get_by_role("navigation", name="语言")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text("登录")
    expect(langs.get_by_role("link", name="中文")).to_have_attribute("aria-current", "true")

    langs.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/login\?lang=en$"))
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign in")
    expect(page.get_by_label("Username")).to_be_visible()
    langs = page.get_by_role("navigation", name="Language")
    expect(langs.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")

    # A (boosted) navigation without ?lang= stays in English, and so does a full reload.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Service guide").click()
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    expect(page.locator("main h1")).to_have_text("Service guide")
    expect(page.locator("footer")).to_contain_text("Jinghe New City")
    page.reload()
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Service guide")

    # And back to Chinese.
    langs.get_by_role("link", name="中文").click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text("办事指南")
