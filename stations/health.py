"""Liveness and readiness: the app, its database and, when configured, Redis answer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return False
    return True


def _queue_figures() -> dict[str, int] | None:
    """The RQ queue's depth, running and failed jobs (REDIS_URL only: without it jobs run inside the app, so the
    database answering is the queue answering); None when Redis does not answer."""
    from redis import RedisError

    from .jobs.queue import rq_queue

    try:
        queue = rq_queue(current_app)
        return {
            "queued": queue.count,
            "started": queue.started_job_registry.count,
            "failed": queue.failed_job_registry.count,
        }
    except RedisError:
        return None


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
        queue = _queue_figures() if checks["redis"] else None
    healthy = all(checks.values())
    body: dict = {"status": "ok" if healthy else "error"}
    if len(checks) > 1 or not healthy:
        body.update({part: "ok" if ok else "error" for part, ok in checks.items()})
    if queue is not None:
        body["queue"] = queue
    return jsonify(body), 200 if healthy else 503
