"""Back up a Stations installation on PostgreSQL: the database (pg_dump, custom format) and the stored files.

    .venv/bin/python scripts/backup.py --database-url postgresql://user@host/db --instance instance --out backups/

writes ``<out>/stations-<UTC stamp>/`` with ``database.dump``, ``files.tar.gz`` (uploads and exports' parent, the
instance folder's ``uploads/``) and ``manifest.json`` (row counts per table and the files' sizes and sha256), which
``scripts/restore_drill.py`` checks a restore against. Run it from cron or a systemd timer; copy the folder
off-site (等保 8.1.4.9: local backup and restore, off-site copy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import make_url


def libpq_url(url: str) -> str:
    """pg_dump speaks libpq URLs: no "+psycopg" driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def tool(name: str) -> str:
    """The PostgreSQL client program's full path (Debian's postgresql-client)."""
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: install postgresql-client")
    return path


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            return {t: connection.execute(select(func.count()).select_from(table(t))).scalar_one() for t in tables}
    finally:
        engine.dispose()


def file_digests(root: Path) -> dict[str, dict[str, object]]:
    if not root.is_dir():
        return {}
    return {
        str(path.relative_to(root)): {
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup(database_url: str, instance: Path, out: Path) -> Path:
    target = out / f"stations-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    target.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - fixed program, arguments from the operator
        [
            tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={target / 'database.dump'}",
            libpq_url(database_url),
        ],
        check=True,
    )
    uploads = instance / "uploads"
    with tarfile.open(target / "files.tar.gz", "w:gz") as archive:
        if uploads.is_dir():
            archive.add(uploads, arcname="uploads")
    manifest = {"tables": row_counts(database_url), "files": file_digests(uploads)}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", type=Path, default=Path("instance"))
    parser.add_argument("--out", type=Path, default=Path("backups"))
    args = parser.parse_args()
    print(backup(args.database_url, args.instance, args.out))


if __name__ == "__main__":
    main()
