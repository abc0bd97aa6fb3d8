"""POST requests: the case it makes, where it shows, and every way a request is refused (never a 500)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from stations import access
from stations.cases import queries as case_queries
from stations.cases.models import Case, Channel, MaterialStatus
from stations.cases.services import INTEGRATION_ROLE, EventInput, apply_event
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.enterprises.models import Enterprise, TrustLevel
from stations.extensions import db
from stations.open311.models import Open311Submission
from tests import factories as f
from tests.helpers.open311 import (
    BASE,
    FORMATS,
    NEW_USCC,
    PDF,
    error_codes,
    errors_of,
    online_item,
    post,
    request_form,
    requests_of,
    with_all_materials,
)


def case_by_no(case_no: str) -> Case:
    return db.session.scalar(select(Case).where(Case.case_no == case_no))


def _with_a_wrong_check_character(uscc: str) -> str:
    return uscc[:-1] + ("0" if uscc[-1] != "0" else "1")


def test_round_trip_post_then_get(client, api_key):
    item = online_item()
    form = request_form(
        api_key, item, description="请尽快办理。", first_name="三", last_name="张", email="z@example.cn"
    )
    case_no = post(client, "xml", form).data.decode()
    case_no = case_no.split("<service_request_id>")[1].split("<")[0]
    row = requests_of(client.get(f"{BASE}/requests.json?service_request_id={case_no}"), "json")
    assert [r["service_request_id"] for r in row] == [case_no]
    assert row[0]["status"] == "open" and row[0]["service_code"] == item.code
    assert requests_of(client.get(f"{BASE}/requests/{case_no}.xml"), "xml")[0]["status_notes"] == "已收件"


def test_the_case_is_an_online_application_in_received(client, api_key, gd):
    item = online_item()
    form = request_form(
        api_key, item, uscc=gd.enterprise.uscc, description="备注", first_name="三", last_name="张", phone="029-1234"
    )
    case_no = post(client, "json", form).json[0]["service_request_id"]
    case = case_by_no(case_no)
    assert case.status is CaseStatus.RECEIVED and case.channel is Channel.ONLINE
    assert case.station.code == "LL" and case.enterprise_id == gd.enterprise.id
    assert case.applicant_name == "张三" and case.applicant_phone == "13800000000"
    assert case.received_by_id is None and case.note == "备注"
    assert [e.actor_role for e in case.events] == [INTEGRATION_ROLE]
    assert {m.status for m in case.materials} == {MaterialStatus.MISSING}
    submission = db.session.scalar(select(Open311Submission).where(Open311Submission.case_id == case.id))
    assert submission.first_name == "三" and submission.phone == "029-1234" and submission.description == "备注"


def test_a_filed_case_is_in_the_station_queue_and_the_enterprise_sees_it(client, api_key, gd, qn):
    item = online_item()
    case_no = post(client, "json", request_form(api_key, item, uscc=gd.enterprise.uscc)).json[0]["service_request_id"]
    queue = case_queries.case_rows(f.user("staff-ll"), case_queries.QueueFilters(), page_size=500)
    assert case_no in [case.case_no for case, _level in queue.rows]
    other_station = case_queries.case_rows(f.user("staff-qh"), case_queries.QueueFilters(), page_size=500)
    assert case_no not in [case.case_no for case, _level in other_station.rows]
    mine = db.session.scalars(access.cases_visible_to(gd.account)).all()
    assert case_no in [case.case_no for case in mine]
    assert case_no not in [c.case_no for c in db.session.scalars(access.cases_visible_to(qn.account))]


def test_the_station_queue_page_lists_it(client, api_key, login_as):
    item = online_item()
    case_no = post(client, "json", request_form(api_key, item)).json[0]["service_request_id"]
    assert case_no in login_as("staff-ll").get("/cases/").get_data(as_text=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_staff_action_shows_at_once(client, api_key, fmt):
    item = online_item()
    case_no = post(client, "json", with_all_materials(item, request_form(api_key, item))).json[0]["service_request_id"]
    case = case_by_no(case_no)
    assert {m.status for m in case.materials} == {MaterialStatus.PROVIDED}
    before = requests_of(client.get(f"{BASE}/requests/{case_no}.{fmt}"), fmt)[0]
    apply_event(
        case,
        CaseEvent.ACCEPT,
        f.user("staff-ll"),
        version=case.version,
        data=EventInput(verified_material_ids=[m.id for m in case.materials]),
    )
    db.session.commit()
    after = requests_of(client.get(f"{BASE}/requests/{case_no}.{fmt}"), fmt)[0]
    assert before["status_notes"] == "已收件" and after["status_notes"] == "已受理"
    assert after["status"] == "open"
    assert after["expected_datetime"] == f"{case.due_on.isoformat()}T17:00:00+08:00"
    withdrawn = post(client, "json", request_form(api_key, item)).json[0]["service_request_id"]
    other = case_by_no(withdrawn)
    apply_event(other, CaseEvent.WITHDRAW, f.user("staff-ll"), version=other.version)
    db.session.commit()
    row = requests_of(client.get(f"{BASE}/requests/{withdrawn}.{fmt}"), fmt)[0]
    assert row["status"] == "closed" and row["status_notes"] == "已撤件"


def test_media_is_stored_once_as_the_provided_materials(client, api_key, uploads):
    item = online_item()
    form = with_all_materials(item, request_form(api_key, item))
    first = item.materials[0]
    form[f"attribute[material_{first.code}]"] = "missing"
    case = case_by_no(post(client, "json", form, content_type="multipart/form-data").json[0]["service_request_id"])
    statuses = {m.item_material.code: m.status for m in case.materials}
    assert statuses[first.code] is MaterialStatus.MISSING
    assert {s for code, s in statuses.items() if code != first.code} == {MaterialStatus.PROVIDED}
    documents = [m.document for m in case.materials if m.document]
    assert documents and {d.trust_level for d in documents} == {TrustLevel.C}
    assert len({d.file_id for d in documents}) == 1
    assert [p.name for p in uploads.iterdir()] == [documents[0].file.storage_name]


def test_a_new_credit_code_creates_an_unverified_enterprise(client, api_key):
    item = online_item()
    form = request_form(api_key, item, uscc=NEW_USCC, **{"attribute[enterprise_name]": "新设示例有限公司"})
    case = case_by_no(post(client, "json", form).json[0]["service_request_id"])
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == NEW_USCC))
    assert case.enterprise_id == enterprise.id
    assert enterprise.is_verified is False and enterprise.name == "新设示例有限公司"
    assert enterprise.station.code == "LL" and enterprise.contact_phone == "13800000000"


def test_liberal_inputs(client, api_key, gd):
    """Lower-case station, credit code with spaces and full-width digits, the phone from the standard field,
    the station from jurisdiction_id, list-style attributes: all accepted."""
    item = online_item()
    form = request_form(api_key, item, phone="13900000000", jurisdiction_id="LL")
    del form["attribute[contact_phone]"], form["attribute[station]"]
    uscc = gd.enterprise.uscc
    form["attribute[enterprise_uscc]"] = " ９" + uscc[1:9] + " " + uscc[9:].lower()  # full-width, spaces
    form[f"attribute[material_{item.materials[0].code}][]"] = "missing"
    form["lat"] = "not a number"
    form["email"] = "x" * 1000
    response = post(client, "json", form)
    assert response.status_code == 200, response.data
    case = case_by_no(response.json[0]["service_request_id"])
    assert case.applicant_phone == "13900000000" and case.enterprise_id == gd.enterprise.id
    submission = db.session.scalar(select(Open311Submission).where(Open311Submission.case_id == case.id))
    assert submission.lat == "not a number" and len(submission.email) == 254


def test_html_is_stored_as_text_and_escaped_on_output(client, api_key, login_as):
    item = online_item()
    html = '<script>alert("x")</script><b>加急</b>'
    form = request_form(api_key, item, description=html, first_name="<i>三</i>")
    case_no = post(client, "json", form).json[0]["service_request_id"]
    assert case_by_no(case_no).note == html
    xml = client.get(f"{BASE}/requests/{case_no}.xml?api_key={api_key}")
    assert b"<script>" not in xml.data and b"&lt;script&gt;" in xml.data
    assert requests_of(xml, "xml")[0]["description"] == html  # round-trips through the XML escaping
    assert (
        requests_of(client.get(f"{BASE}/requests/{case_no}.json?api_key={api_key}"), "json")[0]["description"] == html
    )
    page = login_as("staff-ll").get(f"/cases/{case_no}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page


def test_control_characters_are_dropped(client, api_key):
    item = online_item()
    case_no = post(client, "json", request_form(api_key, item, description="a\x00b\x07c\nd")).json[0][
        "service_request_id"
    ]
    assert case_by_no(case_no).note == "abc\nd"


def test_description_and_media_url_only_for_the_client_that_filed(client, api_key):
    item = online_item()
    form = request_form(api_key, item, description="内部说明", media_url="https://example.cn/a.jpg")
    case_no = post(client, "json", form).json[0]["service_request_id"]
    public = client.get(f"{BASE}/requests/{case_no}.json").json[0]
    assert public["description"] is None and public["media_url"] is None
    from stations.open311.services import issue_key

    _other, other_key = issue_key("另一接入方")
    assert client.get(f"{BASE}/requests/{case_no}.json?api_key={other_key}").json[0]["description"] is None
    own = client.get(f"{BASE}/requests/{case_no}.json?api_key={api_key}").json[0]
    assert own["description"] == "内部说明" and own["media_url"] == "https://example.cn/a.jpg"


def test_no_personal_data_in_public_reads(client, api_key):
    item = online_item()
    form = request_form(api_key, item, first_name="三", last_name="张", email="zhang@example.cn", phone="13911112222")
    case_no = post(client, "json", form).json[0]["service_request_id"]
    case = case_by_no(case_no)
    for url in (f"/requests/{case_no}.json", f"/requests/{case_no}.xml", "/requests.json", "/requests.xml"):
        body = client.get(BASE + url).get_data(as_text=True)
        for secret in (
            case.enterprise.name,
            case.enterprise.uscc,
            "张三",
            "zhang@example.cn",
            "13911112222",
            "13800000000",
        ):
            assert secret not in body, (url, secret)


# --- refusals ----------------------------------------------------------------------------------------------------


def _without(form: dict, *names: str) -> dict:
    return {k: v for k, v in form.items() if k not in names}


BAD_FORMS = {
    "unknown service": (lambda k, i: request_form(k, i) | {"service_code": "NO-SUCH"}, 404, ["service_not_found"]),
    "offline item": (lambda k, i: request_form(k, i) | {"service_code": _offline_code()}, 404, ["service_not_found"]),
    "no service code": (lambda k, i: _without(request_form(k, i), "service_code"), 400, ["service_code_missing"]),
    "no station": (
        lambda k, i: _without(request_form(k, i), "attribute[station]"),
        400,
        ["attribute_required"],
    ),
    "unknown station": (lambda k, i: request_form(k, i, station="XX"), 400, ["attribute_invalid"]),
    "item not at the station": (
        lambda k, i: request_form(k, i) | {"service_code": _not_at_ll()},
        400,
        ["item_not_in_scope"],
    ),
    "no credit code": (
        lambda k, i: _without(request_form(k, i), "attribute[enterprise_uscc]"),
        400,
        ["attribute_required"],
    ),
    "bad check digit": (
        lambda k, i: request_form(k, i, uscc=_with_a_wrong_check_character(f.make_client().enterprise.uscc)),
        400,
        ["invalid_uscc"],
    ),
    "credit code too short": (lambda k, i: request_form(k, i, uscc="91611100"), 400, ["invalid_uscc"]),
    "new code without a name": (lambda k, i: request_form(k, i, uscc=NEW_USCC), 400, ["enterprise_name_required"]),
    "no phone": (
        lambda k, i: _without(request_form(k, i), "attribute[contact_phone]"),
        400,
        ["attribute_required"],
    ),
    "bad phone": (lambda k, i: request_form(k, i) | {"attribute[contact_phone]": "call me"}, 400, ["invalid_phone"]),
    "4,001-character description": (
        lambda k, i: request_form(k, i, description="办" * 4001),
        400,
        ["description_too_long"],
    ),
    "bad material value": (
        lambda k, i: request_form(k, i) | {f"attribute[material_{i.materials[0].code}]": "maybe"},
        400,
        ["attribute_invalid"],
    ),
    "provided without media": (
        lambda k, i: request_form(k, i) | {f"attribute[material_{i.materials[0].code}]": "provided"},
        400,
        ["media_required"],
    ),
    "station differs from jurisdiction": (
        lambda k, i: request_form(k, i, jurisdiction_id="QH"),
        400,
        ["station_mismatch"],
    ),
    "unknown jurisdiction": (
        lambda k, i: request_form(k, i, jurisdiction_id="beijing"),
        404,
        ["jurisdiction_not_found"],
    ),
    "everything wrong at once": (
        lambda k, i: {"api_key": k, "service_code": i.code, "description": "x" * 4001},
        400,
        ["attribute_required", "attribute_required", "attribute_required", "description_too_long"],
    ),
}


def _not_at_ll() -> str:
    """An Open311 service that LL does not take in (the centre offers more items than a station)."""
    from stations.open311 import queries

    at_ll = {i.code for i in queries.online_services(f.station("LL"))}
    return next(i.code for i in queries.online_services() if i.code not in at_ll)


def _offline_code() -> str:
    from stations.catalog.models import OnlineMode, ServiceItem

    return db.session.scalar(select(ServiceItem.code).where(ServiceItem.online_mode == OnlineMode.OFFLINE).limit(1))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(BAD_FORMS))
def test_bad_requests_are_refused_with_the_spec_error_list(client, api_key, name, fmt):
    make, status, codes = BAD_FORMS[name]
    item = online_item()
    before = db.session.scalar(select(db.func.count(Case.id)))
    response = post(client, fmt, make(api_key, item))
    assert response.status_code == status, response.data
    assert error_codes(response, fmt) == codes
    assert all(description for _code, description in errors_of(response, fmt))
    assert db.session.scalar(select(db.func.count(Case.id))) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_wrong_or_revoked_api_key_is_403(client, api_key, fmt):
    item = online_item()
    form = request_form(api_key, item)
    assert error_codes(post(client, fmt, _without(form, "api_key")), fmt) == ["api_key_missing"]
    assert error_codes(post(client, fmt, form | {"api_key": ""}), fmt) == ["api_key_missing"]
    wrong = post(client, fmt, form | {"api_key": "o311_wrong"})
    assert wrong.status_code == 403 and error_codes(wrong, fmt) == ["api_key_invalid"]
    from stations.open311 import queries, services

    services.revoke_key(queries.find_key(api_key))
    revoked = post(client, fmt, form)
    assert revoked.status_code == 403 and error_codes(revoked, fmt) == ["api_key_invalid"]


def test_api_key_in_the_query_string_is_accepted(client, api_key):
    item = online_item()
    form = _without(request_form(api_key, item), "api_key")
    response = client.post(f"{BASE}/requests.json?api_key={api_key}&jurisdiction_id=jinghe", data=form)
    assert response.status_code == 200


MEDIA = {
    "oversize": (b"%PDF-" + b"0" * (10 * 1024 * 1024), "media_too_large"),
    "wrong type": (b"<html><script>alert(1)</script></html>", "media_unsupported_type"),
    "broken image": (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "media_image_unreadable"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(MEDIA))
def test_bad_media_is_refused(client, api_key, uploads, name, fmt):
    data, code = MEDIA[name]
    item = online_item()
    form = with_all_materials(item, request_form(api_key, item), data=data, filename="a.pdf")
    response = post(client, fmt, form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert error_codes(response, fmt) == [code]
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_body_over_the_request_limit_is_a_400_error_list(client, api_key):
    item = online_item()
    form = request_form(api_key, item) | {"media": (io.BytesIO(PDF + b"0" * (12 * 1024 * 1024)), "big.pdf")}
    response = post(client, "json", form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert error_codes(response, "json") == ["request_too_large"]
