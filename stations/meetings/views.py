"""一键约见 pages: the request form, the list / staff queue, the meeting page with its actions, the .ics file.

Who sees what is access.meeting_scope (a meeting outside it is a 404); who may do what is the machine
(stations/domain/meeting_flow.py) through access.meeting_actor. Actions post to one endpoint with the meeting's
``version``: a stale version answers 409, a refused event 422, both re-rendering the action panel with a message.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import MEETING_REQUEST_ROLES, may_request_meeting_for, meeting_actor
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..domain import identifiers
from ..domain import meeting_flow as flow
from ..domain.appeal_flow import STATUS_LABELS as APPEAL_STATUS_LABELS
from ..domain.meeting_flow import MeetingEvent, MeetingKind, MeetingStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import business_today, utcnow
from ..uploads.storage import UploadRejected, store
from ..web.error_summary import summary_entries
from ..web.htmx import render
from . import commitments, queries, services
from .calendar_file import has_calendar_file, ics_bytes
from .errors import MeetingError
from .figures import period_figures
from .forms import RequestForm, has_nul, parse_dates, parse_event
from .labels import COMMITMENT_LABELS, error_message
from .officials import official_choices
from .services import RequestInput

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

ALL_ROLES = tuple(Role)
SHOW_FRAGMENTS = {"meeting-panel": "meeting_panel"}
MAX_ATTACHMENTS = 5


@bp.before_request
def refuse_nul_characters():
    """PostgreSQL refuses NUL in text: answer 400 before anything reads the input."""
    if has_nul([request.path, *request.args.values(), *request.form.values()]):
        abort(400)


def _user() -> User:
    return current_user._get_current_object()


def _meeting(meeting_no: str):
    meeting = queries.meeting_for(_user(), meeting_no)
    if meeting is None:
        abort(404)
    return meeting


@bp.route("/")
@roles_required(*ALL_ROLES)
def index():
    user = _user()
    status = request.args.get("status") or None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows = queries.meetings_for(
        user, status=status, open_only=status is None and user.role is not Role.ENTERPRISE, page=page
    )
    now = utcnow()
    levels = {m.id: queries.warn_level_of(m, now) for m in rows}
    due_dates = {m.id: queries.step_due_on(m) for m in rows}  # shown until a time is set
    return render(
        "meetings/index.html",
        meetings=rows[:30],
        has_next=len(rows) > 30,
        page=page,
        status_filter=status,  # not ``status``: render() takes that as the HTTP status
        levels=levels,
        due_dates=due_dates,
        counts=queries.count_by_status(user),
        statuses=list(MeetingStatus),
        status_labels=flow.STATUS_LABELS,
        kind_labels=flow.KIND_LABELS,
        can_request=user.role in MEETING_REQUEST_ROLES,
    )


def _request_form() -> RequestForm:
    form = RequestForm()
    form.department_id.choices = [("", _("由工作人员对接"))] + [(str(d.id), f"{d.name}") for d in queries.departments()]
    form.official_id.choices = [("", _("不指定")), *official_choices()]
    return form


@bp.route("/new")
@roles_required(*MEETING_REQUEST_ROLES)
def new():
    return render("meetings/new.html", form=_request_form(), on_behalf=_user().role is not Role.ENTERPRISE)


def _enterprise_for_request(form: RequestForm) -> Enterprise:
    user = _user()
    if user.role is Role.ENTERPRISE:
        return user.enterprise
    uscc = (form.enterprise_uscc.data or "").strip().upper()
    if not identifiers.is_valid_uscc(uscc):
        raise MeetingError("unknown_enterprise")
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None or not may_request_meeting_for(user, enterprise.id):
        raise MeetingError("unknown_enterprise")
    return enterprise


def _request_input(form: RequestForm, enterprise: Enterprise) -> RequestInput:
    department_id = int(form.department_id.data) if form.department_id.data else None
    official_id = int(form.official_id.data) if form.official_id.data else None
    files = [f for f in request.files.getlist(form.attachments.name) if f and f.filename][:MAX_ATTACHMENTS]
    stored = []
    for upload in files:
        try:
            stored.append(store(upload, enterprise_id=enterprise.id, user_id=_user().id).id)
        except UploadRejected as rejected:
            raise MeetingError("upload_" + rejected.code) from rejected
    return RequestInput(
        kind=MeetingKind(form.kind.data),
        topic=form.topic.data or "",
        department_id=department_id,
        target_leader=form.target_leader.data or "",
        official_id=official_id,
        description=form.description.data or "",
        preferred_dates=parse_dates(form.preferred_dates.data or ""),
        stored_file_ids=stored,
    )


def _new_again(form, on_behalf: bool, error: str | None = None) -> Response:
    """422: the request form with its error summary at the top, what was typed kept."""
    entries = summary_entries([error] if error else [], (), form)
    return render("meetings/new.html", form=form, on_behalf=on_behalf, error_entries=entries, status=422)


@bp.route("/new", methods=["POST"])
@roles_required(*MEETING_REQUEST_ROLES)
@idempotent("meetings.create")
def create():
    form = _request_form()
    on_behalf = _user().role is not Role.ENTERPRISE
    if not form.validate():
        return _new_again(form, on_behalf)
    try:
        enterprise = _enterprise_for_request(form)
        meeting = services.request_meeting(_user(), enterprise, _request_input(form, enterprise))
    except MeetingError as refused:
        db.session.rollback()
        return _new_again(form, on_behalf, error_message(refused.code))
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_no=meeting.meeting_no), code=303)


def _panel(meeting, *, error: str | None = None) -> dict:
    user = _user()
    now = utcnow()
    actor = meeting_actor(user)
    events = flow.available_events(services.facts_for(meeting, now), actor) if actor else []
    needs_slots = {MeetingEvent.SCHEDULE, MeetingEvent.RESCHEDULE} & set(events)
    return {
        "meeting": meeting,
        "events": events,
        "event_labels": flow.EVENT_LABELS,
        "status_labels": flow.STATUS_LABELS,
        "kind_labels": flow.KIND_LABELS,
        "level": queries.warn_level_of(meeting, now),
        "slots": queries.slots_for(meeting, now) if needs_slots else [],
        "departments": queries.departments() if MeetingEvent.ROUTE in events else [],
        "officials": official_choices() if MeetingEvent.ROUTE in events else [],
        "timeline": queries.timeline(meeting),
        "has_ics": has_calendar_file(meeting),
        "can_ask": user.role is Role.ENTERPRISE and meeting.status not in flow.FINAL_STATUSES | flow.HAPPENED_STATUSES,
        "can_tick": actor in (flow.Actor.STAFF, flow.Actor.ADMIN, flow.Actor.DEPARTMENT),
        "commitments": commitments.rows(meeting),
        "commitment_labels": COMMITMENT_LABELS,
        "appeal_status_labels": APPEAL_STATUS_LABELS,
        "error": error,
    }


@bp.route("/<meeting_no>")
@roles_required(*ALL_ROLES)
def show(meeting_no: str):
    return render("meetings/show.html", SHOW_FRAGMENTS, panel=_panel(_meeting(meeting_no)))


def apply_event(meeting, values) -> None:
    """:raise MeetingError:"""
    event, version, data = parse_event(values)
    services.fire(meeting, _user(), event, version, data)


@bp.route("/<meeting_no>/events", methods=["POST"])
@roles_required(*ALL_ROLES)
def post_event(meeting_no: str):
    meeting = _meeting(meeting_no)
    try:
        apply_event(meeting, request.form)
    except MeetingError as refused:
        db.session.rollback()
        meeting = _meeting(meeting_no)
        return render(
            "meetings/show.html",
            SHOW_FRAGMENTS,
            status=refused.status,
            panel=_panel(meeting, error=error_message(refused.code)),
        )
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_no=meeting.meeting_no), code=303)


@bp.route("/<meeting_no>/ask", methods=["POST"])
@roles_required(Role.ENTERPRISE)
def ask(meeting_no: str):
    meeting = _meeting(meeting_no)
    try:
        services.ask_change(meeting, _user(), request.form.get("text", ""))
    except MeetingError as refused:
        db.session.rollback()
        return render(
            "meetings/show.html",
            SHOW_FRAGMENTS,
            status=422,
            panel=_panel(_meeting(meeting_no), error=error_message(refused.code)),
        )
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_no=meeting.meeting_no), code=303)


@bp.route("/<meeting_no>/commitments/<int:commitment_id>/done", methods=["POST"])
@roles_required(Role.STAFF, Role.DEPARTMENT, Role.ADMIN)
def commitment_done(meeting_no: str, commitment_id: int):
    meeting = _meeting(meeting_no)
    commitment = next((c for c in meeting.commitments if c.id == commitment_id), None)
    if commitment is None:
        abort(404)
    services.complete_commitment(commitment)
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_no=meeting.meeting_no), code=303)


@bp.route("/<meeting_no>.ics")
@roles_required(*ALL_ROLES)
def ics(meeting_no: str):
    meeting = _meeting(meeting_no)
    if not has_calendar_file(meeting):
        abort(404)
    name = meeting.department.name if meeting.department else ""
    response = make_response(ics_bytes(meeting, department_name=name, stamp=utcnow()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{meeting.meeting_no}.ics"'
    return response


@bp.app_template_global("meeting_today")
def meeting_today():
    return business_today()


@bp.route("/figures")
@roles_required(Role.CENTRAL, Role.ADMIN)
def figures():
    """The period figures of meetings and policy sessions, loaded into the central office's figures page (its own
    request: the figures page keeps its query budget)."""
    from datetime import date

    try:
        first = date.fromisoformat(request.args.get("from", ""))
        last = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        abort(400)
    if last < first or (last - first).days > 3660:
        abort(400)
    return render("meetings/figures.html", {"meeting-figures": "figures"}, mf=period_figures(first, last))
