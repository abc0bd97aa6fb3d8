"""On site (the team's tablet): take in a case for one of the order's items with a photographed material, and
register a problem found as an appeal. Both are creates, idempotent by their submission key."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..auth.decorators import roles_required
from ..auth.models import Role
from ..cases.labels import CASE_ERROR_MESSAGES
from ..cases.services import CaseError
from ..domain.case_flow import CaseFlowError
from ..extensions import db
from ..idempotency import idempotent
from ..uploads.storage import UploadRejected
from . import services
from .labels import error_message
from .order_views import _order, panel_answer
from .services import TakeoutError

TEAM_ROLES = (Role.STAFF, Role.CLERK)


def case_error_message(code: str) -> str:
    """The case core's refusal, in the case pages' words (e.g. an item outside the station's scope)."""
    message = CASE_ERROR_MESSAGES.get(code)
    return str(message) if message is not None else error_message(code)


def _photos() -> dict[int, object]:
    """The form's photos by item material id (fields ``photo-<id>``)."""
    found = {}
    for name, upload in request.files.items():
        number = name.removeprefix("photo-")
        if name.startswith("photo-") and number.isdigit():
            found[int(number)] = upload
    return found


@roles_required(*TEAM_ROLES)
@idempotent("takeout.take_in")
def take_in(order_no: str):
    order = _order(order_no)
    try:
        case = services.take_in_on_site(
            order, current_user._get_current_object(), request.form.get("item_code", ""), _photos()
        )
    except (TakeoutError, CaseError, CaseFlowError, UploadRejected) as refused:
        db.session.rollback()
        if isinstance(refused, UploadRejected):
            message = error_message("upload_rejected")
        elif isinstance(refused, CaseError):
            message = case_error_message(refused.code)
        else:
            message = error_message(refused.code)
        return panel_answer(order, error=message, status=422, values=request.form.to_dict())
    db.session.commit()
    response = panel_answer(order)
    response.headers["X-Case-No"] = case.case_no
    return response


@roles_required(*TEAM_ROLES)
@idempotent("takeout.problem")
def raise_problem(order_no: str):
    order = _order(order_no)
    text = (request.form.get("description") or "").strip()
    try:
        if not text:
            raise TakeoutError("description_required")
        services.raise_problem(order, current_user._get_current_object(), text[:2000])
    except Exception as refused:
        if not hasattr(refused, "code"):
            raise
        db.session.rollback()
        return panel_answer(order, error=error_message(refused.code), status=422, values=request.form.to_dict())
    db.session.commit()
    return panel_answer(order)
