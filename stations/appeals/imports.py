"""Importing a 12345 work-order export (.xlsx or .csv with Chinese headers) as appeals.

All or nothing: every row is checked first, and any bad row (named by its row number in the file) stops the whole
import. The work-order number (工单编号) is stored as ``external_no``: a row whose number is already in the database
is skipped, so importing the same file twice creates no duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..calendar.services import pinned_calendar
from ..domain.appeal_flow import Urgency
from ..enterprises.models import Enterprise
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..timeutil import BUSINESS_TZ, business_today, utcnow
from .models import Appeal, Category, Nature, SourceChannel
from .services import AppealError, RegisterInput, allocate_numbers, register

HEADERS = {
    "工单编号": "external_no",
    "企业名称": "enterprise_name",
    "统一社会信用代码": "uscc",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "诉求类别": "category",
    "诉求性质": "nature",
    "紧急程度": "urgency",
    "诉求内容": "description",
    "登记时间": "registered_at",
}
REQUIRED = ("工单编号", "企业名称", "诉求类别", "诉求内容")
MAX_ROWS = 5000


@dataclass
class RowError:
    row: int  # the row number in the file (the header is row 1); 0 for the file as a whole
    message: str


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0  # work orders imported before
    errors: list[RowError] = field(default_factory=list)


# The export's vocabulary (fixed Chinese, whatever the UI language); the enum codes are accepted too.
CATEGORY_WORDS = {
    "企业开办": Category.ENTERPRISE_SETUP,
    "市场准入": Category.MARKET_ACCESS,
    "政务服务": Category.GOV_SERVICE,
    "监管执法": Category.SUPERVISION_ENFORCEMENT,
    "政策兑现": Category.POLICY_FULFILMENT,
    "欠中小企业账款": Category.SME_ARREARS,
    "其他": Category.OTHER,
}
NATURE_WORDS = {"咨询": Nature.CONSULT, "求助": Nature.HELP, "投诉": Nature.COMPLAINT, "建议": Nature.SUGGESTION}
NATURE_WORDS |= {"举报": Nature.REPORT, "表扬": Nature.PRAISE}
URGENCY_WORDS = {"一般": Urgency.NORMAL, "普通": Urgency.NORMAL, "复杂": Urgency.COMPLEX, "紧急": Urgency.URGENT}


def _reverse(words: dict) -> dict[str, object]:
    return words | {member.value: member for member in set(words.values())}


def _rows(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise AppealError("bad_file") from error
        sheet = book.worksheets[0]
        rows = [
            ["" if v is None else (v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
        return rows
    if filename.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(io.StringIO(data.decode(encoding))))
            except UnicodeDecodeError:
                continue
    raise AppealError("bad_file")


def _parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        return None
    aware = moment.replace(tzinfo=BUSINESS_TZ) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).replace(tzinfo=None)  # stored naive UTC


def import_work_orders(data: bytes, filename: str, user: User) -> ImportResult:
    """Check every row, then register them all (flushed, not committed); on any error nothing is added."""
    result = ImportResult()
    try:
        rows = _rows(data, filename)
    except AppealError:
        result.errors.append(RowError(0, _("文件无法读取，请上传 .xlsx 或 .csv 文件。")))
        return result
    if not rows:
        result.errors.append(RowError(0, _("文件是空的。")))
        return result
    header = [h.strip() for h in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        result.errors.append(RowError(1, _("缺少列：%(names)s", names="、".join(missing))))
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append(RowError(0, _("一次最多导入 %(n)d 行。", n=MAX_ROWS)))
        return result
    records = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        records.append(
            (
                number,
                {HEADERS[h]: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header) if h in HEADERS},
            )
        )
    numbers = [r["external_no"] for _n, r in records if r.get("external_no")]
    known = (
        set(db.session.scalars(select(Appeal.external_no).where(Appeal.external_no.in_(numbers)))) if numbers else set()
    )
    usccs = {r.get("uscc") for _n, r in records if r.get("uscc")}
    enterprises = (
        {e.uscc: e for e in db.session.scalars(select(Enterprise).where(Enterprise.uscc.in_(usccs)))} if usccs else {}
    )
    categories, natures, urgencies = _reverse(CATEGORY_WORDS), _reverse(NATURE_WORDS), _reverse(URGENCY_WORDS)
    seen: set[str] = set()
    inputs = []
    for number, record in records:
        problems = []
        external = record.get("external_no", "")
        if not external:
            problems.append(_("缺少工单编号"))
        elif external in seen:
            problems.append(_("工单编号 %(no)s 在文件中重复", no=external))
        seen.add(external)
        if not record.get("enterprise_name"):
            problems.append(_("缺少企业名称"))
        if not record.get("description"):
            problems.append(_("缺少诉求内容"))
        category = categories.get(record.get("category", ""))
        if category is None:
            problems.append(_("未知的诉求类别“%(v)s”", v=record.get("category", "")))
        nature = natures.get(record.get("nature") or "求助")
        if nature is None:
            problems.append(_("未知的诉求性质“%(v)s”", v=record.get("nature", "")))
        urgency = urgencies.get(record.get("urgency") or "一般")
        if urgency is None:
            problems.append(_("未知的紧急程度“%(v)s”", v=record.get("urgency", "")))
        registered = _parse_time(record.get("registered_at", ""))
        if record.get("registered_at") and registered is None:
            problems.append(_("登记时间格式不正确"))
        if problems:
            result.errors.append(RowError(number, ";".join(problems)))
            continue
        if external in known:
            result.skipped += 1
            continue
        inputs.append((external, record, Category(category), Nature(nature), Urgency(urgency), registered))
    if result.errors:
        return result
    appeal_numbers = allocate_numbers(business_today(), len(inputs))
    with pinned_calendar():
        for appeal_no, (external, record, category, nature, urgency, registered) in zip(
            appeal_numbers, inputs, strict=True
        ):
            data = RegisterInput(
                source_channel=SourceChannel.HOTLINE_12345,
                category=category,
                nature=nature,
                urgency=urgency,
                description=record["description"],
                enterprise=enterprises.get(record.get("uscc", "")),
                enterprise_name=record["enterprise_name"],
                contact_name=record.get("contact_name", ""),
                contact_phone=record.get("contact_phone", ""),
                external_no=external,
            )
            register(data, user, at=registered or utcnow(), appeal_no=appeal_no, notify=False, flush=False)
            result.created += 1
    db.session.flush()  # one flush: the rows go in batches
    if result.created:
        # One notice for the batch instead of one per work order.
        notify(user, NotificationKind.APPEAL_UPDATE, f"12345 · {result.created}")
    return result
