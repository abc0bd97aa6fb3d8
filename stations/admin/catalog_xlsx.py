"""The whole catalogue as one xlsx workbook, out and back in (issue 12, item 3).

Three sheets with Chinese headers: 事项 (items), 材料 (their materials), 网点范围 (which station offers which item, and
how: 可直接受理 / 代收转中心 / 咨询帮办). Import is all or nothing: every row is checked first, and one bad row refuses the
whole file with the row-level errors (sheet, row number, message); only a clean file is written, in one transaction
the caller commits. Rows are matched by code (item code; item code + material code; station code + item code):
existing rows are updated, new ones added; nothing is deleted (an item is retired with 在用 = 否).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from ..catalog.models import Department, ItemMaterial, ItemType, OnlineMode, ServiceItem
from ..catalog.search import pinyin_initials
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem

ITEM_HEADERS = [
    "事项编码",
    "事项名称",
    "部门编码",
    "事项类型",
    "即办件",
    "法定时限",
    "承诺时限",
    "到现场次数",
    "容缺受理",
    "在用",
]
MATERIAL_HEADERS = ["事项编码", "材料编码", "材料名称", "必要", "主要材料", "可容缺"]
SCOPE_HEADERS = ["网点编码", "事项编码", "办理方式"]
SHEETS = {"事项": ITEM_HEADERS, "材料": MATERIAL_HEADERS, "网点范围": SCOPE_HEADERS}
MODE_NAMES = {ScopeMode.ACCEPT: "可直接受理", ScopeMode.COLLECT: "代收转中心", ScopeMode.GUIDE: "咨询帮办"}
MODES_BY_NAME = {name: mode for mode, name in MODE_NAMES.items()}
YES, NO = "是", "否"
MAX_ROWS = 20_000  # a file far beyond the catalogue's size is refused, not read


def _yes(value: bool) -> str:
    return YES if value else NO


def export_catalog() -> bytes:
    """The catalogue (every item, material and station scope) as xlsx bytes."""
    workbook = Workbook(write_only=True)
    items = workbook.create_sheet("事项")
    items.append(ITEM_HEADERS)
    materials = workbook.create_sheet("材料")
    materials.append(MATERIAL_HEADERS)
    for item in db.session.scalars(select(ServiceItem).order_by(ServiceItem.code)):
        items.append(
            [
                item.code,
                item.name,
                item.department.code,
                item.item_type.value,
                _yes(item.is_instant),
                item.statutory_days,
                item.promised_days,
                item.max_visits,
                _yes(item.rongque_allowed),
                _yes(item.is_active),
            ]
        )
        for m in item.materials:
            materials.append([item.code, m.code, m.name, _yes(m.is_required), _yes(m.is_main), _yes(m.rongque_allowed)])
    scope = workbook.create_sheet("网点范围")
    scope.append(SCOPE_HEADERS)
    rows = db.session.execute(
        select(Station.code, ServiceItem.code, StationItem.mode)
        .join(Station, Station.id == StationItem.station_id)
        .join(ServiceItem, ServiceItem.id == StationItem.item_id)
        .order_by(Station.sort_order, Station.code, ServiceItem.code)
    )
    for station_code, item_code, mode in rows:
        scope.append([station_code, item_code, MODE_NAMES[mode]])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportResult:
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row number, message)
    items: int = 0  # rows written (added or updated)
    materials: int = 0
    scopes: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rows:
    """Validated cell readers that collect row-level errors."""

    def __init__(self, result: ImportResult, sheet: str, row: int, values: dict[str, object]):
        self.result, self.sheet, self.row, self.values = result, sheet, row, values

    def error(self, message: str) -> None:
        self.result.errors.append((self.sheet, self.row, message))

    def text(self, header: str, max_length: int) -> str:
        value = self.values.get(header)
        text = "" if value is None else str(value).strip()
        if not text:
            self.error(_("「%(header)s」不能为空", header=header))
        elif len(text) > max_length:
            self.error(_("「%(header)s」超过 %(n)s 个字", header=header, n=max_length))
        return text[:max_length]

    def flag(self, header: str) -> bool:
        value = str(self.values.get(header) or "").strip()
        if value not in (YES, NO):
            self.error(_("「%(header)s」只能填“是”或“否”", header=header))
        return value == YES

    def days(self, header: str, maximum: int = 365) -> int:
        value = self.values.get(header)
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            self.error(_("「%(header)s」须为 0 到 %(n)s 的整数", header=header, n=maximum))
            return 0
        if (isinstance(value, float) and value != int(value)) or not 0 <= number <= maximum:
            self.error(_("「%(header)s」须为 0 到 %(n)s 的整数", header=header, n=maximum))
        return number


def _sheet_rows(workbook, name: str, result: ImportResult):
    if name not in workbook.sheetnames:
        result.errors.append((name, 0, _("缺少工作表「%(name)s」", name=name)))
        return []
    sheet = workbook[name]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if header[: len(SHEETS[name])] != SHEETS[name]:
        result.errors.append((name, 1, _("表头应为：%(headers)s", headers=" | ".join(SHEETS[name]))))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            result.errors.append((name, number, _("行数超过上限 %(n)s", n=MAX_ROWS)))
            break
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((number, dict(zip(SHEETS[name], values, strict=False))))
    return out


def import_catalog(data: bytes) -> ImportResult:
    """Check every row, then write all of them, or none when any row is bad. Flushes, never commits."""
    result = ImportResult()
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:
        result.errors.append(("", 0, _("文件不是有效的 xlsx 工作簿")))
        return result
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    stations = {s.code: s for s in db.session.scalars(select(Station))}
    items = {i.code: i for i in db.session.scalars(select(ServiceItem))}

    item_rows = []
    seen: set[str] = set()
    for number, values in _sheet_rows(workbook, "事项", result):
        r = _Rows(result, "事项", number, values)
        code = r.text("事项编码", 40)
        if code in seen:
            r.error(_("事项编码 %(code)s 重复", code=code))
        seen.add(code)
        department = departments.get(str(values.get("部门编码") or "").strip())
        if department is None:
            r.error(_("「部门编码」不存在"))
        try:
            item_type = ItemType(str(values.get("事项类型") or "").strip())
        except ValueError:
            r.error(_("「事项类型」无效（XK/QR/JF/CJ/JL/QT/GG）"))
            item_type = None
        row = {
            "code": code,
            "name": r.text("事项名称", 200),
            "department": department,
            "item_type": item_type,
            "is_instant": r.flag("即办件"),
            "statutory_days": r.days("法定时限"),
            "promised_days": r.days("承诺时限"),
            "max_visits": r.days("到现场次数", 9),
            "rongque_allowed": r.flag("容缺受理"),
            "is_active": r.flag("在用"),
        }
        if row["promised_days"] > row["statutory_days"] > 0:
            r.error(_("承诺时限不能超过法定时限"))
        if row["is_instant"] and row["promised_days"] != 0:
            r.error(_("即办件的承诺时限应为 0"))
        item_rows.append(row)
    known = set(items) | seen

    material_rows = []
    for number, values in _sheet_rows(workbook, "材料", result):
        r = _Rows(result, "材料", number, values)
        item_code = r.text("事项编码", 40)
        if item_code and item_code not in known:
            r.error(_("事项编码 %(code)s 不在目录中", code=item_code))
        row = {
            "item_code": item_code,
            "code": r.text("材料编码", 20),
            "name": r.text("材料名称", 200),
            "is_required": r.flag("必要"),
            "is_main": r.flag("主要材料"),
            "rongque_allowed": r.flag("可容缺"),
        }
        if row["is_main"] and row["rongque_allowed"]:
            r.error(_("主要材料不可容缺"))
        material_rows.append(row)

    scope_rows = []
    for number, values in _sheet_rows(workbook, "网点范围", result):
        r = _Rows(result, "网点范围", number, values)
        station = stations.get(str(values.get("网点编码") or "").strip().upper())
        if station is None:
            r.error(_("「网点编码」不存在"))
        item_code = r.text("事项编码", 40)
        if item_code and item_code not in known:
            r.error(_("事项编码 %(code)s 不在目录中", code=item_code))
        mode = MODES_BY_NAME.get(str(values.get("办理方式") or "").strip())
        if mode is None:
            r.error(_("「办理方式」只能是 可直接受理 / 代收转中心 / 咨询帮办"))
        scope_rows.append((station, item_code, mode))

    if result.errors:
        return result  # nothing half-imported
    _write(result, items, item_rows, material_rows, scope_rows)
    return result


def _write(result: ImportResult, items: dict, item_rows: list, material_rows: list, scope_rows: list) -> None:
    for row in item_rows:
        item = items.get(row["code"])
        if item is None:
            item = ServiceItem(code=row["code"], online_mode=OnlineMode.OFFLINE)
            db.session.add(item)
            items[row["code"]] = item
        item.name = row["name"]
        item.name_initials = pinyin_initials(row["name"])
        item.department_id = row["department"].id
        for key in ("item_type", "is_instant", "statutory_days", "promised_days", "max_visits"):
            setattr(item, key, row[key])
        item.rongque_allowed = row["rongque_allowed"]
        item.is_active = row["is_active"]
        result.items += 1
    db.session.flush()
    for row in material_rows:
        item = items[row["item_code"]]
        material = next((m for m in item.materials if m.code == row["code"]), None)
        if material is None:
            material = ItemMaterial(code=row["code"], sort_order=len(item.materials))
            item.materials.append(material)
        for key in ("name", "is_required", "is_main", "rongque_allowed"):
            setattr(material, key, row[key])
        result.materials += 1
    db.session.flush()
    existing = {(s.station_id, s.item_id): s for s in db.session.scalars(select(StationItem))}
    for station, item_code, mode in scope_rows:
        item = items[item_code]
        entry = existing.get((station.id, item.id))
        if entry is None:
            entry = StationItem(station_id=station.id, item_id=item.id)
            db.session.add(entry)
            existing[(station.id, item.id)] = entry
        entry.mode = mode
        result.scopes += 1
    db.session.flush()
