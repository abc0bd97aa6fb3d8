"""The enterprise's document store ("材料只交一次"): upload once with a validity date, reuse, archive, expiry flags,
download only one's own; and supplying a missing 容缺 or correction material from the store on the case page."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from sqlalchemy import select

from stations.cases.models import MaterialStatus
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.domain.deficiency_flow import DeficiencyStatus
from stations.domain.documents import Validity, validity
from stations.enterprises import queries as enterprise_queries
from stations.enterprises.models import Document, TrustLevel
from stations.extensions import db
from stations.timeutil import business_today
from tests import factories as f
from tests.helpers.cases import PDF, fire, rongque_case, text, token, visible_text
from tests.helpers.enterprises import stored_document
from tests.helpers.suite import htmx_headers


def upload(client, name="公司章程", data=PDF, filename="章程.pdf", valid_until=""):
    form = {
        "csrf_token": token(client),
        "material_name": name,
        "valid_until": valid_until,
        "file": (BytesIO(data), filename),
    }
    return client.post("/enterprise/documents", data=form, content_type="multipart/form-data")


def documents_of(owner: f.Client) -> list[Document]:
    """The store of ``owner``'s enterprise."""
    db.session.expire_all()
    enterprise = owner.enterprise
    return list(db.session.scalars(select(Document).where(Document.enterprise_id == enterprise.id)).all())


# --- the rule -----------------------------------------------------------------------------------------------------


def test_validity_flags_documents_30_days_ahead():
    today = date(2025, 5, 10)
    assert validity(None, today) is Validity.VALID
    assert validity(today + timedelta(days=31), today) is Validity.VALID
    assert validity(today + timedelta(days=30), today) is Validity.EXPIRING
    assert validity(today, today) is Validity.EXPIRING  # the last valid day
    assert validity(today - timedelta(days=1), today) is Validity.EXPIRED


# --- upload, list, archive, download --------------------------------------------------------------------------


def test_upload_once_then_listed_with_its_validity(login_as, uploads, gd):
    client = login_as(gd.username)
    until = business_today() + timedelta(days=400)
    response = upload(client, valid_until=until.isoformat())
    assert response.status_code == 303 and response.headers["Location"] == "/enterprise/documents"
    (document,) = documents_of(gd)
    assert document.material_name == "公司章程" and document.valid_until == until
    assert document.trust_level is TrustLevel.C  # uploaded by the applicant: to be checked at a window
    body = text(client.get("/enterprise/documents"))
    assert "公司章程" in body and "章程.pdf" in body and until.isoformat() in body
    assert "validity-badge-valid" in body and "有效" in body and "自行上传，待核验" in body


def test_bad_files_and_missing_fields_are_422(login_as, uploads, gd):
    client = login_as(gd.username)
    wrong_type = upload(client, data=b"just text", filename="x.pdf")
    assert wrong_type.status_code == 422 and "只接受 PDF、JPEG、PNG" in text(wrong_type)
    no_name = upload(client, name="")
    assert no_name.status_code == 422 and "请填写材料名称" in text(no_name)
    past = upload(client, valid_until=(business_today() - timedelta(days=1)).isoformat())
    assert past.status_code == 422 and "有效期已过" in text(past)
    no_file = client.post("/enterprise/documents", data={"csrf_token": token(client), "material_name": "营业执照"})
    assert no_file.status_code == 422 and "请拍照或选择文件" in text(no_file)
    assert documents_of(gd) == []
    assert not uploads.exists() or not any(uploads.iterdir())  # no file without a row


def test_expiring_and_expired_documents_are_flagged(login_as, uploads, gd):
    today = business_today()
    soon = stored_document("营业执照", valid_until=today + timedelta(days=10), owner=gd)
    later = stored_document("公司章程", valid_until=today + timedelta(days=60), owner=gd)
    gone = stored_document("法定代表人身份证", valid_until=today + timedelta(days=5), owner=gd)
    gone.valid_until = today - timedelta(days=1)
    client = login_as(gd.username)
    body = text(client.get("/enterprise/documents"))
    assert f'id="document-{soon.id}" class="validity-expiring"' in body and "即将过期" in body
    assert f'id="document-{later.id}" class="validity-valid"' in body
    assert f'id="document-{gone.id}" class="validity-expired"' in body and "已过期" in body
    home = visible_text(text(client.get("/home")))
    assert "1 份材料已过期" in home and "1 份材料将在 30 天内过期" in home
    reusable = {d.id for d in enterprise_queries.valid_documents(soon.enterprise_id, today)}
    assert reusable == {soon.id, later.id}  # an expired one is no longer offered


def test_archive_takes_a_document_out_of_use(login_as, uploads, gd):
    document = stored_document("营业执照", owner=gd)
    client = login_as(gd.username)
    response = client.post(f"/enterprise/documents/{document.id}/archive", data={"csrf_token": token(client)})
    assert response.status_code == 303
    db.session.refresh(document)
    assert document.is_archived
    assert f'id="document-{document.id}"' not in text(client.get("/enterprise/documents"))
    assert f'id="document-{document.id}"' in text(client.get("/enterprise/documents?archived=1"))
    assert document.id not in {
        d.id for d in enterprise_queries.valid_documents(document.enterprise_id, business_today())
    }


