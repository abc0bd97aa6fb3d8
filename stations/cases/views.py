"""Case pages: the station queue, intake (收件), the case page and its actions, receipt, 容缺 ledger, first handlers.

Who sees what comes from access.py only (through queries.case_for / case_rows and page_queries). A case outside
the user's scope is a 404 whatever its existence; a role that may never do something is a 403.

Actions answer by their htmx target (architecture.md §2.3, §2.8): ``case-row-<id>`` gets the row plus the queue
counters out of band, ``case-panel`` gets the case block, anything else a 303 back to the page it came from.
A stale ``version`` is a 409 carrying the fresh row or block; a refused event a 422 with the guard's message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import segno
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..access import actor_for, current_clients_of
from ..auth.decorators import roles_required, staff_required
from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..catalog import queries as catalog_queries
from ..domain.case_flow import (
    DEFICIENCY_EVENT_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    CaseEvent,
    CaseFlowError,
    CaseStatus,
    DeficiencyEvent,
    GuardFailed,
    available_deficiency_events,
    available_events,
)
from ..domain.deadlines import WarnLevel, remaining_working_days
from ..enterprises import queries as enterprise_queries
from ..enterprises import services as enterprise_services
from ..enterprises.models import Document, Enterprise, TrustLevel
from ..extensions import db
from ..idempotency import idempotent
from ..sites import queries as sites_queries
from ..sites.models import Station, StationKind
from ..timeutil import business_today
from ..uploads.storage import UploadRejected, discard, read_checked, send_stored, store_bytes, upload_root
from ..web.errors import error_response
from ..web.external import external_url
from ..web.htmx import fragment_for, hx_trigger, is_htmx, render, render_fragment
from ..web.params import int_arg, parse_int
from . import page_queries, queries, services
from .forms import EnterpriseForm, EventForm, IntakeForm, SupplyForm
from .guide import OTHER_EVENT_LABELS, applicant_guide, plain_event
from .labels import (
    CASE_ERROR_MESSAGES,
    DELIVERY_MODES,
    EVENTS_WITH_NOTE,
    EVENTS_WITH_REASON,
    FLOW_ERROR_MESSAGES,
    NOTE_REQUIRED,
    ROW_EVENTS,
    deficiency_tag,
    template_labels,
    upload_message,
)
from .models import Case, Channel, Deficiency, MaterialStatus
from .queries import QueueFilters
from .services import CaseError, EventInput, MaterialInput, StaleCase, facts_for
from .xr_port import PartnerChoice
from .xr_port import port as xr_port

bp = Blueprint("cases", __name__, url_prefix="/cases")

QUEUE_FRAGMENTS = {"case-table": "case_table"}
INTAKE_FRAGMENTS = {"enterprise-results": "enterprise_results", "item-results": "item_results"}
SHOW_FRAGMENTS = {"case-panel": "case_panel"}
LEDGER_FRAGMENTS = {"ledger-table": "ledger_table"}
PANEL_TARGET = "case-panel"

QUEUE_ROLES = (Role.STAFF, Role.CLERK, Role.CENTRAL, Role.ADMIN)
# Who may print the receipt, and so see the query code /track asks for: not the read-only central office
# (the same rule as the API's case record).
RECEIPT_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.CLERK, Role.ENTERPRISE})
QUEUE_PAGE_SIZE = 30
LEDGER_PAGE_SIZE = 20
# One intake may carry a file per material: the request may be this many uploads large (each is checked
# against UPLOAD_MAX_BYTES on its own); other requests keep the app's MAX_CONTENT_LENGTH.
INTAKE_MAX_FILES = 8
VERIFIED_TRUST = (TrustLevel.A, TrustLevel.B)


@bp.url_value_preprocessor
def _room_for_several_uploads(endpoint: str | None, values: dict | None) -> None:
    """Raise the body limit of the intake POST before anything (the CSRF check included) reads the form."""
    if endpoint == "cases.create":
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] * INTAKE_MAX_FILES + 1024 * 1024


def _user() -> User:
    return current_user._get_current_object()


def _page() -> int:
    page = int_arg("page", 1, minimum=1)
    return page if page and page > 0 else 1


def _safe_next(value: str | None, default: str) -> str:
    """A local path to go back to after an action (never another site)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


