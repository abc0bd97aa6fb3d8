"""JSON API v1 for 政务外卖 (contract.md "The station's other services"): the menu and orders.

Reads go through the takeout package's scoped queries; writes through its services, committed here once.
Errors are ``{"error": {"code", "message"}}``: 409 stale version, 422 not allowed now or bad input.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import TAKEOUT_ORDER_ROLES
from ..auth.models import Role, User
from ..domain import identifiers
from ..domain.takeout_flow import OrderFlowError, OrderStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..takeout import queries
from ..takeout import services as takeout_services
from ..takeout.inputs import parse_event
from ..takeout.labels import error_message
from ..takeout.models import Order
from ..takeout.services import OrderInput, TakeoutError
from ..timeutil import iso_with_offset, utcnow
from .base import ApiError, body_str, json_body, json_response, page_arg

PAGE_SIZE = 50
CREATE_FIELDS = {
    "lines", "address", "contact_name", "contact_phone", "preferred_windows", "custom_request", "enterprise_uscc",
}  # fmt: skip
EVENT_FIELDS = {"event", "version", "reason", "alternative", "team", "agreed_visit_on", "outcome", "level", "note"}


def _user() -> User:
    return current_user._get_current_object()


def order_json(order: Order) -> dict[str, Any]:
    return {
        "order_no": order.order_no,
        "status": order.status.value,
        "station": order.station.code,
        "lines": [{"code": line.menu_line.code, "title": line.menu_line.title} for line in order.lines],
        "custom_request": order.custom_request or None,
        "enterprise_uscc": order.enterprise.uscc,
        "address": order.address,
        "contact_due_at": iso_with_offset(order.contact_due_at),
        "visit_due_on": order.visit_due_on.isoformat() if order.visit_due_on else None,
        "warn_level": queries.warn_level_of(order, utcnow()).name,
        "case_nos": queries.case_nos(order),
        "appeal_nos": queries.appeal_nos(order),
        "version": order.version,
    }


def _refused(error: TakeoutError | OrderFlowError) -> ApiError:
    status = getattr(error, "status", 422)
    return ApiError(status, error.code, error_message(error.code))


@login_required
def takeout_menu():
    lines = queries.search_menu(request.args.get("q", ""), limit=100)
    return json_response(
        {
            "items": [
                {"code": m.code, "title": m.title, "kind": m.kind.value, "category": m.category, "skills": m.skills}
                for m in lines
            ],
            "next_page": None,
        }
    )


@login_required
def list_orders():
    status = request.args.get("status", "").strip().upper() or None
    if status is not None and status not in OrderStatus.__members__:
        raise ApiError(400, "invalid_parameter", _("参数 %(name)s 无效。", name="status"))
    page = page_arg()
    rows = queries.orders_for(_user(), status=status, page=page, size=PAGE_SIZE)
    return json_response(
        {"items": [order_json(o) for o in rows[:PAGE_SIZE]], "next_page": page + 1 if len(rows) > PAGE_SIZE else None}
    )


def _visible(order_no: str) -> Order:
    order = queries.order_for(_user(), order_no)
    if order is None:
        raise ApiError(404, "not_found", _("未找到该订单。"))
    return order


@login_required
def get_order(order_no: str):
    return json_response(order_json(_visible(order_no)))


def _strings(body: dict, name: str) -> list[str]:
    value = body.get(name) or []
    if isinstance(value, str):  # be liberal: "A,B" as well as ["A", "B"]
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v for v in value):
        raise ApiError(422, "invalid_field", _("字段 %(field)s 缺失或格式不正确。", field=name))
    return [v[:40] for v in value[:20]]


def _enterprise(body: dict) -> Enterprise:
    user = _user()
    if user.role is Role.ENTERPRISE:
        return user.enterprise
    uscc = body_str(body, "enterprise_uscc", 18).strip().upper()
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)) if uscc else None
    if not identifiers.is_valid_uscc(uscc) or enterprise is None:
        raise ApiError(422, "unknown_enterprise", error_message("unknown_enterprise"))
    return enterprise


@login_required
@idempotent("api.takeout.create")
def create_order():
    if _user().role not in TAKEOUT_ORDER_ROLES:
        raise ApiError(403, "forbidden", _("您无权进行该操作。"))
    body = json_body(CREATE_FIELDS)
    enterprise = _enterprise(body)
    data = OrderInput(
        line_codes=_strings(body, "lines"),
        address=body_str(body, "address", 400),
        contact_name=body_str(body, "contact_name", 100),
        contact_phone=body_str(body, "contact_phone", 40),
        preferred_windows=_strings(body, "preferred_windows"),
        custom_request=body_str(body, "custom_request", 4000),
    )
    try:
        order = takeout_services.place_order(_user(), enterprise, data)
    except TakeoutError as refused:
        db.session.rollback()
        if refused.code == "not_permitted":
            raise ApiError(422, "unknown_enterprise", error_message("unknown_enterprise")) from refused
        raise _refused(refused) from refused
    db.session.commit()
    response = json_response(order_json(order), 201)
    response.headers["Location"] = f"/api/v1/takeout/orders/{order.order_no}"
    return response


@login_required
def post_order_event(order_no: str):
    order = _visible(order_no)
    try:
        event, version, data = parse_event(json_body(EVENT_FIELDS))
        if version is None:
            raise TakeoutError("version_required")
        takeout_services.apply_event(order, event, _user(), version=version, data=data)
    except (TakeoutError, OrderFlowError) as refused:
        db.session.rollback()
        raise _refused(refused) from refused
    db.session.commit()
    return json_response(order_json(order))
