"""Cross-region cases end to end inside one app (domain.md §3.1): real case states on both paths.

Intake site: staff forward a checked case from the queue or the case page; the partner's signed messages move
our case (FORWARDED → PARTNER_SIGNED → ISSUED / REJECTED / REFUSED) and the result is delivered here.
Handling site: a forward message creates a RECEIVED case with channel XR_INBOUND at the service centre; it is
signed for before anything else, and every change our staff make is queued for the intake site.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from stations.cases.models import Case, CaseEventRecord, Channel, MaterialStatus
from stations.catalog.models import ServiceItem
from stations.crossregion.models import (
    InboxMessage,
    MessageKind,
    OutboxMessage,
    PartnerItem,
    PartnerRegion,
    Transfer,
    TransferDirection,
)
from stations.domain.case_vocabulary import CaseStatus
from stations.enterprises.models import Enterprise
from stations.extensions import db
from stations.notifications.models import Notification, NotificationKind
from tests import factories
from tests.helpers.crossregion import CREDIT_CODE, XR_ITEM_CODE, forward_payload, message, signed_post
from tests.helpers.suite import csrf_token_from, htmx_headers


@pytest.fixture
def outbound_item() -> ServiceItem:
    """An item LL accepts that no reachable demo partner handles (so PX alone handles it once agreed)."""
    return factories.item_without_reachable_partner("LL")


@pytest.fixture
def agreement(partner: PartnerRegion, outbound_item: ServiceItem) -> PartnerItem:
    """PX handles that item under its own code."""
    row = PartnerItem(
        partner_id=partner.id, local_item_id=outbound_item.id, partner_item_code="PX-SB-5", partner_item_name="示例"
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def checked_case(outbound_item):
    """checked_case(**kwargs): a RECEIVED case at LL of the outbound item, every required material verified."""

    def make(**kwargs) -> Case:
        case = factories.make_case(item_obj=outbound_item, **kwargs)
        db.session.commit()
        return case

    return make


def outbox_rows(kind: MessageKind | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.seq)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Materials that arrive with a forward are stored under a temporary directory, not instance/."""
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


def post_event(client, case: Case, event: str, *, headers=None, **fields):
    form = {"csrf_token": csrf_token_from(client, "/account/password"), "version": case.version, **fields}
    return client.post(f"/cases/{case.case_no}/events/{event}", data=form, headers=headers or {})


# --- intake site ---------------------------------------------------------------------------------------------


def test_the_intake_screen_names_the_partners_for_the_chosen_item(client, login_as, partner, outbound_item):
    client = login_as("staff-ll")
    url = f"/cases/new?item={outbound_item.code}"
    assert "可跨区通办" not in client.get(url).get_data(as_text=True)
    db.session.add(
        PartnerItem(
            partner_id=partner.id, local_item_id=outbound_item.id, partner_item_code="PX-1", partner_item_name="示例"
        )
    )
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "可跨区通办" in page and "测试合作区" in page


def queue_row(client, case: Case) -> str:
    queue = client.get("/cases/").get_data(as_text=True)
    row = queue[queue.index(f'id="case-row-{case.id}"') :]
    return row[: row.index("</tr>")]


