"""Behind a proxy and on several workers (issue 20): the client address, and limits counted once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from flask import Flask
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from stations import create_app
from stations.config import TestConfig
from stations.extensions import db
from stations.web.ratelimit_store import SQLiteFileStorage


def app_with(app: Flask, **overrides) -> Flask:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **overrides)
    return create_app(config)


def app_reporting_client_address(app: Flask, proxies: int) -> Flask:
    application = app_with(app, TRUSTED_PROXIES=proxies)

    @application.get("/test-only/remote-addr")
    def remote_addr():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    return application


@pytest.fixture
def apps(app) -> Iterator[dict[int, Flask]]:
    made = {proxies: app_reporting_client_address(app, proxies) for proxies in (0, 1)}
    yield made
    for application in made.values():
        with application.app_context():
            db.engine.dispose()


FORWARDED = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"}


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(apps):
    seen = apps[0].test_client().get("/test-only/remote-addr", headers=FORWARDED).get_json()
    assert seen == {"addr": "127.0.0.1", "scheme": "http"}


def test_client_address_behind_one_trusted_proxy(apps):
    # our proxy appends the address it saw; only that last hop is believed, never what the client wrote before it
    seen = apps[1].test_client().get("/test-only/remote-addr", headers=FORWARDED).get_json()
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}


def _hit(path: str, tries: int, results) -> None:
    limiter = FixedWindowRateLimiter(SQLiteFileStorage(f"stationsfile://{path}"))
    limit = parse("60/minute")
    results.put(sum(1 for _ in range(tries) if limiter.hit(limit, "login", "198.51.100.7")))


def test_a_limit_is_enforced_once_across_two_worker_processes(tmp_path):
    """Two processes (as gunicorn's two workers) share the counters: 60 a minute means 60 in all, not 60 each."""
    path = tmp_path / "ratelimits.sqlite"
    SQLiteFileStorage(f"stationsfile://{path}")  # create the file before the race
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_hit, args=(str(path), 50, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    allowed = [results.get(timeout=5) for _ in workers]
    assert sum(allowed) == 60, allowed


def test_the_file_storage_counts_expires_and_clears(tmp_path):
    storage = SQLiteFileStorage(f"stationsfile://{tmp_path / 'limits.sqlite'}")
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > 0
    assert storage.incr("short", 0) == 1 and storage.get("short") == 0  # an expired window starts again
    assert storage.incr("short", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    storage.reset()
    assert storage.get("short") == 0


def test_default_storage_is_shared_not_per_worker():
    from stations.config import Config

    assert Config.RATELIMIT_STORAGE_URI.startswith(("stationsfile://", "redis://", "rediss://"))


def test_healthz_reports_redis_when_configured(app, login_as, monkeypatch):
    """The machine's Redis on 127.0.0.1:6379 (started by .ci/run when down), then a port nobody listens on."""
    client = app.test_client()
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    body = client.get("/healthz").get_json()
    assert {key: body[key] for key in ("status", "database", "redis")} == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    assert set(body["queue"]) == {"queued", "started", "failed"}  # the RQ queue's figures (issue 20)
    admin_metrics = login_as("admin").get("/metrics").get_data(as_text=True)
    assert 'stations_rq_jobs{registry="queued"}' in admin_metrics  # queue depth for the scraper too
    assert all(isinstance(n, int) for n in body["queue"].values())
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["redis"] == "error"


def test_metrics_for_operators_only(app, login_as, client, monkeypatch):
    admin = login_as("admin")
    admin.get("/catalog/")
    body = admin.get("/metrics").get_data(as_text=True)
    assert 'stations_http_requests_total{endpoint="catalog.index",method="GET",status="200"}' in body
    assert "stations_http_request_seconds_bucket" in body and "stations_outbox_lag_seconds" in body
    assert 'stations_job_runs{status="QUEUED"}' in body and 'stations_job_runs{status="FAILED"}' in body
    assert login_as("staff-ll").get("/metrics").status_code == 404
    assert client.get("/metrics").status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-secret")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    scraped = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"
