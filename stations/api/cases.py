"""JSON API v1, case side (contract.md): list, one case, intake, events.

Authentication is the browser session or ``Authorization: Bearer <token>`` (auth/tokens.py); the CSRF policy of
the whole /api/v1 blueprint is in views.py.

Every read goes through stations/access (cases.queries); writes go through cases.services and are committed here once.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import actor_for, may_see_query_code
from ..auth.models import Role, User
from ..cases import intake
from ..cases import queries as case_queries
from ..cases import services as case_services
from ..cases.labels import CASE_ERROR_MESSAGES, FLOW_ERROR_MESSAGES
from ..cases.models import Case, MaterialStatus
from ..cases.xr_port import port as xr_port
from ..catalog import queries as catalog_queries
from ..domain import case_flow, case_vocabulary, identifiers
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..domain.deadlines import WarnLevel
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..sites import queries as sites_queries
from ..web.render_cache import reusable_page
from . import serializers
from .base import ApiError, body_text, invalid_field, json_body, json_response, page_arg

PAGE_SIZE = 50
INTAKE_MATERIAL_STATUSES = ("VERIFIED", "MISSING")
CREATE_FIELDS = {
    "item_code",
    "station",
    "enterprise_uscc",
    "applicant_id_no",
    "materials",
    "applicant_name",
    "applicant_phone",
    "handling_district",
}
EVENT_FIELDS = {
    "event",
    "version",
    "note",
    "reason",
    "commitment_signed",
    "delivery_mode",
    "verified_materials",
    "partner",
    "special_kind",
}


def _case_error(code: str, status: int) -> ApiError:
    """An ApiError for a CaseError / CaseFlowError code, with the case pages' message for it."""
    message = CASE_ERROR_MESSAGES.get(code) or FLOW_ERROR_MESSAGES.get(code)
    return ApiError(status, code, str(message) if message else _("提交的内容有误，请检查后重试。"))


def _user() -> User:
    return current_user._get_current_object()


def _case_json(case: Case, warn_level: str | None = None) -> dict[str, Any]:
    user = _user()
    level = warn_level or case_queries.warn_level_of(case)
    return serializers.case(case, level, show_query_code=may_see_query_code(user))


# --- request parsing ----------------------------------------------------------------------------------------------


def _param(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name, "").strip().upper()
    if not value:
        return None
    if value not in allowed:
        raise ApiError(400, "invalid_parameter", _("参数 %(name)s 无效。", name=name))
    return value


# --- reads --------------------------------------------------------------------------------------------------------


@login_required
@reusable_page(next_change=case_queries.next_turn_red)
def list_cases():
    status = _param("status", tuple(s.value for s in CaseStatus))
    colour = _param("warn_level", tuple(w.value.upper() for w in WarnLevel))
    page = page_arg()
    user = _user()
    result = case_queries.case_values(
        user,
        case_queries.QueueFilters(status=status, colour=colour.lower() if colour else None, include_closed=True),
        page=page,
        page_size=PAGE_SIZE,
        order="newest",
    )
    show_query_code = may_see_query_code(user)
    return json_response(
        {
            "items": [
                serializers.case_from_values(row, row.warn_level, show_query_code=show_query_code)
                for row in result.rows
            ],
            "next_page": page + 1 if result.has_next else None,
        }
    )


def _visible_case(case_no: str, *, brief: bool = False) -> Case:
    """The case (404 outside the user's scope); ``brief``: only what its JSON shows, for answers that just show it."""
    find = case_queries.case_brief_for if brief else case_queries.case_for
    case = find(_user(), case_no.strip().upper()[:24])
    if case is None:
        raise ApiError(404, "not_found", _("未找到该办件。"))
    return case


@login_required
@reusable_page(next_change=case_queries.next_turn_red)
def get_case(case_no: str):
    return json_response(_case_json(_visible_case(case_no, brief=True)))


# --- intake -------------------------------------------------------------------------------------------------------