def test_intake_for_a_partner_district_records_the_choice(client, login_as, agreement, outbound_item):
    from tests.cases.test_intake import intake_data, post_intake

    enterprise = factories.make_enterprise(station_code="LL")
    client = login_as("staff-ll")
    page = client.get(f"/cases/new?enterprise={enterprise.id}&item={outbound_item.code}")
    assert 'name="xr_partner" value="PX"' in page.get_data(as_text=True)
    data = intake_data(client, item=outbound_item, enterprise=enterprise)
    response = post_intake(client, {**data, "xr_partner": "PX"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    case = db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
    assert case.xr_partner_code == "PX" and case.status is CaseStatus.RECEIVED

    refused = post_intake(client, {**data, "xr_partner": "ZZ"})
    assert refused.status_code == 422
    assert "暂不能接收" in refused.get_data(as_text=True)


def test_only_a_case_taken_in_for_a_partner_gets_the_one_tap_forward(client, login_as, agreement, checked_case):
    local = checked_case()
    client = login_as("staff-ll")
    row = queue_row(client, local)
    assert "转测试合作区办理" not in row and "更多办理" in row  # forwarding it is a decision for its page


def test_the_queue_row_forwards_to_the_one_partner(client, login_as, agreement, partner, checked_case):
    case = checked_case()
    case.xr_partner_code = "PX"  # taken in for PX
    db.session.commit()
    client = login_as("staff-ll")
    row = queue_row(client, case)
    assert "转测试合作区办理" in row and 'name="partner_code" value="PX"' in row

    response = post_event(client, case, "forward", partner_code="PX", next="/cases/")
    assert response.status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.status, case.channel) == (CaseStatus.FORWARDED, Channel.XR_OUTBOUND)
    transfer = db.session.scalar(select(Transfer).where(Transfer.case_id == case.id))
    assert (transfer.direction, transfer.state, transfer.partner_id) == (
        TransferDirection.OUTBOUND,
        "FORWARDED",
        partner.id,
    )
    [forward] = outbox_rows(MessageKind.FORWARD)
    assert forward.payload["case_no"] == case.case_no
    assert forward.payload["item_code"] == "PX-SB-5"  # the partner's code from the agreement's list
    assert forward.payload["enterprise"]["credit_code"] == case.enterprise.uscc


def test_the_row_forward_answers_with_the_updated_row(client, login_as, agreement, checked_case):
    case = checked_case()
    client = login_as("staff-ll")
    response = post_event(
        client, case, "forward", partner_code="PX", next="/cases/", headers=htmx_headers(f"case-row-{case.id}")
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="case-row-{case.id}"' in body and "已流转" in body
    assert "case-updated" in response.headers.get("HX-Trigger", "")


def test_the_case_page_offers_forward_with_the_partner_choice(client, login_as, agreement, checked_case):
    case = checked_case()
    client = login_as("staff-ll")
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "转外区办理" in page
    assert re.search(r'name="partner_code" value="PX"[^>]*checked', page)


def test_forward_sends_the_materials_with_their_digests(client, login_as, agreement, app, checked_case):
    from stations.cases.services import EventInput, apply_event
    from stations.enterprises.models import Document
    from stations.uploads.storage import store_bytes

    case = checked_case()
    content = b"%PDF-1.4\nsocial security card form"
    stored = store_bytes(content, "application/pdf", "form.pdf", enterprise_id=case.enterprise_id, user_id=None)
    document = Document(enterprise_id=case.enterprise_id, material_name="申请表", file_id=stored.id)
    db.session.add(document)
    db.session.flush()
    case.materials[0].document_id = document.id
    db.session.flush()
    apply_event(case, factories_event("forward"), factories.user("staff-ll"), version=None, data=EventInput())
    [forward] = outbox_rows(MessageKind.FORWARD)
    [material] = forward.payload["materials"]
    assert material["sha256"] == hashlib.sha256(content).hexdigest()
    assert base64.b64decode(material["content"]) == content


def factories_event(name: str):
    from stations.domain.case_vocabulary import CaseEvent

    return CaseEvent(name)


def test_no_partner_for_the_item_means_no_forward(client, login_as, checked_case):
    case = checked_case()
    client = login_as("staff-ll")
    assert "转外区办理" not in client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    response = post_event(client, case, "forward", partner_code="PX")
    assert response.status_code == 422
    assert "没有可办理该事项的合作地区" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).status is CaseStatus.RECEIVED
    assert outbox_rows() == []


def test_an_unknown_partner_code_is_refused_and_changes_nothing(client, login_as, agreement, checked_case):
    case = checked_case()
    client = login_as("staff-ll")
    response = post_event(client, case, "forward", partner_code="ZZ")
    assert response.status_code == 422
    assert "暂不能接收" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status is CaseStatus.RECEIVED
    assert db.session.scalar(select(func.count(Transfer.id))) == 0
    assert outbox_rows() == []


def test_unchecked_materials_cannot_be_forwarded(client, login_as, agreement, checked_case):
    case = checked_case(materials="missing")
    client = login_as("staff-ll")
    response = post_event(client, case, "forward", partner_code="PX")
    assert response.status_code == 422
    assert db.session.get(Case, case.id).status is CaseStatus.RECEIVED


@pytest.fixture
def forwarded_case(checked_case):
    """forwarded_case(client, **kwargs): a case (checked_case(**kwargs)) forwarded to PX by ``client`` (signed in as
    staff-ll)."""

    def forward(client, **kwargs) -> Case:
        return _forward(client, checked_case(**kwargs))

    return forward


def _forward(client, case: Case) -> Case:
    assert post_event(client, case, "forward", partner_code="PX").status_code in (200, 303)
    db.session.expire_all()
    return db.session.get(Case, case.id)


def partner_says(client, kind: str, case: Case, **fields):
    payload = {"case_no": case.case_no, "remote_case_no": "JHPX0001", **fields}
    response = signed_post(client, message(kind, payload))
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_the_partners_states_come_back_and_the_result_is_delivered_here(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    case = partner_says(client, "sign", case)
    assert case.status is CaseStatus.PARTNER_SIGNED
    case = partner_says(client, "status", case, status="ACCEPTED")
    assert case.status is CaseStatus.PARTNER_SIGNED
    case = partner_says(client, "status", case, status="IN_REVIEW")
    case = partner_says(client, "result", case, decision="APPROVED", note="准予办理")
    assert case.status is CaseStatus.ISSUED

    events = [(r.event, r.to_status, r.actor_role) for r in case.events]
    assert events[-4:] == [
        ("partner_sign", "PARTNER_SIGNED", "PARTNER"),
        ("partner_status", "PARTNER_SIGNED", "PARTNER"),
        ("partner_status", "PARTNER_SIGNED", "PARTNER"),
        ("result_return", "ISSUED", "PARTNER"),
    ]
    assert "已受理" in case.events[-3].note and "测试合作区" in case.events[-3].note
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "合作地区" in page and "对方办结并返回结果" in page
    assert db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == NotificationKind.RESULT_READY)
    )

    response = post_event(client, case, "deliver", delivery_mode="COUNTER")
    assert response.status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status is CaseStatus.DELIVERED


