"""Long exports as jobs on the job queue, with their state and finished file in the database (issue 20).

Any app host can therefore answer the progress poll and serve the file, whichever host started the export and
whichever process wrote it (models.py says why the database rather than a shared directory).

- ``start`` records an ``ExportJob`` and enqueues the ``dashboard.export`` task (stations/jobs): on RQ with
  REDIS_URL, in a thread of the app without it (``make run``), inline in the tests.
- ``export_job`` streams the rows into a temporary file on the worker's host, reporting progress (and the job
  run's heartbeat) on a connection of its own every ``PROGRESS_EVERY`` rows, then stores the file's chunks and
  "done" in ONE transaction: a run that dies half-way leaves no chunk, and the retry (RQ's, or the in-app
  schedule's rescue of a run whose beat stopped) writes the file once. A run finding the export done does nothing.
- Files are bounded (``EXPORT_MAX_BYTES``: larger ones fail, without retry) and expire after ``MAX_AGE_SECONDS``
  (purged at each start and daily); a job belongs to the user who started it: for anyone else it does not exist.
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select, update

from ..auth.models import User
from ..database import write_intent, write_now
from ..extensions import db
from ..jobs import enqueue
from ..jobs.queue import beat
from ..timeutil import utcnow
from . import case_exports, exports
from .models import ExportChunk, ExportJob

log = logging.getLogger(__name__)

RUNNING, DONE, FAILED = "running", "done", "failed"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_AGE_SECONDS = 3600
STALE_SECONDS = 1800  # no sign of life for this long and no retry came: shown as failed
PROGRESS_EVERY = case_exports.CHUNK_ROWS
CHUNK_BYTES = 1 << 20
MAX_BYTES = 256 << 20  # default of EXPORT_MAX_BYTES


class TooLarge(Exception):
    pass


@dataclass
class Job:
    """What the progress component shows."""

    token: str
    user_id: int
    table: str
    fmt: str
    total: int
    written: int
    status: str
    filename: str
    size: int = 0

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, int(100 * self.written / self.total)) if self.total else 0


def _view(row: ExportJob, now: datetime | None = None) -> Job:
    status = row.status
    if status == RUNNING and (now or utcnow()) - row.updated_at > timedelta(seconds=STALE_SECONDS):
        status = FAILED
    return Job(row.token, row.user_id, row.table_name, row.fmt, row.total, row.written, status, row.filename, row.size)


def _row(token: str) -> ExportJob | None:
    if not TOKEN_RE.match(token):
        return None
    return db.session.scalar(select(ExportJob).where(ExportJob.token == token))


def _expired(row: ExportJob, now: datetime) -> bool:
    return now - row.created_at > timedelta(seconds=MAX_AGE_SECONDS)


def job_for(user: User, token: str) -> Job | None:
    """The job ``token`` if ``user`` started it and it has not expired, else None."""
    row = _row(token)
    now = utcnow()
    if row is None or row.user_id != user.id or _expired(row, now):
        return None
    return _view(row, now)


def purge(now: datetime | None = None) -> int:
    """Remove the exports (state and file) older than MAX_AGE_SECONDS; returns how many. Flushes."""
    cutoff = (now or utcnow()) - timedelta(seconds=MAX_AGE_SECONDS)
    old = select(ExportJob.id).where(ExportJob.created_at < cutoff)
    db.session.execute(delete(ExportChunk).where(ExportChunk.export_id.in_(old)))
    return db.session.execute(delete(ExportJob).where(ExportJob.created_at < cutoff)).rowcount


def purge_job() -> str:
    removed = purge()
    db.session.commit()
    return f"{removed} expired export(s) removed"


def _running_twin(user: User, table: str, fmt: str, args: Mapping[str, str]) -> ExportJob | None:
    """The same export already running for the same user (a double click starts nothing new)."""
    rows = db.session.scalars(
        select(ExportJob).where(
            ExportJob.user_id == user.id,
            ExportJob.table_name == table,
            ExportJob.fmt == fmt,
            ExportJob.status == RUNNING,
        )
    )
    return next((row for row in rows if dict(row.args or {}) == dict(args) and _view(row).status == RUNNING), None)


def start(user: User, table: str, fmt: str, args: Mapping[str, str], *, total: int, locale: str) -> Job:
    """Record the export and queue its job; return the job (already done when the runner is inline)."""
    purge()
    twin = _running_twin(user, table, fmt, args)
    if twin is not None:
        return _view(twin)
    row = ExportJob(
        token=secrets.token_urlsafe(24),
        user_id=user.id,
        table_name=table,
        fmt=fmt,
        args=dict(args),
        locale=locale,
        total=total,
        filename=exports.filename(table, fmt),
    )
    db.session.add(row)
    db.session.commit()
    enqueue("dashboard.export", key=f"dashboard.export#{row.token}", token=row.token)
    db.session.refresh(row)
    return _view(row)


def _progress(export_id: int, written: int) -> None:
    """Progress and the run's heartbeat on a connection of their own: the session is streaming the rows."""
    with db.engine.begin() as connection:
        connection.execute(
            update(ExportJob).where(ExportJob.id == export_id).values(written=written, updated_at=utcnow())
        )
        beat(connection)


