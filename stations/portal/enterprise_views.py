"""The enterprise's own pages: its home (its cases, updating by themselves), online application, document store.

Every page is for ENTERPRISE users and shows their own enterprise only: cases through access.py (``cases.queries``,
``cases.client_queries``), documents by the user's enterprise id. Another enterprise's document is a 404, like
another's case.

The home's case list polls (architecture.md §2.9): every 20 s while a case is open, paused while the page is
hidden (``data-poll-visible``, static/js/app.js). Each poll first runs ONE query (``client_queries.list_state``)
whose numbers make the ETag; the browser revalidates with If-None-Match and an unchanged list is a 304 with no
other query. A poll that finds nothing open any more answers 286 with the final list, which stops the polling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..access import APPLICANT_ROLES, VERIFIED_TRUST
from ..auth.decorators import enterprise_required, roles_required
from ..auth.models import User
from ..bundles import queries as bundle_queries
from ..bundles.labels import STATUS_LABELS as BUNDLE_STATUS_LABELS
from ..bundles.labels import STEP_LABELS as BUNDLE_STEP_LABELS
from ..calendar.services import current_calendar
from ..cases import client_queries, intake, page_queries, queries
from ..cases import services as case_services
from ..cases.labels import CASE_ERROR_MESSAGES, FLOW_ERROR_MESSAGES, template_labels, upload_message
from ..cases.models import Case, Channel
from ..cases.page_common import page_number
from ..cases.queries import QueueFilters
from ..cases.services import CaseError
from ..catalog import queries as catalog_queries
from ..catalog.models import ServiceItem
from ..clerks import queries as clerk_queries
from ..domain.case_flow import CaseFlowError
from ..domain.deadlines import WarnLevel, remaining_working_days
from ..domain.documents import VALIDITY_LABELS, Validity, expiry_horizon, validity
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.forms import DocumentForm
from ..enterprises.models import Document, Enterprise, EnterpriseKind, TrustLevel
from ..extensions import db
from ..idempotency import idempotent
from ..notifications.models import NotificationKind
from ..notifications.services import notify, notify_station_staff
from ..sites.models import Station
from ..timeutil import business_today, utcnow
from ..uploads.storage import UploadRejected, discard, send_stored, store, upload_root
from ..web.caching import etag_for, not_modified, with_etag
from ..web.errors import error_response
from ..web.htmx import STOP_POLLING, fragment_for, render
from .forms import ApplyForm

bp = Blueprint("enterprises", __name__, url_prefix="/enterprise")

HOME_FRAGMENTS = {"enterprise-cases": "enterprise_cases"}
APPLY_FRAGMENTS = {"apply-items": "apply_items"}
HOME_PAGE_SIZE = 20
POLL_SECONDS = 20
APPLY_MAX_FILES = 8  # one online application may carry a file per material
# Online application is for persons too (issue 12): intake refuses them an item that is not a personal one.
applicant_required = roles_required(*APPLICANT_ROLES)

TRUST_LABELS = {
    TrustLevel.A: _l("电子证照"),
    TrustLevel.B: _l("窗口已核验原件"),
    TrustLevel.C: _l("自行上传,待核验"),
}
NO_ENTERPRISE = _l("您的账号尚未关联企业,请联系系统管理员。")


@bp.url_value_preprocessor
def _room_for_several_uploads(endpoint: str | None, values: dict | None) -> None:
    """Raise the body limit of the application POST before anything (the CSRF check included) reads the form."""
    if endpoint == "enterprises.apply_submit":
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * APPLY_MAX_FILES + 1024 * 1024


def _user() -> User:
    return current_user._get_current_object()


def _enterprise(user: User) -> Enterprise:
    """The user's enterprise; an enterprise account without one has nothing to see here (403)."""
    if user.enterprise is None:
        abort(error_response(403, str(NO_ENTERPRISE), "no_enterprise"))
    return user.enterprise


