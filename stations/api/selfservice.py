"""JSON API v1 for the enterprise user (the mini-program): its documents, its conversation, its ratings.

Scoped to the caller's enterprise: another role gets 403 (``enterprise_only``), another enterprise's case a 404.
Authentication and CSRF as in ``cases`` (the blueprint's before_request): a bearer token, or a session whose
writes carry X-CSRFToken. Reads go through the features' queries; writes through their services, committed here.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..auth.models import Role, User
from ..cases import queries as case_queries
from ..domain import ratings as rules
from ..enterprises import queries as enterprise_queries
from ..enterprises.models import Document
from ..extensions import db
from ..messaging import queries as messaging_queries
from ..messaging import services as messaging_services
from ..messaging.labels import error_message as messaging_error_message
from ..messaging.models import Message
from ..ratings import queries as rating_queries
from ..ratings import services as rating_services
from ..ratings.labels import error_message as rating_error_message
from ..ratings.models import Rating
from ..timeutil import business_today, iso_with_offset
from ..web.params import parse_int
from .base import ApiError, invalid_field, json_body, json_response

EXPIRY_NOTICE_DAYS = 30
MAX_ID = 2**31 - 1
MESSAGE_FIELDS = {"body", "case_no", "document_id"}
RATING_FIELDS = {"level", "reasons", "comment"}
PAGE_SIZE = 50


def _enterprise_user() -> User:
    user: User = current_user._get_current_object()
    if user.role is not Role.ENTERPRISE or user.enterprise_id is None:
        raise ApiError(403, "enterprise_only", _("仅企业用户可以使用该接口。"))
    return user


def _int_param(name: str, default: int | None) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not 1 <= (parse_int(raw) or 0) <= MAX_ID:
        raise ApiError(400, "invalid_parameter", _("参数 %(name)s 无效。", name=name))
    return int(raw)


# --- shapes (docs/openapi.json: Document, Message, Rating) ------------------------------------------------------


def document_json(document: Document, today) -> dict[str, Any]:
    valid_until = document.valid_until
    return {
        "id": document.id,
        "material_name": document.material_name,
        "file_name": document.file.display_name,
        "content_type": document.file.content_type,
        "size": document.file.size,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "is_expired": bool(valid_until and valid_until < today),
        "expires_soon": bool(valid_until and today <= valid_until and (valid_until - today).days <= EXPIRY_NOTICE_DAYS),
        "trust_level": str(document.trust_level),  # a StrEnum, or its plain value before a reload
        "created_at": iso_with_offset(document.created_at),
    }


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "body": message.body,
        "from_enterprise": message.from_enterprise,
        "sender": message.sender.display_name,
        "case_no": message.case.case_no if message.case else None,
        "document_id": message.document_id,
        "document_name": message.document.material_name if message.document else None,
        "created_at": iso_with_offset(message.created_at),
    }


def rating_json(rating: Rating, today) -> dict[str, Any]:
    rectification = rating.rectification
    return {
        "case_no": rating.case.case_no,
        "level": rating.level,
        "reasons": rating.reason_codes,
        "comment": rating.comment,
        "created_at": iso_with_offset(rating.created_at),
        "rectification": None
        if rectification is None
        else {
            "status": rectification.status.value,
            "warn_level": rules.rectification_tag(
                rectification.status,
                today=today,
                callback_due_on=rectification.callback_due_on,
                due_on=rectification.due_on,
                warn_on=rectification.warn_on,
            ).value.upper(),
            "callback_due_on": rectification.callback_due_on.isoformat(),
            "due_on": rectification.due_on.isoformat(),
            "disposition": rectification.disposition.value if rectification.disposition else None,
            "measures": rectification.measures,
            "feedback": rectification.feedback_text,
            "feedback_at": iso_with_offset(rectification.feedback_at),
            "reaction": rectification.reaction.value if rectification.reaction else None,
        },
    }


# --- documents ----------------------------------------------------------------------------------------------------


@login_required
def list_documents():
    """The enterprise's document store: what it may reuse (not archived), expired ones flagged."""
    user = _enterprise_user()
    today = business_today()
    documents = _store_documents(user.enterprise_id)
    return json_response({"items": [document_json(d, today) for d in documents]})


