"""Reads of the conversations. Each function runs one statement, whatever the number of messages.

Who may read which conversation: an enterprise user its own enterprise's; a dedicated clerk those of its current
clients (access.current_clients_of); nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from ..access import cases_visible_to, current_clients_of
from ..auth.models import Role, User
from ..cases.models import Case
from ..clerks.models import ClerkChoice
from ..enterprises.models import Enterprise
from ..extensions import db
from .models import Conversation, ConversationRead, Message

PAGE_SIZE = 50
CASE_CHOICES = 30


def may_take_part(user: User, enterprise_id: int) -> bool:
    """The rule for a user already known to be an enterprise user or a clerk (one query for a clerk)."""
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    if user.role is Role.CLERK:
        return client_of(user, enterprise_id) is not None
    return False


def keeps_inbox(user: User) -> bool:
    """A clerk talks with many clients and reaches each conversation from its inbox (/messages/); an enterprise
    user has the one conversation, which /messages/ is."""
    return user.role is Role.CLERK


def client_of(clerk: User, enterprise_id: int) -> Enterprise | None:
    """The enterprise if it is one of the clerk's current clients, else None."""
    return db.session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, Enterprise.id.in_(current_clients_of(clerk)))
    )


def current_clerk(enterprise_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .join(ClerkChoice, ClerkChoice.clerk_id == User.id)
        .where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current)
    )


def conversation_of(enterprise_id: int) -> Conversation | None:
    return db.session.scalar(select(Conversation).where(Conversation.enterprise_id == enterprise_id))


def _unread_condition(reader: User):
    """Messages from the other side than the reader's."""
    return Message.from_enterprise.is_(reader.role is not Role.ENTERPRISE)


@dataclass(frozen=True)
class PollState:
    last_id: int
    count: int


def poll_state(user: User, enterprise_id: int) -> PollState | None:
    """What a poll compares: (last message id, number of messages); None when the user may not read it.

    One statement: for a clerk the client check is part of it.
    """
    last, count = func.coalesce(func.max(Message.id), 0), func.count(Message.id)
    if user.role is Role.ENTERPRISE:
        if user.enterprise_id != enterprise_id:
            return None
        row = db.session.execute(
            select(last, count)
            .select_from(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.enterprise_id == enterprise_id)
        ).one()
        return PollState(row[0], row[1])
    if user.role is Role.CLERK:
        row = db.session.execute(
            select(ClerkChoice.id, last, count)
            .select_from(ClerkChoice)
            .outerjoin(Conversation, Conversation.enterprise_id == ClerkChoice.enterprise_id)
            .outerjoin(Message, Message.conversation_id == Conversation.id)
            .where(
                ClerkChoice.clerk_id == user.id,
                ClerkChoice.enterprise_id == enterprise_id,
                ClerkChoice.is_current,
            )
            .group_by(ClerkChoice.id)
        ).first()
        return PollState(row[1], row[2]) if row else None
    return None


@dataclass
class MessagePage:
    messages: list[Message]  # newest first
    has_older: bool

    @property
    def oldest_id(self) -> int | None:
        return self.messages[-1].id if self.messages else None

    @property
    def newest_id(self) -> int:
        return self.messages[0].id if self.messages else 0


def message_page(conversation: Conversation | None, *, before: int | None = None, limit: int = PAGE_SIZE):
    """The latest ``limit`` messages (or those before message id ``before``), with sender, case and document."""
    if conversation is None:
        return MessagePage([], False)
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation.id)
        .options(joinedload(Message.sender), joinedload(Message.case), joinedload(Message.document))
        .order_by(Message.id.desc())
        .limit(limit + 1)
    )
    if before:
        stmt = stmt.where(Message.id < before)
    rows = list(db.session.scalars(stmt).unique())
    return MessagePage(rows[:limit], len(rows) > limit)