# --- the enterprise's home (/home) ------------------------------------------------------------------------------


@dataclass
class HomeRow:
    case: Case
    level: str
    remaining: int | None  # working days left; None once decided, paused or not yet accepted
    owed: int  # materials the enterprise still has to hand in on this case


def _home_rows(pairs: list[tuple[Case, str]], today: date) -> list[HomeRow]:
    owed = client_queries.owed_by_case([case.id for case, _level in pairs])
    calendar = None
    rows = []
    for case, level in pairs:
        remaining = None
        if case.due_on is not None and level not in (WarnLevel.DONE.value, WarnLevel.PAUSED.value):
            calendar = calendar or current_calendar()
            remaining = remaining_working_days(today, case.due_on, calendar)
        rows.append(HomeRow(case, level, remaining, owed.get(case.id, 0)))
    return rows


BUNDLES_ON_HOME = 5


def _bundle_rows(user: User) -> list[dict]:
    """The enterprise's latest 一件事, each as one thing with its steps (issue 16)."""
    return [
        {"bundle_case": bc, "level": bundle_queries.level_of(bc), "steps": bundle_queries.steps(bc)}
        for bc in bundle_queries.visible_bundle_cases(user)[:BUNDLES_ON_HOME]
    ]


def home_page() -> Response:
    """The enterprise's home: its cases newest first (polled while any is open), its clerk, its documents."""
    user = _user()
    enterprise = user.enterprise
    page = page_number()
    fragment = fragment_for(HOME_FRAGMENTS)
    now = utcnow()
    today = business_today(now)
    state = client_queries.list_state(user, now=now) if enterprise else None
    etag = etag_for("enterprise-cases", user.enterprise_id, page, today.isoformat(), *(state.parts if state else ()))
    if fragment is not None:
        unchanged = not_modified(etag)
        if unchanged is not None:
            return unchanged
    polling = bool(state and state.open)
    result = queries.case_rows(
        user, QueueFilters(include_closed=True), page=page, page_size=HOME_PAGE_SIZE, now=now, order="newest"
    )
    context = {
        "user": user,
        "rows": _home_rows(result.rows, today) if enterprise else [],
        "page": result.page,
        "has_next": result.has_next,
        "polling": polling,
        "poll_url": url_for("home.mine", page=page) if page > 1 else url_for("home.mine"),
        "poll_seconds": current_app.config.get("ENTERPRISE_POLL_SECONDS", POLL_SECONDS),
        **template_labels(),
    }
    if fragment is not None:
        response = render("enterprises/home.html", HOME_FRAGMENTS, status=200 if polling else STOP_POLLING, **context)
        return with_etag(response, etag)
    expiring, expired = (
        enterprise_queries.validity_counts(enterprise.id, today, expiry_horizon(today)) if enterprise else (0, 0)
    )
    context.update(
        enterprise=enterprise,
        station=enterprise.station if enterprise else None,
        choice=clerk_queries.current_choice(enterprise.id) if enterprise else None,
        expiring=expiring,
        expired=expired,
        bundle_rows=_bundle_rows(user),
        step_labels=BUNDLE_STEP_LABELS,
        bundle_status_labels=BUNDLE_STATUS_LABELS,
    )
    response = render("enterprises/home.html", HOME_FRAGMENTS, **context)
    response.set_etag(etag)  # the page's own ETag (never the fragment's); the page itself stays no-store
    return response


# --- online application (网上申请) ------------------------------------------------------------------------------


def _not_online_message(item: ServiceItem) -> str:
    return _("“%(name)s”不支持网上申请,请到驿站或政务中心窗口办理。", name=item.name)


