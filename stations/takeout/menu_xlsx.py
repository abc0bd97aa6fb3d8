"""The 政务外卖 menu as one xlsx sheet, out and back in (issue 15: administrators maintain the 560+ lines).

Chinese headers. Import is all or nothing: every row is checked first and one bad row refuses the whole file with
the row-level errors; a clean file is written in one transaction the caller commits. Rows are matched by 编码:
existing lines are updated, new ones added, none deleted (a line is retired with 在用 = 否).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from ..catalog.models import ServiceItem
from ..extensions import db
from .models import MenuKind, MenuLine
from .queries import menu_pinyin

HEADERS = ["编码", "名称", "类型", "类别", "事项编码", "所需技能", "在用"]
KIND_NAMES = {MenuKind.ITEM: "政务服务事项", MenuKind.POLICY: "政策咨询", MenuKind.CUSTOM: "个性化点单"}
KINDS_BY_NAME = {name: kind for kind, name in KIND_NAMES.items()} | {k.value: k for k in MenuKind}
YES, NO = "是", "否"
MAX_ROWS = 5000


def export_menu() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("菜单")
    sheet.append(HEADERS)
    item_codes = dict(db.session.execute(select(ServiceItem.id, ServiceItem.code)).all())
    for line in db.session.scalars(select(MenuLine).order_by(MenuLine.code)):
        sheet.append(
            [
                line.code,
                line.title,
                KIND_NAMES[line.kind],
                line.category,
                item_codes.get(line.item_id, ""),
                "、".join(line.skills or []),
                YES if line.is_active else NO,
            ]
        )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def import_menu(data: bytes) -> ImportResult:
    """Check every row, then write all of them (flush) or none. ``errors`` holds "第N行: ..." lines."""
    result = ImportResult()
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:
        result.errors.append("文件无法读取:请上传由本系统导出的 xlsx 文件。")
        return result
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, [])]
    if header[: len(HEADERS)] != HEADERS:
        result.errors.append("表头不正确:应为 " + "、".join(HEADERS))
        return result
    items = dict(db.session.execute(select(ServiceItem.code, ServiceItem.id)).all())
    existing = {line.code: line for line in db.session.scalars(select(MenuLine))}
    checked, seen = [], set()
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            result.errors.append(f"行数超过 {MAX_ROWS},请分批导入。")
            break
        values = [_text(v) for v in (list(row) + [None] * len(HEADERS))[: len(HEADERS)]]
        if not any(values):
            continue
        code, title, kind_name, category, item_code, skills, active = values
        problems = []
        if not code or len(code) > 16 or code in seen:
            problems.append("编码为空、过长或重复")
        if not title or len(title) > 200:
            problems.append("名称为空或超过200字")
        kind = KINDS_BY_NAME.get(kind_name)
        if kind is None:
            problems.append("类型应为 政务服务事项、政策咨询 或 个性化点单")
        if item_code and item_code not in items:
            problems.append(f"事项编码 {item_code} 不存在")
        if kind is MenuKind.ITEM and not item_code:
            problems.append("政务服务事项须填写事项编码")
        if active not in (YES, NO, ""):
            problems.append("在用应为 是 或 否")
        seen.add(code)
        if problems:
            result.errors.append(f"第{number}行:" + ";".join(problems))
            continue
        checked.append((code, title, kind, category or "其他", items.get(item_code), skills, active != NO))
    if result.errors:
        return result
    for code, title, kind, category, item_id, skills, is_active in checked:
        line = existing.get(code)
        if line is None:
            line = MenuLine(code=code)
            db.session.add(line)
            result.added += 1
        else:
            result.updated += 1
        line.title, line.kind, line.category, line.item_id, line.is_active = (
            title,
            kind,
            category[:40],
            item_id,
            is_active,
        )
        line.skills = [s for s in skills.replace(",", "、").split("、") if s][:10]
        line.pinyin = menu_pinyin(title)
    db.session.flush()
    return result
