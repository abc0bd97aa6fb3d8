"""The catalogue as xlsx (issue 12, item 3): export, edit, import; one bad row refuses the whole file."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from stations.admin.catalog_xlsx import ITEM_HEADERS, export_catalog, import_catalog
from stations.auth.models import AuditEvent
from stations.catalog.models import ServiceItem
from stations.extensions import db
from stations.sites.models import ScopeMode, StationItem
from tests import factories as f
from tests.helpers.suite import csrf_token_from


def _edited(data: bytes, *, bad_row: bool) -> bytes:
    workbook = load_workbook(BytesIO(data))
    items = workbook["事项"]
    assert [c.value for c in items[1]] == ITEM_HEADERS
    items["B2"] = items["B2"].value + "(修订)"  # rename the first item
    items["I2"] = "是"  # and put it on the 容缺 list
    scope = workbook["网点范围"]
    scope.append(["LL", items["A2"].value, "代收转中心"])  # LL collects it from now on
    if bad_row:
        items.append(["QT-XX-9999", "新事项", "NOPE", "QT", "否", 5, 3, 1, "否", "是"])  # unknown department
        items.append(
            ["QT-XX-9998", "新事项二", "SB", "QT", "也许", 5, 9, 1, "否", "是"]
        )  # bad flag, promised > statutory
    else:
        items.append(["QT-SB-9999", "新增测试事项", "SB", "QT", "否", 5, 3, 1, "否", "是"])
        scope.append(["ZX", "QT-SB-9999", "可直接受理"])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _item_count() -> int:
    return db.session.scalar(select(func.count(ServiceItem.id)))


def test_round_trip_with_a_bad_row_is_refused_whole_then_the_fixed_file_imports(app):
    data = export_catalog()
    before = _item_count()
    first = db.session.scalar(select(ServiceItem).order_by(ServiceItem.code))
    name, rongque = first.name, first.rongque_allowed

    with app.test_request_context():  # the row messages are translated
        refused = import_catalog(_edited(data, bad_row=True))
    assert not refused.ok
    rows = {(sheet, row) for sheet, row, _message in refused.errors}
    assert ("事项", before + 2) in rows and ("事项", before + 3) in rows  # row numbers of the two bad rows
    assert len(refused.errors) >= 3
    db.session.expire_all()
    assert first.name == name and first.rongque_allowed == rongque and _item_count() == before  # nothing half-done

    with app.test_request_context():
        accepted = import_catalog(_edited(data, bad_row=False))
    assert accepted.ok, accepted.errors
    db.session.expire_all()
    assert first.name == name + "(修订)" and first.rongque_allowed
    assert _item_count() == before + 1
    ll = f.station("LL")
    entry = db.session.scalar(
        select(StationItem).where(StationItem.station_id == ll.id, StationItem.item_id == first.id)
    )
    assert entry.mode is ScopeMode.COLLECT
    assert f.item("QT-SB-9999").department.code == "SB"


def test_the_pages_export_and_import_with_an_audit_row(login_as):
    client = login_as("admin")
    exported = client.get("/admin/catalog/export.xlsx")
    assert exported.status_code == 200 and exported.data.startswith(b"PK")
    token = csrf_token_from(client, "/admin/catalog/")
    bad = client.post(
        "/admin/catalog/import",
        data={"csrf_token": token, "file": (BytesIO(_edited(exported.data, bad_row=True)), "catalogue.xlsx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "部门编码" in bad.get_data(as_text=True)
    not_xlsx = client.post(
        "/admin/catalog/import",
        data={"csrf_token": token, "file": (BytesIO(b"hello"), "catalogue.xlsx")},
        content_type="multipart/form-data",
    )
    assert not_xlsx.status_code == 422
    missing = client.post("/admin/catalog/import", data={"csrf_token": token})
    assert missing.status_code == 400
    good = client.post(
        "/admin/catalog/import",
        data={"csrf_token": token, "file": (BytesIO(_edited(exported.data, bad_row=False)), "catalogue.xlsx")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.event == "catalog_import")) is not None


def _form_token(client, url):
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(
        1
    )


def test_an_administrator_edits_an_item_and_its_materials_with_an_audit_row(login_as):
    client = login_as("admin")
    item = f.item("XK-SCJG-0001")
    url = f"/admin/catalog/items/{item.code}"
    page = client.get(url)
    assert page.status_code == 200 and item.name in page.get_data(as_text=True)
    base = {
        "csrf_token": _form_token(client, url),
        "code": item.code,
        "name": item.name,
        "department": item.department.code,
        "item_type": item.item_type.value,
        "statutory_days": item.statutory_days,
        "max_visits": item.max_visits,
        "is_active": "y",
    }
    bad = client.post(url, data={**base, "promised_days": item.statutory_days + 5})
    assert bad.status_code == 422 and "承诺时限不能超过法定时限" in bad.get_data(as_text=True)
    assert client.post(url, data={**base, "promised_days": "x"}).status_code == 422
    minor = next(m for m in item.materials if not m.is_main)
    good = client.post(
        url, data={**base, "promised_days": 1, "rongque_allowed": "y", f"m{minor.id}-rongque_allowed": "y"}
    )
    assert good.status_code == 303
    db.session.expire_all()
    assert item.promised_days == 1 and item.rongque_allowed and minor.rongque_allowed
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "catalog_item_edit")).startswith(
        item.code
    )
    assert client.get("/admin/catalog/items/NOPE").status_code == 404


def test_an_administrator_adds_an_item(login_as):
    client = login_as("admin")
    url = "/admin/catalog/items/new"
    data = {
        "csrf_token": _form_token(client, url),
        "code": "QT-SB-9001",
        "name": "测试新增事项",
        "department": "SB",
        "item_type": "QT",
        "statutory_days": 10,
        "promised_days": 5,
        "max_visits": 1,
        "is_active": "y",
    }
    assert client.post(url, data={**data, "code": "bad code"}).status_code == 422
    assert client.post(url, data=data).status_code == 303
    assert f.item("QT-SB-9001").name == "测试新增事项"
    assert client.post(url, data=data).status_code == 422  # the code exists now