def _apply_context(
    user: User,
    values: MultiDict,
    *,
    form: ApplyForm | None = None,
    errors: list[str] | None = None,
    checklist: intake.FormChecklist | None = None,
) -> dict:
    enterprise = _enterprise(user)
    errors = list(errors or [])
    q = (values.get("q") or "").strip()[:50]
    code = (values.get("item") or "").strip()[:40]
    item = page_queries.application_item(code) if code else None
    if code and item is None and not errors:
        errors.append(_("未找到事项“%(code)s”,请重新选择。", code=code))
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
        "reselect": set(checklist.uploads) if checklist else set(),
        "verified_trust": VERIFIED_TRUST,
        "upload_mb": max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    }


@bp.route("/apply")
@applicant_required
def apply():
    return render("enterprises/apply.html", APPLY_FRAGMENTS, **_apply_context(_user(), request.args))


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


@bp.route("/apply", methods=["POST"])
@applicant_required
@idempotent("enterprises.apply")
def apply_submit():
    """File an online application: a case RECEIVED (channel ONLINE) in the chosen station's queue."""
    user = _user()
    enterprise = _enterprise(user)
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
    flash(_("申请已提交,办件编号 %(case_no)s。驿站核验材料后受理。", case_no=case.case_no), "success")
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


# --- the document store (材料只交一次) ---------------------------------------------------------------------------


@dataclass
class DocumentRow:
    document: Document
    validity: Validity

    @property
    def validity_label(self) -> str:
        return _(VALIDITY_LABELS[self.validity])


def _documents_page(user: User, form: DocumentForm, *, status: int = 200) -> Response:
    enterprise = _enterprise(user)
    archived = request.args.get("archived") == "1"
    today = business_today()
    rows = [
        DocumentRow(d, validity(d.valid_until, today))
        for d in enterprise_queries.documents_of(enterprise.id, archived=archived)
    ]
    return render(
        "enterprises/documents.html",
        status=status,
        user=user,
        enterprise=enterprise,
        rows=rows,
        archived=archived,
        form=form,
        names=enterprise_queries.material_names(enterprise.id),
        trust_labels=TRUST_LABELS,
        upload_mb=max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    )


@bp.route("/documents")
@enterprise_required
def documents():
    return _documents_page(_user(), DocumentForm(formdata=None))


@bp.route("/documents", methods=["POST"])
@enterprise_required
def document_upload():
    """Add a material to the store once; any later case reuses it."""
    user = _user()
    enterprise = _enterprise(user)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _documents_page(user, form, status=422)
    try:
        stored = store(form.file.data, enterprise_id=enterprise.id, user_id=user.id)
    except UploadRejected as rejected:
        form.file.errors = [upload_message(rejected.code, current_app.config["UPLOAD_MAX_BYTES"])]
        return _documents_page(user, form, status=422)
    enterprise_services.add_document(
        enterprise.id, form.material_name.data, stored.id, user=user, valid_until=form.valid_until.data
    )
    db.session.commit()
    flash(_("“%(name)s”已存入材料库,办理其他事项时可直接选用。", name=form.material_name.data), "success")
    return redirect(url_for("enterprises.documents"), 303)


def _own_document(user: User, document_id: int) -> Document:
    document = enterprise_queries.document_of(_enterprise(user).id, document_id)
    if document is None:
        abort(404)
    return document


@bp.route("/documents/<int:document_id>/archive", methods=["POST"])
@enterprise_required
def document_archive(document_id: int):
    """Stop offering a document (superseded, or no longer valid); the cases that used it keep it."""
    user = _user()
    document = _own_document(user, document_id)
    enterprise_services.archive_document(document)
    db.session.commit()
    flash(_("“%(name)s”已归档,不再供新的办件选用。", name=document.material_name), "success")
    return redirect(url_for("enterprises.documents"), 303)


@bp.route("/documents/<int:document_id>/file")
@enterprise_required
def document_file(document_id: int):
    """The file of one of the enterprise's own documents (another enterprise's: 404)."""
    document = _own_document(_user(), document_id)
    if not (upload_root() / document.file.storage_name).is_file():
        abort(404)
    return send_stored(document.file)
