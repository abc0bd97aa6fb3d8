"""Background export jobs whose state lives in files, so that any gunicorn worker can answer for them.

A job is two files in ``EXPORT_DIR`` (default ``instance/exports``):
- ``<token>.json``: who started it, what, and how far it got. Always replaced atomically (write a temporary
  file, then ``os.replace``), so a reader in another worker sees the old state or the new one, never half;
- ``<token>.<fmt>``: the finished file, renamed into place from ``<token>.<fmt>.part`` once complete.

The worker that starts a job runs it in a daemon thread with its own app context (hence its own database
session); tests inject the ``inline`` runner through ``EXPORT_RUNNER``. If that worker dies (restart, crash),
the state stops moving and is reported as failed after ``STALE_SECONDS``. Files older than ``MAX_AGE_SECONDS``
are removed whenever a new job starts. A job belongs to the user who started it: for anyone else it does not
exist (the views answer 404).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale

from ..auth.models import User
from ..extensions import db
from ..timeutil import epoch_seconds
from . import case_exports, exports

log = logging.getLogger(__name__)

RUNNING, DONE, FAILED = "running", "done", "failed"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_AGE_SECONDS = 3600
STALE_SECONDS = 300  # no progress for this long: the worker running the job is gone
PROGRESS_EVERY = case_exports.CHUNK_ROWS


@dataclass
class Job:
    token: str
    user_id: int
    table: str
    fmt: str
    args: dict[str, str]
    locale: str
    total: int
    written: int = 0
    status: str = RUNNING
    filename: str = ""
    created: float = field(default_factory=epoch_seconds)
    updated: float = field(default_factory=epoch_seconds)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, int(100 * self.written / self.total)) if self.total else 0


def export_dir() -> Path:
    configured = current_app.config.get("EXPORT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _state_path(directory: Path, token: str) -> Path:
    return directory / f"{token}.json"


def output_path(directory: Path, job: Job) -> Path:
    return directory / f"{job.token}.{job.fmt}"


def save(directory: Path, job: Job) -> None:
    """Replace the job's state file atomically."""
    job.updated = epoch_seconds()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{job.token}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(asdict(job), file, ensure_ascii=False)
        os.replace(tmp, _state_path(directory, job.token))
        _stamp(_state_path(directory, job.token), job.updated)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stamp(path: Path, moment: float) -> None:
    """Date the file by the app's clock: cleanup() ages files by that clock, not the filesystem's."""
    os.utime(path, (moment, moment))


def load(directory: Path, token: str) -> Job | None:
    if not TOKEN_RE.match(token):
        return None
    try:
        job = Job(**json.loads(_state_path(directory, token).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):  # missing, or written by another version of the app
        return None
    if job.status == RUNNING and epoch_seconds() - job.updated > STALE_SECONDS:
        job.status = FAILED
    return job


def job_for(user: User, token: str) -> Job | None:
    """The job ``token`` if ``user`` started it, else None (another user's job does not exist for them)."""
    job = load(export_dir(), token)
    if job is None or job.user_id != user.id:
        return None
    return job


def cleanup(directory: Path, *, now: float | None = None, max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove export files (states, outputs, leftovers) older than ``max_age`` seconds; return how many."""
    now = now or epoch_seconds()
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker cleaned it up first
            continue
    return removed


def _running_twin(directory: Path, user: User, table: str, fmt: str, args: Mapping[str, str]) -> Job | None:
    """The same export already running for the same user (a double click starts nothing new)."""
    wanted = (user.id, table, fmt, dict(args))
    for path in directory.glob("*.json"):
        job = load(directory, path.stem)
        if job and job.status == RUNNING and (job.user_id, job.table, job.fmt, job.args) == wanted:
            return job
    return None


def start(user: User, table: str, fmt: str, args: Mapping[str, str], *, total: int, locale: str) -> Job:
    """Create the job's state and hand it to the configured runner; return the job (maybe already done)."""
    directory = export_dir()
    cleanup(directory)
    twin = _running_twin(directory, user, table, fmt, args)
    if twin is not None:
        return twin
    job = Job(
        token=secrets.token_urlsafe(24),
        user_id=user.id,
        table=table,
        fmt=fmt,
        args=dict(args),
        locale=locale,
        total=total,
        filename=exports.filename(table, fmt),
    )
    save(directory, job)
    runner = RUNNERS[current_app.config.get("EXPORT_RUNNER", "thread")]
    runner(current_app._get_current_object(), directory, job.token)
    return load(directory, job.token) or job


def _counted(rows: Iterable[list], directory: Path, job: Job) -> Iterator[list]:
    """Pass rows through, saving the count written every PROGRESS_EVERY rows."""
    written = 0
    for row in rows:
        yield row
        written += 1
        if written % PROGRESS_EVERY == 0:
            job.written = written
            save(directory, job)
    job.written = written


def run(directory: Path, token: str) -> None:
    """Write the export of job ``token`` (needs an app context); its state says done or failed at the end."""
    job = load(directory, token)
    if job is None:
        return
    part = directory / f"{token}.{job.fmt}.part"
    try:
        user = db.session.get(User, job.user_id)
        if user is None:
            raise LookupError(f"user {job.user_id} is gone")
        with force_locale(job.locale):
            headers = case_exports.headers(job.table)
            rows = case_exports.iter_rows(job.table, user, job.args)
            exports.write_file(job.fmt, part, job.table, headers, _counted(rows, directory, job))
        os.replace(part, output_path(directory, job))
        _stamp(output_path(directory, job), epoch_seconds())
        job.total = job.written  # the cases may have changed since the count
        job.status = DONE
    except Exception:
        log.exception("export job %s (%s.%s) failed", token, job.table, job.fmt)
        part.unlink(missing_ok=True)
        job.status = FAILED
    save(directory, job)


def _inline_runner(app: Flask, directory: Path, token: str) -> None:
    """Run the job in the request (tests: the per-test transaction's session sees the test's cases)."""
    run(directory, token)


def _thread(app: Flask, directory: Path, token: str) -> None:
    with app.app_context():  # its own context, hence its own session, removed when the context ends
        run(directory, token)


def _thread_runner(app: Flask, directory: Path, token: str) -> None:
    threading.Thread(target=_thread, args=(app, directory, token), name=f"export-{token[:8]}", daemon=True).start()


RUNNERS: dict[str, Callable[[Flask, Path, str], None]] = {"inline": _inline_runner, "thread": _thread_runner}
