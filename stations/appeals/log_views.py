"""The commissioners' service log: a day view on the tablet with a quick entry form, a monthly summary per
commissioner, and the month as an .xlsx file."""

from __future__ import annotations

import calendar as month_calendar
import csv
import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from ..access import SERVICE_LOG_AUTHOR_ROLES, current_clients_of
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import business_today
from ..web.htmx import render
from . import log_queries, log_services
from .labels import ERROR_MESSAGES, LOG_KIND_LABELS
from .models import LogKind
from .services import AppealError

bp = Blueprint("servicelog", __name__, url_prefix="/service-log")

# The authors (stations/access; the appeal queue's 服务台账 link asks may_keep_service_log), and who reads them all.
AUTHOR_ROLES = tuple(SERVICE_LOG_AUTHOR_ROLES)
SUMMARY_ROLES = (*AUTHOR_ROLES, Role.CENTRAL, Role.ADMIN)


def _user() -> User:
    return current_user._get_current_object()


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else business_today()
    except ValueError:
        return business_today()


def _month(value: str | None) -> tuple[date, date]:
    today = business_today()
    year, month = today.year, today.month
    if value and len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), min(max(int(value[5:]), 1), 12)
    return date(year, month, 1), date(year, month, month_calendar.monthrange(year, month)[1])


def _enterprises(user: User) -> list[Enterprise]:
    query = select(Enterprise).order_by(Enterprise.name).limit(300)
    if user.role is Role.CLERK:
        query = query.where(Enterprise.id.in_(current_clients_of(user)))
    elif user.station_id is not None:
        query = query.where(Enterprise.station_id == user.station_id)
    return list(db.session.scalars(query))


def _day_page(user: User, day: date, errors: list[str], status: int = 200):
    return render(
        "appeals/log_day.html",
        status=status,
        user=user,
        day=day,
        entries=log_queries.day_entries(user, day),
        enterprises=_enterprises(user),
        errors=errors,
        kinds=list(LogKind),
        kind_labels=LOG_KIND_LABELS,
    )


@bp.get("/")
@roles_required(*AUTHOR_ROLES)
def day():
    return _day_page(_user(), _day(request.args.get("day")), [])


@bp.post("/")
@roles_required(*AUTHOR_ROLES)
@idempotent("servicelog.create")
def create():
    user = _user()
    form = request.form
    entry_day = _day(form.get("day"))
    enterprise = form.get("enterprise_id", "")
    data = log_services.LogInput(
        kind=form.get("kind", ""),
        enterprise_id=int(enterprise) if enterprise.isdigit() else None,
        day=entry_day,
        note=form.get("note", ""),
        solved=form.get("solved") == "1",
        case_no=form.get("case_no", "")[:24],
        appeal_no=form.get("appeal_no", "")[:24],
    )
    try:
        log_services.add_entry(user, data)
    except AppealError as error:
        db.session.rollback()
        return _day_page(user, entry_day, [str(ERROR_MESSAGES.get(error.code, error.code))], 422)
    db.session.commit()
    flash(_("已记录。"), "success")
    return redirect(url_for("servicelog.day", day=entry_day.isoformat()), 303)


@bp.get("/summary")
@roles_required(*SUMMARY_ROLES)
def summary():
    user = _user()
    first, last = _month(request.args.get("month"))
    return render(
        "appeals/log_summary.html",
        user=user,
        first=first,
        summaries=log_queries.month_summary(user, first, last),
        kinds=list(LogKind),
        kind_labels=LOG_KIND_LABELS,
    )


@bp.get("/export.<fmt>")
@roles_required(*SUMMARY_ROLES)
def export(fmt: str):
    """The month's entries as .xlsx (or .csv, for a quick look)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    user = _user()
    first, last = _month(request.args.get("month"))
    header = [_("日期"), _("专员"), _("企业"), _("类型"), _("已解决"), _("办件编号"), _("诉求编号"), _("记录")]
    rows = [
        [
            entry.day.isoformat(),
            entry.author.display_name,
            entry.enterprise.name,
            str(LOG_KIND_LABELS[entry.kind]),
            _("是") if entry.solved else "",
            entry.case.case_no if entry.case else "",
            entry.appeal.appeal_no if entry.appeal else "",
            entry.note,
        ]
        for entry in log_queries.month_entries(user, first, last)
    ]
    name = f"service-log-{first:%Y-%m}.{fmt}"
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        data = io.BytesIO(text.getvalue().encode("utf-8-sig"))
        return send_file(data, mimetype="text/csv", as_attachment=True, download_name=name)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{first:%Y-%m}")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(out, mimetype=mimetype, as_attachment=True, download_name=name)
