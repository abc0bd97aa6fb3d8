"""RQ's entry point: ``flask jobs worker`` runs workers whose jobs call ``run_job(run_id)`` here.

It lives above every feature (it builds the whole app once per worker process), while stations/jobs stays below them.
"""

from __future__ import annotations

from functools import cache

from flask import Flask

from . import create_app
from .jobs.queue import execute, run_due


@cache
def _app() -> Flask:
    return create_app()


def run_job(run_id: int) -> None:
    with _app().app_context():
        execute(run_id)


def run_periodic() -> list[str]:
    """What `flask jobs cron` enqueues every minute: the due slots of the schedule, each once."""
    with _app().app_context():
        return run_due()
