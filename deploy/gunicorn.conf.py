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
max_requests = 2000  # recycle workers now and then (memory of large uploads)
max_requests_jitter = 200
control_socket_disable = True  # gunicorn 27's shared control socket (tooling.md)
accesslog = "-"
# The request id nginx sets (X-Request-ID) in every access line, beside the client address nginx saw.
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}i)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A worker's Prometheus files stop counting as live when it exits (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
