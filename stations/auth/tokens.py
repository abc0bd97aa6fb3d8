"""Bearer tokens for API v1 (contract.md "JSON API v1"): issue, revoke, and resolve to a user.

A request under /api/ that carries ``Authorization: Bearer <token>`` is authenticated by the token alone: the
session cookie is ignored for it (``bearer_request()``), so a token request is never mistaken for a browser one.
It needs no CSRF token (a cross-site page cannot set that header), is not subject to the session idle timeout and
leaves no session cookie behind. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, g, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, login_manager
from ..timeutil import utcnow
from .models import ApiToken, User

TOKEN_PREFIX = "stn_"  # noqa: S105  (a prefix that makes leaked tokens easy to spot, not a secret)
API_PATH_PREFIX = "/api/"
# last_used_at is written at most this often per token, so reads do not turn every API call into a write.
TOUCH_INTERVAL = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token acting as ``user``; returns the row and the token (shown once, never stored). Flushes."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name.strip()[:100] or "token", token_hash=hash_token(token), user_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.session.flush()


def bearer_request() -> bool:
    """True for an /api/ request that carries an ``Authorization: Bearer`` header (valid or not)."""
    if not request.path.startswith(API_PATH_PREFIX):
        return False
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


def bearer_token() -> str | None:
    if not bearer_request():
        return None
    return request.headers.get("Authorization", "").partition(" ")[2].strip() or None


def user_for_token(token: str) -> User | None:
    """The enabled user an unrevoked token acts as, or None; notes when the token was last used."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.is_enabled:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_INTERVAL:
        row.last_used_at = now
        try:
            db.session.commit()  # nothing else has happened in this request yet
        except SQLAlchemyError:  # best effort: a busy database must not fail the call
            db.session.rollback()
            row = db.session.get(ApiToken, row.id)
            if row is None:
                return None
    g.api_token_id = row.id
    return row.user


def load_user_from_request(req) -> User | None:
    """Flask-Login's request loader: bearer tokens, for /api/ paths only."""
    token = bearer_token()
    return user_for_token(token) if token else None


def via_token() -> bool:
    """True when the current request was authenticated by a bearer token."""
    return g.get("api_token_id") is not None


def init_app(app: Flask) -> None:
    login_manager.request_loader(load_user_from_request)