def _store_documents(enterprise_id: int) -> list[Document]:
    """Not archived, expired included (flagged): one query. (enterprises.queries.valid_documents drops expired.)"""
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.enterprise_id == enterprise_id, Document.is_archived.is_(False))
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )


# --- messages -----------------------------------------------------------------------------------------------------


@login_required
def list_messages():
    """The conversation with the current clerk, newest first, 50 a page (``before`` = an older page)."""
    user = _enterprise_user()
    before = _int_param("before", None)
    conversation = messaging_queries.conversation_of(user.enterprise_id)
    page = messaging_queries.message_page(conversation, before=before, limit=PAGE_SIZE)
    clerk = messaging_queries.current_clerk(user.enterprise_id)
    unread = messaging_queries.unread_count(user, user.enterprise_id)
    body = {
        "items": [message_json(m) for m in page.messages],
        "next_before": page.oldest_id if page.has_older else None,
        "clerk": clerk.display_name if clerk else None,
        "unread": unread,
    }
    if conversation is not None and not before and page.newest_id:
        try:  # read by whoever fetched the latest page; best effort
            messaging_services.mark_read(conversation.id, user, page.newest_id)
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
    return json_response(body)


# Refusals of messaging.services and their HTTP status in the API (a case or document of another enterprise: 404).
MESSAGE_ERROR_STATUS = {"case_not_yours": 404, "document_not_yours": 404}


@login_required
def post_message():
    user = _enterprise_user()
    body = json_body(MESSAGE_FIELDS)
    text = body.get("body")
    if not isinstance(text, str):
        raise invalid_field("body")
    case = None
    case_no = body.get("case_no")
    if case_no is not None:
        if not isinstance(case_no, str) or len(case_no) > 24:
            raise invalid_field("case_no")
        case = messaging_queries.case_by_no(user, user.enterprise_id, case_no)
        if case is None:
            raise ApiError(404, "not_found", _("未找到该办件。"))
    document = None
    document_id = body.get("document_id")
    if document_id is not None:
        if not isinstance(document_id, int) or isinstance(document_id, bool) or not 1 <= document_id <= MAX_ID:
            raise invalid_field("document_id")
        document = enterprise_queries.valid_document(user.enterprise_id, document_id, business_today())
        if document is None:
            raise ApiError(404, "document_not_yours", _("所选材料不属于该企业或已失效。"))
    try:
        message = messaging_services.send_message(
            user=user, enterprise_id=user.enterprise_id, body=text, case=case, document=document
        )
    except messaging_services.MessagingError as error:
        db.session.rollback()
        status = MESSAGE_ERROR_STATUS.get(error.code, error.status)
        raise ApiError(status, error.code, messaging_error_message(error.code)) from error
    message_id = message.id
    db.session.commit()
    fresh = messaging_queries.message_for(user, message_id)
    return json_response(message_json(fresh), 201)


# --- ratings ------------------------------------------------------------------------------------------------------


@login_required
def list_ratings():
    """The enterprise's ratings, newest first, each with its rectification (the station's answer) if any."""
    user = _enterprise_user()
    page = _int_param("page", 1)
    result = rating_queries.ratings_of_enterprise(user.enterprise_id, page=page, page_size=PAGE_SIZE)
    today = business_today()
    return json_response(
        {
            "items": [rating_json(r, today) for r in result.rows],
            "next_page": page + 1 if result.has_next else None,
        }
    )


@login_required
def rate_case(case_no: str):
    """Rate a delivered case once (1-5); 1-2 opens a rectification at the station. 409 on a second rating."""
    user = _enterprise_user()
    case = case_queries.case_for(user, case_no.strip().upper()[:24])
    if case is None:
        raise ApiError(404, "not_found", _("未找到该办件。"))
    body = json_body(RATING_FIELDS)
    level = body.get("level")
    if not rules.is_valid_level(level):
        raise invalid_field("level")
    reasons = body.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(code, str) for code in reasons):
        raise invalid_field("reasons")
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise invalid_field("comment")
    try:
        rating_services.rate_case(case, user, level=level, reasons=reasons, comment=comment, channel="MINIPROGRAM")
    except rating_services.RatingError as error:
        db.session.rollback()
        raise ApiError(error.status, error.code, rating_error_message(error.code)) from error
    db.session.commit()
    rating = rating_queries.rating_for_case(case.id)
    return json_response(rating_json(rating, business_today()), 201)
