"""Restore drill: restore a backup of scripts/backup.py into an EMPTY database and a scratch folder, then check it.

    .venv/bin/python scripts/restore_drill.py backups/stations-20261204T210000Z \
        --admin-url postgresql://postgres@127.0.0.1:5432/postgres --database stations_restore_drill

Creates the database (refuses one that exists: a drill never overwrites), runs pg_restore, extracts the files,
and compares the row count of every table and the size and sha256 of every file with the backup's manifest. It
prints one line per table that differs and a summary, and exits 1 on any difference: keep its output as the
restore-test record (等保 8.1.4.9).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backup import file_digests, libpq_url, row_counts, tool


def create_empty_database(admin_url: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                raise SystemExit(f"database {name} exists: a drill restores into a new, empty database only")
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drill(backup_dir: Path, admin_url: str, database: str, files_to: Path) -> list[str]:
    """Restore, then the list of differences from the manifest (empty: the restore is complete)."""
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    url = create_empty_database(admin_url, database)
    subprocess.run(  # noqa: S603 - fixed program, arguments from the operator
        [
            tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={libpq_url(url)}",
            str(backup_dir / "database.dump"),
        ],
        check=True,
    )
    with tarfile.open(backup_dir / "files.tar.gz") as archive:
        archive.extractall(files_to, filter="data")
    problems = []
    restored = row_counts(url)
    for table, count in manifest["tables"].items():
        if restored.get(table) != count:
            problems.append(f"table {table}: {restored.get(table)} rows restored, {count} backed up")
    restored_files = file_digests(files_to / "uploads")
    for name, facts in manifest["files"].items():
        if restored_files.get(name) != facts:
            problems.append(f"file {name}: missing or different")
    print(
        f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, {len(manifest['files'])} files checked"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backup", type=Path)
    parser.add_argument("--admin-url", required=True, help="a database URL on the server with CREATE DATABASE rights")
    parser.add_argument("--database", default="stations_restore_drill")
    parser.add_argument("--files-to", type=Path, default=None)
    args = parser.parse_args()
    files_to = args.files_to or Path(tempfile.mkdtemp(prefix="stations-restore-"))
    problems = drill(args.backup, args.admin_url, args.database, files_to)
    for problem in problems:
        print(problem)
    print("restore drill: OK" if not problems else f"restore drill: {len(problems)} difference(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
