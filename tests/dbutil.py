"""Test databases: the URL to use and how to empty it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_TMP = Path(tempfile.mkdtemp(prefix="stations-tests-"))


def test_database_url(suffix: str = "") -> str:
    """TEST_DATABASE_URL (PostgreSQL in CI) or a temporary SQLite file.

    ``suffix`` names a separate database (the browser tests' live server needs its own).
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{_TMP / f'test{suffix}.db'}"
    if not suffix:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}{suffix}"
    ensure_postgres_database(url, name)
    return parsed.set(database=name).render_as_string(hide_password=False)


def ensure_postgres_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def reset_database(url: str) -> None:
    """Drop everything in the database so that a run starts from nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            candidate.unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
