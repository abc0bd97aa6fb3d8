"""Sending notifications: one entry point, ``notify``, and pluggable channels. Flush-free: nothing here commits.

A channel receives every notification once it is built: ``InAppChannel`` adds the row that the bell and the
/notifications page read. An SMS or WeChat channel implements the same ``send`` and is registered with
``register_channel`` (it would look at ``notification.user`` and ``notification.kind`` to decide what to send).

``notify_case_event`` is what the case services call after an event; it takes any object with ``case_no``,
``enterprise_id`` and ``item`` (this package sits below cases and does not import it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol

from flask import current_app, has_request_context, url_for
from sqlalchemy import select, update

from ..auth.models import Role, User
from ..enterprises.models import Document
from ..extensions import db
from ..timeutil import utcnow
from .models import Notification, NotificationKind
from .queries import SUBJECT

EXPIRY_NOTICE_DAYS = 30  # documents are flagged this many days before they expire
# Where an expiring-document reminder points: the enterprise's document store (stations/portal).
DOCUMENTS_ENDPOINT = "enterprises.documents"


class NotificationChannel(Protocol):
    """A way to reach a user. ``send`` must not commit; it may add rows or queue an outgoing message."""

    name: str

    def send(self, notification: Notification) -> None: ...


class InAppChannel:
    """The bell: the notification row itself."""

    name = "in_app"

    def send(self, notification: Notification) -> None:
        db.session.add(notification)


_channels: list[NotificationChannel] = [InAppChannel()]


def register_channel(channel: NotificationChannel) -> None:
    """Add a channel (SMS, WeChat ...); every later notification is sent through it too."""
    if all(existing.name != channel.name for existing in _channels):
        _channels.append(channel)


def unregister_channel(name: str) -> None:
    _channels[:] = [channel for channel in _channels if channel.name != name or channel.name == InAppChannel.name]


def channels() -> tuple[NotificationChannel, ...]:
    return tuple(_channels)


def path_for(endpoint: str, **values) -> str:
    """A path inside the app, also outside a request (the demo seeder, a cron command)."""
    if has_request_context():
        return url_for(endpoint, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)


def notify(
    user: User | int,
    kind: NotificationKind,
    text: str,
    link: str | None = None,
    *,
    at: datetime | None = None,
    dedupe_key: str | None = None,
) -> Notification:
    """Tell one user something, through every registered channel."""
    notification = Notification(
        user_id=user if isinstance(user, int) else user.id,
        kind=kind,
        text=text[:500],
        link=link,
        dedupe_key=dedupe_key,
        created_at=at or utcnow(),
    )
    for channel in _channels:
        channel.send(notification)
    return notification


def _recipients(*conditions) -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.is_enabled.is_(True), *conditions).order_by(User.id)))


def notify_users(user_ids: Iterable[int], kind: NotificationKind, text: str, link: str | None = None, **kw):
    return [notify(user_id, kind, text, link, **kw) for user_id in user_ids]


def notify_enterprise(
    enterprise_id: int, kind: NotificationKind, text: str, link: str | None = None, **kw
) -> list[Notification]:
    """Tell every enabled user of an enterprise (one query for the recipients)."""
    ids = _recipients(User.role == Role.ENTERPRISE, User.enterprise_id == enterprise_id)
    return notify_users(ids, kind, text, link, **kw)


def notify_station_staff(
    station_id: int, kind: NotificationKind, text: str, link: str | None = None, **kw
) -> list[Notification]:
    """Tell every enabled staff member of a station (one query for the recipients)."""
    ids = _recipients(User.role == Role.STAFF, User.station_id == station_id)
    return notify_users(ids, kind, text, link, **kw)


# --- case events ----------------------------------------------------------------------------------------------


class CaseLike(Protocol):
    case_no: str
    enterprise_id: int

    @property
    def item(self): ...


# Case events (CaseEvent values) the enterprise hears about, and as what.
CASE_EVENT_KINDS: dict[str, NotificationKind] = {
    "accept": NotificationKind.CASE_ACCEPTED,
    "accept_with_deficiency": NotificationKind.MATERIAL_MISSING,
    "request_correction": NotificationKind.CORRECTION_NEEDED,
    "decide_approve": NotificationKind.DECISION_APPROVED,
    "decide_reject": NotificationKind.DECISION_REFUSED,
    "issue": NotificationKind.RESULT_READY,
    "deliver": NotificationKind.RATING_INVITED,
    # Cross-region: the partner district's decision comes back through the intake station.
    "result_return": NotificationKind.RESULT_READY,
    "partner_reject": NotificationKind.DECISION_REFUSED,
    "partner_refuse": NotificationKind.DECISION_REFUSED,
}


def case_text(case: CaseLike) -> str:
    return f"{case.case_no} · {case.item.name}"


def notify_case_event(case: CaseLike, event: str, *, at: datetime | None = None) -> list[Notification]:
    """Tell the enterprise's users about an event of their case; nothing for events they need not hear about."""
    kind = CASE_EVENT_KINDS.get(str(event))
    if kind is None:
        return []
    link = path_for("cases.show", case_no=case.case_no)
    return notify_enterprise(case.enterprise_id, kind, case_text(case), link, at=at)


