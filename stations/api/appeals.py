"""JSON API v1, appeals (contract.md "The station's other services"): list, one appeal, register, events.

The mini-program's way in: an enterprise user registers its own appeals (channel MINIPROGRAM unless given);
staff, clerks and commissioners register for an enterprise named by its USCC. Reads go through stations/access
(appeals.queries); writes through appeals.services, committed here once. CSRF as for cases (api/cases.py).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..access import APPEAL_REGISTER_ROLES, appeal_actor
from ..appeals import forms as appeal_forms
from ..appeals import queries as appeal_queries
from ..appeals import services as appeal_services
from ..appeals.labels import ERROR_MESSAGES
from ..appeals.models import Appeal, Category, Nature, SourceChannel
from ..auth.models import Role, User
from ..domain import identifiers
from ..domain.appeal_flow import AppealFlowError, GuardFailed
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..timeutil import iso_with_offset
from .base import ApiError, body_text, json_body, json_response, page_arg

PAGE_SIZE = 50
CREATE_FIELDS = {
    "source_channel",
    "category",
    "nature",
    "urgency",
    "description",
    "enterprise_uscc",
    "enterprise_name",
    "contact_name",
    "contact_phone",
}
EVENT_FIELDS = {"event", "version", "reason", "department_id", "due_on", "reply_text", "signed_off_by", "feedback"}
EVENT_FIELDS |= {"original_no", "note", "department"}


def _user() -> User:
    return current_user._get_current_object()


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal_no": appeal.appeal_no,
        "status": appeal.status.value,
        "source_channel": appeal.source_channel.value,
        "category": appeal.category.value,
        "nature": appeal.nature.value,
        "urgency": appeal.urgency.value,
        "enterprise_uscc": appeal.enterprise.uscc if appeal.enterprise else None,
        "enterprise_name": appeal.enterprise_name,
        "department": appeal.department.code if appeal.department else None,
        "due_on": appeal.due_on.isoformat() if appeal.due_on else None,
        "warn_level": appeal_services.warn_level_of(appeal).value.upper(),  # as cases
        "registered_at": iso_with_offset(appeal.registered_at),
        "replied_at": iso_with_offset(appeal.replied_at),
        "closed_at": iso_with_offset(appeal.closed_at),
        "feedback": appeal.feedback.value if appeal.feedback else None,
        "reopen_count": appeal.reopen_count,
        "version": appeal.version,
    }


def _error(error: Exception, status: int | None = None) -> ApiError:
    if isinstance(error, GuardFailed):
        return ApiError(422, error.code, _(error.message))
    code = getattr(error, "code", "invalid")
    message = ERROR_MESSAGES.get(code) or ERROR_MESSAGES["illegal_transition"]
    return ApiError(status or getattr(error, "status", 422), code, str(message))


def _visible(appeal_no: str) -> Appeal:
    appeal = appeal_queries.appeal_for(_user(), appeal_no)
    if appeal is None:
        raise ApiError(404, "not_found", _("没有找到该诉求。"))
    return appeal


@login_required
def list_appeals():
    page = page_arg()
    rows, has_next = appeal_queries.visible_page(_user(), page=page, size=PAGE_SIZE)
    return json_response({"items": [appeal_json(a) for a in rows], "next_page": page + 1 if has_next else None})


@login_required
def get_appeal(appeal_no: str):
    appeal = _visible(appeal_no)
    body = appeal_json(appeal)
    body["description"] = appeal.description
    body["reply_text"] = appeal.reply_text
    body["events"] = [
        {"event": e.event, "at": iso_with_offset(e.at), "from": e.from_status, "to": e.to_status} for e in appeal.events
    ]
    return json_response(body)


def _enterprise(user: User, body: dict[str, Any]) -> Enterprise | None:
    if user.role is Role.ENTERPRISE:
        return db.session.get(Enterprise, user.enterprise_id)
    raw = body_text(body, "enterprise_uscc", max_length=40)
    if not raw:
        return None
    uscc = identifiers.normalise(raw)
    if not identifiers.is_valid_uscc(uscc):
        raise ApiError(422, "invalid_uscc", _("统一社会信用代码无效，请核对（18位，含校验位）。"))
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise ApiError(422, "unknown_enterprise", str(ERROR_MESSAGES["unknown_enterprise"]))
    return enterprise


@login_required
@idempotent("api.appeals.create")
def create_appeal():
    user = _user()
    if user.role not in APPEAL_REGISTER_ROLES:
        raise ApiError(403, "read_only", _("您无权进行此操作。"))
    body = json_body(CREATE_FIELDS)
    default_channel = "MINIPROGRAM" if user.role is Role.ENTERPRISE else None
    try:
        data = appeal_services.RegisterInput(
            source_channel=appeal_services.parse_enum(
                SourceChannel, body.get("source_channel") or default_channel, "unknown_channel"
            ),
            category=appeal_services.parse_enum(Category, body.get("category"), "unknown_category"),
            nature=appeal_services.parse_enum(Nature, body.get("nature") or "HELP", "unknown_nature"),
            urgency=appeal_forms.urgency(body.get("urgency")),
            description=body_text(body, "description", max_length=appeal_services.MAX_DESCRIPTION),
            enterprise=_enterprise(user, body),
            enterprise_name=body_text(body, "enterprise_name", max_length=200),
            station_id=user.station_id if user.role in (Role.STAFF, Role.COMMISSIONER) else None,
            contact_name=body_text(body, "contact_name", max_length=100),
            contact_phone=body_text(body, "contact_phone", max_length=32),
        )
        appeal = appeal_services.register(data, user)
    except (appeal_services.AppealError, AppealFlowError) as error:
        db.session.rollback()
        raise _error(error) from error
    appeal_no = appeal.appeal_no
    db.session.commit()
    response = json_response(appeal_json(_visible(appeal_no)), 201)
    response.headers["Location"] = url_for("api.get_appeal", appeal_no=appeal_no)
    return response


@login_required
def post_appeal_event(appeal_no: str):
    user = _user()
    appeal = _visible(appeal_no)
    actor = appeal_actor(user, appeal)
    if actor is None:
        raise ApiError(403, "read_only", _("您无权进行此操作。"))
    body = json_body(EVENT_FIELDS)
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field="version"))
    try:
        data = appeal_forms.event_input({k: v for k, v in body.items() if v is not None})
        appeal_services.apply_event(appeal, data, user, actor)
        db.session.commit()
    except (appeal_services.StaleAppeal, StaleDataError):
        db.session.rollback()
        fresh = appeal_json(_visible(appeal_no))
        return json_response(
            {"error": {"code": "stale", "message": str(ERROR_MESSAGES["stale"])}, "appeal": fresh}, 409
        )
    except (appeal_services.AppealError, AppealFlowError) as error:
        db.session.rollback()
        raise _error(error) from error
    return json_response(appeal_json(_visible(appeal_no)))


__all__ = ["appeal_json"]
