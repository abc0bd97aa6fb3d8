"""The documented backup and its restore drill (issue 20): a database with data and files, backed up with
scripts/backup.py, restored into an empty database by scripts/restore_drill.py, every count and file checked.

It needs PostgreSQL on 127.0.0.1:5432 (.ci/run starts it; both CI runs have it) whatever TEST_DATABASE_URL is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from stations import create_app
from stations.config import TestConfig
from stations.demo import seed_demo
from stations.extensions import db

REPO = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_available() -> bool:
    try:
        engine = create_engine(ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not postgres_available() and os.environ.get("CI") != "true",
    reason="PostgreSQL is not listening on 127.0.0.1:5432 (required when CI=true)",
)


def drop(name: str) -> None:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def source(tmp_path):
    """A fresh database with the demo's reference data and accounts, and one stored file."""
    name = f"stations_backup_src_{uuid.uuid4().hex[:8]}"
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        seed_demo(cases=False)
        db.session.commit()
        db.engine.dispose()
    instance = tmp_path / "instance"
    (instance / "uploads" / "2026").mkdir(parents=True)
    (instance / "uploads" / "2026" / "material.pdf").write_bytes(b"%PDF-1.4 test material\n")
    yield url, instance
    drop(name)


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), *args], capture_output=True, text=True, timeout=300
    )


def test_backup_then_restore_drill_into_an_empty_database(source, tmp_path):
    url, instance = source
    made = run("backup.py", "--database-url", url, "--instance", str(instance), "--out", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip())
    target = f"stations_restore_drill_{uuid.uuid4().hex[:8]}"
    try:
        drill = run("restore_drill.py", str(backup_dir), "--admin-url", ADMIN_URL, "--database", target)
        assert drill.returncode == 0, drill.stdout + drill.stderr
        assert "restore drill: OK" in drill.stdout and "1 files checked" in drill.stdout
        again = run("restore_drill.py", str(backup_dir), "--admin-url", ADMIN_URL, "--database", target)
        assert again.returncode != 0 and "exists" in again.stderr + again.stdout  # never restores over a database
    finally:
        drop(target)


def test_the_drill_reports_a_missing_file(source, tmp_path):
    url, instance = source
    made = run("backup.py", "--database-url", url, "--instance", str(instance), "--out", str(tmp_path / "backups"))
    backup_dir = Path(made.stdout.strip())
    manifest = backup_dir / "manifest.json"
    manifest.write_text(
        manifest.read_text().replace('"files": {', '"files": {"lost.pdf": {"bytes": 1, "sha256": "x"}, ')
    )
    target = f"stations_restore_drill_{uuid.uuid4().hex[:8]}"
    try:
        drill = run("restore_drill.py", str(backup_dir), "--admin-url", ADMIN_URL, "--database", target)
        assert drill.returncode == 1 and "file lost.pdf: missing or different" in drill.stdout
    finally:
        drop(target)
