"""Errors where the eye is (issue 19, item 2), in the browser: after a 422 the failing form's error summary is in
view and has the focus (a phone for the enterprise's material supply, the tablet for the intake), its link focuses
the field, and the choices the user made are still there.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from stations.cases.models import MaterialStatus
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from tests import factories as f
from tests.helpers.browser import LiveClient
from tests.helpers.cases import fire
from tests.helpers.enterprises import stored_document

PHONE = {"width": 390, "height": 844}


def _summary_has_focus_in_view(page: Page) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    box, height = summary.bounding_box(), page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height, f"the summary is at y={box}, outside the {height} px screen"


@pytest.mark.browser
def test_material_supply_error_is_focused_in_view_on_a_phone(
    login, live_app: Flask, live_client: LiveClient, expected_http_errors: set[int]
):
    expected_http_errors.add(422)
    with live_app.app_context():
        owner = live_client.loaded()
        case = fire(
            f.make_case(materials="missing", enterprise=owner.enterprise),
            CaseEvent.REQUEST_CORRECTION,
            note="请补交清晰的扫描件",
        )
        material = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
        document = stored_document(material.item_material.name, owner=owner)
        case_no, material_id, name, document_id = case.case_no, material.id, material.item_material.name, document.id
        db.session.commit()
    page = login(live_client.username)
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{case_no}")
    page.evaluate("window.__marker = 1")
    page.locator("summary", has_text=f"补交材料 {name}").click()
    library = page.locator(f"#supply-doc-m{material_id}")
    expect(library).to_have_value(str(document_id))  # the store's copy is offered first
    library.select_option("")  # 不使用材料库 ... and no photo taken
    with page.expect_response(lambda r: r.request.method == "POST" and "/supply" in r.url) as info:
        page.get_by_role("button", name="提交补交材料").first.click()
    assert info.value.status == 422

    _summary_has_focus_in_view(page)
    expect(page.locator(".error-summary")).to_contain_text("请从材料库中选择一份材料")
    expect(page.locator(f"#supply-doc-m{material_id}")).to_have_value("")  # the choice kept, not reset to the store
    assert page.evaluate("window.__marker") == 1, "the panel was swapped in place, not a new page"
    page.locator(".error-summary a").click()
    expect(page.locator(f"#supply-doc-m{material_id}")).to_be_focused()


@pytest.mark.browser
def test_intake_error_is_focused_in_view_on_the_tablet(
    login, live_app: Flask, live_client: LiveClient, expected_http_errors: set[int]
):
    expected_http_errors.add(422)
    enterprise_id = live_client.enterprise_id
    with live_app.app_context():
        item = f.item(station_code="LL", instant=False)
        code = item.code
        db.session.commit()
    page = login("staff-ll")
    page.goto(f"/cases/new?enterprise={enterprise_id}&item={code}")
    page.locator("#applicant-name").fill("王经办")
    page.locator("#applicant-phone").fill("电话")  # not a phone number: only the server says so
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/cases/new")) as info:
        page.get_by_role("button", name="仅收件（稍后受理）").click()
    assert info.value.status == 422

    _summary_has_focus_in_view(page)
    link = page.locator(".error-summary a[href='#applicant-phone']")
    expect(link).to_have_count(1)
    expect(page.locator("#applicant-name")).to_have_value("王经办")  # what was typed is kept
    link.click()
    expect(page.locator("#applicant-phone")).to_be_focused()
