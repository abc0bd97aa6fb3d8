"""好差评 pages: the enterprise rates a delivered case and reacts to the answer; the station works its rectifications.

- The enterprise: ``/ratings/`` (its ratings), ``/ratings/<case_no>`` (rate, see the rectification and react).
  The case page includes ``ratings/_case_panel.html``, fed by the ``rating_panel_for(case)`` template global
  below, so the cases package needs no knowledge of ratings.
- The station: ``/rectifications/`` (list with red / yellow / green tags) and ``/rectifications/<id>`` with its
  steps. Staff see their station's; the central office (read-only) and the administrator all.
A case or rectification outside the user's scope is a 404; a role that may never do something is a 403.
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..cases import queries as case_queries
from ..cases.models import Case
from ..domain import ratings as rules
from ..domain.ratings import Reaction, RectificationEvent
from ..extensions import db
from ..timeutil import business_today
from ..web.htmx import fragment_for, hx_target, render
from ..web.params import int_arg
from . import queries, services
from .forms import RatingForm, StepForm
from .labels import error_message, template_labels
from .services import RATABLE_STATUSES, RatingError, StepInput

bp = Blueprint("ratings", __name__)

PANEL_FRAGMENTS = {"rating-panel": "rating_panel"}
# The enterprise home's to-do list rates a case in place: its own target per case (issue 19).
TODO_TARGET_PREFIX = "todo-rating-"
RECTIFICATION_FRAGMENTS = {"rectification-panel": "rectification_panel"}
LIST_FRAGMENTS = {"rectification-table": "rectification_table"}
STATION_ROLES = (Role.STAFF, Role.CENTRAL, Role.ADMIN)
PAGE_SIZE = 30
REACTIONS = (Reaction.SATISFIED, Reaction.BASIC, Reaction.UNSATISFIED)


def _user() -> User:
    return current_user._get_current_object()


def _page() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1


# --- the enterprise's side ------------------------------------------------------------------------------------------


def _panel(case: Case, rating=None, *, form: RatingForm | None = None, error: str | None = None) -> dict:
    rectification = rating.rectification if rating is not None else None
    tag = None
    if rectification is not None:
        tag = rules.rectification_tag(
            rectification.status,
            today=business_today(),
            callback_due_on=rectification.callback_due_on,
            due_on=rectification.due_on,
            warn_on=rectification.warn_on,
        ).value
    return {
        "case": case,
        "rating": rating,
        "rectification": rectification,
        "tag": tag,
        "can_rate": rating is None and case.status in RATABLE_STATUSES,
        "form": form or (RatingForm(formdata=None) if rating is None else None),
        "reactions": REACTIONS,
        "error": error,
        **template_labels(),
    }


@bp.app_template_global("rating_panel_for")
def rating_panel_for(case: Case) -> dict | None:
    """The rating panel of the case page, for the case's enterprise only; None when there is nothing to show."""
    user = current_user
    if not user.is_authenticated or user.role is not Role.ENTERPRISE or user.enterprise_id != case.enterprise_id:
        return None
    rating = queries.rating_for_case(case.id)
    if rating is None and case.status not in RATABLE_STATUSES:
        return None
    return _panel(case, rating)


def _enterprise_case(case_no: str) -> Case:
    case = case_queries.case_for(_user(), case_no.strip().upper()[:24])
    if case is None:
        abort(404)
    return case


def _from_todo_list() -> bool:
    return (hx_target() or "").startswith(TODO_TARGET_PREFIX)


def _panel_response(case: Case, status: int = 200, **panel_kwargs) -> Response:
    rating = panel_kwargs.pop("rating", None) or queries.rating_for_case(case.id)
    panel = _panel(case, rating, **panel_kwargs)
    if _from_todo_list():
        return render("ratings/_todo_rating.html", status=status, panel=panel)
    return render("ratings/show.html", PANEL_FRAGMENTS, status=status, panel=panel)


@bp.route("/ratings/")
@roles_required(Role.ENTERPRISE)
def index():
    result = queries.ratings_of_enterprise(_user().enterprise_id, page=_page(), page_size=PAGE_SIZE)
    return render("ratings/index.html", result=result, **template_labels())


@bp.route("/ratings/<case_no>")
@roles_required(Role.ENTERPRISE)
def show(case_no: str):
    return _panel_response(_enterprise_case(case_no))


@bp.route("/ratings/<case_no>", methods=["POST"])
@roles_required(Role.ENTERPRISE)
def create(case_no: str):
    user = _user()
    case = _enterprise_case(case_no)
    form = RatingForm(request.form)
    if not form.validate():
        return _panel_response(case, 422, form=form)
    try:
        services.rate_case(
            case,
            user,
            level=form.level.data,
            reasons=form.reasons.data or [],
            comment=form.comment.data or "",
        )
    except RatingError as error:
        db.session.rollback()
        return _panel_response(case, error.status, form=form, error=error_message(error.code))
    db.session.commit()
    return _done(case)