class _Counted:
    """Rows passed through, reporting progress every PROGRESS_EVERY; ``written`` once they are exhausted."""

    def __init__(self, rows: Iterable[list], export_id: int) -> None:
        self.rows, self.export_id, self.written = rows, export_id, 0

    def __iter__(self) -> Iterator[list]:
        for row in self.rows:
            yield row
            self.written += 1
            if self.written % PROGRESS_EVERY == 0:
                _progress(self.export_id, self.written)


def _store(row: ExportJob, path: Path) -> int:
    """Replace the export's chunks with the file's, in the session's transaction; returns the size."""
    size = path.stat().st_size
    if size > current_app.config.get("EXPORT_MAX_BYTES", MAX_BYTES):
        raise TooLarge(f"{size} bytes")
    db.session.execute(delete(ExportChunk).where(ExportChunk.export_id == row.id))
    with path.open("rb") as file:
        seq = 0
        while data := file.read(CHUNK_BYTES):
            db.session.add(ExportChunk(export_id=row.id, seq=seq, data=data))
            db.session.flush()  # one chunk in memory at a time (the session keeps flushed rows weakly)
            seq += 1
    return size


def export_job(*, token: str) -> str:
    """The ``dashboard.export`` task: write export ``token``'s file, once (module docstring)."""
    row = _row(token)
    if row is None:
        return "expired"
    if row.status == DONE:
        return "already done"
    user = db.session.get(User, row.user_id)
    if user is None:
        raise LookupError(f"user {row.user_id} is gone")
    export_id, fmt, table, args, locale = row.id, row.fmt, row.table_name, dict(row.args or {}), row.locale
    write_now(lambda: _mark(export_id, status=RUNNING, written=0, error=None))
    beat()
    try:
        with tempfile.TemporaryDirectory(prefix="stations-export-") as tmp:
            part = Path(tmp) / f"export.{fmt}"
            reading = write_intent.set(False)  # a long read must not hold SQLite's write lock (jobs.queue.execute)
            try:
                with force_locale(locale):
                    counted = _Counted(case_exports.iter_rows(table, user, args), export_id)
                    exports.write_file(fmt, part, table, case_exports.headers(table), counted)
            finally:
                write_intent.reset(reading)
            written = counted.written
            size = write_now(lambda: _finish(export_id, part, written))  # the file and "done" together
    except TooLarge as error:
        _fail(export_id, f"too large: {error}")
        return f"failed: too large ({error})"  # no retry: it would be as large again
    except Exception as error:
        log.exception("export %s (%s.%s) failed", token, table, fmt)
        _fail(export_id, repr(error))
        raise  # the queue retries it
    return f"{table}.{fmt}: {written} rows, {size} bytes"


# Writes go through write_now (a short write transaction of their own, retried while SQLite is busy): the job
# runs beside web requests that write, and a stale read snapshot cannot be upgraded to a write on SQLite.
def _mark(export_id: int, **values) -> None:
    db.session.execute(update(ExportJob).where(ExportJob.id == export_id).values(updated_at=utcnow(), **values))


def _finish(export_id: int, part: Path, written: int) -> int:
    size = _store(db.session.get(ExportJob, export_id), part)
    _mark(export_id, status=DONE, total=written, written=written, size=size)
    return size


def _fail(export_id: int, error: str) -> None:
    db.session.rollback()
    write_now(
        lambda: db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == export_id, ExportJob.status != DONE)  # a twin run that finished keeps its file
            .values(status=FAILED, error=error[:300], updated_at=utcnow())
        )
    )


def chunks(token: str) -> Iterator[bytes]:
    """The finished file's bytes, one chunk read at a time (flat memory, whatever the size)."""
    export_id = db.session.scalar(select(ExportJob.id).where(ExportJob.token == token))
    seq = 0
    while (data := db.session.scalar(select(ExportChunk.data).filter_by(export_id=export_id, seq=seq))) is not None:
        yield data
        seq += 1