def _current_path() -> str:
    return request.full_path.rstrip("?")


def _visible_case(user: User, case_no: str) -> Case:
    """The case with everything its page shows, or 404 when the user may not see it (or it does not exist)."""
    case = queries.case_for(user, case_no)
    if case is None:
        abort(404)
    return case


def _hx_target() -> str | None:
    """The element an htmx action aims at; None for a plain or boosted request (which wants a page)."""
    if not is_htmx() or request.headers.get("HX-Boosted", "").lower() == "true":
        return None
    return request.headers.get("HX-Target") or None


def _row_target(case: Case) -> str:
    return f"case-row-{case.id}"


def _case_updated(response: Response, case: Case) -> Response:
    return hx_trigger(
        response,
        {
            "case-updated": {
                "id": case.id,
                "case_no": case.case_no,
                "status": case.status.value,
                "version": case.version,
            }
        },
    )


# --- the station queue ------------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    case: Case
    level: str
    remaining: int | None  # working days left (negative: overdue); None once decided or paused
    quick: list[CaseEvent]  # events a tap on the row fires
    more: bool  # other events need the case page
    forward_to: PartnerChoice | None = None  # the one partner a row's forward button sends the case to


def _queue_filters(args: MultiDict) -> tuple[QueueFilters, dict[str, str]]:
    """The queue's filters from the query string; unknown values are ignored, a malformed clerk id is a 400."""
    status = args.get("status", "").strip().upper()
    colour = args.get("colour", "").strip().lower()
    channel = args.get("channel", "").strip().upper()
    item = args.get("item", "").strip()[:40]
    q = args.get("q", "").strip()[:24]
    values = {
        "status": status if status in CaseStatus.__members__ or status == "ALL" else "",
        "colour": colour if colour in {lvl.value for lvl in WarnLevel} else "",
        "channel": channel if channel in Channel.__members__ else "",
        "item": item,
        "clerk": str(int_arg("clerk", source=args) or ""),
        "q": q,
    }
    filters = QueueFilters(
        status=values["status"] if values["status"] not in ("", "ALL") else None,
        include_closed=values["status"] == "ALL",
        colour=values["colour"] or None,
        item_code=values["item"] or None,
        clerk_id=int(values["clerk"]) if values["clerk"] else None,
        channel=values["channel"] or None,
        q=values["q"] or None,
    )
    return filters, {key: value for key, value in values.items() if value}


def _remaining(case: Case, level: str, today: date, calendar) -> int | None:
    if case.due_on is None or level in (WarnLevel.DONE.value, WarnLevel.PAUSED.value):
        return None
    return remaining_working_days(today, case.due_on, calendar)


def _queue_rows(user: User, pairs: list[tuple[Case, str]]) -> list[QueueRow]:
    """Rows with their one-tap actions: a fixed number of queries for the whole page."""
    cases = [case for case, _level in pairs]
    if not cases:
        return []
    page_queries.load_checklists(cases)
    # Every row came through the user's scope, so the user acts on each in the same role: ask once.
    actor = actor_for(user, cases[0])
    calendar = current_calendar()
    today = business_today()
    rows = []
    for case, level in pairs:
        events = available_events(facts_for(case), actor) if actor else []
        quick = [event for event in events if event in ROW_EVENTS]
        forward_to = None
        if CaseEvent.FORWARD in quick:
            # One tap forwards only a case taken in for a partner district (chosen at intake); any other case
            # can still be forwarded from its page, where the partner is chosen.
            partners = xr_port().partners_for_item(case.item_id) if case.xr_partner_code else []
            forward_to = next((p for p in partners if p.code == case.xr_partner_code), None)
            if forward_to is None:
                quick.remove(CaseEvent.FORWARD)
        more = len(events) > len(quick)
        rows.append(QueueRow(case, level, _remaining(case, level, today, calendar), quick, more, forward_to))
    return rows


