"""Errors where the eye is (issue 19, item 2): one error summary macro at the top of the failing form, linked to each
field, used by the 422 answers of intake, material supply, 容缺受理 and the document store; the user's choices kept.
"""

from __future__ import annotations

import re
from io import BytesIO

from flask import Flask, render_template_string
from wtforms import Form, HiddenField, StringField
from wtforms.validators import InputRequired

from stations.cases.models import MaterialStatus
from stations.domain.case_vocabulary import CaseEvent
from stations.web.error_summary import form_entries, summary_entries
from tests import factories as f
from tests.bundles.test_pages import _apply_data as bundle_apply_data
from tests.cases.test_intake import intake_data, post_intake
from tests.enterprises.test_apply import application
from tests.enterprises.test_apply import post as post_application
from tests.helpers.cases import fire, text, token
from tests.helpers.enterprises import offered_item, stored_document
from tests.helpers.meetings import token as meeting_token
from tests.helpers.suite import htmx_headers
from tests.takeout.test_pages import _order_form as takeout_order_form

MACRO = '{% from "macros/forms.html" import error_summary %}{{ error_summary(errors) }}'


def _summary(html: str) -> str:
    """The error summary's markup (the test fails if there is none, or more than one)."""
    found = re.findall(r'<div class="error-summary".*?</div>', html, flags=re.S)
    assert len(found) == 1, f"expected one error summary, found {len(found)}"
    return found[0]


def _form_starting_with_summary(html: str, form_class: str, action: str = "") -> str:
    """The markup of the form with ``form_class`` (and ``action``), which must open with the error summary."""
    form = re.search(rf'<form[^>]*action="[^"]*{action}"[^>]*class="{form_class}"[^>]*>(.*?)</form>', html, flags=re.S)
    assert form, f"no form {form_class} {action}"
    assert form.group(1).lstrip().startswith('<div class="error-summary"'), "the summary must open the failing form"
    return form.group(1)


def test_macro_links_each_message_to_its_field_and_takes_focus(app: Flask):
    with app.test_request_context():
        html = render_template_string(MACRO, errors=[("applicant-name", "请填写经办人"), (None, "请选择办理事项。")])
    summary = _summary(html)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary  # announced, and focusable by app.js
    assert '<a href="#applicant-name">请填写经办人</a>' in summary
    assert "<li>请选择办理事项。</li>" in summary  # no field to link to: plain text, not a dead link
    assert "未能提交，请处理以下问题：" in summary


def test_macro_renders_nothing_without_errors(app: Flask):
    with app.test_request_context():
        assert render_template_string(MACRO, errors=[]).strip() == ""


def test_form_entries_link_visible_fields_only():
    class Sample(Form):
        name = StringField(validators=[InputRequired(message="必填")])
        token = HiddenField(validators=[InputRequired(message="页面已过期")])
        phone = StringField()

    form = Sample()
    assert not form.validate()
    assert form_entries(form) == [("name", "必填"), (None, "页面已过期")]
    assert summary_entries(["整体问题"], [("f1", "材料问题")], form) == [
        (None, "整体问题"),
        ("f1", "材料问题"),
        ("name", "必填"),
        (None, "页面已过期"),
    ]


def test_intake_422_puts_the_summary_at_the_top_of_the_form(login_as):
    item = f.item(station_code="LL", instant=False)
    client = login_as("staff-ll")
    data = intake_data(client, item=item, applicant_name="")
    data[f"m{item.materials[0].id}"] = "doc:999999"  # not one of the enterprise's documents: that row is in error
    response = post_intake(client, data)
    assert response.status_code == 422
    body = text(response)
    summary = _summary(_form_starting_with_summary(body, "intake-form"))
    assert '<a href="#applicant-name">' in summary
    assert f'<a href="#f{item.materials[0].id}">{item.materials[0].name}：' in summary
    assert 'class="notice notice-danger"' not in body  # not a second copy at the top of the page, out of view
    assert 'value="13900001111"' in body  # what was typed is kept


def test_document_store_422_links_to_the_file_field(login_as, gd):
    client = login_as(gd.username)
    response = client.post(
        "/enterprise/documents", data={"csrf_token": token(client), "material_name": "营业执照"}, follow_redirects=False
    )
    assert response.status_code == 422
    summary = _summary(_form_starting_with_summary(text(response), "document-form"))
    assert '<a href="#document-file">' in summary


