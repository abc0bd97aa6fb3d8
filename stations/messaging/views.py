"""The conversation pages: the enterprise's /messages, the clerk's inbox and /messages/<enterprise_id>.

Only enterprise users and dedicated clerks take part (other roles: 403). An enterprise user reads and writes its
own enterprise's conversation; a clerk those of its current clients (another enterprise: 404).

The message list polls itself every 5 s while the page is visible; the poll first runs one query for
(last message id, count) and answers 304 when the browser's ETag matches, so an idle page costs almost nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import roles_required
from ..auth.models import Role, User
from ..enterprises import queries as enterprise_queries
from ..extensions import db
from ..timeutil import business_today
from ..uploads.storage import send_stored, upload_root
from ..web.caching import etag_for, not_modified, with_etag
from ..web.htmx import fragment_for, hx_target, render
from ..web.params import int_arg
from . import queries, services
from .forms import MessageForm
from .labels import error_message

bp = Blueprint("messaging", __name__, url_prefix="/messages")

FRAGMENTS = {"message-list": "message_list", "conversation": "conversation"}
POLL_TRIGGER = "every 5s"


def _user() -> User:
    return current_user._get_current_object()


def _urls(user: User, enterprise_id: int) -> tuple[str, str]:
    """(the page, where the form posts) for this user and conversation."""
    if queries.keeps_inbox(user):
        page = url_for("messaging.conversation", enterprise_id=enterprise_id)
        return page, page
    return url_for("messaging.index"), url_for("messaging.send")


def _form_choices(form: MessageForm, user: User, enterprise_id: int) -> MessageForm:
    cases = queries.case_choices(user, enterprise_id)
    documents = enterprise_queries.valid_documents(enterprise_id, business_today())
    form.case_no.choices = [SelectChoice("", _("不关联办件"))] + [
        SelectChoice(c.case_no, f"{c.case_no} · {c.item.name}") for c in cases
    ]
    form.document_id.choices = [SelectChoice("", _("不附加材料"))] + [
        SelectChoice(str(d.id), f"{d.material_name} · {d.file.display_name}") for d in documents
    ]
    return form


def _conversation_page(user: User, enterprise_id: int | None, *, form: MessageForm | None = None, status: int = 200):
    if enterprise_id is None:
        abort(404)
    state = queries.poll_state(user, enterprise_id)  # also the access check
    if state is None:
        abort(404)
    before = int_arg("before")
    block = fragment_for(FRAGMENTS)
    etag = None
    if block == "message_list" and not before and status == 200:
        etag = etag_for("messages", user.id, enterprise_id, state.last_id, state.count)
        unchanged = not_modified(etag)
        if unchanged is not None:
            return unchanged
    conversation = queries.conversation_of(enterprise_id)
    page = queries.message_page(conversation, before=before)
    page_url, send_url = _urls(user, enterprise_id)
    context = {
        "user": user,
        "page": page,
        "before": before,
        "page_url": page_url,
        "poll_url": None if before else page_url,
        "poll_trigger": POLL_TRIGGER,
        "mine_from_enterprise": user.role is Role.ENTERPRISE,
    }
    if block != "message_list":
        enterprise = user.enterprise if user.role is Role.ENTERPRISE else queries.client_of(user, enterprise_id)
        context |= {
            "from_inbox": queries.keeps_inbox(user),  # the breadcrumb back to it, the clerk's heading
            "enterprise": enterprise,
            "clerk": queries.current_clerk(enterprise_id),
            "send_url": send_url,
            "form": _form_choices(form or MessageForm(formdata=None), user, enterprise_id),
        }
    response = render("messaging/conversation.html", FRAGMENTS, status=status, **context)
    if etag:
        with_etag(response, etag)
    if conversation is not None and not before and status == 200:
        _mark_seen(conversation.id, user, page.newest_id)
    return response


def _mark_seen(conversation_id: int, user: User, newest_id: int) -> None:
    """Best effort, after the page is rendered (a commit expires what the template used)."""
    try:
        services.mark_read(conversation_id, user, newest_id)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


def _send(user: User, enterprise_id: int | None) -> Response:
    if enterprise_id is None or not queries.may_take_part(user, enterprise_id):
        abort(404)
    form = _form_choices(MessageForm(request.form), user, enterprise_id)
    if not form.validate():
        return _conversation_page(user, enterprise_id, form=form, status=422)
    case = queries.case_by_no(user, enterprise_id, form.case_no.data) if form.case_no.data else None
    document = None
    if form.document_id.data:
        document = enterprise_queries.valid_document(enterprise_id, int(form.document_id.data), business_today())
    try:
        services.send_message(user=user, enterprise_id=enterprise_id, body=form.body.data, case=case, document=document)
    except services.MessagingError as error:
        db.session.rollback()
        if error.code == "not_found":
            abort(404)
        form.body.errors = [*form.body.errors, error_message(error.code)]
        return _conversation_page(user, enterprise_id, form=form, status=422)
    db.session.commit()
    page_url, _send_url = _urls(user, enterprise_id)
    if hx_target() == "conversation":
        return _conversation_page(user, enterprise_id)
    return redirect(page_url, 303)


@bp.route("/")
@roles_required(Role.ENTERPRISE, Role.CLERK)
def index():
    """The enterprise's conversation; for a clerk, the list of its clients' conversations."""
    user = _user()
    if queries.keeps_inbox(user):
        return render("messaging/inbox.html", rows=queries.inbox(user))
    return _conversation_page(user, user.enterprise_id)


@bp.route("/", methods=["POST"])
@roles_required(Role.ENTERPRISE)
def send():
    user = _user()
    return _send(user, user.enterprise_id)


@bp.route("/<int:enterprise_id>")
@roles_required(Role.CLERK)
def conversation(enterprise_id: int):
    return _conversation_page(_user(), enterprise_id)


@bp.route("/<int:enterprise_id>", methods=["POST"])
@roles_required(Role.CLERK)
def clerk_send(enterprise_id: int):
    return _send(_user(), enterprise_id)


@bp.route("/files/<int:message_id>")
@roles_required(Role.ENTERPRISE, Role.CLERK)
def attachment(message_id: int):
    """A message's attached document, only to the conversation's participants."""
    message = queries.message_for(_user(), message_id)
    if message is None or message.document is None:
        abort(404)
    stored = message.document.file
    if not (upload_root() / stored.storage_name).is_file():
        abort(404)
    return send_stored(stored)
