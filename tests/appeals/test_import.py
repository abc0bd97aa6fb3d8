"""The 12345 work-order import: all or nothing, each bad row named, no duplicates on a second import, fast."""

from __future__ import annotations

import csv
import io
import time

from openpyxl import Workbook
from sqlalchemy import func, select

from stations.appeals.imports import import_work_orders
from stations.appeals.models import Appeal, SourceChannel
from stations.extensions import db
from tests import factories as f
from tests.helpers.appeals import token

HEADER = [
    "工单编号",
    "企业名称",
    "统一社会信用代码",
    "联系人",
    "联系电话",
    "诉求类别",
    "诉求性质",
    "紧急程度",
    "诉求内容",
    "登记时间",
]


def _row(n: int, **over) -> list[str]:
    values = {
        "工单编号": f"GD2026{n:06d}",
        "企业名称": f"(测试)企业{n}",
        "统一社会信用代码": "",
        "联系人": "张三",
        "联系电话": "13800000000",
        "诉求类别": ["企业开办", "市场准入", "政务服务", "监管执法", "政策兑现", "欠中小企业账款"][n % 6],
        "诉求性质": "求助",
        "紧急程度": "一般",
        "诉求内容": f"诉求内容 {n}",
        "登记时间": "2026-11-02 10:00:00",
        **over,
    }
    return [values[h] for h in HEADER]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Appeal).where(Appeal.external_no.like("GD2026%")))


def test_a_thousand_rows_import_fast_and_a_second_import_adds_nothing():
    admin = f.user("admin")
    data = _xlsx([_row(n) for n in range(1000)])
    started = time.perf_counter()
    result = import_work_orders(data, "12345.xlsx", admin)
    elapsed = time.perf_counter() - started
    assert result.errors == [] and result.created == 1000
    assert elapsed < 10, f"1,000 rows took {elapsed:.1f} s"
    print(f"\n12345 import: 1,000 rows in {elapsed:.2f} s")
    again = import_work_orders(data, "12345.xlsx", admin)
    assert again.created == 0 and again.skipped == 1000 and _count() == 1000
    sample = db.session.scalar(select(Appeal).where(Appeal.external_no == "GD2026000007"))
    assert sample.source_channel is SourceChannel.HOTLINE_12345 and sample.category.value == "MARKET_ACCESS"


def test_bad_rows_import_nothing_and_are_named(app):
    rows = [_row(1), _row(2, 诉求类别="天气"), _row(3, 诉求内容=""), _row(4), _row(5, 工单编号="GD2026000004"), _row(6)]
    with app.test_request_context():  # the row messages are translated
        result = import_work_orders(_csv(rows), "bad.csv", f.user("admin"))
    assert result.created == 0 and _count() == 0
    assert [e.row for e in result.errors] == [3, 4, 6]
    assert "天气" in result.errors[0].message and "诉求内容" in result.errors[1].message
    assert "重复" in result.errors[2].message


def test_the_import_page(login_as):
    admin = login_as("admin")
    bad = _csv([_row(1, 紧急程度="特急")])
    response = admin.post(
        "/appeals/import",
        data={"csrf_token": token(admin, "/appeals/import"), "file": (io.BytesIO(bad), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "第 2 行" in response.get_data(as_text=True)
    response = admin.post(
        "/appeals/import",
        data={"csrf_token": token(admin, "/appeals/import"), "file": (io.BytesIO(b"\x00\x01"), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "文件无法读取" in response.get_data(as_text=True)
    good = _csv([_row(9)])
    response = admin.post(
        "/appeals/import",
        data={"csrf_token": token(admin, "/appeals/import"), "file": (io.BytesIO(good), "ok.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and _count() == 1
