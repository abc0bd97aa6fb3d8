"""Liveness and readiness: the app, its database and, when configured, Redis answer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db
from .jobs.queue import rq_figures

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return False
    return True


def _redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@bp.route("/healthz")
def healthz():
    """200 ``{"status": "ok"}`` (contract.md) when every configured part answers, 503 when one does not; with more
    parts than the database configured (Redis), each is named with its own state, and the job queue's figures
    follow (failed jobs are for /admin/jobs and /metrics to show: they do not make the app unready)."""
    checks = {"database": _database_ok()}
    redis_url = current_app.config.get("REDIS_URL")
    queue = None
    if redis_url:
        checks["redis"] = _redis_ok(redis_url)
        queue = rq_figures(current_app) if checks["redis"] else None  # without Redis the database is the queue
    healthy = all(checks.values())
    body: dict = {"status": "ok" if healthy else "error"}
    if len(checks) > 1 or not healthy:
        body.update({part: "ok" if ok else "error" for part, ok in checks.items()})
    if queue is not None:
        body["queue"] = queue
    return jsonify(body), 200 if healthy else 503
