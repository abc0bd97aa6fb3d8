"""Pages of the manual cross-region channel (issue 12, item 5) and the public list of cross-region items.

/cases/<no>/xr-manual: forward by post with a courier number (RECEIVED), then record the partner's sign-for,
progress and result (FORWARDED / PARTNER_SIGNED). Station staff of the case only. /cross-region/items: public.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import may_use_manual_channel
from ..cases import queries as case_queries
from ..catalog.models import ServiceItem
from ..domain.case_flow import CaseFlowError
from ..domain.case_vocabulary import PARTNER_PENDING_STATUSES, CaseStatus
from ..extensions import db
from ..web.htmx import render
from .manual import STEPS, ManualError, forward_by_post, manual_partners, manual_transfer, record_partner_step
from .models import PartnerItem, PartnerRegion

bp = Blueprint("xr_manual", __name__)

MESSAGES = {
    "partner": _l("请选择可邮寄办理该事项的合作地区。"),
    "courier_no": _l("请填写快递单号（6 到 30 位字母、数字或短横线）。"),
    "not_manual": _l("该办件不是邮寄转交的跨区办件。"),
    "step": _l("请选择对方的办理进度。"),
    "note": _l("请填写对方告知的办理进度。"),
    "flow": _l("该办件当前状态下不能执行此操作，请查看最新状态。"),
}
STEP_LABELS = {
    "sign": _l("对方已签收"),
    "progress": _l("对方办理进度"),
    "approved": _l("对方办结（通过），结果已寄回"),
    "rejected": _l("对方办结（不通过）"),
    "refused": _l("对方不予受理"),
}


def _staff_case(case_no: str):
    user = current_user._get_current_object()
    case = case_queries.case_for(user, case_no)
    if case is None:
        abort(404)
    if not may_use_manual_channel(user, case):  # the case page links here by the same rule
        abort(403)
    return user, case


def _page(case, status: int = 200, error: str | None = None):
    return render(
        "crossregion/manual.html",
        status=status,
        case=case,
        partners=manual_partners(case.item_id) if case.status is CaseStatus.RECEIVED else [],
        transfer=manual_transfer(case),
        # The partner's sign-for, progress and result are recorded while the case waits for the partner.
        records_partner_steps=case.status in PARTNER_PENDING_STATUSES,
        steps=STEP_LABELS,
        error=error,
        posted=request.form.to_dict(flat=True) if request.method == "POST" else {},
    )


@bp.get("/cases/<case_no>/xr-manual")
@login_required
def manual(case_no: str):
    _user, case = _staff_case(case_no)
    return _page(case)


@bp.post("/cases/<case_no>/xr-manual/forward")
@login_required
def manual_forward(case_no: str):
    user, case = _staff_case(case_no)
    form = request.form
    try:
        forward_by_post(
            case, user, form.get("partner_code", ""), form.get("courier_no", "")[:40], note=form.get("note", "")[:500]
        )
    except ManualError as error:
        db.session.rollback()
        return _page(case, 422, str(MESSAGES[error.code]))
    except CaseFlowError:
        db.session.rollback()
        return _page(case, 422, str(MESSAGES["flow"]))
    db.session.commit()
    return redirect(url_for("xr_manual.manual", case_no=case_no), 303)


@bp.post("/cases/<case_no>/xr-manual/step")
@login_required
def manual_step(case_no: str):
    user, case = _staff_case(case_no)
    step = request.form.get("step", "")
    try:
        record_partner_step(case, user, step if step in STEPS else "", note=request.form.get("note", "")[:500])
    except ManualError as error:
        db.session.rollback()
        return _page(case, 422, str(MESSAGES[error.code]))
    except CaseFlowError:
        db.session.rollback()
        return _page(case, 422, str(MESSAGES["flow"]))
    db.session.commit()
    return redirect(url_for("xr_manual.manual", case_no=case_no), 303)


@bp.get("/cross-region/items")
def public_items():
    """Public: the items an enterprise can have handled in another district, by partner (跨区通办事项)."""
    rows = db.session.execute(
        select(PartnerRegion.name, ServiceItem.code, ServiceItem.name)
        .join(PartnerItem, PartnerItem.partner_id == PartnerRegion.id)
        .join(ServiceItem, ServiceItem.id == PartnerItem.local_item_id)
        .where(PartnerRegion.is_active.is_(True), ServiceItem.is_active.is_(True))
        .order_by(PartnerRegion.sort_order, PartnerRegion.id, ServiceItem.code)
    ).all()
    by_partner: dict[str, list[tuple[str, str]]] = {}
    for partner, code, name in rows:
        by_partner.setdefault(partner, []).append((code, name))
    return render("crossregion/public_items.html", by_partner=by_partner)