# --- expiring documents (run daily: `flask notifications expiring`) --------------------------------------------


def expiry_key(document: Document) -> str:
    return f"doc-expiring:{document.id}:{document.valid_until.isoformat() if document.valid_until else ''}"


def notify_expiring_documents(today: date, *, days: int = EXPIRY_NOTICE_DAYS, at: datetime | None = None) -> int:
    """Remind the enterprise's users of every document expiring within ``days``; once per document and expiry date.

    Three statements whatever the number of documents: the documents with their recipients, the reminders
    already sent, and the inserts (flushed). Returns the number of notifications created.
    """
    horizon = today + timedelta(days=days)
    rows = db.session.execute(
        select(Document, User.id)
        .join(User, User.enterprise_id == Document.enterprise_id)
        .where(
            Document.is_archived.is_(False),
            Document.valid_until.is_not(None),
            Document.valid_until >= today,
            Document.valid_until <= horizon,
            User.role == Role.ENTERPRISE,
            User.is_enabled.is_(True),
        )
        .order_by(Document.valid_until, Document.id, User.id)
    ).all()
    if not rows:
        return 0
    keys = {expiry_key(document) for document, _user_id in rows}
    sent = set(
        db.session.execute(
            select(Notification.user_id, Notification.dedupe_key).where(
                Notification.dedupe_key.in_(keys), Notification.kind == NotificationKind.MATERIAL_EXPIRING
            )
        ).all()
    )
    link = path_for(DOCUMENTS_ENDPOINT)
    created = 0
    for document, user_id in rows:
        key = expiry_key(document)
        if (user_id, key) in sent:
            continue
        notify(
            user_id,
            NotificationKind.MATERIAL_EXPIRING,
            f"{document.material_name} · {document.valid_until.isoformat()}",
            link,
            at=at,
            dedupe_key=key,
        )
        sent.add((user_id, key))
        created += 1
    db.session.flush()
    return created


# --- reading state --------------------------------------------------------------------------------------------


def mark_read(notification: Notification, *, now: datetime | None = None) -> None:
    """This notification and every earlier unread one about the same thing (its group) read now: one UPDATE."""
    subject = notification.link if notification.link else f"#{notification.id}"
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == notification.user_id, Notification.read_at.is_(None), subject == SUBJECT)
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Every unread notification of ``user`` read now: one UPDATE. Returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return result.rowcount or 0


def expiring_documents_job() -> str:
    """The daily job (stations/jobs): remind of documents expiring soon; each reminder is sent once, so reruns are safe."""
    from ..timeutil import business_today

    created = notify_expiring_documents(business_today())
    db.session.commit()
    return f"{created} notifications created"
