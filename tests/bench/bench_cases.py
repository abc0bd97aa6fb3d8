"""Benchmark: the staff queue page and GET /api/v1/cases at a small and a large number of cases.

Not a test (pytest does not collect tests/bench). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_cases --cases 200000
    .venv/bin/python -m tests.bench.bench_cases --cases 200000 --explain
    .venv/bin/python -m tests.bench.bench_cases --cases 200000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/stations_bench

It builds the demo database (demo cases included) in a temporary SQLite file, or in the PostgreSQL database given
(which it EMPTIES first: its name must contain "bench" or "test"), tops the synthetic cases up to ``--small`` (200),
measures, tops them up to ``--cases``, and measures again. Each measurement sends ``--requests`` requests per URL
through the Flask test client (no HTTP server: the app's own cost, routing + SQL + rendering) and prints the median
and 95th percentile in milliseconds and the SQL statements per request. ``--explain`` prints the query plan of
each URL's main SELECT at the large size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask, url_for
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from stations.cases.models import Case
from stations.demo.scale import seed_synthetic_cases
from stations.extensions import db
from tests.dbutil import ensure_postgres_database, reset_database
from tests.helpers.suite import AuthActions, build_database, make_test_app


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def queue_url(app: Flask) -> str:
    """The staff queue page (cases.index) when the case pages exist, else the staff home page."""
    with app.test_request_context():
        endpoint = "cases.index" if "cases.index" in app.view_functions else "home.mine"
        return url_for(endpoint)


def targets(app: Flask) -> list[tuple[str, str, str]]:
    """(label, username, url) of every measured request."""
    queue = queue_url(app)
    return [
        (f"queue page {queue}", "staff-ll", queue),
        ("API list", "staff-ll", "/api/v1/cases"),
        ("API list", "central", "/api/v1/cases"),
        ("API list", "clerk-ll", "/api/v1/cases"),
        ("API list", "ent-gd", "/api/v1/cases"),
        ("API list, RED", "staff-ll", "/api/v1/cases?warn_level=RED"),
        ("API list, RED", "central", "/api/v1/cases?warn_level=RED"),
        ("API list, page 20", "central", "/api/v1/cases?page=20"),
    ]


class Recorder:
    def __init__(self, app: Flask):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[tuple[str, object]] = []
        event.listen(self.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def measure(app: Flask, recorder: Recorder, requests: int, explain: bool) -> None:
    with app.app_context():
        total = db.session.scalar(select(func.count(Case.id)))
    print(f"\n== {total:,} cases ==")
    print(f"  {'what':<30} {'user':<9} {'median ms':>9} {'p95 ms':>8} {'SQL/req':>8}  status")
    clients = {}
    for label, username, url in targets(app):
        if username not in clients:
            clients[username] = app.test_client()
            response = AuthActions(clients[username]).login(username)
            assert response.status_code == 303, f"login as {username}: {response.status_code}"
        client = clients[username]
        for _ in range(3):  # warm-up: templates, statement cache, connection pool
            client.get(url).get_data()
        timings: list[float] = []
        counts: list[int] = []
        status = None
        for _ in range(requests):
            recorder.statements.clear()
            started = time.perf_counter()
            response = client.get(url)
            response.get_data()
            timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(recorder.statements))
            status = response.status_code
        sql = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        print(
            f"  {label:<30} {username:<9} {statistics.median(timings):9.2f} {percentile(timings, 0.95):8.2f} "
            f"{sql:>8}  {status}"
        )
        if explain:
            print_plan(recorder)


def print_plan(recorder: Recorder) -> None:
    """The plans of the last request's SELECTs that read the cases table (joined tables' primary-key lookups
    left out), each after the first line of its statement."""
    selects = [(s, p) for s, p in recorder.statements if s.lstrip().upper().startswith("SELECT") and "FROM cases" in s]
    with recorder.engine.connect() as conn:
        for statement, parameters in selects:
            if conn.dialect.name == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                lines = [f"{'  ' * _depth(rows, row)}{row[-1]}" for row in rows if "PRIMARY KEY" not in row[-1]]
            else:
                rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).all()
                lines = [row[0] for row in rows]
            print(f"      > {' '.join(statement.split())[:110]}")
            for line in lines:
                print(f"      | {line}")


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def database_url(option: str | None, tmp: str) -> str:
    if not option:
        return f"sqlite:///{Path(tmp) / 'bench.db'}"
    parsed = make_url(option)
    name = parsed.database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to empty the database {name!r}: its name must contain 'bench' or 'test'")
    if parsed.get_backend_name() == "postgresql":
        admin = parsed.set(database="postgres").render_as_string(hide_password=False)
        ensure_postgres_database(admin, name)
    return option


def run(options: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="stations-bench-") as tmp:
        url = database_url(options.database_url, tmp)
        reset_database(url)
        app = make_test_app(url, UPLOAD_ROOT=str(Path(tmp) / "uploads"))
        started = time.perf_counter()
        build_database(app)
        print(
            f"{make_url(url).get_backend_name()}: demo database with demo cases in {time.perf_counter() - started:.1f} s"
        )
        recorder = Recorder(app)
        for size in (options.small, options.cases):
            with app.app_context():
                started = time.perf_counter()
                added = seed_synthetic_cases(size)
                db.session.commit()
                if added:
                    print(f"\n{added:,} synthetic cases added in {time.perf_counter() - started:.1f} s")
                if db.engine.dialect.name == "postgresql":  # autovacuum would do it soon; SQLite has no such job
                    db.session.execute(db.text("ANALYZE"))
                    db.session.commit()
            measure(app, recorder, options.requests, options.explain and size == options.cases)
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000, help="synthetic cases at the large size (200000)")
    parser.add_argument("--small", type=int, default=200, help="synthetic cases at the small size (200)")
    parser.add_argument("-n", "--requests", type=int, default=50, help="requests per URL and size (50)")
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied first!); default: a temporary SQLite file")
    parser.add_argument("--explain", action="store_true", help="print query plans at the large size")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