@pytest.mark.parametrize(
    ("kind", "fields", "status"),
    [
        ("result", {"decision": "REJECTED", "note": "不符合条件"}, CaseStatus.REJECTED),
        ("status", {"status": "REFUSED", "note": "不属于受理范围"}, CaseStatus.REFUSED),
    ],
)
def test_a_partners_refusal_or_rejection_closes_our_case(
    client, login_as, agreement, kind, fields, status, forwarded_case
):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    case = partner_says(client, "sign", case)
    case = partner_says(client, kind, case, **fields)
    assert case.status is status


def test_a_partners_correction_notice_reaches_the_enterprise_and_its_clerk(
    client, login_as, agreement, forwarded_case, gd
):
    client = login_as("staff-ll")
    case = forwarded_case(client, enterprise=gd.enterprise)
    case = partner_says(client, "correction", case, note="营业执照副本不清晰,请重新提供")
    assert case.status is CaseStatus.PARTNER_SIGNED
    assert "营业执照副本不清晰" in case.events[-1].note
    recipients = set(
        db.session.scalars(select(Notification.user_id).where(Notification.kind == NotificationKind.CORRECTION_NEEDED))
    )
    assert case.clerk_id == factories.user("clerk-ll").id  # the client chose clerk-ll
    assert {gd.account.id, case.clerk_id} <= recipients


def test_a_status_for_a_closed_case_updates_only_the_transfer(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    case = partner_says(client, "result", case, decision="APPROVED")
    case = partner_says(client, "status", case, status="DELIVERED")
    assert case.status is CaseStatus.ISSUED
    transfer = db.session.scalar(select(Transfer).where(Transfer.case_id == case.id))
    assert transfer.state == "DELIVERED"


# --- handling site -------------------------------------------------------------------------------------------


def inbound_case(client) -> Case:
    response = signed_post(client, message(payload=forward_payload("PX0042")))
    assert response.status_code == 200, response.get_json()
    return db.session.scalar(select(Case).where(Case.case_no == response.get_json()["result"]["remote_case_no"]))


def test_a_forwarded_case_arrives_received_at_the_centre_with_its_materials(client, partner):
    case = inbound_case(client)
    assert (case.status, case.channel, case.station.code) == (CaseStatus.RECEIVED, Channel.XR_INBOUND, "ZX")
    assert case.item.code == XR_ITEM_CODE and case.xr_signed_at is None
    provided = [m for m in case.materials if m.status is MaterialStatus.PROVIDED]
    assert len(provided) == 1 and provided[0].document is not None
    assert case.enterprise.uscc == CREDIT_CODE
    assert [(r.event, r.actor_role) for r in case.events] == [("receive", "PARTNER")]


def test_the_same_case_forwarded_twice_is_one_case(client, partner):
    first = inbound_case(client)
    again = signed_post(client, message(payload=forward_payload("PX0042")))  # a new message id
    assert again.status_code == 200
    assert again.get_json()["result"]["remote_case_no"] == first.case_no
    assert db.session.scalar(select(func.count(Case.id)).where(Case.channel == Channel.XR_INBOUND)) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"item_code": "NO-SUCH-ITEM"}, "unknown_item"),
        ({"enterprise": {"name": "坏代码企业", "credit_code": "91610000MA6TG12340"}}, "invalid_credit_code"),
    ],
)
def test_what_we_cannot_handle_is_refused_and_stores_nothing(client, partner, change, error):
    cases_before = db.session.scalar(select(func.count(Case.id)))
    response = signed_post(client, message(payload={**forward_payload("PX0043"), **change}))
    assert response.status_code == 422
    assert response.get_json()["error"] == error
    assert db.session.scalar(select(func.count(Case.id))) == cases_before
    assert db.session.scalar(select(func.count(Transfer.id))) == 0
    assert db.session.scalar(select(func.count(InboxMessage.id))) == 0
    assert db.session.scalar(select(func.count(Enterprise.id)).where(Enterprise.uscc == "91610000MA6TG12340")) == 0


