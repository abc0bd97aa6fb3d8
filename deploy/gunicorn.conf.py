"""gunicorn settings for an app host behind nginx (deploy/nginx.conf). `make run` passes the same flags itself.

Sync workers: the pages are short and database-bound, and tooling.md measured the gthread worker taking every
keep-alive connection into one worker. Everything can be overridden with GUNICORN_* style environment variables
read below, so one file serves every host.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 60  # long exports run as jobs, never in a request
graceful_timeout = 30
keepalive = 5  # a little longer than nginx's upstream keepalive_timeout would be wrong; nginx closes first
# The app is built once in the master and the workers forked from it (the database pools and the limiter's SQLite
# connection are forgotten in the child: stations/database.py, web/ratelimit_store.py). Without it each recycled
# worker imported and built the app again, a second and a half in which that worker served nothing: at 2,000
# requests a worker, measured as half of /healthz's throughput and a p99 of 2 s (issue 21).
preload_app = True
max_requests = 10000  # recycle workers now and then (memory of large uploads)
# Half of max_requests: workers that share the load evenly reach their limits together unless the limits differ
# widely. With 1,000, both workers of the benchmark were replaced within the same second, and nobody answered for
# 0.8 s (issue 21).
max_requests_jitter = 5000
control_socket_disable = True  # gunicorn 27's shared control socket (tooling.md)
accesslog = "-"
# The request id nginx sets (X-Request-ID) in every access line, beside the client address nginx saw.
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}i)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Before the first worker is forked: configure the mappers and compile the templates in the master, so every
    worker starts with them (stations/web/warmup.py)."""
    if server.cfg.preload_app:
        from stations.web.warmup import warm_up

        warm_up(server.app.wsgi())


def child_exit(server, worker):
    """A worker's Prometheus files stop counting as live when it exits (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
