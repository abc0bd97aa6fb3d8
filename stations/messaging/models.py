"""The enterprise's one conversation, its messages and each participant's read marker.

The conversation belongs to the enterprise, not to a clerk: whoever is the enterprise's current clerk
(clerks.models.ClerkChoice, ``ended_at`` null) takes part in it, so when the enterprise changes clerk the
conversation goes on with the new one and the history stays. Each message keeps its sender.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

MAX_BODY = 2000  # characters in one message


class Conversation(db.Model):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime | None]

    enterprise = relationship("Enterprise")

    def __repr__(self) -> str:
        return f"<Conversation enterprise={self.enterprise_id}>"


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # True when an enterprise user wrote it, false for the clerk: what is "unread" depends on the reader's side.
    from_enterprise: Mapped[bool]
    body: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))  # the case it is about, if any
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # from the enterprise's store
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation = relationship("Conversation")
    sender = relationship("User")
    case = relationship("Case")
    document = relationship("Document")

    def __repr__(self) -> str:
        return f"<Message {self.id} conversation={self.conversation_id}>"


class ConversationRead(db.Model):
    """How far one participant has read (the id of the last message seen)."""

    __tablename__ = "conversation_reads"
    __table_args__ = (UniqueConstraint("conversation_id", "user_id", name="uq_conversation_reads_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ConversationRead {self.conversation_id} user={self.user_id} upto={self.last_read_message_id}>"