def test_a_material_of_a_refused_type_is_refused(client, partner):
    content = b"MZ\x90\x00 not a document"
    payload = forward_payload("PX0044")
    payload["materials"] = [
        {
            "name": "申请表",
            "sha256": hashlib.sha256(content).hexdigest(),
            "content": base64.b64encode(content).decode(),
        }
    ]
    response = signed_post(client, message(payload=payload))
    assert response.status_code == 422
    assert response.get_json()["error"] == "material_type"


def test_the_handling_site_signs_for_it_then_works_and_reports_each_change(client, login_as, partner):
    case = inbound_case(client)
    client = login_as("staff-zx")
    queue = client.get("/cases/?status=RECEIVED").get_data(as_text=True)
    row = queue[queue.index(f'id="case-row-{case.id}"') :]
    assert "签收" in row[: row.index("</tr>")]

    refused = post_event(client, case, "accept")
    assert refused.status_code == 422 and "须先签收" in refused.get_data(as_text=True)

    assert post_event(client, case, "sign_for").status_code in (200, 303)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.xr_signed_at is not None and case.status is CaseStatus.RECEIVED
    [sign] = outbox_rows(MessageKind.SIGN)
    assert sign.payload == {"case_no": "PX0042", "remote_case_no": case.case_no}

    for material in case.materials:
        if material.item_material.is_required:
            material.status = MaterialStatus.VERIFIED
    db.session.commit()
    for event in ("accept", "start_review"):
        assert post_event(client, db.session.get(Case, case.id), event).status_code in (200, 303), event
        db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.IN_REVIEW and case.due_on is not None  # our own clock, from our acceptance
    assert [row.payload["status"] for row in outbox_rows(MessageKind.STATUS)] == ["ACCEPTED", "IN_REVIEW"]

    assert post_event(client, case, "decide_approve", note="同意").status_code in (200, 303)
    db.session.expire_all()
    assert post_event(client, db.session.get(Case, case.id), "issue").status_code in (200, 303)
    [result] = outbox_rows(MessageKind.RESULT)
    assert result.payload["decision"] == "APPROVED" and result.payload["case_no"] == "PX0042"
    assert all(row.partner_id == partner.id for row in outbox_rows())


def test_the_handling_sites_correction_notice_goes_to_the_intake_site(client, login_as, partner):
    case = inbound_case(client)
    client = login_as("staff-zx")
    assert post_event(client, case, "sign_for").status_code in (200, 303)
    db.session.expire_all()
    response = post_event(client, db.session.get(Case, case.id), "request_correction", note="请补充营业执照副本")
    assert response.status_code in (200, 303)
    [correction] = outbox_rows(MessageKind.CORRECTION)
    assert correction.payload["note"] == "请补充营业执照副本"


def test_a_case_of_our_own_reports_nothing(client, login_as, checked_case):
    case = checked_case()
    client = login_as("staff-ll")
    assert post_event(client, case, "accept").status_code in (200, 303)
    assert outbox_rows() == []
    assert db.session.scalar(select(func.count(CaseEventRecord.id)).where(CaseEventRecord.case_id == case.id)) == 2


