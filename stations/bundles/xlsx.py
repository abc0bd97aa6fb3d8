"""Bundles as a workbook (openpyxl): export all, import (create or update by code), row-numbered errors.

Sheet 套餐: 编码, 名称, 级别 (NATIONAL / BATCH1 / LOCAL), 网办 (是/否), 承诺总时限, 适用情形.
Sheet 成员: 套餐编码, 序号, 事项编码, 前置序号 (comma separated), 可选 (是/否).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from ..catalog.models import ServiceItem
from ..extensions import db
from . import queries, services
from .models import BundleLevel

BUNDLE_HEAD = ["编码", "名称", "级别", "网办", "承诺总时限", "适用情形"]
MEMBER_HEAD = ["套餐编码", "序号", "事项编码", "前置序号", "可选"]
MAX_ROWS = 5000
YES = ("是", "Y", "YES", "TRUE", "1")


def export_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "套餐"
    sheet.append(BUNDLE_HEAD)
    members = book.create_sheet("成员")
    members.append(MEMBER_HEAD)
    for bundle in queries.bundles(active_only=False):
        sheet.append(
            [
                bundle.code,
                bundle.name,
                bundle.level.value,
                "是" if bundle.is_online else "否",
                bundle.promised_days,
                bundle.scenario_text or "",
            ]
        )
        for m in bundle.members:
            members.append(
                [
                    bundle.code,
                    m.seq,
                    m.item.code,
                    ",".join(str(d) for d in m.depends_on or []),
                    "是" if m.is_optional else "否",
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[str] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _int(value, default: int = 0) -> int | None:
    text = _text(value)
    if not text:
        return default
    try:
        return int(float(text))
    except ValueError:
        return None


def _read(data: bytes):
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return None, None
    if "套餐" not in book.sheetnames or "成员" not in book.sheetnames:
        return None, None
    return list(book["套餐"].iter_rows(min_row=2, max_row=MAX_ROWS, values_only=True)), list(
        book["成员"].iter_rows(min_row=2, max_row=MAX_ROWS * 10, values_only=True)
    )


def _members(rows, result: ImportResult) -> dict[str, list[services.MemberInput]]:
    items = dict(db.session.execute(select(ServiceItem.code, ServiceItem.id)).all())
    by_bundle: dict[str, list[services.MemberInput]] = {}
    for n, row in enumerate(rows, start=2):
        row = list(row) + [None] * 5
        code, seq, item_code, deps, optional = (_text(v) for v in row[:5])
        if not code:
            continue
        seq_n = _int(seq, -1)
        dep_list = [d.strip() for d in deps.replace(",", ",").split(",") if d.strip()]
        if seq_n is None or seq_n < 1 or item_code not in items or not all(d.isdigit() for d in dep_list):
            result.errors.append(f"成员 第{n}行: 序号、事项编码或前置序号无效")
            continue
        by_bundle.setdefault(code, []).append(
            services.MemberInput(seq_n, items[item_code], [int(d) for d in dep_list], optional.upper() in YES)
        )
    return by_bundle


def import_workbook(data: bytes) -> ImportResult:
    """Create or update every bundle of the workbook; nothing is saved when any row is wrong (caller rolls back)."""
    result = ImportResult()
    bundle_rows, member_rows = _read(data)
    if bundle_rows is None:
        result.errors.append("不是有效的套餐工作簿(需要“套餐”和“成员”两个工作表)")
        return result
    members = _members(member_rows, result)
    for n, row in enumerate(bundle_rows, start=2):
        row = list(row) + [None] * 6
        code, name, level, online = (_text(v) for v in row[:4])
        if not code:
            continue
        days = _int(row[4])
        if not name or level not in BundleLevel.__members__ or days is None or days < 0:
            result.errors.append(f"套餐 第{n}行: 名称、级别或时限无效")
            continue
        data_ = services.BundleInput(
            code[:20], name, BundleLevel(level), online.upper() in YES, _text(row[5]), days, members.get(code, [])
        )
        try:
            services.save_bundle(queries.get_bundle(code[:20]), data_)
            result.saved += 1
        except services.BundleError as error:
            result.errors.append(f"套餐 第{n}行 {code}: {error.code} {error.detail}")
    return result
