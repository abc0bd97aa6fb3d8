"""Appeal pages: the queue per role (the supervisor's assignment screen included), registering, the appeal page
with its timeline and actions, the enterprise's plain-words view, attachments, and the 12345 import.

Scope comes from stations/access only: an appeal outside it is a 404. Actions answer by their htmx target: an
``appeal-row-<id>`` gets the row back (in place, as the case queue), anything else a 303 to the appeal page. A stale
version is a 409, a refused event or bad input a 422 (or the upload checks' 4xx) with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from ..access import (
    APPEAL_REGISTER_ROLES,
    APPEAL_SUPERVISOR_ROLES,
    appeal_actor,
    current_clients_of,
    files_own_appeal,
    may_keep_service_log,
    may_register_appeal,
    may_supervise_appeals,
)
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..calendar.services import pinned_calendar
from ..cases.labels import COLOUR_LABELS
from ..catalog.models import Department
from ..domain.appeal_flow import (
    EVENT_LABELS,
    FEEDBACK_LABELS,
    PLAIN_LABELS,
    STATUS_LABELS,
    AppealEvent,
    AppealFlowError,
    AppealStatus,
    Feedback,
    GuardFailed,
    available_events,
)
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import business_today
from ..uploads.storage import UploadRejected, discard, send_stored, store
from ..web.htmx import is_htmx, render, render_fragment
from . import forms, imports, queries, services
from .labels import CATEGORY_LABELS, CHANNEL_LABELS, DESK_CHANNELS, ERROR_MESSAGES, NATURE_LABELS, URGENCY_LABELS
from .models import Appeal, Category, Nature, SourceChannel
from .origins import origin_link

bp = Blueprint("appeals", __name__, url_prefix="/appeals")

ALL_ROLES = tuple(Role)
# Events a tap on a queue row fires (no form input needed).
ROW_EVENTS = (
    AppealEvent.SIGN,
    AppealEvent.FIRST_CONTACT,
    AppealEvent.REOPEN,
    AppealEvent.ESCALATE,
    AppealEvent.CLOSE,
)
MAX_ATTACHMENTS = 5


def _user() -> User:
    return current_user._get_current_object()


def _labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "plain_labels": PLAIN_LABELS,
        "event_labels": EVENT_LABELS,
        "feedback_labels": FEEDBACK_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "category_labels": CATEGORY_LABELS,
        "nature_labels": NATURE_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "colour_labels": COLOUR_LABELS,
    }


def _message(error: Exception) -> str:
    if isinstance(error, GuardFailed):
        return _(error.message)
    code = getattr(error, "code", "")
    return str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["illegal_transition"]))


@dataclass
class Row:
    appeal: Appeal
    level: str
    quick: list[AppealEvent]
    can_assign: bool
    promised_on: date | None  # the reply date the enterprise's own list promises


def _row(user: User, appeal: Appeal) -> Row:
    actor = appeal_actor(user, appeal, in_scope=True)  # loaded through the scope
    events = available_events(services.facts_for(appeal), actor) if actor else []
    return Row(
        appeal=appeal,
        level=services.warn_level_of(appeal).value,
        quick=[e for e in events if e in ROW_EVENTS],
        can_assign=AppealEvent.ASSIGN in events,
        promised_on=services.promised_reply_on(appeal),
    )


def _departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


@bp.get("/")
@login_required
def index():
    user = _user()
    status = request.args.get("status", "").strip().upper()
    status = status if status in AppealStatus.__members__ or status == "ALL" else ""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    result = queries.queue(
        user, status=status if status not in ("", "ALL") else None, include_closed=status == "ALL", page=page
    )
    template = "appeals/mine.html" if user.role is Role.ENTERPRISE else "appeals/index.html"
    with pinned_calendar():  # one calendar for every row, not a freshness query per replied appeal
        rows = [_row(user, appeal) for appeal in result.rows]
    return render(
        template,
        {"appeal-table": "appeal_table"},
        user=user,
        rows=rows,
        result=result,
        status_filter=status,
        counts=queries.status_counts(user),
        departments=_departments() if may_supervise_appeals(user) else [],
        today=business_today(),
        AppealStatus=AppealStatus,
        may_register=may_register_appeal(user),
        supervises=may_supervise_appeals(user),
        keeps_log=may_keep_service_log(user),
        **_labels(),
    )


def _register_page(user: User, errors: list[str], values, status: int = 200) -> Response:
    on_behalf = not files_own_appeal(user)
    enterprises = []
    if on_behalf:
        query = select(Enterprise).order_by(Enterprise.name).limit(200)
        if user.role is Role.CLERK:
            query = query.where(Enterprise.id.in_(current_clients_of(user)))
        elif user.role in (Role.STAFF, Role.COMMISSIONER) and user.station_id:
            query = query.where(Enterprise.station_id == user.station_id)
        enterprises = list(db.session.scalars(query))
    return render(
        "appeals/new.html",
        status=status,
        user=user,
        on_behalf=on_behalf,
        errors=errors,
        values=values,
        enterprises=enterprises,
        desk_channels=DESK_CHANNELS,
        Category=Category,
        Nature=Nature,
        **_labels(),
    )


@bp.get("/new")
@roles_required(*APPEAL_REGISTER_ROLES)  # the queue's 登记诉求 button: may_register_appeal
def new():
    return _register_page(_user(), [], {})


def _register_input(user: User, values) -> services.RegisterInput:
    if files_own_appeal(user):
        channel = SourceChannel.PORTAL
        enterprise = db.session.get(Enterprise, user.enterprise_id)
    else:
        channel = services.parse_enum(SourceChannel, values.get("source_channel"), "unknown_channel")
        enterprise_id = values.get("enterprise_id", "")
        enterprise = db.session.get(Enterprise, int(enterprise_id)) if enterprise_id.isdigit() else None
        if enterprise is None and not values.get("enterprise_name", "").strip():
            raise services.AppealError("enterprise_required")
    return services.RegisterInput(
        source_channel=channel,
        category=services.parse_enum(Category, values.get("category"), "unknown_category"),
        nature=services.parse_enum(Nature, values.get("nature") or "HELP", "unknown_nature"),
        urgency=forms.urgency(values.get("urgency")),
        description=forms._text(values, "description"),
        enterprise=enterprise,
        enterprise_name=forms._text(values, "enterprise_name", 200),
        station_id=user.station_id if user.role in (Role.STAFF, Role.COMMISSIONER) else None,
        contact_name=forms._text(values, "contact_name", 100),
        contact_phone=forms._text(values, "contact_phone", 32),
    )


@bp.post("/new")
@roles_required(*APPEAL_REGISTER_ROLES)
@idempotent("appeals.register")
def create():
    user = _user()
    stored: list = []
    try:
        data = _register_input(user, request.form)
        files = [f for f in request.files.getlist("attachments") if f and f.filename][:MAX_ATTACHMENTS]
        for upload in files:
            stored.append(store(upload, enterprise_id=data.enterprise.id if data.enterprise else None, user_id=user.id))
        data.attachments = stored
        appeal = services.register(data, user)
    except UploadRejected as error:
        db.session.rollback()
        discard(stored)
        return _register_page(user, [str(ERROR_MESSAGES.get(error.code, error.code))], request.form, error.status)
    except (services.AppealError, AppealFlowError) as error:
        db.session.rollback()
        discard(stored)
        return _register_page(user, [_message(error)], request.form, 422)
    db.session.commit()
    flash(_("诉求已登记，编号 %(no)s。", no=appeal.appeal_no), "success")
    return redirect(url_for("appeals.show", appeal_no=appeal.appeal_no), 303)


def _visible(user: User, appeal_no: str) -> Appeal:
    appeal = queries.appeal_for(user, appeal_no)
    if appeal is None:
        abort(404)
    return appeal


def _show_page(user: User, appeal: Appeal, errors: list[str] | None = None, status: int = 200) -> Response:
    actor = appeal_actor(user, appeal)
    events = available_events(services.facts_for(appeal), actor) if actor else []
    template = "appeals/plain.html" if user.role is Role.ENTERPRISE else "appeals/show.html"
    return render(
        template,
        status=status,
        user=user,
        appeal=appeal,
        events=events,
        level=services.warn_level_of(appeal).value,
        errors=errors or [],
        departments=_departments() if AppealEvent.ASSIGN in events else [],
        feedback_choices=[Feedback.SATISFIED, Feedback.BASIC, Feedback.UNSATISFIED],
        today=business_today(),
        promised_on=services.promised_reply_on(appeal),
        AppealEvent=AppealEvent,
        origin=origin_link(appeal, enterprise_view=user.role is Role.ENTERPRISE),
        **_labels(),
    )


@bp.get("/<appeal_no>")
@login_required
def show(appeal_no: str):
    user = _user()
    return _show_page(user, _visible(user, appeal_no))


def _row_answer(user: User, appeal: Appeal, status: int = 200, error: str | None = None) -> Response:
    return render_fragment(
        "appeals/index.html",
        ["appeal_row"],
        status=status,
        row=_row(user, appeal),
        row_error=error,
        user=user,
        departments=_departments() if may_supervise_appeals(user) else [],
        today=business_today(),
        **_labels(),
    )


@bp.post("/<appeal_no>/events")
@roles_required(*APPEAL_REGISTER_ROLES, Role.DEPARTMENT)  # the central office is read-only
def event(appeal_no: str):
    user = _user()
    appeal = _visible(user, appeal_no)
    in_row = is_htmx() and request.headers.get("HX-Target", "") == f"appeal-row-{appeal.id}"
    actor = appeal_actor(user, appeal)
    try:
        if actor is None:
            raise services.AppealError("not_permitted", 403)
        data = forms.event_input(request.form)
        services.apply_event(appeal, data, user, actor)
        db.session.commit()
    except (services.StaleAppeal, StaleDataError):
        db.session.rollback()
        fresh = _visible(user, appeal_no)
        message = str(ERROR_MESSAGES["stale"])
        return _row_answer(user, fresh, 409, message) if in_row else _show_page(user, fresh, [message], 409)
    except (services.AppealError, AppealFlowError) as error:
        db.session.rollback()
        status = getattr(error, "status", 422)
        fresh = _visible(user, appeal_no)
        if in_row:
            return _row_answer(user, fresh, status, _message(error))
        return _show_page(user, fresh, [_message(error)], status)
    if in_row:
        return _row_answer(user, appeal)
    flash(_("已%(event)s。", event=_(EVENT_LABELS[data.event])), "success")
    return redirect(url_for("appeals.show", appeal_no=appeal.appeal_no), 303)


@bp.get("/<appeal_no>/files/<int:attachment_id>")
@login_required
def attachment(appeal_no: str, attachment_id: int):
    appeal = _visible(_user(), appeal_no)
    for item in appeal.attachments:
        if item.id == attachment_id:
            return send_stored(item.file)
    abort(404)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*APPEAL_SUPERVISOR_ROLES)  # the queue's import button: may_supervise_appeals
def import_12345():
    """The supervisor imports a 12345 work-order export: all rows or none, each bad row named."""
    result = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            result, status = imports.ImportResult(errors=[imports.RowError(0, _("请选择要导入的文件。"))]), 400
        else:
            data = upload.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
            if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
                result, status = imports.ImportResult(errors=[imports.RowError(0, _("文件过大。"))]), 413
            else:
                result = imports.import_work_orders(data, upload.filename, _user())
                if result.errors:
                    db.session.rollback()
                    status = 422
                else:
                    db.session.commit()
    return render("appeals/import.html", status=status, result=result, user=_user())


@bp.cli.command("sweep")
def sweep_command() -> None:
    """Daily: close replies unanswered for 3 working days, escalate appeals re-opened twice (SYSTEM)."""
    closed, escalated = services.daily_sweep()
    db.session.commit()
    click.echo(f"closed {closed}, escalated {escalated}")
