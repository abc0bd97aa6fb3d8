"""The ``@idempotent`` view decorator and its helpers (see the package docstring for the design)."""

from __future__ import annotations

import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..timeutil import utcnow
from ..web.errors import error_response
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "submission_key"
KEEP_FOR = timedelta(hours=24)
STALE_PENDING = timedelta(minutes=2)  # a first request that died before answering; its key is free again
WAIT_FOR_FIRST = 10.0  # seconds a duplicate waits for the first request to answer
MAX_STORED_BODY = 2_000_000
REPLAYED_HEADERS = ("Content-Type", "Location", "HX-Redirect", "HX-Location", "HX-Trigger", "HX-Push-Url")
_NOT_FINGERPRINTED = {"csrf_token", FORM_FIELD}


def new_submission_key() -> str:
    return uuid.uuid4().hex


def submission_key_input() -> Markup:
    """The hidden form field; a re-rendered form (422) keeps the key it was posted with."""
    key = request.form.get(FORM_FIELD) if request.method == "POST" else None
    if not _valid_key(key):
        key = new_submission_key()
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, key)


def _valid_key(key: str | None) -> bool:
    return bool(key) and len(key) <= 255 and key.isascii() and key.isprintable()


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _request_key() -> str | None:
    key = request.headers.get(HEADER) or request.form.get(FORM_FIELD)
    if key is None:
        return None
    key = key.strip()
    if not _valid_key(key):
        raise _Refusal(400, "invalid_idempotency_key", _("Idempotency-Key 须为 1 至 255 个可打印的 ASCII 字符。"))
    return key


def _default_caller() -> str | None:
    if current_user and getattr(current_user, "is_authenticated", False):
        return f"u:{current_user.id}"
    return None


def _fingerprint(scope: str) -> str:
    """What makes two submissions "the same": the scope, the path and the content (not the CSRF token)."""
    digest = hashlib.sha256(f"{scope}\n{request.path}\n".encode())
    if request.form or request.files:
        for name in sorted(request.form):
            if name not in _NOT_FINGERPRINTED:
                digest.update(json.dumps([name, request.form.getlist(name)], ensure_ascii=False).encode())
        for name in sorted(request.files):
            for upload in request.files.getlist(name):
                digest.update(json.dumps([name, upload.filename or ""], ensure_ascii=False).encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = make_response(record.body or b"", record.status_code)
    for name, value in json.loads(record.headers or "{}").items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _find(caller: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
    )


def _answer_from(record: IdempotencyRecord, fingerprint: str) -> Response | None:
    """The stored answer for a repeat, an error for a misuse, or None when the key is free again."""
    if record.fingerprint != fingerprint:
        raise _Refusal(422, "idempotency_key_reused", _("这个 Idempotency-Key 已用于另一项不同的提交。"))
    if record.status_code is not None:
        return _replay(record)
    return None


def _claim(scope: str, caller: str, key: str, fingerprint: str) -> Response | IdempotencyRecord:
    """Insert our record, or return the first request's answer once it has one."""
    deadline = time.monotonic() + WAIT_FOR_FIRST
    while True:
        existing = _find(caller, key)
        if existing is not None:
            expired = existing.created_at < utcnow() - KEEP_FOR
            stale = existing.status_code is None and existing.created_at < utcnow() - STALE_PENDING
            if expired or stale:
                db.session.delete(existing)
                db.session.flush()
            else:
                answer = _answer_from(existing, fingerprint)
                if answer is not None:
                    return answer
                if time.monotonic() > deadline:
                    raise _Refusal(409, "idempotency_in_progress", _("同一提交仍在处理中，请稍后刷新查看结果。"))
                db.session.rollback()  # a fresh snapshot for the next look
                time.sleep(0.1)
                continue
        record = IdempotencyRecord(caller=caller, key=key, scope=scope, fingerprint=fingerprint)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            continue  # a concurrent first request committed it meanwhile: look again
        return record


def _forget(record_id: int) -> None:
    """The view failed: nothing it left uncommitted is kept, and the key is free for a retry."""
    db.session.rollback()
    record = db.session.get(IdempotencyRecord, record_id)
    if record is not None:
        db.session.delete(record)
        db.session.commit()


def _store(record_id: int, response: Response) -> None:
    """Keep a successful answer; forget a refused one (it created nothing, the key may be used again)."""
    if response.status_code >= 400 or response.direct_passthrough or response.is_streamed:
        _forget(record_id)
        return
    record = db.session.get(IdempotencyRecord, record_id)
    if record is None:
        return
    body = response.get_data()
    record.status_code = response.status_code
    record.headers = json.dumps({h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers})
    record.body = body if len(body) <= MAX_STORED_BODY else b""
    db.session.commit()


def idempotent(scope: str, caller: Callable[[], str | None] = _default_caller) -> Callable:
    """Decorate a create view (under its route and login decorators). ``caller`` names who is asking."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                key = _request_key() if request.method == "POST" else None
                who = caller() if key else None
                if not key or not who:
                    return view(*args, **kwargs)
                claimed = _claim(scope, who, key, _fingerprint(scope))
            except _Refusal as refusal:
                return error_response(refusal.status, refusal.message, refusal.code)
            if isinstance(claimed, Response):
                return claimed
            record_id = claimed.id
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except Exception:
                _forget(record_id)
                raise
            _store(record_id, response)
            return response

        return wrapper

    return decorate


def purge_expired() -> int:
    """Delete records older than a day (a periodic job); returns how many. Flushes; the caller commits."""
    result = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR))
    return result.rowcount or 0


def purge_job() -> str:
    """The daily job (stations/jobs): forget submission keys older than a day."""
    removed = purge_expired()
    db.session.commit()
    return f"{removed} idempotency records removed"
