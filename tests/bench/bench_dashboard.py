"""Benchmark: the central office's live board, its tile poll and each period-figure page at 1k, 100k and 1M cases.

Not a test (pytest does not collect tests/bench). Seeding a million cases takes a while, so the databases are kept
between runs: one per size and engine, named ``bench_dash_<size>`` (PostgreSQL) or ``<dir>/bench_dash_<size>.db``
(SQLite). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_dashboard prepare --size 1000000                     # SQLite
    .venv/bin/python -m tests.bench.bench_dashboard prepare --size 1000000 --postgres
    .venv/bin/python -m tests.bench.bench_dashboard measure --sizes 1000,100000,1000000 [--postgres] [--explain]

``prepare`` builds the demo database when the target is empty, tops the synthetic cases up to ``--size`` and
creates any table or index the models gained since (so a kept database follows the code), then rebuilds the period
figures' daily roll-ups (dashboard/rollups.py) when their totals do not match the cases and ratings (a database kept
from before the roll-ups, or written to with Core since). ``measure`` sends
``--requests`` requests per URL as ``central`` through the Flask test client (routing + SQL + rendering, no HTTP
server) and prints the median and 95th percentile in milliseconds and the SQL statements per request.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event, func, inspect, select

from stations.cases.models import Case
from stations.dashboard.rollup_rebuild import rebuild_rollups
from stations.dashboard.rollups import DailyCaseFigures, DailyRatingFigures
from stations.demo.scale import seed_synthetic_cases
from stations.extensions import db
from stations.ratings.models import Rating
from tests.dbutil import ensure_postgres_database
from tests.helpers.suite import AuthActions, build_database, make_test_app

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SQLITE_DIR = Path("/tmp/stations-bench-dash")


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"


def database_url(size: int, postgres: bool) -> str:
    name = f"bench_dash_{label(size)}"
    if postgres:
        ensure_postgres_database(PG_ADMIN, name)
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{SQLITE_DIR / (name + '.db')}"


def bring_schema_up_to_date(app: Flask) -> None:
    """Create the tables, columns and indexes the models gained since the database was built."""
    with app.app_context():
        db.create_all()
        existing = {
            table: {ix["name"] for ix in inspect(db.engine).get_indexes(table)}
            for table in inspect(db.engine).get_table_names()
        }
        for table in db.metadata.sorted_tables:
            # Columns other work added since (kept databases only): added as nullable, enough for reading.
            present = {column["name"] for column in inspect(db.engine).get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=db.engine.dialect)
                    with db.engine.begin() as conn:
                        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                    print(f"  column {table.name}.{column.name} added")
            for index in table.indexes:
                if index.name not in existing.get(table.name, set()):
                    started = time.perf_counter()
                    index.create(db.engine)
                    print(f"  index {index.name} created in {time.perf_counter() - started:.1f} s")


def prepare(size: int, postgres: bool) -> Flask:
    url = database_url(size, postgres)
    app = make_test_app(url)
    with app.app_context():
        empty = "stations" not in inspect(db.engine).get_table_names()
    if empty:
        started = time.perf_counter()
        build_database(app)
        print(f"{url}: demo database in {time.perf_counter() - started:.1f} s")
    with app.app_context():
        started = time.perf_counter()
        added = seed_synthetic_cases(size)
        db.session.commit()
        if added:
            print(f"{url}: {added:,} synthetic cases added in {time.perf_counter() - started:.1f} s")
    bring_schema_up_to_date(app)
    with app.app_context():
        # A kept database built before the roll-ups existed (or written to by Core since): recount them.
        totals = (
            select(func.coalesce(func.sum(DailyCaseFigures.received), 0)),
            select(func.count(Case.id)),
            select(func.coalesce(func.sum(DailyRatingFigures.rated), 0)),
            select(func.count(Rating.id)).where(Rating.is_invalidated.is_(False)),
        )
        rolled_cases, cases, rolled_ratings, ratings = (db.session.scalar(stmt) for stmt in totals)
        if (rolled_cases, rolled_ratings) != (cases, ratings):
            rebuild_rollups(report=lambda line: print(f"{url}:{line}"))
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
    return app


def targets() -> list[tuple[str, str]]:
    return [
        ("board /dashboard", "/dashboard"),
        ("tile poll (200)", "/dashboard/tiles/LL"),
        ("tile poll (304)", "/dashboard/tiles/LL#304"),
        ("station drill-down", "/dashboard/stations/LL"),
        ("clerk load", "/dashboard/clerks"),
        ("figures: month", "/dashboard/figures?period=month"),
        ("figures: quarter", "/dashboard/figures?period=quarter"),
        ("figures: year", "/dashboard/figures?period=year"),
        ("figures: custom (13 months)", "/dashboard/figures?from=2025-11-01&to=2026-11-30"),
        ("API metrics/stations", "/api/v1/metrics/stations"),
        ("API metrics/period (year)", "/api/v1/metrics/period?from=2026-01-01&to=2026-12-31"),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(app: Flask, requests: int, explain: bool) -> list[tuple[str, float, float, str]]:
    with app.app_context():
        engine = db.engine
        total = db.session.scalar(select(func.count(Case.id)))
    statements: list[tuple[str, object]] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", on_execute)
    client = app.test_client()
    assert AuthActions(client).login("central").status_code == 303
    print(f"\n== {engine.dialect.name}: {total:,} cases ==")
    print(f"  {'what':<28} {'median ms':>9} {'p95 ms':>8} {'SQL/req':>8}  status")
    results = []
    for what, url in targets():
        headers = {"HX-Request": "true"} if "/tiles/" in url else {}
        if url.endswith("#304"):
            url = url[:-4]
            etag = client.get(url, headers=headers).headers["ETag"]
            headers = {**headers, "If-None-Match": etag}
        for _ in range(2):  # warm-up: templates, statement cache, connection pool
            client.get(url, headers=headers).get_data()
        timings, counts, status = [], [], None
        for _ in range(requests):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            response.get_data()
            timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
            status = response.status_code
        sql = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        median = statistics.median(timings)
        print(f"  {what:<28} {median:9.1f} {percentile(timings, 0.95):8.1f} {sql:>8}  {status}")
        results.append((what, median, percentile(timings, 0.95), sql))
        if explain:
            print_plans(engine, statements)
    event.remove(engine, "before_cursor_execute", on_execute)
    return results


def print_plans(engine, statements) -> None:
    with engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT") or not any(
                table in statement for table in ("cases", "dash_daily", "xr_transfers", "deficiencies", "ratings")
            ):
                continue
            if conn.dialect.name == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                lines = [row[-1] for row in rows]
            else:
                rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).all()
                lines = [row[0] for row in rows]
            print(f"      > {' '.join(statement.split())[:140]}")
            for line in lines:
                print(f"      | {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("prepare", "measure"))
    parser.add_argument("--size", type=int, default=1000, help="prepare: synthetic cases to top up to")
    parser.add_argument("--sizes", default="1000,100000,1000000", help="measure: the prepared sizes")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL bench_dash_<size> (default: SQLite)")
    parser.add_argument("-n", "--requests", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="print the query plans of every request")
    options = parser.parse_args()
    if options.command == "prepare":
        prepare(options.size, options.postgres)
        return
    for size in (int(value) for value in options.sizes.split(",")):
        app = prepare(size, options.postgres)
        measure(app, options.requests, options.explain)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
