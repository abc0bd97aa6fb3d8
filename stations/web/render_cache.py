"""Pages served again, byte for byte, while nothing they show can have changed (issue 21).

The busiest pages (the station queue, the case page, the enterprise's home, the case API) are read far more often
than anything they show is written. ``@reusable_page()`` keeps each rendered answer in the worker's memory and
serves it again while all of these hold:
- the database's change stamp is the same (change_stamp.py: every committed write, by anyone, changes it);
- the request is the same: the URL, the htmx headers, the language, the signed-in user (and session epoch), the
  rest of the session (its CSRF secret, so one session never gets another's token), other cookies, the bearer
  token;
- the time has not moved past what the page depends on: the business date, the view's own next change (a case
  turning red at its ``overdue_at``), and ``RENDER_CACHE_MAX_AGE`` seconds at most (60: the bound for anything
  else that a page computes from the clock).

Only a successful (2xx) answer whose view left the session and cookies alone is kept; a request with flashed messages
is always rendered. The stamp costs one small query, so a page that is not reused pays that much more.
Every guard (sign-in, roles, session timeouts) runs before the view as usual; only the view's work is saved.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..timeutil import business_today, utc_start_of, utcnow
from . import change_stamp, outside_transaction

# Session keys that change as time passes without changing any page (auth/sessions.py's idle and absolute clocks).
_VOLATILE_SESSION_KEYS = frozenset({"seen_at", "login_at"})
# What a page may depend on besides the database, the user and the clock: the next moment it changes by itself.
NextChange = Callable[[datetime], datetime | None]
RequestKey = tuple  # what identifies a kept answer (``_request_key``)


@dataclass(frozen=True)
class _Entry:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    rendered_at: datetime
    expires_at: datetime


class PageStore:
    """A bounded least-recently-used map of rendered answers, one per worker process."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[RequestKey, _Entry] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def get(self, key: RequestKey, now: datetime) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if not entry.rendered_at <= now < entry.expires_at:  # expired, or a clock moved back (tests)
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: RequestKey, entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> None:
    """One store per app: the settings are RENDER_CACHE_* in config.py."""
    app.extensions["render_cache"] = PageStore(app.config["RENDER_CACHE_ENTRIES"])


def wanted() -> bool:
    return current_app.config["RENDER_CACHE_ENABLED"]


_RENDERING = "render_cache_rendering"  # in flask.g while a reusable view renders
_REUSABLE = "reusable_page"  # the mark on a view function; functools.wraps carries it out through other decorators


def may_reuse() -> bool:
    """Whether this request may be answered with a kept page: reuse is on, and it is a GET of a ``@reusable_page``
    view with no flashed message waiting. Known before the view runs (the user's loading asks, auth/sessions.py)."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return wanted() and request.method == "GET" and getattr(view, _REUSABLE, False) and "_flashes" not in session


def store() -> PageStore:
    return current_app.extensions["render_cache"]


def _session_fingerprint() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, repr(value)) for key, value in session.items() if key not in _VOLATILE_SESSION_KEYS))


def _request_key(stamp: int, today: date) -> RequestKey:
    """Everything the answer may depend on, apart from the database (the stamp) and the clock (the expiry).

    A tuple, hashed by the store's dict: it runs on every reused page, and a digest of its text cost 45 µs."""
    environ = request.environ
    session_cookie = current_app.config["SESSION_COOKIE_NAME"]
    return (
        stamp,
        today,
        request.method,
        request.full_path,
        str(get_locale() or ""),
        current_user.get_id() if current_user.is_authenticated else "",
        _session_fingerprint(),
        tuple(sorted((name, value) for name, value in request.cookies.items() if name != session_cookie)),
        tuple(sorted((name, value) for name, value in environ.items() if name.startswith("HTTP_HX_"))),  # htmx's
        environ.get("HTTP_X_POLL", ""),
        environ.get("HTTP_AUTHORIZATION", ""),
        environ.get("HTTP_ACCEPT", ""),
    )


def _expiry(now: datetime, next_change: NextChange | None) -> datetime:
    """The first moment the page may look different with no write: the day's end, the view's own next change,
    or the maximum age."""
    candidates = [
        now + timedelta(seconds=current_app.config["RENDER_CACHE_MAX_AGE"]),
        utc_start_of(business_today(now) + timedelta(days=1)),
    ]
    if next_change is not None and (moment := next_change(now)) is not None:
        candidates.append(moment)
    return min(candidates)


def _keepable(response: Response, session_before: tuple[tuple[str, str], ...]) -> bool:
    return (
        200 <= response.status_code < 300  # 286 too: htmx's "stop polling", a poll's normal answer
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and "no-store" not in (response.headers.get("Cache-Control") or "")
        and _session_fingerprint() == session_before
    )


def _replay(entry: _Entry) -> Response:
    """The kept answer; a 304 when it carries an ETag the browser already holds (a poll with nothing new)."""
    response = make_response(entry.body, entry.status)
    response.headers.clear()
    response.headers.extend(entry.headers)
    return response.make_conditional(request)


def reusable_page(next_change: NextChange | None = None):
    """Serve the view's answer again while the database, the request and the clock are as when it was rendered.

    ``next_change(now)`` gives the next moment the page changes with no write (None: not before the day ends).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not may_reuse() or g.get(_RENDERING):  # (a reusable view called from another: one page)
                return view(*args, **kwargs)
            stamp = change_stamp.current()
            if stamp is None:
                outside_transaction.end()
                return view(*args, **kwargs)
            now = utcnow()
            key = _request_key(stamp, business_today(now))
            entry = store().get(key, now)
            if entry is not None:
                return _replay(entry)
            outside_transaction.end()  # the view reads, and may write, in a transaction as usual
            session_before = _session_fingerprint()
            g.setdefault(_RENDERING, True)
            response = make_response(view(*args, **kwargs))
            if _keepable(response, session_before):
                headers = tuple((name, value) for name, value in response.headers.items())
                entry = _Entry(response.get_data(), response.status_code, headers, now, _expiry(now, next_change))
                store().put(key, entry)
            return response

        setattr(wrapper, _REUSABLE, True)
        return wrapper

    return decorate
