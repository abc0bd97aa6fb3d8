"""Bundle pages: apply once at the window for a new enterprise, the case page, receipt, /track, enterprise home,
bad input, admin maintenance with xlsx round trip."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from stations.bundles import queries
from stations.bundles.models import BundleCase
from stations.demo import make_uscc
from stations.extensions import db
from tests import factories as f
from tests.helpers.bundles import PDF, apply_for, conclude
from tests.helpers.suite import csrf_token_from

NEW_USCC = make_uscc("91611100MA6XGD9N1")


def _apply_data(client, code: str, **extra):
    bundle = queries.get_bundle(code)
    data = {
        "csrf_token": csrf_token_from(client, f"/bundles/{code}/apply"),
        "applicant_name": "李经办",
        "applicant_phone": "029-1234567",
        **extra,
    }
    for n, line in enumerate(queries.merged_materials(bundle)):
        if line.required:
            data[f"f{n}"] = (io.BytesIO(PDF), f"{n}.pdf", "application/pdf")
    return data


def test_staff_applies_once_for_a_new_enterprise(login_as, uploads):
    client = login_as("staff-ll")
    data = _apply_data(client, "XC-QYKB", enterprise_uscc=NEW_USCC, enterprise_name="泾河示例新材料有限公司")
    response = client.post("/bundles/XC-QYKB/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    bundle_case = db.session.scalar(select(BundleCase).order_by(BundleCase.id.desc()))
    assert bundle_case.enterprise.name == "泾河示例新材料有限公司"
    assert response.headers["Location"].endswith(f"/bundles/cases/{bundle_case.bundle_no}")
    page = client.get(f"/bundles/cases/{bundle_case.bundle_no}").get_data(as_text=True)
    assert "企业设立登记" in page and "等待前置事项办结" in page
    receipt = client.get(f"/bundles/cases/{bundle_case.bundle_no}/receipt")
    assert receipt.status_code == 200 and "<svg" in receipt.get_data(as_text=True)
    track = client.get(f"/track?case_no={bundle_case.bundle_no}&code={bundle_case.query_code}")
    assert track.status_code == 303
    public = client.get(track.headers["Location"]).get_data(as_text=True)
    assert "发票领用" in public and bundle_case.bundle_no in public


def test_bad_input_gets_a_clear_422(login_as, uploads):
    client = login_as("staff-ll")
    data = _apply_data(client, "XC-QYKB", enterprise_uscc="91611100MA6XGD0000")
    response = client.post("/bundles/XC-QYKB/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "统一社会信用代码无效" in response.get_data(as_text=True)
    response = client.post(
        "/bundles/XC-QNXM/apply",
        data=_apply_data(client, "XC-QNXM", enterprise_uscc=f.make_enterprise().uscc),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "本驿站不受理" in response.get_data(as_text=True)
    assert client.get("/bundles/NOPE/apply").status_code == 404
    assert client.get("/bundles/cases/YJS-NOPE").status_code == 404
    assert client.get("/bundles/track?bundle_no=YJS-X&code=ABCDEF").status_code == 200


def test_the_enterprise_sees_one_bundle_with_its_steps(login_as, uploads, gd):
    bundle_case = apply_for("XC-YGRZ", enterprise=gd.enterprise)
    client = login_as(gd.username)
    home = client.get("/home").get_data(as_text=True)
    assert "我的一件事" in home and bundle_case.bundle_no in home
    conclude(bundle_case.children[0].case)
    assert client.get(f"/bundles/cases/{bundle_case.bundle_no}").status_code == 200


def test_admin_refuses_a_cycle_and_round_trips_xlsx(login_as):
    client = login_as("admin")
    items = [m.item.code for m in queries.get_bundle("XC-YGRZ").members]
    form = {
        "csrf_token": csrf_token_from(client, "/admin/bundles/new"),
        "code": "T-CYC",
        "name": "循环",
        "level": "LOCAL",
        "promised_days": "3",
        "members": f"{items[0]} | 2\n{items[1]} | 1",
    }
    response = client.post("/admin/bundles/new", data=form, headers={"HX-Request": "true", "HX-Target": "bundle-form"})
    assert response.status_code == 422 and "循环" in response.get_data(as_text=True)
    form["members"] = f"{items[0]} |\n{items[1]} | 1 | 可选"
    assert client.post("/admin/bundles/new", data=form).status_code == 303
    exported = client.get("/admin/bundles/export.xlsx")
    book = load_workbook(io.BytesIO(exported.data))
    assert any(row[0] == "T-CYC" for row in book["套餐"].iter_rows(values_only=True))
    sheet = book["套餐"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "T-CYC":
            row[1].value = "改名一件事"
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        "/admin/bundles/import",
        data={"csrf_token": csrf_token_from(client, "/admin/bundles/"), "file": (io.BytesIO(out.getvalue()), "b.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert queries.get_bundle("T-CYC").name == "改名一件事"
    bad = client.post(
        "/admin/bundles/import",
        data={
            "csrf_token": csrf_token_from(client, "/admin/bundles/"),
            "file": (io.BytesIO(b"not a workbook"), "b.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422


def test_bundle_cases_list_query_count_is_flat(login_as, uploads, count_queries):
    client = login_as("staff-ll")
    apply_for("XC-YGRZ")
    client.get("/bundles/cases")  # warm the calendar cache
    with count_queries() as few:
        client.get("/bundles/cases")
    for name in ("测试甲科技有限公司", "测试乙科技有限公司"):
        enterprise = f.make_enterprise(name)
        apply_for("XC-YGRZ", enterprise=enterprise)
        apply_for("XC-QYKB", enterprise=enterprise)
    with count_queries() as many:
        page = client.get("/bundles/cases").get_data(as_text=True)
    assert page.count("/bundles/cases/YJS-") >= 5
    assert many.count == few.count, (few.statements, many.statements)
