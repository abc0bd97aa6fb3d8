"""Prometheus metrics for operators: requests by route, their latency, the job queue and the cross-region outbox.

Under gunicorn each worker is its own process; with ``PROMETHEUS_MULTIPROC_DIR`` set (``make run`` and
deploy/gunicorn.conf.py set it) prometheus_client keeps the counts in files there and a scrape adds up every worker.
Figures that live in the database (the outbox's backlog and lag) are read at scrape time, so any host answers the
same. Only administrators (signed in) or a scraper with ``Authorization: Bearer <METRICS_TOKEN>`` see it; for
everyone else the URL does not exist (404).
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from ..auth.models import Role
from ..crossregion.models import OutboxMessage, OutboxStatus
from ..extensions import db
from ..jobs.queue import rq_figures, status_counts
from ..timeutil import utcnow

bp = Blueprint("ops", __name__)

REQUESTS = Counter("stations_http_requests_total", "HTTP requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "stations_http_request_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("request_started")
        endpoint = request.endpoint or "unmatched"  # never the raw path: unbounded label values
        if started is not None and endpoint != "static":
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    return bool(getattr(current_user, "is_authenticated", False) and current_user.role is Role.ADMIN)


class _DatabaseFigures:
    """Collected at scrape time from the database: the same answer from every host."""

    def collect(self):
        pending = db.session.execute(
            select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == OutboxStatus.PENDING
            )
        ).one()
        failed = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.FAILED)
        )
        lag = (utcnow() - pending[1]).total_seconds() if pending[1] else 0.0
        yield GaugeMetricFamily(
            "stations_outbox_pending", "Cross-region messages waiting for delivery", value=pending[0]
        )
        yield GaugeMetricFamily("stations_outbox_failed", "Cross-region messages refused by the partner", value=failed)
        yield GaugeMetricFamily("stations_outbox_lag_seconds", "Age of the oldest undelivered message", value=lag)
        runs = GaugeMetricFamily("stations_job_runs", "Job runs by status (job_runs, any runner)", labels=["status"])
        for status, count in status_counts().items():
            runs.add_metric([status.value], count)
        yield runs
        queue = rq_figures(current_app)
        if queue is not None:  # REDIS_URL: the RQ queue's own depth
            depth = GaugeMetricFamily("stations_rq_jobs", "Jobs in the RQ queue's registries", labels=["registry"])
            for registry, count in queue.items():
                depth.add_metric([registry], count)
            yield depth


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    figures = CollectorRegistry()
    figures.register(_DatabaseFigures())
    body += generate_latest(figures)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
