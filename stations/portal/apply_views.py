"""Online application (网上申请): the item search, the form with its materials, the submission (idempotent)."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..access import VERIFIED_TRUST
from ..auth.models import User
from ..cases import intake, page_queries
from ..cases import services as case_services
from ..cases.labels import CASE_ERROR_MESSAGES, FLOW_ERROR_MESSAGES
from ..cases.models import Case, Channel
from ..cases.services import CaseError
from ..catalog import queries as catalog_queries
from ..catalog.models import ServiceItem
from ..domain.case_flow import CaseFlowError
from ..enterprises import queries as enterprise_queries
from ..enterprises.models import Enterprise, EnterpriseKind
from ..extensions import db
from ..idempotency import idempotent
from ..notifications.models import NotificationKind
from ..notifications.services import notify, notify_station_staff
from ..sites.models import Station
from ..timeutil import business_today
from ..uploads.storage import discard
from ..web.error_summary import material_entries, summary_entries
from ..web.htmx import render
from .enterprise_common import APPLY_FRAGMENTS, applicant_required, own_enterprise, signed_in_user
from .forms import ApplyForm

# --- online application (网上申请) ------------------------------------------------------------------------------


def _not_online_message(item: ServiceItem) -> str:
    return _("“%(name)s”不支持网上申请，请到驿站或政务中心窗口办理。", name=item.name)


def _apply_context(
    user: User,
    values: MultiDict,
    *,
    form: ApplyForm | None = None,
    errors: list[str] | None = None,
    checklist: intake.FormChecklist | None = None,
) -> dict:
    enterprise = own_enterprise(user)
    errors = list(errors or [])
    q = (values.get("q") or "").strip()[:50]
    code = (values.get("item") or "").strip()[:40]
    item = page_queries.application_item(code) if code else None
    if code and item is None and not errors:
        errors.append(_("未找到事项“%(code)s”，请重新选择。", code=code))
    online = item is not None and item.is_online
    if item is not None and not online and not errors:
        errors.append(_not_online_message(item))
    stations = page_queries.application_stations(item) if online else []
    if online and not stations and not errors:
        errors.append(str(CASE_ERROR_MESSAGES["item_not_in_scope"]))
    chosen = (values.get("station") or "").strip().upper()
    codes = [s.code for s in stations]
    if chosen not in codes:
        home = enterprise.station.code if enterprise.station else None
        chosen = home if home in codes else (codes[0] if codes else "")
    documents = enterprise_queries.valid_documents(enterprise.id, business_today()) if online else []
    form = form or ApplyForm(
        formdata=None, applicant_name=enterprise.contact_name or "", applicant_phone=enterprise.contact_phone or ""
    )
    return {
        "user": user,
        "enterprise": enterprise,
        "q": q,
        "item": item,
        "online": online,
        "items": (
            catalog_queries.search_items(
                catalog_queries.ItemFilter(q=q),
                scope=page_queries.online_item_scope(personal_only=enterprise.kind is EnterpriseKind.PERSON),
                page_size=10,
            ).items
            if item is None
            else []
        ),
        "stations": stations,
        "chosen_station": chosen,
        "documents": documents,
        "form": form,
        "errors": errors,
        "choices": checklist.choices if checklist else {},
        "material_errors": checklist.errors if checklist else {},
        "error_entries": summary_entries(
            errors, material_entries(item.materials if item else [], checklist.errors if checklist else {}), form
        ),
        "reselect": set(checklist.uploads) if checklist else set(),
        "verified_trust": VERIFIED_TRUST,
        "upload_mb": max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    }


@applicant_required
def apply():
    return render("enterprises/apply.html", APPLY_FRAGMENTS, **_apply_context(signed_in_user(), request.args))


def _read_materials(item: ServiceItem, enterprise: Enterprise) -> intake.FormChecklist:
    """Each material: a document of the store (``doc:<id>``, any of the enterprise's usable ones), a new file, or
    missing. Files are checked here and stored only once the whole application is valid."""
    documents = {d.id: d for d in enterprise_queries.valid_documents(enterprise.id, business_today())}
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    return intake.read_form_checklist(item, Channel.ONLINE, request.form, request.files, documents, max_bytes=max_bytes)


def _apply_again(user: User, form: ApplyForm, errors: list[str], checklist: intake.FormChecklist | None) -> Response:
    """422: the application page with every message; the choices are kept (files must be chosen again)."""
    context = _apply_context(user, request.form, form=form, errors=errors, checklist=checklist)
    return render("enterprises/apply.html", status=422, **context)


@applicant_required
@idempotent("enterprises.apply")
def apply_submit():
    """File an online application: a case RECEIVED (channel ONLINE) in the chosen station's queue."""
    user = signed_in_user()
    enterprise = own_enterprise(user)
    form = ApplyForm()
    form_ok = form.validate_on_submit()
    code = (form.item.data or "").strip()[:40]
    item = page_queries.application_item(code) if code else None
    if item is None:
        return _apply_again(user, form, [_("请先选择办理事项。")], None)
    if not item.is_online:
        return _apply_again(user, form, [_not_online_message(item)], None)
    station = _application_station(item, form.station.data)
    errors = [] if station else [_("请选择办理驿站。")]
    checklist = _read_materials(item, enterprise)
    if errors or not form_ok or checklist.errors:
        return _apply_again(user, form, errors, checklist)
    stored: list = []
    try:
        channel = intake.intake_channel(user, station)  # ONLINE: the applicant files itself
        inputs = list(checklist.inputs) + case_services.file_uploads(
            checklist.uploads, enterprise=enterprise, user=user, status=intake.upload_status(channel), stored=stored
        )
        case = case_services.receive_case(
            user=user,
            station=station,
            item=item,
            enterprise=enterprise,
            channel=channel,
            applicant_name=form.applicant_name.data,
            applicant_phone=form.applicant_phone.data,
            materials=inputs,
            note=form.note.data or "",
        )
        _tell_who_takes_it_in(case)
    except (CaseError, CaseFlowError) as error:
        db.session.rollback()
        discard(stored)
        message = CASE_ERROR_MESSAGES.get(getattr(error, "code", ""), FLOW_ERROR_MESSAGES["not_permitted"])
        return _apply_again(user, form, [str(message)], checklist)
    db.session.commit()
    flash(_("申请已提交，办件编号 %(case_no)s。驿站核验材料后受理。", case_no=case.case_no), "success")
    return redirect(url_for("cases.show", case_no=case.case_no), 303)


def _application_station(item: ServiceItem, code: str | None) -> Station | None:
    wanted = (code or "").strip().upper()
    return next((s for s in page_queries.application_stations(item) if s.code == wanted), None)


def _tell_who_takes_it_in(case: Case) -> None:
    """The enterprise's dedicated clerk hears of the new application; without a clerk, the station's staff."""
    text = f"{case.case_no} · {case.item.name} · {case.enterprise.name}"
    link = url_for("cases.show", case_no=case.case_no)
    if case.clerk_id:
        notify(case.clerk_id, NotificationKind.APPLICATION_RECEIVED, text, link)
    else:
        notify_station_staff(case.station_id, NotificationKind.APPLICATION_RECEIVED, text, link)
