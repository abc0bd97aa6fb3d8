"""Benchmark: catalogue search-as-you-type fragments through the Flask test client.

Not a test (pytest does not collect tests/bench). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_catalog            # N=200 fragment requests
    .venv/bin/python -m tests.bench.bench_catalog -n 1000

It builds the demo database in a temporary SQLite file, then sends the htmx requests that the
search box sends (HX-Target: item-table) for a rotating set of queries, and prints the median and
95th percentile time per request and the number of SQL statements per request. The test client
runs no HTTP server, so the figures are the app's own cost: routing, SQL, template, headers.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import event

from stations.extensions import db
from tests.helpers.suite import build_database, htmx_headers, make_test_app

# What people type, from one hit to a full page, over the whole catalogue and one station's scope.
QUERIES = [
    {"q": "sbk"},
    {"q": "社会保障卡"},
    {"q": "GG-SB-0005"},
    {"q": "登记"},
    {"q": "住房公积金 提取"},
    {"q": "zzzz"},
    {"kind": "committed"},
    {"q": "dj", "station": "LL"},
    {"dept": "SW", "station": "ZX"},
    {"q": "营业执照", "station": "YD1", "page": "1"},
    {"page": "3"},
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(requests: int, full_pages: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stations-bench-") as tmp:
        app = make_test_app(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        build_database(app)
        print(f"demo database built in {time.perf_counter() - started:.1f} s (SQLite, {tmp})")
        with app.app_context():
            engine = db.engine
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        client = app.test_client()
        urls = [f"/catalog/?{urlencode(query)}" for query in QUERIES]

        for url in urls:  # warm up: templates compiled, connection pool filled
            client.get(url, headers=htmx_headers("item-table"))

        timings: list[float] = []
        queries: list[int] = []
        by_url: dict[str, list[float]] = defaultdict(list)
        for n in range(requests):
            url = urls[n % len(urls)]
            statements.clear()
            start = time.perf_counter()
            response = client.get(url, headers=htmx_headers("item-table"))
            body = response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200 or b"<html" in body:
                raise SystemExit(f"unexpected answer for {url}: {response.status_code}")
            timings.append(elapsed)
            queries.append(len(statements))
            by_url[url].append(elapsed)

        print(f"\nfragment requests (HX-Target: item-table): N={requests}, {len(urls)} different queries")
        print(f"  median {statistics.median(timings):.2f} ms   p95 {percentile(timings, 0.95):.2f} ms   ", end="")
        print(f"min {min(timings):.2f} ms   max {max(timings):.2f} ms")
        print(f"  SQL statements per request: min {min(queries)}, max {max(queries)}")
        print("  median per query:")
        for url, values in by_url.items():
            print(f"    {statistics.median(values):6.2f} ms  {url}")

        if full_pages:
            timings, queries = [], []
            for n in range(full_pages):
                url = urls[n % len(urls)]
                statements.clear()
                start = time.perf_counter()
                response = client.get(url)
                response.get_data()
                timings.append((time.perf_counter() - start) * 1000)
                queries.append(len(statements))
            print(f"\nfull pages (no htmx): N={full_pages}")
            print(f"  median {statistics.median(timings):.2f} ms   p95 {percentile(timings, 0.95):.2f} ms")
            print(f"  SQL statements per request: min {min(queries)}, max {max(queries)}")
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=200, help="fragment requests to time (default 200)")
    parser.add_argument("--full-pages", type=int, default=50, help="full-page requests to time afterwards (0: none)")
    options = parser.parse_args()
    run(options.requests, options.full_pages)


if __name__ == "__main__":
    main()
