"""One notification to one user: what happened (kind), about what (text, link), and whether it was read."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class NotificationKind(enum.StrEnum):
    CASE_ACCEPTED = "CASE_ACCEPTED"  # 办件已受理
    CORRECTION_NEEDED = "CORRECTION_NEEDED"  # 需要补正
    MATERIAL_MISSING = "MATERIAL_MISSING"  # 容缺受理: materials to supply by a deadline
    MATERIAL_EXPIRING = "MATERIAL_EXPIRING"  # a document of the store expires within 30 days
    DECISION = "DECISION"  # 审批决定已作出 (before issue 19: kept for the notifications already sent)
    DECISION_APPROVED = "DECISION_APPROVED"  # 准予许可: the notice says which way it went
    DECISION_REFUSED = "DECISION_REFUSED"  # 不予许可, or the partner district refused or rejected
    RESULT_READY = "RESULT_READY"  # 证照 / 结果已出, to collect
    RATING_INVITED = "RATING_INVITED"  # delivered: please rate
    RATING_ANSWERED = "RATING_ANSWERED"  # the station answered a 差评
    RECTIFICATION_OPENED = "RECTIFICATION_OPENED"  # to station staff: a 差评 to rectify
    APPLICATION_RECEIVED = "APPLICATION_RECEIVED"  # to the clerk (or station staff): a new online application
    # Deadline warnings to staff (issue 12, `flask cases warnings`): each sent once per case and deadline.
    DEADLINE_YELLOW = "DEADLINE_YELLOW"  # a case turned YELLOW
    DEADLINE_RED = "DEADLINE_RED"  # a case turned RED (overdue)
    RONGQUE_DUE = "RONGQUE_DUE"  # 容缺 materials falling due (or overdue)
    DEPARTMENT_DIGEST = "DEPARTMENT_DIGEST"  # the daily digest of a department's yellow / red cases
    APPEAL_UPDATE = "APPEAL_UPDATE"  # 企业诉求: a step of an appeal that concerns the recipient
    MEETING_REQUESTED = "MEETING_REQUESTED"  # to station staff: a meeting request, or an ask to move / cancel one
    MEETING_CONTACTED = "MEETING_CONTACTED"  # 一键约见: staff took the request up
    MEETING_SCHEDULED = "MEETING_SCHEDULED"  # 一键约见: the time is set (or moved)
    MEETING_CANCELLED = "MEETING_CANCELLED"  # 一键约见: cancelled, or solved without a meeting
    MEETING_REMINDER = "MEETING_REMINDER"  # the day before and an hour before
    SESSION_CONFIRMED = "SESSION_CONFIRMED"  # 政策宣讲: a seat is confirmed (moved up from the waiting list)
    SESSION_CHANGED = "SESSION_CHANGED"  # 政策宣讲: its title, time, place or link changed


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),  # the bell's unread count
        Index("ix_notifications_user_id", "user_id", "id"),  # a user's newest first
        # A reminder sent by a periodic job (an expiring document) is sent once per user and key.
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(db.Enum(NotificationKind, native_enum=False, length=24))
    # Data, not prose: the case number and item, a document's name... The title comes from the kind, translated
    # when shown, so a notification reads in the language of whoever looks at it.
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(300))  # a path inside the app
    dedupe_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user = relationship("User")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.user_id} {self.kind}>"