def _claims(body: dict[str, Any], item) -> dict[int, str]:
    """The body's ``materials`` as material id -> claim (VERIFIED or MISSING); intake.checklist decides what counts."""
    raw = body.get("materials", [])
    if not isinstance(raw, list) or len(raw) > 100:
        raise invalid_field("materials")
    by_code = {material.code: material for material in item.materials}
    result: dict[int, str] = {}
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) - {"code", "status"}:
            raise invalid_field("materials")
        code, status = entry.get("code"), entry.get("status")
        if not isinstance(code, str) or not isinstance(status, str):
            raise invalid_field("materials")
        material = by_code.get(code.strip())
        if material is None:
            raise ApiError(422, "unknown_material", _("该事项没有编码为 %(code)s 的材料。", code=code[:20]))
        if status.strip().upper() not in INTAKE_MATERIAL_STATUSES:
            raise ApiError(422, "invalid_material_status", _("材料状态只能是 VERIFIED 或 MISSING。"))
        if material.id in result:
            raise ApiError(422, "duplicate_material", _("材料 %(code)s 重复。", code=code[:20]))
        result[material.id] = status.strip().upper()
    return result


def _applicant(body: dict[str, Any], user: User, name: str, phone: str) -> Enterprise:
    """Who applies: an enterprise by ``enterprise_uscc`` or a person by ``applicant_id_no`` (exactly one); a person
    signed in applies for themselves and may name neither. Access to that applicant is checked at intake."""
    uscc_text = body_text(body, "enterprise_uscc", max_length=40)
    id_no = body_text(body, "applicant_id_no", max_length=40)
    if not uscc_text and not id_no and user.role is Role.PERSON and user.enterprise is not None:
        return user.enterprise
    if bool(uscc_text) == bool(id_no):
        raise ApiError(
            422, "applicant_required", _("请提供 enterprise_uscc（企业）或 applicant_id_no（个人）其中之一。")
        )
    if id_no:
        try:
            return intake.person_applicant(user, id_no, name=name, phone=phone)
        except case_services.CaseError as error:
            db.session.rollback()
            raise _case_error(error.code, error.status) from error
    uscc = identifiers.normalise(uscc_text)
    if not identifiers.is_valid_uscc(uscc):
        raise ApiError(422, "invalid_uscc", _("统一社会信用代码无效，请核对（18位，含校验位）。"))
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise ApiError(422, "unknown_enterprise", _("没有该统一社会信用代码的企业，请先登记企业。"))
    return enterprise


@login_required
@idempotent("api.cases.create")
def create_case():
    user = _user()
    if user.role not in (Role.STAFF, Role.CLERK, Role.ENTERPRISE, Role.PERSON):
        raise _case_error("read_only", 403)
    body = json_body(CREATE_FIELDS)
    item_code = body_text(body, "item_code", required=True, max_length=40)
    station_code = body_text(body, "station", required=True, max_length=10).upper()
    applicant_name = body_text(body, "applicant_name", max_length=100)
    applicant_phone = body_text(body, "applicant_phone", max_length=32)
    item = catalog_queries.get_item(item_code)
    if item is None:
        raise ApiError(422, "unknown_item", _("没有编码为 %(code)s 的事项。", code=item_code))
    station = sites_queries.get_station(station_code)
    if station is None:
        raise ApiError(422, "unknown_station", _("没有编码为 %(code)s 的网点。", code=station_code))
    enterprise = _applicant(body, user, applicant_name, applicant_phone)
    claims = _claims(body, item)
    channel = intake.intake_channel(user, station)
    # 办理地: a partner district that decides the case (跨区通办), one of those that handle the item; empty: here.
    handling = body_text(body, "handling_district", max_length=16).upper() or None
    if handling and handling not in {p.code for p in xr_port().partners_for_item(item.id)}:
        raise _case_error("partner_unavailable", 422)

    if not applicant_name:  # the person filing: the enterprise user online, else the enterprise's contact
        applicant_name = (
            user.display_name if user.role in (Role.ENTERPRISE, Role.PERSON) else (enterprise.contact_name or "")
        )
    try:
        case = case_services.receive_case(
            user=user,
            station=station,
            item=item,
            enterprise=enterprise,
            channel=channel,
            applicant_name=applicant_name or enterprise.name,
            applicant_phone=applicant_phone or None,
            materials=intake.checklist(item, channel, claims),
            xr_partner_code=handling,
        )
    except case_services.CaseError as error:
        db.session.rollback()
        raise _case_error(error.code, error.status) from error
    except case_flow.CaseFlowError as error:
        db.session.rollback()
        raise _case_error("not_permitted", 422) from error
    case_no = case.case_no
    db.session.commit()
    response = json_response(_case_json(_visible_case(case_no, brief=True)), 201)
    response.headers["Location"] = url_for("api.get_case", case_no=case_no)
    return response