def test_download_own_document_only(login_as, uploads, gd):
    document = stored_document("营业执照", owner=gd)
    mine = login_as(gd.username).get(f"/enterprise/documents/{document.id}/file")
    assert mine.status_code == 200 and mine.get_data() == PDF
    assert mine.headers["Content-Type"] == "application/pdf" and "attachment" in mine.headers["Content-Disposition"]
    other = login_as(f.make_client(station_code="QH").username)
    assert other.get(f"/enterprise/documents/{document.id}/file").status_code == 404
    archive = other.post(f"/enterprise/documents/{document.id}/archive", data={"csrf_token": token(other)})
    assert archive.status_code == 404
    assert "营业执照.pdf" not in text(other.get("/enterprise/documents"))
    db.session.refresh(document)
    assert not document.is_archived


# --- reuse on the case page: supplying what is missing ----------------------------------------------------------


def test_case_page_tells_the_enterprise_what_is_missing_and_what_to_do(login_as, gd):
    case = rongque_case(enterprise=gd.enterprise)
    deadline = case.deficiencies[0].supply_deadline
    body = text(login_as(gd.username).get(f"/cases/{case.case_no}"))
    assert "下一步" in body and "还缺什么" in body
    assert f"请在 {deadline.month} 月 {deadline.day} 日前补交以下材料。" in body
    for deficiency in case.deficiencies:
        assert deficiency.case_material.item_material.name in body
        assert f'href="#deficiency-{deficiency.id}"' in body
    assert "申请已容缺受理，请按期补齐所缺材料" in body  # the timeline in plain words
    staff = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert "还缺什么" not in staff and "容缺受理" in staff  # staff keep their own view


def test_supply_a_rongque_item_from_the_store_offers_the_store_first(login_as, uploads, gd):
    case = rongque_case(enterprise=gd.enterprise)
    deficiency = case.deficiencies[0]
    document = stored_document(deficiency.case_material.item_material.name, owner=gd)
    client = login_as(gd.username)
    body = text(client.get(f"/cases/{case.case_no}"))
    form = body[body.index(f'id="deficiency-{deficiency.id}"') :]
    assert form.index("从我的材料库选择") < form.index("或拍照、选择文件")
    assert f'<option value="{document.id}" selected>' in form
    response = client.post(
        f"/cases/{case.case_no}/deficiencies/{deficiency.id}/supply",
        data={"csrf_token": token(client), "document_id": str(document.id)},
        headers=htmx_headers("case-panel"),
    )
    assert response.status_code == 200
    db.session.refresh(deficiency)
    assert deficiency.status is DeficiencyStatus.SUPPLIED and deficiency.document_id == document.id
    assert deficiency.case_material.status is MaterialStatus.PROVIDED
    assert "您补交的材料已提交，正在核验" in text(response)
    staff = text(login_as("staff-ll").get(f"/cases/{case.case_no}"))
    assert f"/cases/{case.case_no}/deficiencies/{deficiency.id}/verify" in staff  # for staff to check


def correction_case(owner: f.Client):
    case = f.make_case(materials="missing", enterprise=owner.enterprise)
    return fire(case, CaseEvent.REQUEST_CORRECTION, note="请补交营业执照副本原件扫描件")


def test_supply_a_correction_material_from_the_store(login_as, uploads, gd):
    case = correction_case(gd)
    material = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
    document = stored_document(material.item_material.name, owner=gd)
    client = login_as(gd.username)
    body = text(client.get(f"/cases/{case.case_no}"))
    assert "需补正" in body and f"/cases/{case.case_no}/materials/{material.id}/supply" in body
    assert "请补交营业执照副本原件扫描件" in body
    response = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "document_id": str(document.id)},
    )
    assert response.status_code == 303
    db.session.refresh(material)
    assert material.status is MaterialStatus.PROVIDED and material.document_id == document.id
    assert case.events[-1].event == "supply"
    again = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "document_id": str(document.id)},
    )
    assert again.status_code == 422 and "无需补交" in text(again)


def test_supply_a_correction_material_by_upload(login_as, uploads, gd):
    case = correction_case(gd)
    material, other = [m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION][:2]
    client = login_as(gd.username)
    response = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "file": (BytesIO(PDF), "补正.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.session.refresh(material)
    assert material.status is MaterialStatus.PROVIDED
    assert material.document.material_name == material.item_material.name  # and it is in the store now
    empty = client.post(f"/cases/{case.case_no}/materials/{other.id}/supply", data={"csrf_token": token(client)})
    assert empty.status_code == 422 and "请从材料库中选择一份材料" in text(empty)


def test_nobody_else_supplies_on_another_enterprises_case(login_as, uploads, gd):
    case = correction_case(gd)
    material = next(m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION)
    qn = f.make_client(station_code="QH")
    theirs = stored_document(material.item_material.name, owner=qn)
    client = login_as(qn.username)
    response = client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(client), "document_id": str(theirs.id)},
    )
    assert response.status_code == 404
    assert login_as(qn.username).get(f"/cases/{case.case_no}").status_code == 404
    gd_client = login_as(gd.username)
    mixed = gd_client.post(
        f"/cases/{case.case_no}/materials/{material.id}/supply",
        data={"csrf_token": token(gd_client), "document_id": str(theirs.id)},
    )
    assert mixed.status_code == 422 and "不属于该企业" in text(mixed)
    assert case.status is CaseStatus.CORRECTION


def test_an_enterprise_account_without_a_company_has_nothing_here(app):
    from stations.auth.models import Role
    from tests.accounts import logged_in, make_user

    make_user("no-company-2", Role.ENTERPRISE)
    client = logged_in(app, "no-company-2")
    for url in ("/enterprise/documents", "/enterprise/apply", "/clerks/", "/clerks/history"):
        response = client.get(url)
        assert response.status_code == 403 and "尚未关联企业" in text(response), url
    assert client.get("/home", headers=htmx_headers("enterprise-cases")).status_code == 286