def _row_of(user: User, case: Case) -> QueueRow:
    return _queue_rows(user, [(case, queries.warn_level_of(case))])[0]


def queue_page(*, is_home: bool = False, extra: Callable[[], dict] | None = None) -> Response:
    """The queue for the signed-in user (staff: their station; clerk: their clients; central office: all).

    ``extra`` adds to a full page's context (the clerk's home: its clients and what they owe); a fragment skips it.
    """
    user = _user()
    filters, args = _queue_filters(request.args)
    result = queries.case_rows(user, filters, page=_page(), page_size=QUEUE_PAGE_SIZE)
    context = {
        "user": user,
        "rows": _queue_rows(user, result.rows),
        "page": result.page,
        "has_next": result.has_next,
        "args": args,
        "next_url": _current_path(),
        "is_home": is_home,
        "counts": {},
        "items": [],
        "clerks": [],
        "counters_oob": False,
    }
    if fragment_for(QUEUE_FRAGMENTS) is None:  # the counters and the filter's choices are outside the table
        context["counts"] = queries.colour_counts(user)
        context["items"] = page_queries.queue_items(user.station) if user.station_id else []
        context["clerks"] = page_queries.clerks()
        if extra is not None:
            context.update(extra())
    return render("cases/index.html", QUEUE_FRAGMENTS, **context, **template_labels())


@bp.route("/")
@roles_required(*QUEUE_ROLES)
def index():
    return queue_page()


def _row_response(user: User, case: Case, next_url: str, status: int = 200, message: str | None = None) -> Response:
    """The updated row, with the counters (and a message, if any) swapped out of band."""
    blocks = ["case_row", "queue_counters"] + (["flash_oob"] if message else [])
    return render_fragment(
        "cases/index.html",
        blocks,
        status=status,
        row=_row_of(user, case),
        counts=queries.colour_counts(user),
        counters_oob=True,
        next_url=next_url,
        message=message,
        **template_labels(),
    )


# --- the case page ----------------------------------------------------------------------------------------------


def _event_label(name: str) -> str:
    for enum_cls, labels in ((CaseEvent, EVENT_LABELS), (DeficiencyEvent, DEFICIENCY_EVENT_LABELS)):
        try:
            return _(labels[enum_cls(name)])
        except (ValueError, KeyError):
            continue
    if name in OTHER_EVENT_LABELS:
        return str(OTHER_EVENT_LABELS[name])
    return name


def _status_label(value: str | None) -> str:
    try:
        return _(STATUS_LABELS[CaseStatus(value)]) if value else ""
    except ValueError:
        return value or ""


def _page_events(case: Case, user: User) -> list[CaseEvent]:
    """What the user can do now. Accept is offered too when ticking the handed-in materials would allow it."""
    actor = actor_for(user, case)
    if actor is None:
        return []
    facts = facts_for(case)
    events = available_events(facts, actor)
    required = [m for m in case.materials if m.item_material.is_required]
    if any(m.status is MaterialStatus.PROVIDED for m in required):
        ticked = replace(
            facts,
            required_materials_verified=all(
                m.status in (MaterialStatus.VERIFIED, MaterialStatus.PROVIDED) for m in required
            ),
        )
        possible = available_events(ticked, actor)
        for checked in (CaseEvent.ACCEPT, CaseEvent.FORWARD):  # both check the materials (forward: 形式审查)
            if checked not in events and checked in possible:
                events = sorted([*events, checked], key=list(CaseEvent).index)
    return events


