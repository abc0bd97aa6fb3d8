"""The case page: what it shows, its actions (plain, htmx), refusals (422), conflicts (409), files, the receipt."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from stations.cases.models import Case, CaseEventRecord
from stations.domain.case_vocabulary import CaseStatus
from stations.domain.deficiency_flow import DeficiencyStatus
from stations.extensions import db
from tests import factories as f
from tests.helpers.cases import (
    PDF,
    accepted_case,
    case_with_file,
    overdue_case,
    post_event,
    rongque_case,
    text,
    token,
)
from tests.helpers.suite import htmx_headers

ACTION_RE = re.compile(r'action="/cases/[A-Z0-9]+/events/([a-z_]+)"')


def event_count(case) -> int:
    return db.session.scalar(select(func.count(CaseEventRecord.id)).where(CaseEventRecord.case_id == case.id))


def fresh(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


# --- what the page shows ----------------------------------------------------------------------------------------


def test_case_page_shows_the_case_and_only_the_actions_this_user_can_fire(login_as):
    case = f.make_case()
    response = login_as("staff-ll").get(f"/cases/{case.case_no}")
    body = text(response)
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert case.case_no in body and "已收件" in body
    assert case.item.name in body and case.enterprise.name in body and case.station.name in body
    assert "办事专员 张丽" in body  # the client's clerk (clerk-ll)
    assert case.query_code in body
    assert "受理后计时" in body  # no deadline before acceptance
    # RECEIVED, staff: withdraw, accept, request_correction, refuse; never start_review or issue. The item is on
    # the demo partner GL's agreement list (stations/crossregion/demo_partners.py), so it can also be forwarded.
    actions = set(ACTION_RE.findall(body))
    assert actions == {"withdraw", "accept", "request_correction", "refuse", "forward"}
    assert 'name="version" value="1"' in body
    assert "收件" in body and "新建 → 已收件" in body  # the timeline in plain words
    assert "两链驿站 王敏" in body  # who took it in


def test_deadline_countdown_and_colour_after_acceptance(login_as):
    case = accepted_case()
    body = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert case.due_on.isoformat() in body
    assert re.search(r"剩 \d+ 个工作日|今日到期", body)
    assert "badge badge-GREEN" in body or "badge badge-YELLOW" in body
    assert set(ACTION_RE.findall(body)) >= {"start_review"}


def test_overdue_case_is_red_with_days_overdue(login_as):
    case = overdue_case()
    body = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert "badge badge-RED" in body and "超期" in body
    assert re.search(r"已超期 \d+ 个工作日", body)
    assert set(ACTION_RE.findall(body)) == {"request_correction", "decide_approve", "decide_reject", "start_special"}


def test_central_office_reads_the_case_but_gets_no_actions_and_no_query_code(login_as):
    case = f.make_case()
    body = text(login_as("central").get(f"/cases/{case.case_no}"))
    assert case.case_no in body
    assert not ACTION_RE.findall(body)
    assert case.query_code not in body
    assert "当前没有您可以执行的办理操作" in body


def test_enterprise_sees_its_own_case_and_may_withdraw_it(login_as, gd):
    case = f.make_case(enterprise=gd.enterprise)
    body = text(login_as(gd.username).get(f"/cases/{case.case_no}"))
    assert set(ACTION_RE.findall(body)) == {"withdraw"}


def test_case_panel_fragment_for_htmx_and_full_page_otherwise(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    fragment = client.get(f"/cases/{case.case_no}", headers=htmx_headers("case-panel"))
    assert fragment.status_code == 200
    assert "<html" not in text(fragment) and "<h1" not in text(fragment)
    assert "已收件" in text(fragment)
    assert {"HX-Request", "HX-Target"} <= set(fragment.headers["Vary"].replace(" ", "").split(","))
    boosted = client.get(f"/cases/{case.case_no}", headers=htmx_headers("case-panel", **{"HX-Boosted": "true"}))
    assert "<html" in text(boosted)
    assert "<html" in text(client.get(f"/cases/{case.case_no}"))


def test_accept_offers_to_tick_materials_handed_in_but_not_checked(login_as, uploads):
    case, _stored = case_with_file()
    case.materials[0].status = "PROVIDED"  # handed in, not yet checked (e.g. an applicant's own upload)
    db.session.commit()
    body = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert "accept" in ACTION_RE.findall(body)
    assert f'name="verified_material_ids" value="{case.materials[0].id}"' in body


def test_accept_verifies_the_ticked_materials(login_as, uploads):
    case, _stored = case_with_file()
    case.materials[0].status = "PROVIDED"
    db.session.commit()
    client = login_as("staff-ll")
    unticked = post_event(client, case, "accept")
    assert unticked.status_code == 422 and "必要材料尚未全部核验" in text(unticked)
    bad = post_event(client, case, "accept", verified_material_ids="abc")
    assert bad.status_code == 422 and "提交的内容有误" in text(bad)
    ticked = post_event(client, case, "accept", verified_material_ids=str(case.materials[0].id))
    assert ticked.status_code == 303
    case = fresh(case)
    assert case.status is CaseStatus.ACCEPTED and case.materials[0].status.value == "VERIFIED"


# --- actions ----------------------------------------------------------------------------------------------------


def test_plain_post_fires_the_event_and_redirects_back(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = post_event(client, case, "accept", next="/cases/?status=RECEIVED")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cases/?status=RECEIVED")
    case = fresh(case)
    assert case.status is CaseStatus.ACCEPTED and case.due_on is not None and case.version == 2


def test_next_must_be_a_local_path(login_as):
    case = f.make_case()
    response = post_event(login_as("staff-ll"), case, "accept", next="//evil.example/x")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.case_no}")


def test_htmx_post_aimed_at_the_panel_returns_the_fresh_panel_and_an_event(login_as):
    case = f.make_case()
    response = post_event(login_as("staff-ll"), case, "accept", headers=htmx_headers("case-panel"))
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body and "已受理" in body
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["case-updated"] == {"id": case.id, "case_no": case.case_no, "status": "ACCEPTED", "version": 2}


@pytest.mark.parametrize(
    ("event", "data", "message"),
    [
        ("issue", {}, "该办件当前状态下不能执行此操作"),  # out of order
        ("start_review", {}, "该办件当前状态下不能执行此操作"),
        ("refuse", {"reason": "  "}, "请填写理由"),  # guard: a reason is required
        ("accept_with_deficiency", {"commitment_signed": "y"}, "无需容缺受理"),  # nothing is missing
        ("request_correction", {"note": ""}, "请一次性列明需要补正的全部内容"),
        ("recall", {}, "该办件当前状态下不能执行此操作"),
    ],
)
def test_refused_events_answer_422_with_a_message_and_change_nothing(login_as, event, data, message):
    case = f.make_case(rongque=True)
    before = event_count(case)
    client = login_as("staff-ll")
    for headers in ({}, htmx_headers("case-panel")):
        response = post_event(client, case, event, headers=headers, **data)
        assert response.status_code == 422, event
        assert message in text(response)
    case = fresh(case)
    assert case.status is CaseStatus.RECEIVED and case.version == 1
    assert event_count(case) == before


def test_an_event_of_another_role_is_422(login_as):
    case = accepted_case()
    response = post_event(login_as("staff-ll"), case, "recall")  # the applicant's event, not the staff's
    assert response.status_code == 422 and "您不能对该办件执行此操作" in text(response)
    assert fresh(case).status is CaseStatus.ACCEPTED


def test_accept_with_deficiency_needs_the_signed_commitment(login_as):
    case = f.make_case(rongque=True, materials="missing_minor")
    client = login_as("staff-ll")
    refused = post_event(client, case, "accept_with_deficiency")
    assert refused.status_code == 422 and "承诺书" in text(refused)
    done = post_event(client, case, "accept_with_deficiency", commitment_signed="y")
    assert done.status_code == 303
    case = fresh(case)
    assert case.is_rongque and case.deficiencies
    body = text(client.get(f"/cases/{case.case_no}"))
    assert "容缺材料" in body and case.deficiencies[0].notice_no in body


def test_missing_or_bad_version_is_422_not_500(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = client.post(f"/cases/{case.case_no}/events/accept", data={"csrf_token": token(client), "version": "x"})
    assert response.status_code == 422 and "页面已过期" in text(response)
    assert fresh(case).status is CaseStatus.RECEIVED


def test_unknown_event_is_404(login_as):
    case = f.make_case()
    assert post_event(login_as("staff-ll"), case, "launch_rocket").status_code == 404


def test_deliver_records_the_delivery_mode(login_as):
    case = overdue_case()
    client = login_as("staff-ll")
    for event in ("decide_approve", "issue"):
        assert post_event(client, fresh(case), event).status_code == 303
    bad = post_event(client, fresh(case), "deliver", delivery_mode="CARRIER_PIGEON")
    assert bad.status_code == 422 and "请选择送达方式" in text(bad)
    assert post_event(client, fresh(case), "deliver", delivery_mode="POST").status_code == 303
    case = fresh(case)
    assert case.status is CaseStatus.DELIVERED and case.delivery_mode == "POST"
    assert "邮寄" in text(client.get(f"/cases/{case.case_no}"))


def test_decide_reject_needs_reasons(login_as):
    case = overdue_case()
    client = login_as("staff-ll")
    assert post_event(client, case, "decide_reject").status_code == 422
    response = post_event(client, fresh(case), "decide_reject", note="不符合条件;可申请行政复议")
    assert response.status_code == 303
    assert fresh(case).status is CaseStatus.REJECTED


# --- two tablets, one case: 409 ---------------------------------------------------------------------------------


def test_second_tablet_with_a_stale_version_gets_409_and_the_fresh_case(login_as):
    case = f.make_case()
    first, second = login_as("staff-ll"), login_as("staff-ll")
    assert post_event(first, case, "accept", version=1).status_code == 303
    response = post_event(second, case, "accept", version=1)
    body = text(response)
    assert response.status_code == 409
    assert "已被他人更新" in body and "已受理" in body and 'name="version" value="2"' in body
    case = fresh(case)
    assert case.version == 2 and event_count(case) == 2  # receive + one accept: no lost or double update


def test_stale_version_for_the_panel_is_a_409_fragment(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    post_event(client, case, "accept", version=1)
    response = post_event(client, case, "refuse", version=1, reason="重复申请", headers=htmx_headers("case-panel"))
    assert response.status_code == 409
    assert "<html" not in text(response) and "已被他人更新" in text(response)
    assert fresh(case).status is CaseStatus.ACCEPTED


# --- 容缺 items -------------------------------------------------------------------------------------------------


def test_supply_by_upload_then_verify_then_approve(login_as, uploads):
    case = rongque_case()
    deficiency = case.deficiencies[0]
    client = login_as("staff-ll")
    url = f"/cases/{case.case_no}/deficiencies/{deficiency.id}"
    supplied = client.post(
        f"{url}/supply",
        data={"csrf_token": token(client), "file": (BytesIO(PDF), "承诺材料.pdf")},
        content_type="multipart/form-data",
        headers=htmx_headers("case-panel"),
    )
    assert supplied.status_code == 200, text(supplied)
    assert "已补交" in text(supplied)
    assert list(uploads.iterdir())  # stored under the temporary upload root
    assert client.post(f"{url}/verify", data={"csrf_token": token(client)}).status_code == 303
    db.session.expire_all()
    assert all(d.status is DeficiencyStatus.VERIFIED for d in fresh(case).deficiencies[:1])


def test_supply_without_file_or_document_is_422(login_as):
    case = rongque_case()
    client = login_as("staff-ll")
    url = f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/supply"
    response = client.post(url, data={"csrf_token": token(client)})
    assert response.status_code == 422 and "请拍照或选择文件" in text(response)


def test_verify_before_supply_is_422(login_as):
    case = rongque_case()
    client = login_as("staff-ll")
    url = f"/cases/{case.case_no}/deficiencies/{case.deficiencies[0].id}/verify"
    response = client.post(url, data={"csrf_token": token(client)})
    assert response.status_code == 422 and "当前状态下不能执行此操作" in text(response)


def test_deficiency_of_another_case_is_404(login_as):
    case, other = rongque_case(), rongque_case()
    client = login_as("staff-ll")
    url = f"/cases/{case.case_no}/deficiencies/{other.deficiencies[0].id}/verify"
    assert client.post(url, data={"csrf_token": token(client)}).status_code == 404


# --- files ------------------------------------------------------------------------------------------------------


def test_material_file_is_served_as_an_attachment_to_those_who_see_the_case(login_as, uploads):
    case, stored = case_with_file()
    client = login_as("staff-ll")
    page = text(client.get(f"/cases/{case.case_no}"))
    assert f"/cases/{case.case_no}/files/{stored.id}" in page
    response = client.get(f"/cases/{case.case_no}/files/{stored.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")


def test_a_file_of_another_case_is_404_through_this_case(login_as, uploads):
    case, _mine = case_with_file()
    _other_case, theirs = case_with_file("别的.pdf")
    client = login_as("staff-ll")
    assert client.get(f"/cases/{case.case_no}/files/{theirs.id}").status_code == 404
    assert client.get(f"/cases/{case.case_no}/files/999999").status_code == 404


# --- receipt ----------------------------------------------------------------------------------------------------


def test_receipt_has_the_query_code_a_qr_svg_and_a_print_button(login_as):
    case = accepted_case()
    response = login_as("staff-ll").get(f"/cases/{case.case_no}/receipt")
    body = text(response)
    assert response.status_code == 200
    assert "受理回执" in body and case.query_code in body and case.case_no in body
    assert "<svg" in body and 'class="qr-code"' in body
    assert f"/track?case_no={case.case_no}&amp;code={case.query_code}" in body
    assert "data-print" in body and "onclick" not in body
    assert case.due_on.isoformat() in body
    assert "<script" not in body.split("</head>", 1)[1]  # nothing inline: the CSP would block it


def test_receipt_is_not_for_the_read_only_central_office(login_as, gd):
    case = f.make_case(enterprise=gd.enterprise)
    assert login_as("central").get(f"/cases/{case.case_no}/receipt").status_code == 403
    assert login_as(gd.username).get(f"/cases/{case.case_no}/receipt").status_code == 200
