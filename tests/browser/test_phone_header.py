"""The header on a phone (issue 19): one row at 390 px with 通知 and 退出 on one line each and the 99+ badge whole;
the links behind 菜单, 办件进度查询 among them and in the footer; on the tablet the links show without opening it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from stations.extensions import db
from stations.notifications.models import NotificationKind
from stations.notifications.services import notify
from tests import factories as f

PHONE = {"width": 390, "height": 844}


def test_the_phone_header_is_one_row_with_the_links_behind_the_menu(live_app, live_client, login, page: Page):
    with live_app.app_context():
        user = f.user(live_client.username)
        for number in range(105):  # more than 99: the badge reads 99+
            notify(user, NotificationKind.CASE_ACCEPTED, f"测试通知 {number}")
        db.session.commit()

    page.set_viewport_size(PHONE)
    login(live_client.username)
    header = page.locator("header.topbar")
    box = header.bounding_box()
    assert box is not None and box["height"] <= 64, f"the header takes {box} at 390 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    badge = page.locator(".bell-count")
    expect(badge).to_have_text("99+")
    badge_box, header_box = badge.bounding_box(), box
    assert badge_box["x"] + badge_box["width"] <= header_box["x"] + header_box["width"], "the badge is clipped"
    for name, target in (("通知", page.locator(".bell-link")), ("退出", header.get_by_role("button", name="退出"))):
        expect(target).to_contain_text(name)
        target_box = target.bounding_box()
        assert target_box["height"] <= 48, f"{name} breaks over several lines: {target_box}"
        assert target_box["width"] > target_box["height"] * 0.6, f"{name} is one character a line"

    track = page.locator("header .topnav").get_by_role("link", name="办件进度查询")
    expect(track).to_be_hidden()  # behind the menu
    page.locator(".menu-button").click()
    expect(track).to_be_visible()
    expect(page.locator("footer").get_by_role("link", name="办件进度查询")).to_be_visible()
    track.click()
    expect(page).to_have_url(re.compile(r"/track"))


def test_the_tablet_shows_the_links_without_the_menu_button(login, page: Page):
    login("staff-ll")
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.locator("header .topnav").get_by_role("link", name="办件进度查询")).to_be_visible()
    expect(page.locator("header .topnav").get_by_role("link", name="我的工作台")).to_be_visible()