def _show_context(user: User, case: Case, **extra) -> dict:
    today = business_today()
    calendar = current_calendar()
    level = queries.warn_level_of(case)
    actor = actor_for(user, case)
    page_queries.load_users([record.actor_id for record in case.events] + [d.responsible_id for d in case.deficiencies])
    deficiencies = [
        (
            deficiency,
            deficiency_tag(deficiency.status, deficiency.supply_deadline, deficiency.warn_on, today),
            available_deficiency_events(deficiency.status, actor) if actor else [],
        )
        for deficiency in case.deficiencies
    ]
    can_supply = any(DeficiencyEvent.SUPPLY in events for _d, _t, events in deficiencies)
    required = [m for m in case.materials if m.item_material.is_required]
    timeline = [
        {
            "record": record,
            "label": _event_label(record.event),
            "from": _status_label(record.from_status),
            "to": _status_label(record.to_status),
            "changed": record.from_status != record.to_status,
            "plain": plain_event(record),
        }
        for record in case.events
    ]
    # The applicant reads the page in sentences: what is missing, what to do next (guide.py).
    guide = applicant_guide(case, can_act=actor is not None, today=today) if user.role is Role.ENTERPRISE else None
    events = _page_events(case, user)
    if guide is not None and guide.can_supply:
        can_supply = True
    return {
        "user": user,
        "case": case,
        "level": level,
        "remaining": _remaining(case, level, today, calendar),
        "events": events,
        "xr_partners": xr_port().partners_for_item(case.item_id) if CaseEvent.FORWARD in events else [],
        "deficiencies": deficiencies,
        "documents": enterprise_queries.valid_documents(case.enterprise_id, today) if can_supply else [],
        "provided": [m for m in case.materials if m.status is MaterialStatus.PROVIDED],
        "missing": [m for m in required if m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)],
        "gaps": [m for m in required if m.status is not MaterialStatus.VERIFIED],
        "timeline": timeline,
        "guide": guide,
        "show_query_code": user.role in RECEIPT_ROLES,
        "events_with_note": EVENTS_WITH_NOTE,
        "events_with_reason": EVENTS_WITH_REASON,
        "posted": {},
        "failed_event": None,
        "action_error": None,
        "conflict": None,
        **template_labels(),
        **extra,
    }


@bp.route("/<case_no>")
@login_required
def show(case_no: str):
    user = _user()
    case = _visible_case(user, case_no)
    return render("cases/show.html", SHOW_FRAGMENTS, **_show_context(user, case))


def _panel_or_page(user: User, case_no: str, status: int, **extra) -> Response:
    """The case block (htmx aimed at it) or the whole page, with a message; after a rollback, from fresh data."""
    case = _visible_case(user, case_no)
    context = _show_context(user, case, **extra)
    if _hx_target() == PANEL_TARGET:
        return render_fragment("cases/show.html", ["case_panel"], status=status, **context)
    return render("cases/show.html", status=status, **context)


def _refused(user: User, case_no: str, status: int, message: str, *, event: str | None = None) -> Response:
    """An action the rules refused: nothing changed. A row gets the message in #flash; the case page in place."""
    db.session.rollback()
    target = _hx_target()
    if target and target.startswith("case-row-"):
        return error_response(status, message)
    return _panel_or_page(
        user, case_no, status, action_error=message, failed_event=event, posted=request.form.to_dict(flat=True)
    )


def _stale(user: User, case_no: str, next_url: str) -> Response:
    """409: another tablet acted first. Answer with the fresh row or case block and say so."""
    db.session.rollback()
    message = str(CASE_ERROR_MESSAGES["stale"])
    case = _visible_case(user, case_no)
    target = _hx_target()
    if target == _row_target(case):
        return _case_updated(_row_response(user, case, next_url, status=409, message=message), case)
    return _panel_or_page(user, case_no, 409, conflict=message)


def _done(user: User, case_no: str, next_url: str) -> Response:
    """After a committed action: the fresh row, the fresh case block, or back to the page it came from."""
    case = _visible_case(user, case_no)
    target = _hx_target()
    if target == _row_target(case):
        response = _row_response(user, case, next_url)
    elif target == PANEL_TARGET:
        response = render_fragment("cases/show.html", ["case_panel"], **_show_context(user, case))
    else:
        response = redirect(next_url, 303)
    return _case_updated(response, case)


def _require_actor(user: User, case: Case) -> Response | None:
    if actor_for(user, case) is None:
        return error_response(403, str(CASE_ERROR_MESSAGES["read_only"]), "read_only")
    return None


