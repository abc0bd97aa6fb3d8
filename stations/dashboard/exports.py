"""Exports of the dashboard's tables to CSV and Excel, with Chinese headers.

The board's and the figures' tables are aggregates of at most a few hundred rows (the red list is capped, the
station tiles are seven): they are always built in the request and downloaded directly. The per-case tables
(``case_exports.py``) can run to a million rows: the view counts them first and, above
``EXPORT_ASYNC_ROWS``, hands them to a background job (``export_jobs.py``) that writes a file with the
functions below while the page polls a progress component (architecture.md §2.9, load polling).

Formula injection: a cell that starts with = + - @ (or a tab / carriage return) is prefixed with ' so that a
spreadsheet shows it as text (OWASP "CSV injection"). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook

from ..cases.labels import CHANNEL_LABELS
from ..catalog import queries as catalog_queries
from ..timeutil import business_today, to_business, utcnow
from . import board_queries, period_queries
from .periods import period_from_args

TABLES = ("tiles", "red-list", "figures", "channels", "ranking", "clerks", "departments")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included: longer exports continue on a new sheet
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` for a CSV or Excel cell: strings starting like a formula get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def table_rows(table: str, user, args) -> tuple[list[str], list[list]]:
    """(headers, rows) of one exportable table."""
    if table == "tiles":
        board = board_queries.board(user)
        headers = [
            _("网点"),
            _("今日收件"),
            _("在办"),
            _("黄灯"),
            _("红灯"),
            _("超期"),
            _("容缺待补"),
            _("平均评分"),
            _("在岗人员"),
        ]
        rows = [
            [
                t.station.name,
                t.received_today,
                t.open,
                t.yellow,
                t.red,
                t.overdue,
                t.rongque_pending,
                t.avg_rating if t.avg_rating is not None else "—",
                t.staff_on_duty,
            ]
            for t in board.tiles
        ]
        return headers, rows
    if table == "red-list":
        headers = [_("办件编号"), _("网点"), _("事项"), _("首办负责人"), _("超期时间")]
        rows = [
            [
                c.case_no,
                c.station.name,
                c.item.name,
                c.first_handler.display_name if c.first_handler else "—",
                to_business(c.overdue_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for c in board_queries.red_list(user)
        ]
        return headers, rows
    if table == "clerks":
        headers = [_("工作人员"), _("在办"), _("黄灯"), _("红灯")]
        return headers, [[u.display_name, n, y, r] for u, n, y, r in board_queries.clerk_load(user)]
    if table == "departments":
        headers = [
            _("部门"),
            _("事项数"),
            _("法定时限合计"),
            _("承诺时限合计"),
            _("压缩比"),
            _("最多跑一次比例"),
            _("即办件比例"),
        ]
        rows = [
            [
                d.department.name,
                m.item_count,
                m.statutory_days_total,
                m.promised_days_total,
                _pct(m.compression_ratio),
                _pct(m.one_visit_ratio),
                _pct(m.instant_ratio),
            ]
            for d in catalog_queries.department_breakdown()
            for m in (d.metrics,)
        ]
        return headers, rows
    _kind, first, last = period_from_args(args)
    report = period_queries.period_report(user, first, last)
    if table == "channels":
        labels = {key: str(label) for key, label in CHANNEL_LABELS.items()}
        return [_("渠道"), _("收件量")], [[labels.get(channel, channel), n] for channel, n in report.by_channel.items()]
    if table == "ranking":
        headers = [_("首办负责人"), _("已办结"), _("超期"), _("超期率")]
        rows = [[u.display_name, n, late, _pct(late / n if n else None)] for u, n, late in report.ranking]
        return headers, rows
    f = report.figures
    headers = [_("指标"), _("数值")]
    rows = [
        [_("统计期间"), f"{first.isoformat()} – {last.isoformat()}"],
        [_("收件量"), f.received],
        [_("受理量"), f.accepted],
        [_("办结量"), f.concluded],
        [_("按期办结率"), _pct(f.on_time_rate)],
        [_("超期率"), _pct(f.overdue_rate)],
        [_("平均办理工作日"), "—" if f.mean_days_to_decision is None else f.mean_days_to_decision],
        [_("即办件办件占比"), _pct(f.instant_share)],
        [_("容缺受理件数"), f.rongque_cases],
        [_("容缺按期补齐率"), _pct(f.rongque_on_time_rate)],
        [_("满意率"), _pct(f.satisfaction_rate)],
        [_("差评按期整改率"), _pct(f.rectified_on_time_rate)],
    ]
    return headers, rows


def _csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # BOM: Excel opens UTF-8 CSV with Chinese headers correctly
    for row in [headers, *rows]:
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_xlsx(target, title: str, headers: list[str], rows: Iterable[list]) -> None:
    """Write ``rows`` to ``target`` (a path or a binary file) in openpyxl's write-only mode: flat memory."""
    workbook = Workbook(write_only=True)
    sheet = None
    used = XLSX_MAX_ROWS
    sheets = 0
    for row in rows:
        if used >= XLSX_MAX_ROWS:
            sheets += 1
            name = title[:31] if sheets == 1 else f"{title[:27]}-{sheets}"
            sheet = workbook.create_sheet(title=name)
            sheet.append([safe_cell(value) for value in headers])
            used = 1
        sheet.append([safe_cell(value) for value in row])
        used += 1
    if sheet is None:
        workbook.create_sheet(title=title[:31]).append([safe_cell(value) for value in headers])
    workbook.save(target)


def xlsx_bytes(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    output = io.BytesIO()
    write_xlsx(output, title, headers, rows)
    return output.getvalue()


def write_csv(path: Path, headers: list[str], rows: Iterable[list]) -> None:
    """Write ``rows`` to ``path`` as UTF-8 CSV with a BOM (for Excel), one row at a time."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([safe_cell(value) for value in headers])
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])


def write_file(fmt: str, path: Path, title: str, headers: list[str], rows: Iterable[list]) -> None:
    if fmt == "csv":
        write_csv(path, headers, rows)
    else:
        write_xlsx(path, title, headers, rows)


def filename(table: str, fmt: str) -> str:
    return f"stations-{table}-{business_today(utcnow()).isoformat()}.{fmt}"


def send(table: str, fmt: str, headers: list[str], rows: list[list]) -> Response:
    if fmt == "csv":
        response = Response(_csv_lines(headers, rows), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(xlsx_bytes(table, headers, rows), mimetype=MIMETYPES["xlsx"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(table, fmt)}"'
    return response
