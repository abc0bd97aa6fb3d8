"""How a case action answers: the fresh row, the fresh case block, a refusal in place, a 409 for a stale version."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..access import actor_for
from ..auth.models import User
from ..domain.case_vocabulary import CaseEvent
from ..extensions import db
from ..web.errors import error_response
from ..web.htmx import hx_target, render, render_fragment
from . import queries
from .labels import (
    CASE_ERROR_MESSAGES,
    EVENT_LABELS,
    template_labels,
)
from .models import Case
from .page_common import (
    PANEL_TARGET,
    case_updated,
    row_target,
    visible_case,
)
from .presenters import (
    row_of,
    show_context,
)


def row_response(
    user: User,
    case: Case,
    next_url: str,
    status: int = 200,
    message: str | None = None,
    message_kind: str = "error",
) -> Response:
    """The updated row, with the counters (and a message, if any) swapped out of band.

    The message replaces whatever #flash held, so a conflict's banner goes with the next action.
    """
    blocks = ["case_row", "queue_counters"] + (["flash_oob"] if message else [])
    return render_fragment(
        "cases/index.html",
        blocks,
        status=status,
        row=row_of(user, case),
        counts=queries.colour_counts(user),
        counters_oob=True,
        next_url=next_url,
        message=message,
        message_kind=message_kind,
        **template_labels(),
    )


def panel_or_page(user: User, case_no: str, status: int, **extra) -> Response:
    """The case block (htmx aimed at it) or the whole page, with a message; after a rollback, from fresh data."""
    case = visible_case(user, case_no)
    context = show_context(user, case, **extra)
    if hx_target() == PANEL_TARGET:
        return render_fragment("cases/show.html", ["case_panel"], status=status, **context)
    return render("cases/show.html", status=status, **context)


def refused(user: User, case_no: str, status: int, message: str, *, event: str | None = None) -> Response:
    """An action the rules refused: nothing changed. A row gets the message in #flash; the case page in place."""
    db.session.rollback()
    target = hx_target()
    if target and target.startswith("case-row-"):
        return error_response(status, message)
    return panel_or_page(
        user, case_no, status, action_error=message, failed_event=event, posted=request.form.to_dict(flat=True)
    )


def stale(user: User, case_no: str, next_url: str) -> Response:
    """409: another tablet acted first. Answer with the fresh row or case block and say so."""
    db.session.rollback()
    message = str(CASE_ERROR_MESSAGES["stale"])
    case = visible_case(user, case_no)
    target = hx_target()
    if target == row_target(case):
        return case_updated(row_response(user, case, next_url, status=409, message=message), case)
    return panel_or_page(user, case_no, 409, conflict=message)


def done(
    user: User, case_no: str, next_url: str, event: CaseEvent | None = None, message: str | None = None
) -> Response:
    """After a committed action: the fresh row, the fresh case block, or back to the page it came from.

    In place, #flash (role=status) says what was just done, since the button that was tapped is gone.
    """
    case = visible_case(user, case_no)
    target = hx_target()
    if message is None and event is not None:
        message = _("%(case_no)s：已%(action)s。", case_no=case.case_no, action=_(EVENT_LABELS[event]))
    if target == row_target(case):
        response = row_response(user, case, next_url, message=message, message_kind="success")
    elif target == PANEL_TARGET:
        response = render_fragment("cases/show.html", ["case_panel"], **show_context(user, case))
        if message:  # out of band, after the block: the live region outside the panel announces it
            oob = render_template("cases/_flash_oob.html", message=message, message_kind="success")
            response.set_data(response.get_data(as_text=True) + oob)
    else:
        if message:  # said on the page it goes back to
            flash(message, "success")
        response = redirect(next_url, 303)
    return case_updated(response, case)


def require_actor(user: User, case: Case) -> Response | None:
    if actor_for(user, case) is None:
        return error_response(403, str(CASE_ERROR_MESSAGES["read_only"]), "read_only")
    return None
