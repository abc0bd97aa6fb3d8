"""`flask jobs ...`: run a task now, tick the schedule, and the RQ worker and cron processes for REDIS_URL hosts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .queue import QUEUE_NAME, enqueue, recent_runs, run_due
from .tasks import TASKS

jobs_group = AppGroup("jobs", help="Background and timed work (RQ with REDIS_URL, else in the app).")


@jobs_group.command("run")
@click.argument("task", type=click.Choice(sorted(TASKS)))
def run_command(task: str) -> None:
    """Queue TASK now (runs here, inline, without Redis)."""
    current_app.config["JOBS_RUNNER"] = current_app.config.get("JOBS_RUNNER") or (
        "rq" if current_app.config.get("REDIS_URL") else "inline"
    )
    run = enqueue(task)
    click.echo(f"job run {run.id} ({task}): {run.status.value} {run.result or ''}".rstrip())


@jobs_group.command("tick")
def tick_command() -> None:
    """Run the periodic tasks whose slot is due (for a system cron on hosts without the in-app schedule)."""
    for key in run_due():
        click.echo(key)


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """An RQ worker for this app's queue (REDIS_URL); run several, under systemd with Restart=always."""
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=burst, with_scheduler=True)


@jobs_group.command("cron")
def cron_command() -> None:
    """RQ's cron process: every minute it queues the schedule's tick (each slot still runs once)."""
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis.from_url(current_app.config["REDIS_URL"]))
    scheduler.register(func_name="stations.worker.run_periodic", queue_name=QUEUE_NAME, interval=60)
    scheduler.start()


@jobs_group.command("list")
def list_command() -> None:
    """The last runs, newest first."""
    for run in recent_runs(30):
        click.echo(f"{run.id}\t{run.task}\t{run.status.value}\t{run.attempts}\t{run.queued_at:%Y-%m-%d %H:%M:%S}")