@bp.route("/<case_no>/events/<event_name>", methods=["POST"])
@login_required
def event(case_no: str, event_name: str):
    user = _user()
    case = _visible_case(user, case_no)
    try:
        event = CaseEvent(event_name)
    except ValueError:
        abort(404)
    refused = _require_actor(user, case)
    if refused:
        return refused
    form = EventForm(request.form)
    next_url = _safe_next(form.next.data, url_for("cases.show", case_no=case.case_no))
    if not form.validate():
        if form.version.errors:
            return _refused(user, case_no, 422, _("页面已过期,请刷新后重试。"), event=event.value)
        if form.note.errors or form.reason.errors:
            return _refused(user, case_no, 422, _("填写的内容过长,请精简后重试。"), event=event.value)
        return _refused(user, case_no, 422, _("提交的内容有误,请检查后重试。"), event=event.value)
    if event in NOTE_REQUIRED and not form.note.data:
        return _refused(user, case_no, 422, str(NOTE_REQUIRED[event]), event=event.value)
    delivery_mode = ""
    if event is CaseEvent.DELIVER:
        delivery_mode = form.delivery_mode.data or "COUNTER"
        if delivery_mode not in DELIVERY_MODES:
            return _refused(user, case_no, 422, _("请选择送达方式。"), event=event.value)
    data = EventInput(
        note=form.note.data or "",
        reason=form.reason.data or "",
        commitment_signed=bool(form.commitment_signed.data),
        delivery_mode=delivery_mode,
        verified_material_ids=list(form.verified_material_ids.data or []),
        partner_code=form.partner_code.data or "",
    )
    try:
        services.apply_event(case, event, user, version=form.version.data, data=data)
    except StaleCase:
        return _stale(user, case_no, next_url)
    except GuardFailed as error:
        return _refused(user, case_no, 422, _(error.message), event=event.value)
    except CaseFlowError as error:
        return _refused(
            user,
            case_no,
            422,
            str(FLOW_ERROR_MESSAGES.get(error.code, _("提交的内容有误,请检查后重试。"))),
            event=event.value,
        )
    except CaseError as error:
        return _refused(
            user, case_no, error.status, str(CASE_ERROR_MESSAGES.get(error.code, error.code)), event=event.value
        )
    db.session.commit()
    return _done(user, case_no, next_url)


# --- 容缺 items: supply, verify (销号), send back -------------------------------------------------------------


def _deficiency_of(case: Case, deficiency_id: int) -> Deficiency:
    for deficiency in case.deficiencies:
        if deficiency.id == deficiency_id:
            return deficiency
    abort(404)


@bp.route("/<case_no>/deficiencies/<int:deficiency_id>/supply", methods=["POST"])
@login_required
def deficiency_supply(case_no: str, deficiency_id: int):
    user = _user()
    case = _visible_case(user, case_no)
    deficiency = _deficiency_of(case, deficiency_id)
    refused = _require_actor(user, case)
    if refused:
        return refused
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
            return _refused(user, case_no, 422, message, event=f"supply-{deficiency.id}")
        stored.append(
            store_bytes(data, content_type, upload.filename, enterprise_id=case.enterprise_id, user_id=user.id)
        )
        document = enterprise_services.add_document(
            case.enterprise_id, deficiency.case_material.item_material.name, stored[0].id, user=user
        )
    elif form.document_id.data:
        document = enterprise_queries.valid_document(case.enterprise_id, form.document_id.data, business_today())
        if document is None:
            return _refused(user, case_no, 422, str(CASE_ERROR_MESSAGES["document_not_yours"]))
    else:
        message = _("请拍照或选择文件,或从企业材料库中选择一份材料。")
        return _refused(user, case_no, 422, message, event=f"supply-{deficiency.id}")
    try:
        services.supply_deficiency(deficiency, user, document=document)
    except (CaseFlowError, CaseError) as error:
        discard(stored)
        return _refused(user, case_no, 422, _deficiency_error(error))
    db.session.commit()
    return _done(user, case_no, _safe_next(form.next.data, url_for("cases.show", case_no=case_no)))


