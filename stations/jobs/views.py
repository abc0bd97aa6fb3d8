"""/admin/jobs: what ran, what runs, what failed (administrators), and "run now" for a task."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..auth.decorators import admin_required
from ..web.htmx import render
from .queue import QUEUE_NAME, enqueue, recent_runs, rq_queue, status_counts, unfinished_runs
from .tasks import NEEDS_ARGUMENTS, SCHEDULE, TASKS

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


def _rq_figures() -> dict[str, int] | None:
    """Queued, started and failed counts from RQ's registries when Redis is configured (None without)."""
    if not current_app.config.get("REDIS_URL"):
        return None
    from redis.exceptions import RedisError

    try:
        queue = rq_queue(current_app)
        return {
            "queued": queue.count,
            "started": queue.started_job_registry.count,
            "failed": queue.failed_job_registry.count,
        }
    except RedisError:
        return {"unreachable": 1}


@bp.get("/")
@admin_required
def index():
    return render(
        "admin/jobs.html",
        runs=recent_runs(100),
        unfinished=unfinished_runs(100),
        counts=status_counts(),
        rq=_rq_figures(),
        queue_name=QUEUE_NAME,
        tasks=sorted(set(TASKS) - NEEDS_ARGUMENTS),
        schedule=SCHEDULE,
    )


@bp.post("/run")
@admin_required
def run_now():
    task = request.form.get("task", "")
    if task not in TASKS or task in NEEDS_ARGUMENTS:
        flash(_("没有这个任务。"), "error")
        return redirect(url_for("jobs.index"), 303)
    enqueue(task)
    flash(_("已提交任务 %(task)s。", task=task), "success")
    return redirect(url_for("jobs.index"), 303)
