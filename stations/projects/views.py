"""Key-project pages: the board (central office: all; a commissioner: its park's; a department: its procedures'),
one project with its procedures, dispatch meetings, site visits and 销号. Thin; rules in stations/access and services."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import may_use_project_board, project_actions_for
from ..auth.decorators import deny
from ..auth.models import User
from ..domain.project_flow import ProcedureEvent, allowed_events, is_open, procedure_level
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import business_today
from ..web.htmx import render
from . import queries, services
from .forms import LinkForm, MeetingForm, NoteForm, VisitForm
from .labels import COLOUR_FILTERS, ERROR_MESSAGES, template_labels

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _user() -> User:
    user = current_user._get_current_object()
    if not may_use_project_board(user):
        deny()
    return user


@bp.route("/")
@login_required
def board():
    user = _user()
    level = request.args.get("level", "")
    level = level if level in COLOUR_FILTERS else None
    all_rows = queries.board(user, business_today())
    rows = [row for row in all_rows if row.level == level] if level else all_rows
    return render(
        "projects/board.html",
        rows=rows,
        project_url=url_for("projects.show", code="_").removesuffix("_"),  # one url_for, not one per row
        level_labels={key: str(label) for key, label in template_labels()["colour_labels"].items()},
        totals=queries.colour_totals(all_rows),
        level=level,
        filters=COLOUR_FILTERS,
        **template_labels(),
    )


def _project(user: User, code: str):
    project = queries.get_visible(user, code[:20])
    if project is None:
        abort(404)
    return project


def _page(user: User, project, *, errors: list[str] | None = None, status: int = 200, meeting=None, visit=None):
    today = business_today()
    yellow_from = queries.horizon(today)
    procedures = [
        {
            "p": p,
            "level": procedure_level(p.status, p.planned_on, today, yellow_from).value,
            "events": [e for e in allowed_events(p.status) if e.value in project_actions_for(user, project, p)],
            "open": is_open(p.status),  # a dispatch meeting may give it a new time point
        }
        for p in project.procedures
    ]
    actions = project_actions_for(user, project)
    return render(
        "projects/show.html",
        status=status,
        project=project,
        procedures=procedures,
        agenda=queries.agenda(project),
        actions=actions,
        errors=errors or [],
        meeting_form=meeting or MeetingForm(),
        visit_form=visit or VisitForm(),
        note_form=NoteForm(),
        link_form=LinkForm(),
        **template_labels(),
    )


@bp.route("/<code>")
@login_required
def show(code: str):
    user = _user()
    return _page(user, _project(user, code))


def _refused(user: User, project, error: services.ProjectError, **forms):
    db.session.rollback()
    project = _project(user, project.code)
    return _page(user, project, errors=[str(ERROR_MESSAGES.get(error.code, error.code))], status=error.status, **forms)


def _done(project, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("projects.show", code=project.code), 303)


@bp.route("/<code>/procedures/<int:procedure_id>/<event_name>", methods=["POST"])
@login_required
def procedure_event(code: str, procedure_id: int, event_name: str):
    user = _user()
    project = _project(user, code)
    procedure = next((p for p in project.procedures if p.id == procedure_id), None)
    if procedure is None or event_name not in ProcedureEvent.__members__.values():
        abort(404)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(user, project, errors=[_("说明过长或页面已过期，请刷新后重试。")], status=422)
    try:
        services.apply_procedure_event(procedure, ProcedureEvent(event_name), user, note=form.note.data or "")
    except services.ProjectError as error:
        return _refused(user, project, error)
    return _done(project, _("已更新手续状态。"))


@bp.route("/<code>/meetings", methods=["POST"])
@login_required
@idempotent("projects.meeting")
def meeting(code: str):
    user = _user()
    project = _project(user, code)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _page(user, project, status=422, meeting=form)
    points, errors = [], []
    for procedure in project.procedures:
        raw = request.form.get(f"planned_{procedure.id}", "").strip()
        if raw:
            try:
                points.append(services.NewTimePoint(procedure.id, date.fromisoformat(raw)))
            except ValueError:
                errors.append(_("“%(name)s”的时间节点格式不正确。", name=procedure.name))
    if errors:
        return _page(user, project, errors=errors, status=422, meeting=form)
    try:
        services.record_meeting(
            project,
            user,
            held_on=form.held_on.data,
            decisions=form.decisions.data,
            owners=form.owners.data or "",
            time_points=points,
        )
    except services.ProjectError as error:
        return _refused(user, project, error, meeting=form)
    return _done(project, _("已记录调度会议。"))


@bp.route("/<code>/visits", methods=["POST"])
@login_required
@idempotent("projects.visit")
def visit(code: str):
    user = _user()
    project = _project(user, code)
    form = VisitForm()
    if not form.validate_on_submit():
        return _page(user, project, status=422, visit=form)
    try:
        services.log_visit(project, user, visited_on=form.visited_on.data, note=form.note.data)
    except services.ProjectError as error:
        return _refused(user, project, error, visit=form)
    return _done(project, _("已记录走访。"))


@bp.route("/<code>/procedures/<int:procedure_id>/link", methods=["POST"])
@login_required
def link(code: str, procedure_id: int):
    user = _user()
    project = _project(user, code)
    procedure = next((p for p in project.procedures if p.id == procedure_id), None)
    if procedure is None:
        abort(404)
    form = LinkForm()
    if not form.validate_on_submit():
        return _page(user, project, errors=[_("请填写办件编号。")], status=422)
    try:
        services.link_case(procedure, user, form.case_no.data)
    except services.ProjectError as error:
        return _refused(user, project, error)
    return _done(project, _("已关联办件。"))


@bp.route("/<code>/close-out", methods=["POST"])
@login_required
def close_out(code: str):
    user = _user()
    project = _project(user, code)
    if not NoteForm().validate_on_submit():
        return _page(user, project, errors=[_("页面已过期，请刷新后重试。")], status=422)
    try:
        services.close_out(project, user)
    except services.ProjectError as error:
        return _refused(user, project, error)
    return _done(project, _("项目已销号。"))
