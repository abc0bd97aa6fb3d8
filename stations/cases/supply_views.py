"""容缺 items and missing materials on the case page: supply (from the document store or a new file), verify, send back."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from ..domain.case_flow import (
    CaseFlowError,
)
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.models import Document
from ..extensions import db
from ..timeutil import business_today
from ..uploads.storage import UploadRejected, discard, read_checked, store_bytes
from . import services
from .forms import SupplyForm
from .labels import (
    CASE_ERROR_MESSAGES,
    FLOW_ERROR_MESSAGES,
    upload_message,
)
from .models import Case, Deficiency
from .page_common import (
    safe_next,
    signed_in_user,
    visible_case,
)
from .page_responses import done, refused, require_actor
from .services import CaseError


def _deficiency_of(case: Case, deficiency_id: int) -> Deficiency:
    for deficiency in case.deficiencies:
        if deficiency.id == deficiency_id:
            return deficiency
    abort(404)


@login_required
def deficiency_supply(case_no: str, deficiency_id: int):
    user = signed_in_user()
    case = visible_case(user, case_no)
    deficiency = _deficiency_of(case, deficiency_id)
    forbidden = require_actor(user, case)
    if forbidden:
        return forbidden
    form = SupplyForm(request.form)
    form.validate()
    upload = request.files.get("file")
    stored = []
    document: Document | None
    if upload is not None and upload.filename:
        try:
            data, content_type = read_checked(upload)
        except UploadRejected as rejected:
            message = upload_message(rejected.code, current_app.config["UPLOAD_MAX_BYTES"])
            return refused(user, case_no, 422, message, event=f"supply-{deficiency.id}")
        stored.append(
            store_bytes(data, content_type, upload.filename, enterprise_id=case.enterprise_id, user_id=user.id)
        )
        document = enterprise_services.add_document(
            case.enterprise_id, deficiency.case_material.item_material.name, stored[0].id, user=user
        )
    elif form.document_id.data:
        document = enterprise_queries.valid_document(case.enterprise_id, form.document_id.data, business_today())
        if document is None:
            return refused(
                user, case_no, 422, str(CASE_ERROR_MESSAGES["document_not_yours"]), event=f"supply-{deficiency.id}"
            )
    else:
        message = _("请拍照或选择文件，或从企业材料库中选择一份材料。")
        return refused(user, case_no, 422, message, event=f"supply-{deficiency.id}")
    try:
        services.supply_deficiency(deficiency, user, document=document)
    except (CaseFlowError, CaseError) as error:
        discard(stored)
        return refused(user, case_no, 422, _deficiency_error(error), event=f"supply-{deficiency.id}")
    db.session.commit()
    back = safe_next(form.next.data, url_for("cases.show", case_no=case_no))
    return done(user, case_no, back, message=_("%(case_no)s：补交材料已提交，等待核验。", case_no=case_no))


@login_required
def material_supply(case_no: str, material_id: int):
    """Hand in a missing material or one to correct (补正): from the document store first, or a new file."""
    user = signed_in_user()
    case = visible_case(user, case_no)
    material = next((m for m in case.materials if m.id == material_id), None)
    if material is None:
        abort(404)
    forbidden = require_actor(user, case)
    if forbidden:
        return forbidden
    form = SupplyForm(request.form)
    form.validate()
    upload = request.files.get("file")
    stored = []
    failed = f"material-{material.id}"
    if upload is not None and upload.filename:
        try:
            data, content_type = read_checked(upload)
        except UploadRejected as rejected:
            message = upload_message(rejected.code, current_app.config["UPLOAD_MAX_BYTES"])
            return refused(user, case_no, 422, message, event=failed)
        stored.append(
            store_bytes(data, content_type, upload.filename, enterprise_id=case.enterprise_id, user_id=user.id)
        )
        document = enterprise_services.add_document(
            case.enterprise_id, material.item_material.name, stored[0].id, user=user
        )
    elif form.document_id.data:
        document = enterprise_queries.valid_document(case.enterprise_id, form.document_id.data, business_today())
        if document is None:
            return refused(user, case_no, 422, str(CASE_ERROR_MESSAGES["document_not_yours"]), event=failed)
    else:
        message = _("请从材料库中选择一份材料，或拍照、选择文件。")
        return refused(user, case_no, 422, message, event=failed)
    try:
        services.supply_material(material, user, document=document)
    except CaseError as error:
        discard(stored)
        return refused(user, case_no, 422, _deficiency_error(error), event=failed)
    db.session.commit()
    back = safe_next(form.next.data, url_for("cases.show", case_no=case_no))
    return done(user, case_no, back, message=_("%(case_no)s：补交材料已提交，等待核验。", case_no=case_no))


def _deficiency_error(error: Exception) -> str:
    code = getattr(error, "code", "")
    if code in CASE_ERROR_MESSAGES:
        return str(CASE_ERROR_MESSAGES[code])
    return str(FLOW_ERROR_MESSAGES.get(code, FLOW_ERROR_MESSAGES["illegal_transition"]))


def _check_deficiency(case_no: str, deficiency_id: int, *, accept: bool) -> Response:
    user = signed_in_user()
    case = visible_case(user, case_no)
    deficiency = _deficiency_of(case, deficiency_id)
    forbidden = require_actor(user, case)
    if forbidden:
        return forbidden
    try:
        services.verify_deficiency(deficiency, user, accept=accept)
    except (CaseFlowError, CaseError) as error:
        return refused(user, case_no, 422, _deficiency_error(error))
    db.session.commit()
    if accept:
        message = _("%(case_no)s：补交材料已核验销号。", case_no=case_no)
    else:
        message = _("%(case_no)s：补交材料已退回。", case_no=case_no)
    back = safe_next(request.form.get("next"), url_for("cases.show", case_no=case_no))
    return done(user, case_no, back, message=message)


@login_required
def deficiency_verify(case_no: str, deficiency_id: int):
    return _check_deficiency(case_no, deficiency_id, accept=True)


@login_required
def deficiency_reject(case_no: str, deficiency_id: int):
    return _check_deficiency(case_no, deficiency_id, accept=False)