@bp.route("/<case_no>/materials/<int:material_id>/supply", methods=["POST"])
@login_required
def material_supply(case_no: str, material_id: int):
    """Hand in a missing material or one to correct (补正): from the document store first, or a new file."""
    user = _user()
    case = _visible_case(user, case_no)
    material = next((m for m in case.materials if m.id == material_id), None)
    if material is None:
        abort(404)
    refused = _require_actor(user, case)
    if refused:
        return refused
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
            return _refused(user, case_no, 422, message, event=failed)
        stored.append(
            store_bytes(data, content_type, upload.filename, enterprise_id=case.enterprise_id, user_id=user.id)
        )
        document = enterprise_services.add_document(
            case.enterprise_id, material.item_material.name, stored[0].id, user=user
        )
    elif form.document_id.data:
        document = enterprise_queries.valid_document(case.enterprise_id, form.document_id.data, business_today())
        if document is None:
            return _refused(user, case_no, 422, str(CASE_ERROR_MESSAGES["document_not_yours"]), event=failed)
    else:
        message = _("请从材料库中选择一份材料,或拍照、选择文件。")
        return _refused(user, case_no, 422, message, event=failed)
    try:
        services.supply_material(material, user, document=document)
    except CaseError as error:
        discard(stored)
        return _refused(user, case_no, 422, _deficiency_error(error), event=failed)
    db.session.commit()
    return _done(user, case_no, _safe_next(form.next.data, url_for("cases.show", case_no=case_no)))


def _deficiency_error(error: Exception) -> str:
    code = getattr(error, "code", "")
    if code in CASE_ERROR_MESSAGES:
        return str(CASE_ERROR_MESSAGES[code])
    return str(FLOW_ERROR_MESSAGES.get(code, FLOW_ERROR_MESSAGES["illegal_transition"]))


def _check_deficiency(case_no: str, deficiency_id: int, *, accept: bool) -> Response:
    user = _user()
    case = _visible_case(user, case_no)
    deficiency = _deficiency_of(case, deficiency_id)
    refused = _require_actor(user, case)
    if refused:
        return refused
    try:
        services.verify_deficiency(deficiency, user, accept=accept)
    except (CaseFlowError, CaseError) as error:
        return _refused(user, case_no, 422, _deficiency_error(error))
    db.session.commit()
    return _done(user, case_no, _safe_next(request.form.get("next"), url_for("cases.show", case_no=case_no)))


@bp.route("/<case_no>/deficiencies/<int:deficiency_id>/verify", methods=["POST"])
@login_required
def deficiency_verify(case_no: str, deficiency_id: int):
    return _check_deficiency(case_no, deficiency_id, accept=True)


@bp.route("/<case_no>/deficiencies/<int:deficiency_id>/reject", methods=["POST"])
@login_required
def deficiency_reject(case_no: str, deficiency_id: int):
    return _check_deficiency(case_no, deficiency_id, accept=False)


# --- files and the receipt --------------------------------------------------------------------------------------


@bp.route("/<case_no>/files/<int:file_id>")
@login_required
def file(case_no: str, file_id: int):
    """A material's file, only to those who may see the case, only if it belongs to this case."""
    case = _visible_case(_user(), case_no)
    stored = page_queries.case_file(case, file_id)
    if stored is None or not (upload_root() / stored.storage_name).is_file():
        abort(404)
    return send_stored(stored)


@bp.route("/<case_no>/receipt")
@login_required
def receipt(case_no: str):
    user = _user()
    case = _visible_case(user, case_no)
    if user.role not in RECEIPT_ROLES:
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


# --- intake (收件) ----------------------------------------------------------------------------------------------


def _intake_station(user: User, code: str | None) -> Station | None:
    """Staff take in at their own station; a dedicated clerk at any station (its own by default)."""
    if user.role is Role.STAFF:
        return user.station
    if code:
        return sites_queries.get_station(code)
    return user.station


