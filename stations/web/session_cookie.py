"""Flask's signed cookie session, minus the work of checking the same cookie again and again (issue 21).

Flask builds a new serializer for every request and verifies the cookie's signature every time: a fifth of a
reused page's time (render_cache.py). A tablet sends the same cookie with every request until the session changes,
so each worker remembers the cookies it has verified (a bounded LRU), with what they hold and when they were signed.
A cookie seen before is not verified again; its age is still checked against the session's lifetime on every use,
as itsdangerous does. Only cookies whose signature was verified are remembered, so nothing forged gets in; each
request gets its own copy of the data, so what one request changes in its session never reaches another.
Ending a session does not depend on the cookie: the session's epoch does that (auth/sessions.py).
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

REMEMBERED_COOKIES = 1024  # per worker: a few hundred signed-in tablets and browsers, about 1 KB each


class RememberingSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface with its serializers built once and verified cookies remembered."""

    def __init__(self, capacity: int = REMEMBERED_COOKIES) -> None:
        self.capacity = capacity
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}
        self._verified: OrderedDict[tuple[int, str], tuple[dict[str, Any], int]] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (id(serializer), value)  # a cookie is only good under the keys it was verified with
        with self._lock:
            kept = self._verified.get(key)
            if kept is not None:
                self._verified.move_to_end(key)
        if kept is not None and 0 <= int(time.time()) - kept[1] <= max_age:
            return self.session_class(copy.deepcopy(kept[0]))
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:  # forged, altered, expired, or signed with a key no longer in use
            return self.session_class()
        with self._lock:
            self._verified[key] = (copy.deepcopy(data), int(signed_at.timestamp()))
            while len(self._verified) > self.capacity:
                self._verified.popitem(last=False)
        return self.session_class(data)
