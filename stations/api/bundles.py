"""JSON API v1, 一件事 (contract.md): the bundles, one application, a bundle case with its children.

Reads through bundles.queries (access scope); the create goes through bundles.services and honours the
``Idempotency-Key`` header (@idempotent), like every create.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import may_see_query_code
from ..auth.models import Role, User
from ..bundles import queries as bundle_queries
from ..bundles import services as bundle_services
from ..bundles.labels import error_message
from ..bundles.models import BundleCase
from ..cases import queries as case_queries
from ..cases.models import Channel
from ..domain import identifiers
from ..enterprises.models import Enterprise
from ..extensions import db
from ..idempotency import idempotent
from ..sites import queries as sites_queries
from ..sites.models import Station, StationKind
from . import serializers
from .base import ApiError, body_text, invalid_field, json_body, json_response

CREATE_FIELDS = {"bundle", "station", "enterprise_uscc", "applicant_name", "applicant_phone", "documents"}
MAX_DOCUMENTS = 50


def _user() -> User:
    return current_user._get_current_object()


def bundle_json(bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "level": bundle.level.value,
        "online": bundle.is_online,
        "promised_days": bundle.promised_days,
        "scenario": bundle.scenario_text,
        "members": [
            {
                "seq": m.seq,
                "item_code": m.item.code,
                "item_name": m.item.name,
                "depends_on": list(m.depends_on or []),
                "optional": m.is_optional,
            }
            for m in bundle.members
        ],
    }


def bundle_case_json(bundle_case: BundleCase) -> dict[str, Any]:
    """The contract's shape; each child is a case (the case shape) with its ``seq`` and ``step``; a member still
    waiting for its prerequisites has no case yet (``case_no`` null, status ``WAITING``)."""
    show_code = may_see_query_code(_user())
    children = []
    for step in bundle_queries.steps(bundle_case):
        if step.case is not None:
            child = serializers.case(step.case, case_queries.warn_level_of(step.case), show_query_code=show_code)
        else:
            item = next(c.item for c in bundle_case.children if c.seq == step.seq)
            child = {"case_no": None, "status": "WAITING", "item_code": item.code, "due_on": None}
        children.append({"seq": step.seq, "step": step.state.value.upper(), **child})
    return {
        "bundle_no": bundle_case.bundle_no,
        "bundle": bundle_case.bundle.code,
        "status": bundle_case.status.value,
        "due_on": bundle_case.due_on.isoformat() if bundle_case.due_on else None,
        "warn_level": bundle_queries.level_of(bundle_case).upper(),
        "query_code": bundle_case.query_code if show_code else None,
        "children": children,
    }


def list_bundles():
    return json_response([bundle_json(b) for b in bundle_queries.bundles()])


def _visible(bundle_no: str) -> BundleCase:
    found = bundle_queries.get_visible(_user(), bundle_no[:24])
    if found is None:
        raise ApiError(404, "not_found", _("没有该一件事办件，或您无权查看。"))
    return found


@login_required
def get_bundle_case(bundle_no: str):
    return json_response(bundle_case_json(_visible(bundle_no)))


def _documents(body: dict[str, Any]) -> dict[str, int]:
    raw = body.get("documents") or []
    if not isinstance(raw, list) or len(raw) > MAX_DOCUMENTS:
        raise invalid_field("documents")
    documents = {}
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("material"), str):
            raise invalid_field("documents")
        document_id = entry.get("document_id")
        if not isinstance(document_id, int) or isinstance(document_id, bool):
            raise invalid_field("documents")
        documents[entry["material"][:200]] = document_id
    return documents


def _station(user: User, code: str, enterprise: Enterprise) -> Station:
    if code:
        station = sites_queries.get_station(code)
        if station is None:
            raise ApiError(422, "unknown_station", _("没有编码为 %(code)s 的网点。", code=code))
        return station
    if user.role is Role.STAFF and user.station_id:
        return db.session.get(Station, user.station_id)
    if enterprise.station_id:
        return db.session.get(Station, enterprise.station_id)
    return db.session.scalar(select(Station).where(Station.kind == StationKind.CENTER))


@login_required
@idempotent("api.bundle_cases.create")
def create_bundle_case():
    user = _user()
    if user.role not in (Role.STAFF, Role.CLERK, Role.ENTERPRISE):
        raise ApiError(403, "read_only", error_message("read_only"))
    body = json_body(CREATE_FIELDS)
    code = body_text(body, "bundle", required=True, max_length=20)
    bundle = bundle_queries.get_bundle(code)
    if bundle is None or not bundle.is_active:
        raise ApiError(422, "unknown_bundle", _("没有编码为 %(code)s 的一件事套餐。", code=code))
    if user.role is Role.ENTERPRISE:
        enterprise = db.session.get(Enterprise, user.enterprise_id)
    else:
        uscc = identifiers.normalise(body_text(body, "enterprise_uscc", required=True, max_length=40))
        if not identifiers.is_valid_uscc(uscc):
            raise ApiError(422, "invalid_uscc", error_message("invalid_uscc"))
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
        if enterprise is None:
            raise ApiError(422, "unknown_enterprise", error_message("unknown_enterprise"))
    station = _station(user, body_text(body, "station", max_length=10).upper(), enterprise)
    channel = (
        Channel.ONLINE
        if user.role is Role.ENTERPRISE
        else (Channel.COMPREHENSIVE if station.kind is StationKind.CENTER else Channel.STATION)
    )
    try:
        bundle_case = bundle_services.apply(
            bundle,
            user=user,
            station=station,
            enterprise=enterprise,
            channel=channel,
            applicant_name=body_text(body, "applicant_name", max_length=100) or user.display_name,
            applicant_phone=body_text(body, "applicant_phone", max_length=32) or None,
            documents=_documents(body),
        )
    except bundle_services.BundleError as error:
        db.session.rollback()
        raise ApiError(error.status, error.code, error_message(error.code, error.detail)) from error
    bundle_no = bundle_case.bundle_no
    db.session.commit()
    response = json_response(bundle_case_json(_visible(bundle_no)), 201)
    response.headers["Location"] = url_for("api.get_bundle_case", bundle_no=bundle_no)
    return response