def _clients(user: User):
    return current_clients_of(user) if user.role is Role.CLERK else None


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
    station = _intake_station(user, values.get("station"))
    enterprise = enterprise_queries.get_enterprise(parse_int(values.get("enterprise")), among=_clients(user))
    code = (values.get("item") or "").strip()[:40]
    item = page_queries.intake_item(station, code) if station and code else None
    if code and item is None and not errors:
        errors.append(_("该事项不在本驿站的办理范围内,请重新选择。"))
    eq = (values.get("eq") or "").strip()[:50]
    iq = (values.get("iq") or "").strip()[:50]
    today = business_today()
    documents: dict[str, list[Document]] = {}
    if enterprise and item:
        for document in enterprise_queries.valid_documents(enterprise.id, today, [m.name for m in item.materials]):
            documents.setdefault(document.material_name, []).append(document)
    base = {
        "station": station.code if station and user.role is Role.CLERK else None,
        "enterprise": enterprise.id if enterprise else None,
        "item": item.code if item else None,
    }
    return {
        "user": user,
        "station": station,
        "stations": sites_queries.list_stations() if user.role is Role.CLERK else [],
        "enterprise": enterprise,
        "item": item,
        "xr_partners": xr_port().partners_for_item(item.id) if item else [],
        "eq": eq,
        "iq": iq,
        "enterprises": enterprise_queries.search_enterprises(eq, among=_clients(user)) if eq and not enterprise else [],
        "items": (
            catalog_queries.search_items(
                catalog_queries.ItemFilter(q=iq), scope=page_queries.intake_item_scope(station), page_size=10
            ).items
            if station and not item
            else []
        ),
        "documents": documents,
        "base": {key: value for key, value in base.items() if value},
        "form": form or IntakeForm(formdata=None),
        "enterprise_form": enterprise_form or EnterpriseForm(formdata=None),
        "can_register": user.role is Role.STAFF,
        "errors": errors,
        "choices": choices or {},
        "material_errors": material_errors or {},
        "reselect": reselect or set(),
        "existing": existing,
        "trusted": VERIFIED_TRUST,
        "upload_mb": max(1, current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)),
    }


@bp.route("/new")
@staff_required
def new():
    return render("cases/new.html", INTAKE_FRAGMENTS, **_intake_context(_user(), request.args))


@dataclass
class _Checklist:
    inputs: list[MaterialInput]
    uploads: dict[int, tuple[bytes, str, str, str]]  # material id -> (data, content type, file name, material name)
    choices: dict[int, str]
    errors: dict[int, str]


def _read_checklist(item, enterprise: Enterprise | None) -> _Checklist:
    """Each material's choice: 已核验, 缺, a document from the store (``doc:<id>``) or a file (checked, not stored)."""
    checklist = _Checklist(inputs=[], uploads={}, choices={}, errors={})
    if item is None:
        return checklist
    names = [m.name for m in item.materials]
    documents = (
        {d.id: d for d in enterprise_queries.valid_documents(enterprise.id, business_today(), names)}
        if enterprise
        else {}
    )
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    for material in item.materials:
        choice = request.form.get(f"m{material.id}", "MISSING")
        checklist.choices[material.id] = choice
        upload = request.files.get(f"f{material.id}")
        if upload is not None and upload.filename:
            try:
                data, content_type = read_checked(upload)
            except UploadRejected as rejected:
                checklist.errors[material.id] = upload_message(rejected.code, max_bytes)
                continue
            checklist.uploads[material.id] = (data, content_type, upload.filename, material.name)
            continue
        if choice == "VERIFIED":
            checklist.inputs.append(MaterialInput(material.id, MaterialStatus.VERIFIED))
        elif choice.startswith("doc:"):
            document = documents.get(parse_int(choice[4:])) if parse_int(choice[4:]) else None
            if document is None or document.material_name != material.name:
                checklist.errors[material.id] = str(CASE_ERROR_MESSAGES["document_not_yours"])
                continue
            status = MaterialStatus.VERIFIED if document.trust_level in VERIFIED_TRUST else MaterialStatus.PROVIDED
            checklist.inputs.append(MaterialInput(material.id, status, document.id))
        else:
            checklist.inputs.append(MaterialInput(material.id, MaterialStatus.MISSING))
    return checklist