# --- events -------------------------------------------------------------------------------------------------------


def _verified_materials(body: dict[str, Any], case: Case) -> list[int]:
    """``verified_materials``: material codes of the case's item, or ``true`` for every material provided.

    Like the web form's checkboxes: each PROVIDED material named here is VERIFIED as the event is applied (so an
    ``accept`` can carry the check that its guard asks for).
    """
    raw = body.get("verified_materials", [])
    provided = [m for m in case.materials if m.status is MaterialStatus.PROVIDED]
    if raw is True:
        return [m.id for m in provided]
    if not isinstance(raw, list) or len(raw) > 100 or not all(isinstance(code, str) for code in raw):
        raise invalid_field("verified_materials")
    by_code = {m.item_material.code: m for m in case.materials}
    unknown = [code for code in raw if code.strip() not in by_code]
    if unknown:
        raise ApiError(422, "unknown_material", _("该事项没有编码为 %(code)s 的材料。", code=unknown[0][:20]))
    return [by_code[code.strip()].id for code in raw]


def _event_input(body: dict[str, Any], case: Case) -> tuple[CaseEvent, int, case_services.EventInput]:
    name = body.get("event")
    if not isinstance(name, str):
        raise invalid_field("event")
    try:
        event = CaseEvent(name.strip().lower())
    except ValueError:
        raise ApiError(422, "unknown_event", _("未知的操作：%(event)s", event=name[:40])) from None
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise invalid_field("version")
    signed = body.get("commitment_signed", False)
    if not isinstance(signed, bool):
        raise invalid_field("commitment_signed")
    delivery_mode = body_text(body, "delivery_mode", max_length=16).upper()
    if delivery_mode and delivery_mode not in case_vocabulary.DELIVERY_MODE_CODES:  # an unknown value of the enum
        raise invalid_field("delivery_mode")
    data = case_services.EventInput(
        note=body_text(body, "note"),
        reason=body_text(body, "reason"),
        commitment_signed=signed,
        delivery_mode=delivery_mode,
        verified_material_ids=_verified_materials(body, case),
        # forward: the partner named, else the handling district chosen at intake, else the first that handles it
        partner_code=body_text(body, "partner", max_length=16).upper() or (case.xr_partner_code or ""),
        special_kind=body_text(body, "special_kind", max_length=16),
    )
    return event, version, data


@login_required
def post_event(case_no: str):
    user = _user()
    case = _visible_case(case_no)
    if actor_for(user, case) is None:
        raise _case_error("read_only", 403)
    event, version, data = _event_input(json_body(EVENT_FIELDS), case)
    try:
        case_services.apply_event(case, event, user, version=version, data=data)
    except case_services.StaleCase:
        db.session.rollback()
        fresh = _visible_case(case_no, brief=True)
        message = str(CASE_ERROR_MESSAGES["stale"])
        return json_response({"error": {"code": "stale", "message": message}, "case": _case_json(fresh)}, 409)
    except case_services.CaseError as error:
        db.session.rollback()
        raise _case_error(error.code, error.status) from error
    except case_flow.GuardFailed as error:
        db.session.rollback()
        raise ApiError(422, error.code, _(error.message)) from error
    except case_flow.CaseFlowError as error:
        db.session.rollback()
        raise _case_error(error.code, 422) from error
    db.session.commit()
    return json_response(_case_json(_visible_case(case_no, brief=True)))
