"""Rate-limit counters shared by every worker process without a separate service.

``make run`` serves with two gunicorn workers; Flask-Limiter's ``memory://`` storage would count each limit once per
worker (a limit of 120 a minute let 198 through). With ``REDIS_URL`` set the counters live in Redis (several hosts);
without it they live in a small SQLite file beside the database, which every worker on the host opens. The
fixed-window strategy (Flask-Limiter's default and ours) needs only these counters; the file is not the app's
database, so limit checks never contend with case writes.

URI: ``stationsfile:///absolute/path/ratelimits.sqlite``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import ClassVar

from limits.storage import Storage

_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"


class SQLiteFileStorage(Storage):
    STORAGE_SCHEME: ClassVar[list[str]] = ["stationsfile"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        self.path = Path(uri.split("://", 1)[1] or "ratelimits.sqlite")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as connection:
            connection.execute(_SCHEMA)
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            # A forked worker (gunicorn's preload_app) opens its own: SQLite forbids carrying a connection across
            # fork(), and the parent opened one to create the table.
            # autocommit mode; each increment is its own BEGIN IMMEDIATE, so workers queue instead of failing
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # counters may be lost in a power cut, never corrupted
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "INSERT INTO counters (key, hits, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                "hits = CASE WHEN expires_at <= ? THEN excluded.hits ELSE hits + excluded.hits END, "
                "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END",
                (key, amount, now + expiry, now, now),
            )
            hits = connection.execute("SELECT hits FROM counters WHERE key = ?", (key,)).fetchone()[0]
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(hits)

    def get(self, key: str) -> int:
        row = (
            self._connect()
            .execute("SELECT hits FROM counters WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connect().execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connect().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))
