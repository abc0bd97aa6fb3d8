"""Issue 14's "Done when" in a browser: an enterprise (phone, 390×844) requests a meeting; staff-ll (tablet, 1024×768)
contacts, routes and schedules it into a published slot; the enterprise downloads the .ics, moves the meeting itself into
another slot (no phone call), the new time replaces the old (same UID, SEQUENCE + 1); the meeting is held with
minutes and one commitment."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from icalendar import Calendar
from playwright.sync_api import Page, expect

from stations.extensions import db
from stations.meetings.services import local
from tests.helpers.browser import CSP_LISTENER, TIMEOUT_MS, sign_in, watch
from tests.helpers.meetings import new_slot

PHONE = {"width": 390, "height": 844}


def _ics(phone: Page) -> Calendar:
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载到日历（.ics）").click()
    return Calendar.from_ical(open(download.value.path(), "rb").read())


def test_request_schedule_move_and_hold(page: Page, new_context, live_app, live_client):
    with live_app.app_context():
        first, second = new_slot(days=3, hour=10), new_slot(days=4, hour=15)
        first_at, second_at = local(first.starts_at), local(second.starts_at)
        second_utc = second.starts_at
        db.session.commit()
        # Picked by id, not by the time's text: the demo's weekly patterns may offer the same hour on that day.
        first_choice, second_choice = (
            f"input[name=slot_id][value='{first.id}']",
            f"input[name=slot_id][value='{second.id}']",
        )

    # --- the enterprise asks, on its phone -------------------------------------------------------------------------
    phone_context = new_context()
    phone_context.set_default_timeout(TIMEOUT_MS)
    phone_context.add_init_script(CSP_LISTENER)
    phone = phone_context.new_page()
    phone.set_viewport_size(PHONE)
    problems = watch(phone)
    sign_in(phone, live_client.username)
    phone.goto("/meetings/new")
    phone.get_by_label("约见部门").select_option(label="开发建设部")
    phone.get_by_label("约见事由").fill("雨污排水管网接驳时间")
    phone.get_by_role("button", name="提交约见申请").click()
    phone.wait_for_url(re.compile(r"/meetings/YJ\d+$"))
    meeting_no = phone.url.rsplit("/", 1)[-1]
    expect(phone.locator("[data-status]")).to_have_text("已申请")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling

    # --- staff contact, route and schedule it, on the tablet -------------------------------------------------------
    sign_in(page, "staff-ll")
    page.goto(f"/meetings/{meeting_no}")
    page.get_by_role("button", name="已联系企业").click()
    expect(page.locator("[data-status]")).to_have_text("已联系")
    page.get_by_role("button", name="对接部门").click()
    expect(page.locator("[data-status]")).to_have_text("已对接部门")
    page.locator(".action-schedule").locator(first_choice).check()
    page.get_by_role("button", name="约定时间").click()
    expect(page.locator("[data-status]")).to_have_text("已约定时间")
    expect(page.locator(".meeting-time")).to_contain_text(first_at.strftime("%Y-%m-%d %H:%M"))

    # --- the enterprise downloads the calendar file and moves the meeting itself ---------------------------------
    phone.goto(f"/meetings/{meeting_no}")
    event = _ics(phone).walk("VEVENT")[0]
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    phone.locator(".action-reschedule").locator(second_choice).check()
    phone.get_by_role("button", name="改期").click()
    expect(phone.locator(".meeting-time")).to_contain_text(second_at.strftime("%Y-%m-%d %H:%M"))
    expect(phone.locator(".meeting-time")).not_to_contain_text(first_at.strftime("%Y-%m-%d %H:%M"))
    moved = _ics(phone).walk("VEVENT")[0]
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == sequence + 1
    assert moved.decoded("DTSTART").replace(tzinfo=None) == second_utc

    # --- the meeting is held: minutes and one commitment ----------------------------------------------------------
    with time_machine.travel(second_utc + timedelta(minutes=40), tick=True):
        sign_in(page, "staff-ll")
        page.goto(f"/meetings/{meeting_no}")
        page.get_by_label("会谈纪要").fill("部长答复:市政管网月底完工,下月上旬可接驳。")
        page.get_by_label("承诺事项（每行一条：内容 | 承诺部门 | 期限：日期 2026-09-30 或工作日数 5）").fill(
            "协助办理接驳手续 | 开发建设部 | 5"
        )
        page.get_by_role("button", name="记录会谈纪要").click()
        expect(page.locator("[data-status]")).to_have_text("承诺跟进中")
        expect(page.locator(".commitments")).to_contain_text("协助办理接驳手续")
        expect(page.locator(".commitment-appeal")).to_contain_text("诉求 SQ")  # tracked as an appeal
    assert not problems, problems
