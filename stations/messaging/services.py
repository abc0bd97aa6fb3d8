"""Writing in the conversation and keeping read markers. Flush, never commit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..cases.models import Case
from ..clerks.models import ClerkChoice
from ..enterprises.models import Document
from ..extensions import db
from ..timeutil import business_today, utcnow
from .models import MAX_BODY, Conversation, ConversationRead, Message


def _takes_part(user: User, enterprise_id: int) -> bool:
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    if user.role is Role.CLERK:
        current = select(ClerkChoice.id).where(
            ClerkChoice.clerk_id == user.id, ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current
        )
        return db.session.scalar(current) is not None
    return False


def _has_clerk(enterprise_id: int) -> bool:
    return (
        db.session.scalar(
            select(ClerkChoice.id).where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current)
        )
        is not None
    )


def _conversation(enterprise_id: int) -> Conversation | None:
    return db.session.scalar(select(Conversation).where(Conversation.enterprise_id == enterprise_id))


def _marker(conversation_id: int, user_id: int) -> ConversationRead | None:
    return db.session.scalar(
        select(ConversationRead).where(
            ConversationRead.conversation_id == conversation_id, ConversationRead.user_id == user_id
        )
    )


class MessagingError(Exception):
    """A message the rules refuse; ``status`` is the HTTP answer."""

    def __init__(self, code: str, status: int = 422):
        super().__init__(code)
        self.code = code
        self.status = status


def open_conversation(enterprise_id: int) -> Conversation:
    """The enterprise's conversation, created on first use (two first messages at once still make one)."""
    conversation = _conversation(enterprise_id)
    if conversation is not None:
        return conversation
    try:
        with db.session.begin_nested():
            conversation = Conversation(enterprise_id=enterprise_id)
            db.session.add(conversation)
    except IntegrityError:
        conversation = _conversation(enterprise_id)
    return conversation


def send_message(
    *,
    user: User,
    enterprise_id: int,
    body: str,
    case: Case | None = None,
    document: Document | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> Message:
    """Post a message in the enterprise's conversation, as the enterprise's user or its current clerk.

    The case (one of the enterprise's) and the document (from its store, still valid) are optional.
    :raise MessagingError: ``not_found`` (404) when the user does not take part in the conversation,
        ``empty`` / ``too_long`` for the body, ``no_clerk`` while the enterprise has no clerk to talk to,
        ``case_not_yours`` / ``document_not_yours`` (404) for a case or document of another enterprise.
    """
    now = now or utcnow()
    if user.role not in (Role.ENTERPRISE, Role.CLERK) or not _takes_part(user, enterprise_id):
        raise MessagingError("not_found", 404)
    text = (body or "").strip()
    if not text:
        raise MessagingError("empty")
    if len(text) > MAX_BODY:
        raise MessagingError("too_long")
    if user.role is Role.ENTERPRISE and not _has_clerk(enterprise_id):
        raise MessagingError("no_clerk")
    if case is not None and case.enterprise_id != enterprise_id:
        raise MessagingError("case_not_yours", 404)
    if document is not None:
        today = today or business_today(now)
        expired = document.valid_until is not None and document.valid_until < today
        if document.enterprise_id != enterprise_id or document.is_archived or expired:
            raise MessagingError("document_not_yours", 404)
    conversation = open_conversation(enterprise_id)
    message = Message(
        conversation_id=conversation.id,
        sender_id=user.id,
        from_enterprise=user.role is Role.ENTERPRISE,
        body=text,
        case_id=case.id if case else None,
        document_id=document.id if document else None,
        created_at=now,
    )
    db.session.add(message)
    conversation.last_message_at = now
    db.session.flush()
    mark_read(conversation.id, user, message.id, now=now)  # one's own message is read
    return message


def mark_read(conversation_id: int, user: User, up_to: int, *, now: datetime | None = None) -> None:
    """Move the user's read marker forward to message ``up_to`` (never back)."""
    if not up_to:
        return
    now = now or utcnow()
    marker = _marker(conversation_id, user.id)
    if marker is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    ConversationRead(
                        conversation_id=conversation_id, user_id=user.id, last_read_message_id=up_to, read_at=now
                    )
                )
            return
        except IntegrityError:  # another tab of the same user got there first
            marker = _marker(conversation_id, user.id)
    if marker is not None and marker.last_read_message_id < up_to:
        marker.last_read_message_id = up_to
        marker.read_at = now
        db.session.flush()
