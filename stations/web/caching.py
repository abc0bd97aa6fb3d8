"""Conditional GETs for polled fragments (architecture.md §2.2, §2.9): ETag in, 304 out.

A poll that finds nothing new should cost the server one small query and the network a few bytes. The view
computes a cheap version of what it would render (ids, counts), turns it into an ETag with ``etag_for`` and asks
``not_modified`` whether the browser already has it. The ETag covers the htmx variant (HX-Target) and the
language, so a fragment and a full page, or Chinese and English, never share one (htmx docs on caching).
Such responses are ``Cache-Control: private, no-cache``: the browser may keep them but must revalidate every time.
"""

from __future__ import annotations

import hashlib

from flask import Response, make_response, request
from flask_babel import get_locale

from .htmx import add_vary

REVALIDATE = "private, no-cache"
# Sent by elements that poll on their own (``hx-headers='{"X-Poll": "1"}'``): such a request is not user activity,
# so it must not keep an idle session alive (auth/sessions.py). It can only make a session end sooner.
POLL_HEADER = "X-Poll"


def is_background_poll() -> bool:
    return bool(request.headers.get(POLL_HEADER))


def etag_for(*parts: object) -> str:
    """A strong ETag over ``parts`` plus the request's htmx target and the interface language."""
    raw = "|".join(str(part) for part in (*parts, request.headers.get("HX-Target", ""), get_locale() or ""))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def not_modified(etag: str) -> Response | None:
    """A 304 answer when the request's If-None-Match already names ``etag``; None when the body must be sent."""
    if etag not in request.if_none_match:
        return None
    response = add_vary(make_response("", 304))
    return with_etag(response, etag)


def with_etag(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATE
    return response
