"""Intake (收件): finding the enterprise and the item, the materials checklist with uploads, and every bad input."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from stations.cases.models import Case, MaterialStatus
from stations.catalog.models import ServiceItem
from stations.demo import make_uscc
from stations.enterprises import services as enterprise_services
from stations.enterprises.models import Document, Enterprise, TrustLevel
from stations.extensions import db
from stations.sites.models import Station, StationItem
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.cases import PDF, text, token
from tests.helpers.suite import CLIENT, htmx_headers, username_of


def new_uscc() -> str:
    return make_uscc("91611100MA6XTK001")


def wrong_check_digit() -> str:
    code = new_uscc()
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def item_outside(station_code: str) -> ServiceItem:
    offered = select(StationItem.item_id).join(Station).where(Station.code == station_code)
    return db.session.scalars(
        select(ServiceItem).where(ServiceItem.id.not_in(offered), ServiceItem.is_active.is_(True))
    ).first()


def intake_data(client, *, item=None, enterprise=None, station=None, **extra) -> dict:
    item = item or f.item(station_code="LL", instant=False)
    enterprise = enterprise or f.make_client().enterprise
    data = {
        "csrf_token": token(client),
        "enterprise": str(enterprise.id),
        "item": item.code,
        "applicant_name": "李雷",
        "applicant_phone": "13900001111",
    }
    if station:
        data["station"] = station
    for material in item.materials:
        data[f"m{material.id}"] = "VERIFIED"
    data.update(extra)
    return data


def post_intake(client, data, **kwargs):
    return client.post("/cases/new", data=data, content_type="multipart/form-data", **kwargs)


def latest_case() -> Case | None:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


# --- finding the enterprise and the item ------------------------------------------------------------------------


def test_intake_page_for_staff(login_as):
    response = login_as("staff-ll").get("/cases/new")
    body = text(response)
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert 'id="enterprise-q"' in body and 'hx-target="#enterprise-results"' in body
    assert 'id="item-q"' in body and 'hx-target="#item-results"' in body
    assert "登记新企业" in body
    assert 'method="get" action="/cases/new"' in body  # works without JavaScript


@pytest.mark.parametrize("field", ["name", "uscc", "phone"])
def test_live_search_finds_the_enterprise_by_name_code_or_phone(login_as, field):
    enterprise = f.make_enterprise("检索示例新材料有限公司")
    enterprise.contact_phone = "13912340000"
    db.session.commit()
    query = {"name": "检索示例", "uscc": enterprise.uscc[:10], "phone": enterprise.contact_phone}[field]
    response = login_as("staff-ll").get(f"/cases/new?eq={query}", headers=htmx_headers("enterprise-results"))
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert enterprise.name in body
    assert f"enterprise={enterprise.id}" in body
    assert "HX-Target" in response.headers["Vary"]


def test_clerk_finds_only_its_clients(login_as, gd, qn):
    client = login_as("clerk-ll")
    found = text(client.get("/cases/new?eq=测试客户", headers=htmx_headers("enterprise-results")))
    assert gd.enterprise.name in found  # its client
    assert qn.enterprise.name not in found  # clerk-qh's client, though its name matches too
    assert "登记新企业" not in text(client.get("/cases/new"))


def test_item_search_stays_inside_the_station_scope(login_as):
    client = login_as("staff-ll")
    inside = f.item(station_code="LL", instant=False)
    outside = item_outside("LL")
    found = text(client.get(f"/cases/new?iq={inside.code}", headers=htmx_headers("item-results")))
    assert "<html" not in found and inside.name in found
    missing = text(client.get(f"/cases/new?iq={outside.code}", headers=htmx_headers("item-results")))
    assert outside.name not in missing and "没有找到该事项" in missing


def test_item_search_by_pinyin_initials(login_as):
    body = text(login_as("staff-ll").get("/cases/new?iq=sbk", headers=htmx_headers("item-results")))
    assert "社会保障卡" in body


def test_choosing_enterprise_and_item_shows_the_checklist_with_reusable_documents(login_as, uploads):
    item = f.item(station_code="LL", instant=False)
    enterprise = f.make_enterprise()
    staff = f.user("staff-ll")
    stored = store_bytes(PDF, "application/pdf", "旧执照.pdf", enterprise_id=enterprise.id, user_id=staff.id)
    document = enterprise_services.add_document(enterprise.id, item.materials[0].name, stored.id, user=staff)
    db.session.commit()
    body = text(login_as("staff-ll").get(f"/cases/new?enterprise={enterprise.id}&item={item.code}"))
    assert 'enctype="multipart/form-data"' in body
    for material in item.materials:
        assert f'name="m{material.id}" value="VERIFIED"' in body
        assert f'name="m{material.id}" value="MISSING"' in body
        assert f'type="file" name="f{material.id}" accept="application/pdf,image/*" capture="environment"' in body
    assert f'value="doc:{document.id}" checked' in body and "旧执照.pdf" in body
    assert '<label class="label" for="applicant-name">' in body


# --- taking it in -----------------------------------------------------------------------------------------------


def test_intake_with_checked_missing_uploaded_and_reused_materials(login_as, uploads):
    item = f.item(station_code="LL", instant=False)
    enterprise = f.make_enterprise()
    staff = f.user("staff-ll")
    materials = item.materials
    assert len(materials) >= 3
    stored = store_bytes(PDF, "application/pdf", "旧的.pdf", enterprise_id=enterprise.id, user_id=staff.id)
    reused = enterprise_services.add_document(enterprise.id, materials[2].name, stored.id, user=staff)
    db.session.commit()
    client = login_as("staff-ll")
    data = intake_data(client, item=item, enterprise=enterprise)
    data[f"m{materials[1].id}"] = "MISSING"
    data[f"m{materials[2].id}"] = f"doc:{reused.id}"
    data[f"f{materials[0].id}"] = (BytesIO(PDF), "营业执照.pdf")
    response = post_intake(client, data)
    assert response.status_code == 303, text(response)[:2000]
    case = latest_case()
    assert response.headers["Location"].endswith(f"/cases/{case.case_no}")
    assert re.fullmatch(r"JHLL\d{8}\d{4}", case.case_no)
    by_material = {m.item_material_id: m for m in case.materials}
    uploaded = by_material[materials[0].id]
    assert uploaded.status is MaterialStatus.VERIFIED and uploaded.document_id
    document = db.session.get(Document, uploaded.document_id)
    assert document.trust_level is TrustLevel.B and document.enterprise_id == enterprise.id
    assert document.material_name == materials[0].name and document.verified_by_id == staff.id
    assert by_material[materials[1].id].status is MaterialStatus.MISSING
    assert by_material[materials[2].id].document_id == reused.id
    assert case.applicant_name == "李雷" and case.received_by_id == staff.id
    assert len(list(uploads.iterdir())) == 2  # the old document and the new upload, nothing else
    page = text(client.get(f"/cases/{case.case_no}"))
    assert "已收件" in page and "营业执照.pdf" in page


def test_clerk_takes_in_for_a_client_at_another_station(login_as, gd):
    item = f.item(station_code="QH", instant=False)
    client = login_as("clerk-ll")
    page = text(client.get(f"/cases/new?station=QH&enterprise={gd.enterprise.id}&item={item.code}"))
    assert 'name="station" value="QH"' in page
    response = post_intake(client, intake_data(client, item=item, enterprise=gd.enterprise, station="QH"))
    assert response.status_code == 303
    case = latest_case()
    assert case.station.code == "QH" and case.clerk_id == f.user("clerk-ll").id


def test_clerk_cannot_take_in_for_someone_elses_client(login_as, qn):
    client = login_as("clerk-ll")
    response = post_intake(client, intake_data(client, enterprise=qn.enterprise, station="LL"))
    assert response.status_code == 422
    assert "该企业未选择您为办事专员" in text(response)


@pytest.mark.parametrize("username", [CLIENT, "central", "admin"])
def test_intake_is_for_staff_and_clerks_only(login_as, username, gd):
    client = login_as(username_of(username, gd))
    assert client.get("/cases/new").status_code == 403
    assert post_intake(client, intake_data(client)).status_code == 403


# --- bad inputs: 422 with a clear message, never 500 -----------------------------------------------------------


def test_unknown_item_is_422(login_as):
    client = login_as("staff-ll")
    before = latest_case()
    data = intake_data(client)
    data["item"] = "NO-SUCH-ITEM"
    response = post_intake(client, data)
    assert response.status_code == 422
    assert "未找到事项“NO-SUCH-ITEM”" in text(response)
    assert latest_case() == before


def test_item_outside_the_station_scope_is_422(login_as):
    client = login_as("staff-ll")
    outside = item_outside("LL")
    data = intake_data(client)
    data["item"] = outside.code
    response = post_intake(client, data)
    assert response.status_code == 422
    assert "该事项不在本驿站的办理范围内" in text(response)


def test_missing_applicant_name_is_422_and_keeps_the_choices(login_as):
    client = login_as("staff-ll")
    item = f.item(station_code="LL", instant=False)
    data = intake_data(client, item=item, applicant_name="")
    data[f"m{item.materials[1].id}"] = "MISSING"
    response = post_intake(client, data)
    body = text(response)
    assert response.status_code == 422
    assert "请填写经办人或代理人姓名" in body
    assert f'name="m{item.materials[1].id}" value="MISSING" checked' in body
    assert f'name="m{item.materials[0].id}" value="VERIFIED" checked' in body


def test_oversized_upload_is_422_and_keeps_the_rest_of_the_form(app, login_as, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    client = login_as("staff-ll")
    item = f.item(station_code="LL", instant=False)
    data = intake_data(client, item=item, applicant_phone="13911112222")
    data[f"f{item.materials[0].id}"] = (BytesIO(PDF + b"0" * 2048), "大文件.pdf")
    before = latest_case()
    response = post_intake(client, data)
    body = text(response)
    assert response.status_code == 422
    assert "文件超过大小上限" in body
    assert 'value="李雷"' in body and 'value="13911112222"' in body
    assert f'aria-describedby="f{item.materials[0].id}-error"' in body
    assert latest_case() == before
    assert not uploads.exists() or not list(uploads.iterdir())  # nothing stored


def test_mislabelled_upload_is_422_with_a_clear_message(login_as, uploads):
    client = login_as("staff-ll")
    item = f.item(station_code="LL", instant=False)
    data = intake_data(client, item=item)
    data[f"f{item.materials[0].id}"] = (BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "evil.pdf")
    response = post_intake(client, data)
    assert response.status_code == 422
    assert "只接受 PDF、JPEG、PNG 文件" in text(response)
    assert 'value="李雷"' in text(response)


def test_a_valid_upload_next_to_a_rejected_one_is_not_kept(login_as, uploads):
    client = login_as("staff-ll")
    item = f.item(station_code="LL", instant=False)
    data = intake_data(client, item=item)
    data[f"f{item.materials[0].id}"] = (BytesIO(PDF), "好的.pdf")
    data[f"f{item.materials[1].id}"] = (BytesIO(b"<svg onload=alert(1)>"), "x.pdf")
    response = post_intake(client, data)
    assert response.status_code == 422
    assert "文件尚未保存，请重新选择" in text(response)
    assert not uploads.exists() or not list(uploads.iterdir())


def test_a_document_of_another_enterprise_cannot_be_reused(login_as, uploads):
    item = f.item(station_code="LL", instant=False)
    other = f.make_enterprise("别家科技有限公司", station_code="QH")
    stored = store_bytes(PDF, "application/pdf", "别人的.pdf", enterprise_id=other.id, user_id=None)
    foreign = enterprise_services.add_document(other.id, item.materials[0].name, stored.id, user=f.user("staff-qh"))
    db.session.commit()
    client = login_as("staff-ll")
    data = intake_data(client, item=item)
    data[f"m{item.materials[0].id}"] = f"doc:{foreign.id}"
    response = post_intake(client, data)
    assert response.status_code == 422 and "所选材料不属于该企业或已失效" in text(response)


# --- registering a new enterprise -------------------------------------------------------------------------------


def test_register_a_new_enterprise_then_continue(login_as):
    client = login_as("staff-ll")
    code = new_uscc()
    response = client.post(
        "/cases/new/enterprise",
        data={"csrf_token": token(client), "name": "泾河示例测试科技有限公司", "uscc": code.lower(), "item": ""},
    )
    assert response.status_code == 303
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    assert enterprise is not None and enterprise.station.code == "LL"
    assert response.headers["Location"].endswith(f"/cases/new?enterprise={enterprise.id}")


@pytest.mark.parametrize("code", ["wrong-check-digit", "12345", "91611100MA6XTS00I0", "91611100MA6XTS001９", ""])
def test_malformed_credit_code_is_422(login_as, code):
    code = wrong_check_digit() if code == "wrong-check-digit" else code
    client = login_as("staff-ll")
    response = client.post("/cases/new/enterprise", data={"csrf_token": token(client), "name": "某公司", "uscc": code})
    assert response.status_code == 422
    body = text(response)
    assert "统一社会信用代码无效" in body or "请填写统一社会信用代码" in body
    assert 'value="某公司"' in body


def test_registering_a_known_credit_code_offers_the_existing_enterprise(login_as):
    known = f.make_enterprise("已登记示例科技有限公司")
    client = login_as("staff-ll")
    data = {"csrf_token": token(client), "name": "重名", "uscc": known.uscc}
    response = client.post("/cases/new/enterprise", data=data)
    assert response.status_code == 422
    assert "已登记为“已登记示例科技有限公司”" in text(response)
    assert f"enterprise={known.id}" in text(response)


def test_clerks_do_not_register_enterprises(login_as):
    client = login_as("clerk-ll")
    response = client.post("/cases/new/enterprise", data={"csrf_token": token(client), "name": "x", "uscc": new_uscc()})
    assert response.status_code == 403


def test_intake_accepts_a_file_per_material_beyond_the_global_body_limit(app, login_as, uploads, monkeypatch):
    """Each file is checked against UPLOAD_MAX_BYTES; the intake body may hold several (not a 413)."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4000)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 3000)
    client = login_as("staff-ll")
    item = f.item(station_code="LL", instant=False)
    data = intake_data(client, item=item)
    for material in item.materials[:2]:
        data[f"f{material.id}"] = (BytesIO(PDF + b"%" * 2500), f"{material.id}.pdf")
    response = post_intake(client, data)
    assert response.status_code == 303
    assert len(list(uploads.iterdir())) == 2
    other = client.post("/account/password", data={"csrf_token": token(client), "x": "y" * 5000})
    assert other.status_code == 413  # other forms keep the global limit
