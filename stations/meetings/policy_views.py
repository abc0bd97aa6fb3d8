"""政策宣讲 pages: the calendar, a session (sign up, the QR code for the door, questions), check-in on a tablet.

Every signed-in user sees the calendar; the enterprise signs up, cancels and asks; station staff and the
administrator check in at the door (scanning the enterprise's QR code fills the token field) and answer questions.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, abort, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import SESSION_ATTENDEE_ROLES, may_attend_session, may_run_session, may_see_session_roster
from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..domain.case_vocabulary import N_
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import business_to_utc, to_business, utcnow
from ..web.htmx import render
from . import policy_queries as queries
from . import policy_services as services
from .forms import has_nul
from .labels import SESSION_ERROR_MESSAGES as ERRORS
from .policy_forms import SessionEditForm, SessionForm
from .policy_models import SessionQuestion, SignupState
from .session_edit import SessionChange, edit_session

bp = Blueprint("policy_sessions", __name__, url_prefix="/sessions")

DOOR_ROLES = (Role.STAFF, Role.ADMIN)
CHECKIN_FRAGMENTS = {"checkin-result": "checkin_result"}
STATE_LABELS = {
    SignupState.CONFIRMED: N_("已确认"),
    SignupState.WAITING: N_("候补中"),
    SignupState.CANCELLED: N_("已取消"),
}


@bp.before_request
def refuse_nul_characters():
    """PostgreSQL refuses NUL in text: answer 400 before anything reads the input."""
    if has_nul([request.path, *request.args.values(), *request.form.values()]):
        abort(400)


def _user() -> User:
    return current_user._get_current_object()


def _session(session_id: int):
    session = queries.session_by_id(session_id)
    if session is None:
        abort(404)
    return session


def _run(session_id: int):
    """A session the user runs (stations/access: staff of its station, or the administrator); 404 otherwise. The
    core checks the same on every write (policy_services.require_runner); this keeps its pages out of view too."""
    session = _session(session_id)
    if not may_run_session(_user(), session):
        abort(404)
    return session


def _run_question(question_id: int) -> SessionQuestion:
    """A question of a session the user runs (stations/access); 404 otherwise, as for any record out of scope."""
    question = db.session.get(SessionQuestion, question_id)
    if question is None or not may_run_session(_user(), _session(question.session_id)):
        abort(404)
    return question


@bp.route("/")
@roles_required(*Role)
def index():
    now = utcnow()
    return render(
        "meetings/sessions.html",
        upcoming=queries.upcoming(now),
        past=queries.past(now),
        counts=queries.signup_counts(),
        can_create=_user().role in DOOR_ROLES,
    )


def _show(session, *, error: str | None = None, status: int = 200):
    user = _user()
    attends = may_attend_session(user)
    signup = queries.signup_of(session.id, user.enterprise_id) if attends else None
    roster = may_see_session_roster(user, session)
    return render(
        "meetings/session.html",
        status=status,
        s=session,
        attends=attends,
        signup=signup,
        state_labels=STATE_LABELS,
        counts=queries.signup_counts().get(session.id, {}),
        signups=queries.signups(session.id) if roster else [],
        questions=queries.questions(session.id, None if roster else (user.enterprise_id or 0)),
        can_answer=may_run_session(user, session),  # check-in, answers, to-appeal: the same rule as their routes
        is_past=session.starts_at <= utcnow(),
        error=error,
    )


@bp.route("/new")
@roles_required(*DOOR_ROLES)
def new():
    return render("meetings/session_new.html", form=SessionForm())


@bp.route("/new", methods=["POST"])
@roles_required(*DOOR_ROLES)
@idempotent("policy_sessions.create")
def create():
    form = SessionForm()
    if not form.validate():
        return render("meetings/session_new.html", form=form, status=422)
    session = services.create_session(form.data, _user().station_id, business_to_utc(form.starts_at.data))
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session.id), code=303)


@bp.route("/<int:session_id>/edit")
@roles_required(*DOOR_ROLES)
def edit(session_id: int):
    session = _run(session_id)
    form = SessionEditForm(obj=session)
    form.starts_at.data = to_business(session.starts_at).replace(tzinfo=None)
    form.minutes.data = int((session.ends_at - session.starts_at).total_seconds() // 60)
    form.version.data = session.version
    return render("meetings/session_new.html", form=form, edited=session)


@bp.route("/<int:session_id>/edit", methods=["POST"])
@roles_required(*DOOR_ROLES)
def update(session_id: int):
    """Title, time, capacity, place or link; a stale version is a 409, capacity below the confirmed a 422."""
    session = _run(session_id)
    form = SessionEditForm()
    if not form.validate():
        return render("meetings/session_new.html", form=form, edited=session, status=422)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = 0
    data = form.data
    change = SessionChange(
        title=data["title"],
        starts_at=business_to_utc(form.starts_at.data),
        minutes=data["minutes"] or 120,
        capacity=data["capacity"],
        place=data.get("place") or "",
        live_url=data.get("live_url") or "",
        theme=data.get("theme") or "",
        speakers=data.get("speakers") or "",
        materials=data.get("materials") or "",
    )
    try:
        edit_session(session.id, change, version, by=_user())
    except services.SessionError as error:
        db.session.rollback()
        message = _(ERRORS.get(error.code, ERRORS["not_found"]))
        session = _session(session_id)
        return render("meetings/session_new.html", form=form, edited=session, error=message, status=error.status)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session_id), code=303)


@bp.route("/<int:session_id>")
@roles_required(*Role)
def show(session_id: int):
    return _show(_session(session_id))


def _refused(session_id: int, error: services.SessionError):
    db.session.rollback()
    return _show(_session(session_id), error=_(ERRORS.get(error.code, ERRORS["not_found"])), status=error.status)


@bp.route("/<int:session_id>/signup", methods=["POST"])
@roles_required(*SESSION_ATTENDEE_ROLES)  # the page's sign-up card: may_attend_session
def signup(session_id: int):
    try:
        services.sign_up(session_id, _user())
    except services.SessionError as error:
        return _refused(session_id, error)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session_id), code=303)


@bp.route("/<int:session_id>/cancel", methods=["POST"])
@roles_required(*SESSION_ATTENDEE_ROLES)
def cancel(session_id: int):
    signup = queries.signup_of(_session(session_id).id, _user().enterprise_id)
    if signup is None:
        abort(404)
    services.cancel(signup)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session_id), code=303)


@bp.route("/<int:session_id>/qr.svg")
@roles_required(*SESSION_ATTENDEE_ROLES)
def qr(session_id: int):
    signup = queries.signup_of(_session(session_id).id, _user().enterprise_id)
    if signup is None or not signup.admits:  # the page shows the code on the same flag
        abort(404)
    buffer = io.BytesIO()
    segno.make(signup.token, error="m").save(buffer, kind="svg", scale=6, border=2)
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:session_id>/questions", methods=["POST"])
@roles_required(*SESSION_ATTENDEE_ROLES)
def ask(session_id: int):
    session = _session(session_id)
    try:
        services.ask(session, _user(), request.form.get("body", ""))
    except services.SessionError as error:
        return _refused(session_id, error)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session_id), code=303)


@bp.route("/<int:session_id>/replay", methods=["POST"])
@roles_required(*DOOR_ROLES)
def replay(session_id: int):
    """The replay link, put up after the session."""
    session = _run(session_id)
    try:
        services.set_replay(session, request.form.get("replay_url", ""), by=_user())
    except services.SessionError as error:
        return _refused(session_id, error)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=session_id), code=303)


@bp.route("/questions/<int:question_id>/answer", methods=["POST"])
@roles_required(*DOOR_ROLES)
def answer(question_id: int):
    question = _run_question(question_id)
    try:
        services.answer(question, _user(), request.form.get("answer", ""))
    except services.SessionError as error:
        return _refused(question.session_id, error)
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=question.session_id), code=303)


@bp.route("/questions/<int:question_id>/appeal", methods=["POST"])
@roles_required(*DOOR_ROLES)
def to_appeal(question_id: int):
    """Staff turn a question into an appeal (企业诉求) tracked to closure; posting twice raises it once."""
    question = _run_question(question_id)
    services.question_to_appeal(question, _user())
    db.session.commit()
    return redirect(url_for("policy_sessions.show", session_id=question.session_id), code=303)


@bp.route("/<int:session_id>/checkin", methods=["GET", "POST"])
@roles_required(*DOOR_ROLES)
def checkin(session_id: int):
    session = _run(session_id)
    result, error, status = None, None, 200
    if request.method == "POST":
        try:
            result = services.check_in(session, request.form.get("token", ""), by=_user())
            db.session.commit()
        except services.SessionError as refused:
            db.session.rollback()
            error, status = _(ERRORS[refused.code]), 422
    return render(
        "meetings/checkin.html",
        CHECKIN_FRAGMENTS,
        status=status,
        s=session,
        result=result,
        error=error,
        counts=queries.signup_counts().get(session.id, {}),
    )
