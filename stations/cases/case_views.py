"""The case page and its actions (one event of the state machine per POST), the file and receipt downloads."""

from __future__ import annotations

import segno
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from ..access import may_see_query_code
from ..domain.case_flow import CaseFlowError, GuardFailed
from ..domain.case_vocabulary import CaseEvent
from ..extensions import db
from ..uploads.storage import send_stored, upload_root
from ..web.external import external_url
from ..web.htmx import render
from ..web.render_cache import reusable_page
from . import page_queries, queries, services
from .forms import EventForm
from .labels import (
    CASE_ERROR_MESSAGES,
    FLOW_ERROR_MESSAGES,
    template_labels,
)
from .models import MaterialStatus
from .page_common import (
    SHOW_FRAGMENTS,
    safe_next,
    signed_in_user,
    visible_case,
)
from .page_responses import done, refused, require_actor, stale
from .presenters import (
    show_context,
)
from .services import CaseError, EventInput, StaleCase


@login_required
@reusable_page(next_change=queries.next_turn_red)
def show(case_no: str):
    user = signed_in_user()
    case = visible_case(user, case_no)
    return render("cases/show.html", SHOW_FRAGMENTS, **show_context(user, case))


@login_required
def event(case_no: str, event_name: str):
    user = signed_in_user()
    case = visible_case(user, case_no)
    try:
        event = CaseEvent(event_name)
    except ValueError:
        abort(404)
    forbidden = require_actor(user, case)
    if forbidden:
        return forbidden
    form = EventForm(request.form)
    next_url = safe_next(form.next.data, url_for("cases.show", case_no=case.case_no))
    if not form.validate():
        if form.version.errors:
            return refused(user, case_no, 422, _("页面已过期，请刷新后重试。"), event=event.value)
        if form.note.errors or form.reason.errors:
            return refused(user, case_no, 422, _("填写的内容过长，请精简后重试。"), event=event.value)
        return refused(user, case_no, 422, _("提交的内容有误，请检查后重试。"), event=event.value)
    # What the note, the reason and the delivery mode must hold is the core's rule (case_flow's form guards).
    data = EventInput(
        note=form.note.data or "",
        reason=form.reason.data or "",
        commitment_signed=bool(form.commitment_signed.data),
        delivery_mode=(form.delivery_mode.data or "") if event is CaseEvent.DELIVER else "",
        verified_material_ids=list(form.verified_material_ids.data or []),
        partner_code=form.partner_code.data or "",
        special_kind=form.special_kind.data or "",  # start_special (issue 12)
    )
    try:
        services.apply_event(case, event, user, version=form.version.data, data=data)
    except StaleCase:
        return stale(user, case_no, next_url)
    except GuardFailed as error:
        return refused(user, case_no, 422, _(error.message), event=event.value)
    except CaseFlowError as error:
        return refused(
            user,
            case_no,
            422,
            str(FLOW_ERROR_MESSAGES.get(error.code, _("提交的内容有误，请检查后重试。"))),
            event=event.value,
        )
    except CaseError as error:
        return refused(
            user, case_no, error.status, str(CASE_ERROR_MESSAGES.get(error.code, error.code)), event=event.value
        )
    db.session.commit()
    return done(user, case_no, next_url, event)


@login_required
def file(case_no: str, file_id: int):
    """A material's file, only to those who may see the case, only if it belongs to this case."""
    case = visible_case(signed_in_user(), case_no)
    stored = page_queries.case_file(case, file_id)
    if stored is None or not (upload_root() / stored.storage_name).is_file():
        abort(404)
    return send_stored(stored)


@login_required
def receipt(case_no: str):
    user = signed_in_user()
    case = visible_case(user, case_no)
    if not may_see_query_code(user):
        abort(403)
    track_url = external_url("track.index", case_no=case.case_no, code=case.query_code)
    # segno draws the code as one <path> (the URL is encoded in its geometry, not copied as text), with no script
    # and no style attribute: safe markup, and allowed inline by the CSP.
    qr_svg = Markup(segno.make(track_url, error="m").svg_inline(scale=4, svgclass="qr-code"))  # noqa: S704
    handed_in = [m for m in case.materials if m.status in (MaterialStatus.VERIFIED, MaterialStatus.PROVIDED)]
    return render(
        "cases/receipt.html",
        case=case,
        track_url=track_url,
        qr_svg=qr_svg,
        handed_in=handed_in,
        rongque=[m for m in case.materials if m.status is MaterialStatus.RONGQUE],
        deficiencies=case.deficiencies,
        **template_labels(),
    )
