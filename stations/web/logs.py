"""Logging: one format for the whole app, every line of a request tagged with its request id.

``X-Request-ID`` is taken from the proxy when it sends a sane one, else made here, and returned on the response,
so a user's report ("it failed at 10:42", with the id from the error page's headers) finds its log lines. What is
logged besides errors: each failed outbox delivery (crossregion/delivery.py), each failed background job
(dashboard/export_jobs.py) and each refusal by the rate limiter (web/errors.py).
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request: the CLI, the outbox worker, job threads)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name("stations")
    return handler


def init_app(app: Flask) -> None:
    """The ``stations`` logger (the app's own, and every module's ``logging.getLogger(__name__)``)."""
    logger = logging.getLogger("stations")
    app.logger.removeHandler(default_handler)  # one handler, one format
    if not any(h.get_name() == "stations" for h in logger.handlers):
        logger.addHandler(_handler())
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex[:16]

    @app.after_request
    def return_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