def test_material_supply_422_keeps_the_library_choice(login_as, uploads, gd):
    case = fire(f.make_case(enterprise=gd.enterprise, materials="missing"), CaseEvent.REQUEST_CORRECTION, note="请补交")
    material = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
    document = stored_document(material.item_material.name, owner=gd)
    client = login_as(gd.username)
    key = f"m{material.id}"
    page = text(client.get(f"/cases/{case.case_no}"))
    assert f'<option value="{document.id}" selected>' in page  # the store's copy is offered first

    # The applicant chose "不使用材料库" and forgot the photo: 422 in place, the choice as they left it.
    response = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "document_id": ""},
        headers=htmx_headers("case-panel"),
    )
    assert response.status_code == 422
    body = text(response)
    summary = _summary(body)
    assert f'<a href="#supply-doc-{key}">请从材料库中选择一份材料' in summary
    select = re.search(rf'<select[^>]*id="supply-doc-{key}".*?</select>', body, flags=re.S).group(0)
    assert '<option value="" selected>' in select
    assert f'<option value="{document.id}" selected>' not in select  # a second tap must not send the store's copy
    assert 'class="notice notice-danger"' not in body
    assert re.search(
        rf'<details class="action-card" open>\s*<summary class="btn">[^<]*<span[^>]*> {material.item_material.name}',
        body,
    )

    # A file that is refused keeps the library choice the applicant made, too.
    bad = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "document_id": str(document.id), "file": (BytesIO(b"not a pdf"), "x.pdf")},
        content_type="multipart/form-data",
        headers=htmx_headers("case-panel"),
    )
    assert bad.status_code == 422
    assert f'<option value="{document.id}" selected>' in text(bad)


def test_rongque_acceptance_without_commitment_shows_the_summary_in_its_form(login_as):
    case = f.make_case(rongque=True, materials="missing_minor")
    client = login_as("staff-ll")
    event = CaseEvent.ACCEPT_WITH_DEFICIENCY.value
    assert f"/events/{event}" in text(client.get(f"/cases/{case.case_no}")), "the case offers 容缺受理"
    response = client.post(
        f"/cases/{case.case_no}/events/{event}",
        data={"csrf_token": token(client), "version": str(case.version)},
        headers=htmx_headers("case-panel"),
    )
    assert response.status_code == 422
    body = text(response)
    summary = _summary(_form_starting_with_summary(body, "action-form", f"/events/{event}"))
    assert f'<a href="#{event}-commitment">' in summary
    assert 'class="notice notice-danger"' not in body


def test_a_refusal_without_a_form_on_the_page_stays_on_top(login_as, uploads, gd):
    case = fire(f.make_case(enterprise=gd.enterprise, materials="missing"), CaseEvent.REQUEST_CORRECTION, note="请补交")
    material = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
    document = stored_document(material.item_material.name, owner=gd)
    client = login_as(gd.username)
    url = f"/cases/{case.case_no}/materials/{material.id}/supply"
    assert client.post(url, data={"csrf_token": token(client), "document_id": str(document.id)}).status_code == 303
    again = client.post(url, data={"csrf_token": token(client), "document_id": str(document.id)})
    assert again.status_code == 422
    body = text(again)
    assert 'class="notice notice-danger" role="alert"' in body and "无需补交" in body
    assert 'class="error-summary"' not in body


def test_online_application_422_lists_fields_and_materials_at_the_top_of_its_form(login_as, uploads, gd):
    item = offered_item("LL", online=True)
    client = login_as(gd.username)
    data = application(client, item, station="LL", applicant_name="")
    data[f"f{item.materials[0].id}"] = (BytesIO(b"not a pdf"), "x.pdf")
    response = post_application(client, data)
    assert response.status_code == 422
    body = text(response)
    summary = _summary(_form_starting_with_summary(body, "intake-form"))
    assert f'<a href="#f{item.materials[0].id}">{item.materials[0].name}：' in summary
    assert re.search(r'<a href="#[a-z-]*name">', summary), "the applicant's name is linked"
    assert 'class="notice notice-danger"' not in body


def test_meeting_request_422_opens_its_form_with_the_summary(login_as, gd):
    client = login_as(gd.username)
    form = {"csrf_token": meeting_token(client, "/meetings/new"), "kind": "MEET", "topic": "", "preferred_dates": ""}
    response = client.post("/meetings/new", data=form)
    assert response.status_code == 422
    summary = _summary(_form_starting_with_summary(text(response), "card meeting-form"))
    assert re.search(r'<a href="#[a-z_-]*topic[a-z_-]*">', summary), "the missing topic is linked to its field"


def test_takeout_order_422_links_each_error_to_where_it_is_fixed(login_as, gd):
    client = login_as(gd.username)
    no_address = client.post("/takeout/new", data=takeout_order_form(client, address=""))
    assert no_address.status_code == 422
    summary = _summary(_form_starting_with_summary(text(no_address), "card order-form"))
    assert re.search(r'<a href="#[a-z-]*address">', summary), "the missing address is linked to its field"
    no_service = client.post("/takeout/new", data=takeout_order_form(client, lines=[], submission_key="order-form-2"))
    assert no_service.status_code == 422
    summary = _summary(_form_starting_with_summary(text(no_service), "card order-form"))
    assert '<a href="#menu-q">' in summary  # the services are chosen through the menu's search


def test_bundle_application_422_opens_its_form_with_the_summary(login_as, uploads):
    client = login_as("staff-ll")
    data = bundle_apply_data(client, "XC-QYKB", enterprise_uscc="91611100MA6XGD0000")
    response = client.post("/bundles/XC-QYKB/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    summary = _summary(_form_starting_with_summary(text(response), "card", "/bundles/XC-QYKB/apply"))
    assert "<li>统一社会信用代码无效" in summary  # the service's refusal, about the whole form
    assert 'class="notice notice-danger"' not in text(response)
