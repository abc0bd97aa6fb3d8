"""Idempotent creates: the same submission key from the same caller returns the first result.

Every create (a page form or an API ``POST``) wears ``@idempotent("scope")`` under its route decorator. The key comes
from the ``Idempotency-Key`` header (API clients, the offline outbox) or the ``submission_key`` form field (page forms:
``{{ submission_key_input() }}`` renders it). Without a key the view simply runs.

The record is inserted in the view's own transaction (flush, no commit), so it commits together with what the view
creates or not at all; the response is stored right after. A concurrent duplicate therefore either waits on the
unique index (PostgreSQL) or on the write lock (SQLite, BEGIN IMMEDIATE), then finds the record and replays it.
Only successful responses (2xx and 3xx) are kept: a refused request created nothing, so retrying it is safe.
"""

from flask import Flask

from .service import idempotent, new_submission_key, purge_expired, submission_key_input

__all__ = ["idempotent", "init_app", "new_submission_key", "purge_expired", "submission_key_input"]


def init_app(app: Flask) -> None:
    """Templates render the hidden field with ``{{ submission_key_input() }}`` inside a create form."""
    app.jinja_env.globals["submission_key_input"] = submission_key_input