# --- correction loop: the partner asks, the intake station passes the supplied material on ------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def post_supplement(client, case: Case, *, data: bytes = PDF, material: str | None = None, target=True):
    form = {
        "csrf_token": csrf_token_from(client, "/account/password"),
        "material": material or case.materials[0].item_material.name,
        "note": "申请人已补交",
        "file": (io.BytesIO(data), "supplement.pdf"),
    }
    headers = htmx_headers("xr-panel") if target else {}
    return client.post(
        f"/cases/{case.case_no}/xr-supplement", data=form, headers=headers, content_type="multipart/form-data"
    )


def test_after_a_correction_notice_the_station_passes_the_material_on(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    case = partner_says(client, "correction", case, note="申请表签字不全")
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "转交补正材料" in page and 'name="file"' in page

    response = post_supplement(client, case)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="xr-panel"' in body and "已转交合作地区" in body and "<html" not in body
    [supplement] = outbox_rows(MessageKind.SUPPLEMENT)
    assert supplement.payload["case_no"] == case.case_no
    assert supplement.payload["remote_case_no"] == "JHPX0001"
    [material] = supplement.payload["materials"]
    assert material["name"] == case.materials[0].item_material.name
    assert material["sha256"] == hashlib.sha256(PDF).hexdigest()
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.events[-1].event == "xr_supplement" and case.status is CaseStatus.PARTNER_SIGNED


def test_no_supplement_without_a_correction_notice(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    response = post_supplement(client, case)
    assert response.status_code == 422
    assert "没有要求补正" in response.get_data(as_text=True)
    assert outbox_rows(MessageKind.SUPPLEMENT) == []


def test_a_supplement_of_the_wrong_type_is_refused_in_place(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)
    case = partner_says(client, "correction", case, note="请补充")
    response = post_supplement(client, case, data=b"GIF89a not allowed")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="xr-panel"' in body and "只接受 PDF" in body
    assert outbox_rows(MessageKind.SUPPLEMENT) == []


def test_the_enterprise_and_the_central_office_cannot_pass_materials_on(
    client, login_as, agreement, forwarded_case, gd
):
    staff = login_as("staff-ll")
    case = forwarded_case(staff, enterprise=gd.enterprise)
    partner_says(staff, "correction", case, note="请补充")
    for username in (gd.username, "central"):
        other = login_as(username)
        assert post_supplement(other, case, target=False).status_code == 403, username
    assert outbox_rows(MessageKind.SUPPLEMENT) == []


def test_the_handling_site_files_a_forwarded_supplement_on_its_checklist(client, login_as, partner):
    case = inbound_case(client)
    staff = login_as("staff-zx")
    assert post_event(staff, case, "sign_for").status_code in (200, 303)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert post_event(staff, case, "request_correction", note="请补充营业执照副本").status_code in (200, 303)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.CORRECTION
    wanted = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
    name = wanted.item_material.name

    content = PDF + b"licence"
    payload = {
        "case_no": "PX0042",
        "remote_case_no": case.case_no,
        "note": "申请人已补交",
        "materials": [
            {"name": name, "sha256": hashlib.sha256(content).hexdigest(), "content": base64.b64encode(content).decode()}
        ],
    }
    response = signed_post(client, message("supplement", payload))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["materials"] == 1
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    wanted = next(m for m in case.materials if m.item_material.name == name)
    assert (
        wanted.status is MaterialStatus.PROVIDED and wanted.document.file.sha256 == hashlib.sha256(content).hexdigest()
    )
    assert (case.events[-1].event, case.events[-1].actor_role) == ("partner_supplement", "PARTNER")
    assert db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind == NotificationKind.APPLICATION_RECEIVED,
            Notification.user_id == factories.user("staff-zx").id,
        )
    )
    # ...and our staff carry on: the correction is done, the case is back where it was.
    assert post_event(staff, case, "correction_done").status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status is CaseStatus.RECEIVED


def test_a_supplement_for_an_unknown_case_is_refused(client, partner):
    payload = {
        "case_no": "NOPE",
        "remote_case_no": "NOPE",
        "materials": [
            {"name": "x", "sha256": hashlib.sha256(PDF).hexdigest(), "content": base64.b64encode(PDF).decode()}
        ],
    }
    response = signed_post(client, message("supplement", payload))
    assert response.status_code == 422 and response.get_json()["error"] == "unknown_case"
    assert db.session.scalar(select(func.count(InboxMessage.id))) == 0


