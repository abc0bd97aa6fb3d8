"""Benchmark: the central office's key-project board at 1,000 projects × 12 procedures.

Not a test (pytest does not collect tests/bench). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_projects                 # 1,000 projects × 12 procedures, 30 requests
    .venv/bin/python -m tests.bench.bench_projects --projects 57 -n 50

It builds the demo database (without demo cases) in a temporary SQLite file, bulk-inserts the projects with their
procedures in every colour, signs in as ``central`` and GETs /projects/ through the Flask test client (no HTTP
server: the figures are the app's own cost — routing, SQL, template). It prints the median and 95th percentile time
and the number of SQL statements per request, for the full board and for a colour filter; the target is < 300 ms
with the same statement count at any size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

from stations.demo import DEMO_PASSWORD
from stations.domain.project_flow import ProcedureStatus
from stations.extensions import db
from stations.projects.models import Project, ProjectProcedure
from stations.sites.models import Station
from stations.timeutil import business_today
from tests.helpers.suite import build_database, csrf_token_from, make_test_app

NAMES = [
    "立项",
    "用地",
    "规划许可",
    "节能审查",
    "环评",
    "施工图审查",
    "消防审查",
    "人防",
    "施工许可",
    "质监",
    "竣工验收",
    "不动产首登",
]
STATUSES = [ProcedureStatus.DONE, ProcedureStatus.IN_PROGRESS, ProcedureStatus.PLANNED, ProcedureStatus.BLOCKED]


def add_projects(count: int, per_project: int) -> None:
    today = business_today()
    station_ids = list(db.session.scalars(select(Station.id)))
    rows = [
        {
            "code": f"BP{n:05d}",
            "name": f"基准项目{n}",
            "level": "新区级",
            "station_id": station_ids[n % len(station_ids)],
        }
        for n in range(count)
    ]
    db.session.execute(insert(Project), rows)
    ids = list(db.session.scalars(select(Project.id).where(Project.code.like("BP%"))))
    procedures = [
        {
            "project_id": pid,
            "seq": k,
            "name": NAMES[k % len(NAMES)],
            "planned_on": today + timedelta(days=(pid * 7 + k * 3) % 60 - 20),
            "status": STATUSES[(pid + k) % len(STATUSES)].value,
        }
        for pid in ids
        for k in range(per_project)
    ]
    for start in range(0, len(procedures), 5000):
        db.session.execute(insert(ProjectProcedure), procedures[start : start + 5000])
    db.session.commit()


def measure(client, url: str, requests: int, statements: list) -> tuple[float, float, int]:
    client.get(url)  # warm up
    timings, counts = [], []
    for _ in range(requests):
        statements.clear()
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        counts.append(len(statements))
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    ordered = sorted(timings)
    return statistics.median(timings), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], max(counts)


def run(projects: int, per_project: int, requests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stations-bench-") as tmp:
        app = make_test_app(f"sqlite:///{Path(tmp) / 'bench.db'}")
        build_database(app, demo_cases=False)
        with app.app_context():
            add_projects(projects, per_project)
            total = db.session.query(Project).count()
            engine = db.engine
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        client = app.test_client()
        client.post(
            "/login",
            data={"username": "central", "password": DEMO_PASSWORD, "csrf_token": csrf_token_from(client, "/login")},
        )
        print(f"{total} projects ({projects} × {per_project} procedures added), SQLite")
        for url in ("/projects/", "/projects/?level=red", "/api/v1/projects"):
            median, p95, count = measure(client, url, requests, statements)
            print(f"GET {url:24s} median {median:7.1f} ms   p95 {p95:7.1f} ms   {count} SQL statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--procedures", type=int, default=12)
    parser.add_argument("-n", type=int, default=30, help="requests per URL")
    args = parser.parse_args()
    run(args.projects, args.procedures, args.n)


if __name__ == "__main__":
    main()
