"""Online application (网上申请): online items only, any station that takes the item in, materials from the store
or uploaded; the case lands RECEIVED (channel ONLINE) in that station's queue and the enterprise's clerk is told."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from stations.cases.models import Case, Channel, MaterialStatus
from stations.domain.case_vocabulary import CaseStatus
from stations.enterprises.models import Document, TrustLevel
from stations.extensions import db
from stations.notifications.models import Notification, NotificationKind
from tests import factories as f
from tests.helpers.cases import PDF, text, token
from tests.helpers.enterprises import offered_item, stored_document
from tests.helpers.suite import htmx_headers


def application(client, item, *, station="QH", **extra) -> dict:
    data = {
        "csrf_token": token(client),
        "item": item.code,
        "station": station,
        "applicant_name": "韩梅梅",
        "applicant_phone": "13900002222",
    }
    data.update(extra)
    return data


def post(client, data):
    return client.post("/enterprise/apply", data=data, content_type="multipart/form-data")


def latest_case() -> Case | None:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def test_apply_page_searches_online_items_only(login_as, gd):
    online = offered_item("LL", online=True)
    offline = offered_item("LL", online=False)
    client = login_as(gd.username)
    body = text(client.get(f"/enterprise/apply?q={online.code}"))
    assert online.name in body
    assert 'hx-target="#apply-items"' in body and 'hx-trigger="input changed delay:300ms, search"' in body
    assert f'item={offline.code}"' not in text(client.get(f"/enterprise/apply?q={offline.code}"))
    assert f'item={online.code}"' in body
    fragment = client.get(f"/enterprise/apply?q={online.code}", headers=htmx_headers("apply-items"))
    assert "<html" not in text(fragment) and online.name in text(fragment)


def test_choosing_an_item_offers_its_stations_and_the_store(login_as, uploads, gd):
    item = offered_item("LL", online=True, also_at="QH")
    document = stored_document(item.materials[0].name, owner=gd)
    body = text(login_as(gd.username).get(f"/enterprise/apply?item={item.code}"))
    assert 'name="station" value="LL" checked' in body  # the enterprise's own station first
    assert 'name="station" value="QH"' in body
    assert f'value="doc:{document.id}" selected' in body  # the stored material of the same name is preselected


def test_online_application_lands_received_in_the_chosen_stations_queue(login_as, uploads, gd):
    item = offered_item("QH", online=True, also_at="LL")
    document = stored_document(item.materials[0].name, owner=gd)
    client = login_as(gd.username)
    data = application(client, item, station="QH", **{f"m{item.materials[0].id}": f"doc:{document.id}"})
    response = post(client, data)
    case = latest_case()
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case.case_no}"
    assert case.status is CaseStatus.RECEIVED and case.channel is Channel.ONLINE
    assert case.station.code == "QH" and case.enterprise_id == gd.enterprise.id
    assert case.clerk.username == "clerk-ll"  # the enterprise's dedicated clerk
    reused = next(m for m in case.materials if m.item_material_id == item.materials[0].id)
    assert reused.document_id == document.id and reused.status is MaterialStatus.PROVIDED  # to be checked
    assert case.case_no in text(login_as("staff-qh").get("/cases/"))  # in QH's queue
    assert case.case_no not in text(login_as("staff-ll").get("/cases/"))
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.APPLICATION_RECEIVED)
    ).all()
    assert [n.user.username for n in told] == ["clerk-ll"] and told[0].link == f"/cases/{case.case_no}"
    assert case.case_no in text(client.get("/home"))


def test_a_file_uploaded_with_the_application_goes_into_the_store(login_as, uploads, gd):
    item = offered_item("LL", online=True)
    material = item.materials[0]
    client = login_as(gd.username)
    data = application(client, item, station="LL", **{f"f{material.id}": (BytesIO(PDF), "章程.pdf")})
    assert post(client, data).status_code == 303
    case = latest_case()
    handed_in = next(m for m in case.materials if m.item_material_id == material.id)
    assert handed_in.status is MaterialStatus.PROVIDED
    document = db.session.get(Document, handed_in.document_id)
    assert document.material_name == material.name and document.trust_level is TrustLevel.C
    assert document.enterprise_id == case.enterprise_id


def test_offline_item_is_refused_with_422(login_as, gd):
    item = offered_item("LL", online=False)
    client = login_as(gd.username)
    before = latest_case()
    response = post(client, application(client, item, station="LL"))
    assert response.status_code == 422
    assert "不支持网上申请" in text(response)
    assert latest_case() == before
    assert "不支持网上申请" in text(client.get(f"/enterprise/apply?item={item.code}"))


def test_a_station_that_does_not_take_the_item_is_refused(login_as, gd):
    item = offered_item("LL", online=True)
    client = login_as(gd.username)
    response = post(client, application(client, item, station="NOPE"))
    assert response.status_code == 422 and "请选择办理驿站" in text(response)


def test_another_enterprises_document_cannot_be_used(login_as, uploads, gd):
    item = offered_item("LL", online=True)
    theirs = stored_document(item.materials[0].name, owner=f.make_client(station_code="QH"))
    client = login_as(gd.username)
    data = application(client, item, station="LL", **{f"m{item.materials[0].id}": f"doc:{theirs.id}"})
    response = post(client, data)
    assert response.status_code == 422 and "不属于该企业" in text(response)


def test_missing_applicant_details_and_bad_files_are_422(login_as, uploads, gd):
    item = offered_item("LL", online=True)
    client = login_as(gd.username)
    data = application(client, item, station="LL", applicant_name="")
    data[f"f{item.materials[0].id}"] = (BytesIO(b"not a pdf"), "x.pdf")
    response = post(client, data)
    body = text(response)
    assert response.status_code == 422
    assert "请填写经办人姓名" in body and "只接受 PDF、JPEG、PNG" in body
    assert db.session.scalar(select(Document.id).where(Document.material_name == item.materials[0].name)) is None


def test_only_enterprise_users_apply(login_as):
    item = offered_item("LL", online=True)
    for username in ("staff-ll", "clerk-ll"):
        client = login_as(username)
        assert client.get("/enterprise/apply").status_code == 403
        assert post(client, application(client, item, station="LL")).status_code == 403


def test_without_a_clerk_the_station_staff_are_told(login_as, uploads):
    without_clerk = f.make_client(station_code="LL", clerk=None)
    item = offered_item("LL", online=True)
    client = login_as(without_clerk.username)
    assert post(client, application(client, item, station="LL")).status_code == 303
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.APPLICATION_RECEIVED)
    ).all()
    assert {n.user.username for n in told} == {"staff-ll"}
