"""Intake (收件) at the counter: find the enterprise and the item, fill in the checklist, register a new enterprise."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..access import (
    VERIFIED_TRUST,
    clients_scope,
    intake_station,
    may_choose_intake_station,
    may_register_enterprise,
)
from ..auth.decorators import roles_required, staff_required
from ..auth.models import Role, User
from ..catalog import queries as catalog_queries
from ..domain.case_flow import CaseFlowError, GuardFailed
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.models import Document, Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..sites import queries as sites_queries
from ..sites.models import Station
from ..timeutil import business_today
from ..uploads.storage import discard
from ..web.error_summary import material_entries, summary_entries
from ..web.htmx import render
from ..web.params import parse_int
from . import intake, page_queries, services
from .forms import EnterpriseForm, IntakeForm
from .labels import (
    CASE_ERROR_MESSAGES,
    FLOW_ERROR_MESSAGES,
)
from .models import Channel
from .page_common import (
    INTAKE_FRAGMENTS,
    signed_in_user,
)
from .services import CaseError
from .xr_port import port as xr_port


def _intake_context(
    user: User,
    values: MultiDict,
    *,
    form: IntakeForm | None = None,
    enterprise_form: EnterpriseForm | None = None,
    errors: list[str] | None = None,
    choices: dict[int, str] | None = None,
    material_errors: dict[int, str] | None = None,
    reselect: set[int] | None = None,
    existing: Enterprise | None = None,
) -> dict:
    errors = list(errors or [])
    station = intake_station(user, values.get("station"))
    enterprise = enterprise_queries.get_enterprise(parse_int(values.get("enterprise")), among=clients_scope(user))
    code = (values.get("item") or "").strip()[:40]
    item = page_queries.intake_item(station, code) if station and code else None
    if code and item is None and not errors:
        errors.append(_("该事项不在本驿站的办理范围内，请重新选择。"))
    eq = (values.get("eq") or "").strip()[:50]
    iq = (values.get("iq") or "").strip()[:50]
    today = business_today()
    documents: dict[str, list[Document]] = {}
    if enterprise and item:
        for document in enterprise_queries.valid_documents(enterprise.id, today, [m.name for m in item.materials]):
            documents.setdefault(document.material_name, []).append(document)
    chooses_station = may_choose_intake_station(user)
    base = {
        "station": station.code if station and chooses_station else None,
        "enterprise": enterprise.id if enterprise else None,
        "item": item.code if item else None,
    }
    return {
        "user": user,
        "station": station,
        "chooses_station": chooses_station,
        "stations": sites_queries.list_stations() if chooses_station else [],
        "enterprise": enterprise,
        "item": item,
        "xr_partners": xr_port().partners_for_item(item.id) if item else [],
        "eq": eq,
        "iq": iq,
        "enterprises": enterprise_queries.search_enterprises(eq, among=clients_scope(user))
        if eq and not enterprise
        else [],
        "items": (
            catalog_queries.search_items(
                catalog_queries.ItemFilter(q=iq), scope=page_queries.intake_item_scope(station), page_size=10
            ).items
            if station and not item
            else []
        ),
        "documents": documents,
        "base": {key: value for key, value in base.items() if value},
        "form": form or _prefilled_form(enterprise),
        # The 容缺承诺书 box only where the catalogue allows 容缺 for the item (the core still decides).
        "offers_rongque": bool(item and item.rongque_allowed),
        "enterprise_form": enterprise_form or EnterpriseForm(formdata=None),
        "can_register": may_register_enterprise(user),
        "errors": errors,
        "error_entries": _error_entries(errors, item, material_errors or {}, form),
        "choices": choices or {},
        "material_errors": material_errors or {},
        "reselect": reselect or set(),
        "existing": existing,
        "trusted": VERIFIED_TRUST,
        "upload_mb": max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    }


def _prefilled_form(enterprise: Enterprise | None) -> IntakeForm:
    """A fresh intake form, the applicant taken from the enterprise's contact (staff correct it when someone else
    comes): two fields less to type at the counter."""
    if enterprise is None:
        return IntakeForm(formdata=None)
    return IntakeForm(
        formdata=None, applicant_name=enterprise.contact_name or "", applicant_phone=enterprise.contact_phone or ""
    )


def _error_entries(errors: list[str], item, material_errors: dict[int, str], form: IntakeForm | None) -> list:
    """The intake form's error summary: the whole-form messages, then each material's and each field's."""
    return summary_entries(errors, material_entries(item.materials if item else [], material_errors), form)


@staff_required
def new():
    return render("cases/new.html", INTAKE_FRAGMENTS, **_intake_context(signed_in_user(), request.args))


def _read_checklist(item, enterprise: Enterprise | None, channel: Channel) -> intake.FormChecklist:
    """Each material's choice: 已核验, 缺, a document from the store (``doc:<id>``) or a file (checked, not stored)."""
    documents = {}
    if item is not None and enterprise is not None:
        names = [m.name for m in item.materials]
        documents = {d.id: d for d in enterprise_queries.valid_documents(enterprise.id, business_today(), names)}
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    return intake.read_form_checklist(item, channel, request.form, request.files, documents, max_bytes=max_bytes)