def _done(case: Case) -> Response:
    if fragment_for(PANEL_FRAGMENTS) or _from_todo_list():
        return _panel_response(case)
    return redirect(url_for("cases.show", case_no=case.case_no) + "#rating-panel", 303)


@bp.route("/ratings/<case_no>/reaction", methods=["POST"])
@roles_required(Role.ENTERPRISE)
def react(case_no: str):
    """满意 / 基本满意 / 不满意 with the station's answer."""
    user = _user()
    case = _enterprise_case(case_no)
    rating = queries.rating_for_case(case.id)
    if rating is None or rating.rectification is None:
        abort(404)
    try:
        reaction = Reaction(request.form.get("reaction", ""))
        if reaction not in REACTIONS:
            raise ValueError(reaction)
    except ValueError:
        return _panel_response(case, 422, rating=rating, error=error_message("invalid_reaction"))
    note = (request.form.get("note") or "")[: services.MAX_TEXT]
    try:
        services.apply_step(rating.rectification, rules.REACTION_EVENTS[reaction], user, StepInput(note=note))
    except RatingError as error:
        db.session.rollback()
        return _panel_response(case, error.status, error=error_message(error.code))
    except rules.RectificationError as error:
        db.session.rollback()
        return _panel_response(case, 422, error=error_message(error.code))
    db.session.commit()
    return _done(case)


# --- the station's side ---------------------------------------------------------------------------------------------


@bp.route("/rectifications/")
@roles_required(*STATION_ROLES)
def rectifications():
    user = _user()
    status = request.args.get("status", "").strip().upper()
    if status not in rules.RectificationStatus.__members__:
        status = ""
    open_only = request.args.get("open") == "1"
    result = queries.rectification_rows(user, status=status or None, open_only=open_only, page=_page())
    return render(
        "ratings/rectifications.html",
        LIST_FRAGMENTS,
        result=result,
        counts=queries.tag_counts(user),
        status_filter=status,
        open_only=open_only,
        statuses=list(rules.RectificationStatus),
        **template_labels(),
    )


def _visible_rectification(user: User, rectification_id: int):
    rectification = queries.rectification_for(user, rectification_id)
    if rectification is None:
        abort(404)
    return rectification


def _rectification_context(user: User, rectification, **extra) -> dict:
    actor = services.actor_for(user, rectification)
    events = rules.available_events(rectification.status, actor) if actor else []
    events = [e for e in events if e not in rules.REACTION_EVENTS.values()]  # the enterprise reacts on its case page
    return {
        "user": user,
        "rect": rectification,
        "rating": rectification.rating,
        "tag": rules.rectification_tag(
            rectification.status,
            today=business_today(),
            callback_due_on=rectification.callback_due_on,
            due_on=rectification.due_on,
            warn_on=rectification.warn_on,
        ).value,
        "events": events,
        "form": extra.pop("form", None) or StepForm(formdata=None),
        "failed_event": None,
        "action_error": None,
        **template_labels(),
        **extra,
    }


@bp.route("/rectifications/<int:rectification_id>")
@roles_required(*STATION_ROLES)
def rectification(rectification_id: int):
    user = _user()
    rectification = _visible_rectification(user, rectification_id)
    return render("ratings/rectification.html", RECTIFICATION_FRAGMENTS, **_rectification_context(user, rectification))


@bp.route("/rectifications/<int:rectification_id>/events/<event_name>", methods=["POST"])
@roles_required(Role.STAFF, Role.ADMIN)
def rectification_event(rectification_id: int, event_name: str):
    user = _user()
    rectification = _visible_rectification(user, rectification_id)
    try:
        event = RectificationEvent(event_name)
    except ValueError:
        abort(404)
    if services.actor_for(user, rectification) is None:
        abort(403)
    form = StepForm(request.form)

    def refused(status: int, message: str) -> Response:
        db.session.rollback()
        fresh = _visible_rectification(user, rectification_id)
        context = _rectification_context(user, fresh, form=form, failed_event=event.value, action_error=message)
        return render("ratings/rectification.html", RECTIFICATION_FRAGMENTS, status=status, **context)

    if not form.validate():
        return refused(422, error_message("text_too_long"))
    data = StepInput(
        findings=form.findings.data or "",
        measures=form.measures.data or "",
        feedback=form.feedback.data or "",
        disposition=form.disposition.data or "",
        note=form.note.data or "",
    )
    try:
        services.apply_step(rectification, event, user, data)
    except RatingError as error:
        return refused(error.status, error_message(error.code))
    except rules.RectificationError as error:
        return refused(422, error_message(error.code))
    db.session.commit()
    if fragment_for(RECTIFICATION_FRAGMENTS):
        fresh = _visible_rectification(user, rectification_id)
        return render("ratings/rectification.html", RECTIFICATION_FRAGMENTS, **_rectification_context(user, fresh))
    return redirect(url_for("ratings.rectification", rectification_id=rectification_id), 303)


@bp.cli.command("close-unanswered")
def close_unanswered_command() -> None:
    """Close the rectifications whose answer got no reaction within 3 working days (run daily)."""
    closed = services.close_unanswered()
    db.session.commit()
    click.echo(f"{closed} rectifications closed")