def read_marker(conversation_id: int, user_id: int) -> ConversationRead | None:
    return db.session.scalar(
        select(ConversationRead).where(
            ConversationRead.conversation_id == conversation_id, ConversationRead.user_id == user_id
        )
    )


def unread_count(user: User, enterprise_id: int) -> int:
    """Messages from the other side that ``user`` has not seen in the enterprise's conversation."""
    return db.session.scalar(
        select(func.count(Message.id))
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(
            ConversationRead,
            and_(ConversationRead.conversation_id == Conversation.id, ConversationRead.user_id == user.id),
        )
        .where(
            Conversation.enterprise_id == enterprise_id,
            _unread_condition(user),
            Message.id > func.coalesce(ConversationRead.last_read_message_id, 0),
        )
    )


def unread_total(user: User) -> int:
    """All unread messages of ``user`` (an enterprise user: its conversation; a clerk: all its clients')."""
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        return unread_count(user, user.enterprise_id)
    if user.role is not Role.CLERK:
        return 0
    return db.session.scalar(
        select(func.count(Message.id))
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(
            ConversationRead,
            and_(ConversationRead.conversation_id == Conversation.id, ConversationRead.user_id == user.id),
        )
        .where(
            Conversation.enterprise_id.in_(current_clients_of(user)),
            _unread_condition(user),
            Message.id > func.coalesce(ConversationRead.last_read_message_id, 0),
        )
    )


@dataclass(frozen=True)
class InboxRow:
    enterprise: Enterprise
    last_message_at: datetime | None
    message_count: int
    unread: int


def inbox(clerk: User) -> list[InboxRow]:
    """Every current client of the clerk with its conversation's last activity and unread count: one query."""
    unread = func.coalesce(
        func.sum(
            case(
                (
                    and_(
                        Message.from_enterprise.is_(True),
                        Message.id > func.coalesce(ConversationRead.last_read_message_id, 0),
                    ),
                    1,
                ),
                else_=0,
            )
        ),
        0,
    )
    last_at = func.max(Message.created_at)
    stmt = (
        select(Enterprise, last_at, func.count(Message.id), unread)
        .join(ClerkChoice, and_(ClerkChoice.enterprise_id == Enterprise.id, ClerkChoice.is_current))
        .outerjoin(Conversation, Conversation.enterprise_id == Enterprise.id)
        .outerjoin(
            ConversationRead,
            and_(ConversationRead.conversation_id == Conversation.id, ConversationRead.user_id == clerk.id),
        )
        .outerjoin(Message, Message.conversation_id == Conversation.id)
        .where(ClerkChoice.clerk_id == clerk.id)
        .group_by(Enterprise.id)
        .order_by(last_at.desc().nulls_last(), Enterprise.name, Enterprise.id)
    )
    return [InboxRow(e, at, count, int(n)) for e, at, count, n in db.session.execute(stmt).all()]


def case_choices(user: User, enterprise_id: int) -> list[Case]:
    """The enterprise's latest cases the user may see, to tie a message to one."""
    stmt = (
        cases_visible_to(user)
        .where(Case.enterprise_id == enterprise_id)
        .options(joinedload(Case.item))
        .order_by(Case.received_at.desc(), Case.id.desc())
        .limit(CASE_CHOICES)
    )
    return list(db.session.scalars(stmt).unique())


def case_by_no(user: User, enterprise_id: int, case_no: str) -> Case | None:
    return db.session.scalar(
        cases_visible_to(user).where(Case.enterprise_id == enterprise_id, Case.case_no == case_no.strip().upper())
    )


def message_for(user: User, message_id: int) -> Message | None:
    """One message with its document, if the user takes part in its conversation; None otherwise."""
    stmt = (
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.id == message_id)
        .options(joinedload(Message.document))
    )
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        stmt = stmt.where(Conversation.enterprise_id == user.enterprise_id)
    elif user.role is Role.CLERK:
        stmt = stmt.where(Conversation.enterprise_id.in_(current_clients_of(user)))
    else:
        return None
    return db.session.scalar(stmt)