def _intake_problems(user: User) -> tuple[Station | None, Enterprise | None, object, list[str]]:
    """The station, enterprise and item of the posted intake, with a message for each that is wrong."""
    errors = []
    station = intake_station(user, request.form.get("station"))
    if station is None:
        errors.append(_("请选择收件驿站。"))
    enterprise_id = parse_int(request.form.get("enterprise"))
    enterprise = enterprise_queries.get_enterprise(enterprise_id, among=clients_scope(user))
    if enterprise is None:
        if enterprise_id and enterprise_queries.get_enterprise(enterprise_id) is not None:
            errors.append(str(CASE_ERROR_MESSAGES["not_your_client"]))
        else:
            errors.append(_("请先查找并选择企业。"))
    code = (request.form.get("item") or "").strip()[:40]
    item = page_queries.intake_item(station, code) if station and code else None
    if not code:
        errors.append(_("请选择办理事项。"))
    elif item is None:
        if catalog_queries.get_item(code) is None:
            errors.append(_("未找到事项“%(code)s”，请重新选择。", code=code))
        else:
            errors.append(str(CASE_ERROR_MESSAGES["item_not_in_scope"]))
    return station, enterprise, item, errors


@staff_required
@idempotent("cases.intake")  # a double tap or a retry after a lost answer makes one case
def create():
    user = signed_in_user()
    form = IntakeForm()
    station, enterprise, item, errors = _intake_problems(user)
    form_ok = form.validate_on_submit()
    channel = intake.intake_channel(user, station) if station else Channel.STATION
    checklist = _read_checklist(item, enterprise, channel)
    if errors or not form_ok or checklist.errors:
        return _intake_again(user, form, errors, checklist)
    xr_partner = form.xr_partner.data or None
    if xr_partner and xr_partner not in {p.code for p in xr_port().partners_for_item(item.id)}:
        return _intake_again(user, form, [str(CASE_ERROR_MESSAGES["partner_unavailable"])], checklist)
    stored: list = []
    try:
        inputs = list(checklist.inputs) + services.file_uploads(
            checklist.uploads, enterprise=enterprise, user=user, status=intake.upload_status(channel), stored=stored
        )
        case = services.receive_case(
            user=user,
            station=station,
            item=item,
            enterprise=enterprise,
            channel=channel,
            applicant_name=form.applicant_name.data,
            applicant_phone=form.applicant_phone.data,
            is_agent=bool(form.is_agent.data),
            materials=inputs,
            note=form.note.data or "",
            xr_partner_code=xr_partner,
        )
    except (CaseError, CaseFlowError) as error:
        db.session.rollback()
        discard(stored)
        message = CASE_ERROR_MESSAGES.get(getattr(error, "code", ""), FLOW_ERROR_MESSAGES["not_permitted"])
        return _intake_again(user, form, [str(message)], checklist)
    db.session.commit()
    if form.accept_now.data:
        return _accept_now(case, user, commitment_signed=bool(form.commitment_signed.data))
    flash(_("已收件，办件编号 %(case_no)s。", case_no=case.case_no), "success")
    return redirect(url_for("cases.show", case_no=case.case_no), 303)


def _accept_now(case, user: User, *, commitment_signed: bool) -> Response:
    """收件并受理: the receipt to print when the core accepts; else the case page saying why (the intake stands)."""
    try:
        services.accept_at_intake(case, user, commitment_signed=commitment_signed)
    except CaseFlowError as error:
        db.session.rollback()
        reason = _(error.message) if isinstance(error, GuardFailed) else FLOW_ERROR_MESSAGES["not_permitted"]
        flash(_("已收件，办件编号 %(case_no)s；尚未受理：%(reason)s", case_no=case.case_no, reason=reason), "warning")
        return redirect(url_for("cases.show", case_no=case.case_no), 303)
    db.session.commit()
    flash(_("已收件并受理，办件编号 %(case_no)s。请打印受理回执。", case_no=case.case_no), "success")
    return redirect(url_for("cases.receipt", case_no=case.case_no), 303)


def _intake_again(user: User, form: IntakeForm, errors: list[str], checklist: intake.FormChecklist) -> Response:
    """422: the intake page with every message, the choices kept (files must be chosen again)."""
    context = _intake_context(
        user,
        request.form,
        form=form,
        errors=errors,
        choices=checklist.choices,
        material_errors=checklist.errors,
        reselect=set(checklist.uploads),
    )
    return render("cases/new.html", status=422, **context)


@roles_required(Role.STAFF)
def register_enterprise():
    """Register a new enterprise from its licence, then go on with the intake for it."""
    user = signed_in_user()
    form = EnterpriseForm()
    if form.validate_on_submit():
        try:
            enterprise = enterprise_services.register_enterprise(
                name=form.name.data,
                uscc=form.uscc.data,
                contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data,
                station_id=user.station_id,
            )
        except enterprise_services.EnterpriseExists as exists:
            form.uscc.errors = [_("该统一社会信用代码已登记为“%(name)s”，请直接选择。", name=exists.enterprise.name)]
            context = _intake_context(user, request.form, enterprise_form=form, existing=exists.enterprise)
            return render("cases/new.html", status=422, **context)
        db.session.commit()
        item = (request.form.get("item") or "").strip()[:40] or None
        return redirect(url_for("cases.new", enterprise=enterprise.id, item=item), 303)
    return render("cases/new.html", status=422, **_intake_context(user, request.form, enterprise_form=form))