def _intake_problems(user: User) -> tuple[Station | None, Enterprise | None, object, list[str]]:
    """The station, enterprise and item of the posted intake, with a message for each that is wrong."""
    errors = []
    station = _intake_station(user, request.form.get("station"))
    if station is None:
        errors.append(_("请选择收件驿站。"))
    enterprise_id = parse_int(request.form.get("enterprise"))
    enterprise = enterprise_queries.get_enterprise(enterprise_id, among=_clients(user))
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
            errors.append(_("未找到事项“%(code)s”,请重新选择。", code=code))
        else:
            errors.append(str(CASE_ERROR_MESSAGES["item_not_in_scope"]))
    return station, enterprise, item, errors


@bp.route("/new", methods=["POST"])
@staff_required
@idempotent("cases.intake")  # a double tap or a retry after a lost answer makes one case
def create():
    user = _user()
    form = IntakeForm()
    station, enterprise, item, errors = _intake_problems(user)
    form_ok = form.validate_on_submit()
    checklist = _read_checklist(item, enterprise)
    if errors or not form_ok or checklist.errors:
        return _intake_again(user, form, errors, checklist)
    xr_partner = form.xr_partner.data or None
    if xr_partner and xr_partner not in {p.code for p in xr_port().partners_for_item(item.id)}:
        return _intake_again(user, form, [str(CASE_ERROR_MESSAGES["partner_unavailable"])], checklist)
    stored: list = []
    try:
        # Uploaded at the counter: the original was in hand, so the material counts as checked.
        inputs = list(checklist.inputs) + services.file_uploads(
            checklist.uploads, enterprise=enterprise, user=user, status=MaterialStatus.VERIFIED, stored=stored
        )
        case = services.receive_case(
            user=user,
            station=station,
            item=item,
            enterprise=enterprise,
            channel=Channel.COMPREHENSIVE if station.kind is StationKind.CENTER else Channel.STATION,
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
    flash(_("已收件,办件编号 %(case_no)s。", case_no=case.case_no), "success")
    return redirect(url_for("cases.show", case_no=case.case_no), 303)


def _intake_again(user: User, form: IntakeForm, errors: list[str], checklist: _Checklist) -> Response:
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


@bp.route("/new/enterprise", methods=["POST"])
@roles_required(Role.STAFF)
def register_enterprise():
    """Register a new enterprise from its licence, then go on with the intake for it."""
    user = _user()
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
            form.uscc.errors = [_("该统一社会信用代码已登记为“%(name)s”,请直接选择。", name=exists.enterprise.name)]
            context = _intake_context(user, request.form, enterprise_form=form, existing=exists.enterprise)
            return render("cases/new.html", status=422, **context)
        db.session.commit()
        item = (request.form.get("item") or "").strip()[:40] or None
        return redirect(url_for("cases.new", enterprise=enterprise.id, item=item), 303)
    return render("cases/new.html", status=422, **_intake_context(user, request.form, enterprise_form=form))


# --- 容缺 ledger and first handlers ----------------------------------------------------------------------------


@bp.route("/ledger")
@roles_required(*QUEUE_ROLES)
def ledger():
    user = _user()
    tag = request.args.get("tag", "").strip().lower()
    tag = tag if tag in {lvl.value for lvl in WarnLevel if lvl is not WarnLevel.PAUSED} else ""
    result = page_queries.deficiency_ledger(user, tag=tag or None, page=_page(), page_size=LEDGER_PAGE_SIZE)
    return render(
        "cases/ledger.html",
        LEDGER_FRAGMENTS,
        result=result,
        tag=tag,
        args={"tag": tag} if tag else {},
        **template_labels(),
    )


@bp.route("/first-handlers")
@roles_required(*QUEUE_ROLES)
def first_handlers():
    return render("cases/first_handlers.html", rows=page_queries.first_handler_table(_user()))
