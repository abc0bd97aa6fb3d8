"""The cross-region part of a case page: pass the applicant's supplied materials on to the partner district.

After a partner's one-time correction notice (domain.md §4.8 rule 4), the intake station takes the supplied
material at its counter and forwards it; the panel (crossregion/_case_panel.html) swaps itself in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..access import may_relay_supplement
from ..calendar.services import current_calendar
from ..cases import queries as case_queries
from ..cases.labels import upload_message
from ..cases.services import CaseError
from ..domain import handoffs
from ..domain.case_vocabulary import STATUS_LABELS, CaseStatus
from ..domain.handoffs import HANDOFF_LABELS, HANDOFF_STATE_LABELS, Handoff, HandoffCheck, HandoffState
from ..extensions import db
from ..timeutil import business_today, to_business, utcnow
from ..uploads.storage import UploadRejected, read_checked
from ..web.errors import error_response
from ..web.htmx import is_htmx, render_fragment
from . import case_link
from .models import Transfer, TransferDirection

bp = Blueprint("crossregion_cases", __name__, url_prefix="/cases")
PANEL = "crossregion/_case_panel.html"


class SupplementForm(FlaskForm):
    material = SelectField(_l("补正的材料"), validators=[InputRequired()], validate_choice=True)
    note = TextAreaField(_l("说明（选填）"), validators=[Optional(), Length(max=2000)])


def supplement_form(case, formdata=None) -> SupplementForm:
    form = SupplementForm(formdata=formdata)
    form.material.choices = [(m.item_material.name, m.item_material.name) for m in case.materials]
    return form


def state_label(state: str | None) -> str:
    """The partner's last reported status in words (a status name of domain.md §3.1, or APPROVED/REJECTED)."""
    try:
        return _(STATUS_LABELS[CaseStatus(state)])
    except (ValueError, KeyError):
        return state or "—"


@dataclass(frozen=True)
class HandoffView:
    checks: list[HandoffCheck]
    elapsed: int  # working days since intake (outbound) or since arrival here (inbound)
    since_arrival: bool


BADGES = {
    HandoffState.ON_TIME: "GREEN",
    HandoffState.PENDING: "YELLOW",
    HandoffState.LATE: "RED",
    HandoffState.OVERDUE: "RED",
}


def handoff_view(case, transfer: Transfer) -> HandoffView:
    """The 1-working-day hand-off checks of a transfer (domain.md §4.8 rule 4) and the time taken so far."""
    calendar, today = current_calendar(), business_today()

    def day(moment):
        return to_business(moment).date() if moment else None

    end = day(case.delivered_at) or today
    if transfer.direction is TransferDirection.INBOUND:
        arrived = day(transfer.forwarded_at)
        checks = [handoffs.check(Handoff.SIGN, arrived, day(case.xr_signed_at), today, calendar)]
        return HandoffView(checks, handoffs.elapsed_working_days(arrived, end, calendar), since_arrival=True)
    forwarded = day(transfer.forwarded_at)
    checks = [
        handoffs.check(Handoff.FORWARD, day(case.received_at), forwarded, today, calendar),
        handoffs.check(Handoff.SIGN, forwarded, day(transfer.partner_signed_at), today, calendar),
    ]
    if transfer.correction_at is not None:
        supplied = transfer.supplement_at
        relayed = supplied if supplied is not None and supplied >= transfer.correction_at else None
        checks.append(handoffs.check(Handoff.RELAY, day(transfer.correction_at), day(relayed), today, calendar))
    elapsed = handoffs.elapsed_working_days(day(case.received_at), end, calendar)
    return HandoffView(checks, elapsed, since_arrival=False)


def _handoff_labels() -> dict:
    return {
        "steps": {step.value: _(label) for step, label in HANDOFF_LABELS.items()},
        "states": {state.value: _(label) for state, label in HANDOFF_STATE_LABELS.items()},
        "badges": {state.value: badge for state, badge in BADGES.items()},
    }


bp.add_app_template_global(handoff_view, "xr_handoffs")
bp.add_app_template_global(_handoff_labels, "xr_handoff_labels")
bp.add_app_template_global(supplement_form, "xr_supplement_form")
bp.add_app_template_global(state_label, "xr_state_label")


@bp.app_template_global("xr_may_relay")
def may_relay(user, case, transfer: Transfer) -> bool:
    """The panel's supplement form: the partner asked for a correction, the case waits for it, the user may relay."""
    return case_link.awaits_supplement(case, transfer) and may_relay_supplement(user, case)


def _panel(case, status: int = 200, **context):
    return render_fragment(PANEL, ["xr_panel"], status=status, case=case, user=current_user, **context)


@bp.route("/<case_no>/xr-supplement", methods=["POST"])
@login_required
def supplement(case_no: str):
    case = case_queries.case_for(current_user, case_no)
    if case is None:
        abort(404)
    # Staff-side only: the intake station receives the supplied material at its counter (or the clerk does).
    if not may_relay_supplement(current_user, case):
        return error_response(403, _("您只能查看办件，不能办理。"), "read_only")
    form = supplement_form(case, request.form)
    problem = None
    upload = request.files.get("file")
    if not form.validate():
        problem = _("请选择补正的材料。")
    elif upload is None or not upload.filename:
        problem = _("请拍照或选择补正材料的文件。")
    else:
        try:
            data, content_type = read_checked(upload)
        except UploadRejected as rejected:
            problem = upload_message(rejected.code, current_app.config["UPLOAD_MAX_BYTES"])
    if problem is None:
        try:
            case_link.send_supplement(
                case,
                current_user,
                material_name=form.material.data,
                data=data,
                content_type=content_type,
                filename=upload.filename,
                note=form.note.data or "",
                now=utcnow(),
            )
        except CaseError:
            db.session.rollback()
            problem = _("合作地区当前没有要求补正，无需转交材料。")
    if problem is not None:
        if is_htmx():
            return _panel(case, 422, xr_error=problem, xr_form=form)
        return error_response(422, problem)
    db.session.commit()
    if is_htmx():
        return _panel(case, xr_sent=True)
    return redirect(url_for("cases.show", case_no=case.case_no), 303)