def test_a_supplement_without_content_is_malformed(client, partner):
    payload = {"case_no": "PX0042", "remote_case_no": "X", "materials": [{"name": "x", "sha256": "a" * 64}]}
    response = signed_post(client, message("supplement", payload))
    assert response.status_code == 400


# --- hand-off limits (domain.md §4.8 rule 4): shown on the case's cross-region panel --------------------------------


def handoff_states(client, case: Case) -> dict[str, str]:
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    return dict(re.findall(r'<li data-step="(\w+)" data-state="(\w+)">', page))


def test_the_intake_sites_handoffs_are_checked_step_by_step(client, login_as, agreement, forwarded_case):
    client = login_as("staff-ll")
    case = forwarded_case(client)  # forwarded the day it was taken in
    assert handoff_states(client, case) == {"forward": "on_time", "sign": "pending"}
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "自收件起已用 0 个工作日" in page
    case = partner_says(client, "sign", case)
    case = partner_says(client, "correction", case, note="请补充")
    assert handoff_states(client, case) == {"forward": "on_time", "sign": "on_time", "relay": "pending"}
    assert post_supplement(client, case).status_code == 200
    assert handoff_states(client, case)["relay"] == "on_time"


def test_a_late_forward_shows_late(client, login_as, agreement, checked_case):
    from stations.calendar.services import current_calendar
    from stations.cases.services import EventInput, apply_event
    from stations.domain.case_vocabulary import CaseEvent
    from stations.timeutil import BUSINESS_TZ, business_today

    # Taken in seven working days ago (by the calendar, not ten calendar days: a week of holidays would
    # leave only three), forwarded only now.
    calendar, day, worked = current_calendar(), business_today(), 0
    while worked < 7:
        worked += calendar.is_workday(day)
        day -= timedelta(days=1)
    taken_in = datetime.combine(day, time(12), tzinfo=BUSINESS_TZ).astimezone(UTC).replace(tzinfo=None)
    case = checked_case(now=taken_in)
    apply_event(case, CaseEvent.FORWARD, factories.user("staff-ll"), version=None, data=EventInput(partner_code="PX"))
    db.session.commit()
    client = login_as("staff-ll")
    states = handoff_states(client, case)
    assert states["forward"] == "late"
    page = client.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "自收件起已用 7 个工作日" in page


def test_the_handling_site_sees_its_signing_limit(client, login_as, partner):
    case = inbound_case(client)
    staff = login_as("staff-zx")
    assert handoff_states(staff, case) == {"sign": "pending"}
    assert "转来后已用 0 个工作日" in staff.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert post_event(staff, case, "sign_for").status_code in (200, 303)
    assert handoff_states(staff, case) == {"sign": "on_time"}


def test_the_handling_sites_on_time_rate_for_forwarded_cases(client, login_as, partner):
    from stations.auth.models import User
    from stations.cases.services import EventInput, apply_event
    from stations.dashboard import period_queries as dashboard_queries
    from stations.domain.case_vocabulary import CaseEvent
    from stations.timeutil import business_today

    case = inbound_case(client)
    staff = factories.user("staff-zx")
    provided = [m.id for m in case.materials if m.status is MaterialStatus.PROVIDED]
    for material in case.materials:
        if material.item_material.is_required and material.status is MaterialStatus.MISSING:
            material.status = MaterialStatus.VERIFIED
    for event in ("sign_for", "accept", "start_review", "decide_approve"):
        data = EventInput(verified_material_ids=provided)
        apply_event(case, CaseEvent(event), staff, version=None, data=data)
    db.session.commit()

    today = business_today()
    central = db.session.scalar(select(User).where(User.username == "central"))
    report = dashboard_queries.period_report(central, today, today)
    live = dashboard_queries.period_report_live(central, today, today)
    assert (report.xr_inbound_concluded, report.xr_inbound_late, report.xr_inbound_on_time) == (1, 0, 1.0)
    assert (live.xr_inbound_concluded, live.xr_inbound_late) == (1, 0)
    api = login_as("central").get(f"/api/v1/metrics/period?from={today}&to={today}").get_json()
    assert api["xr_inbound_concluded"] == 1 and api["xr_inbound_on_time_rate"] == 1.0
    page = login_as("central").get(f"/dashboard/figures?from={today}&to={today}").get_data(as_text=True)
    assert "办结 1 件，按期办结率 100.00%" in page
