"""Writing security events to the audit table (security.md §2.8)."""

from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent, User


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(event: str, outcome: str, user: User | None = None, username: str | None = None, detail: str = "") -> None:
    """Add one audit row to the session; the caller's commit stores it."""
    db.session.add(
        AuditEvent(
            event=event,
            outcome=outcome,
            user_id=user.id if user else None,
            username=(user.username if user else username or "")[:64],
            ip=client_ip(),
            detail=detail[:500] or None,
        )
    )
