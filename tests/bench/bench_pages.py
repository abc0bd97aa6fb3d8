"""Benchmark (issue 21): the common pages under gunicorn as `make run` serves them, side by side with the fortunes
reference of ../shared/perf, as throughput and p99 ratios, at each size of the demo database.

Not a test (pytest does not collect tests/bench). From the repository root, on a quiet machine:

    .venv/bin/python -m tests.bench.bench_pages                                  # SQLite, 200 and 200,000 cases
    .venv/bin/python -m tests.bench.bench_pages --sizes 200 --rounds 1 --duration 5   # a quick look
    .venv/bin/python -m tests.bench.bench_pages --sizes 200000 \\
        --reuse-database sqlite:////path/to/seeded.db                            # a database seeded earlier
    .venv/bin/python -m tests.bench.bench_pages \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/stations_bench     # PostgreSQL (EMPTIED first)

For each size it builds the database as `make run` does (`flask db upgrade`, `flask seed-demo --cases N`), serves it
with `gunicorn -c deploy/gunicorn.conf.py --workers 2` (sync workers, as the reference), signs in as staff-ll and
ent-gd, and runs ../shared/perf/bench.sh once per account with that account's pages: the staff queue, the case API
list and one case, the case page, and the enterprise's home; and the floor every page stands on (--no-floor skips
it): /healthz (no sign-in, one query), and signed in the bell's fragment and the short notifications page. bench.sh prints "throughput target/fortunes" and
"p99 target/fortunes" per page (medians over --rounds). The targets of issue 21: queue >= 0.2, API list >= 0.5,
case page >= 0.2, enterprise home >= 0.3, each p99 <= 4x fortunes'.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.dbutil import ensure_postgres_database, reset_database

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "perf" / "bench.sh"
PYTHON = sys.executable
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=REPO, env=env, check=True)


def session_cookie(base: str, username: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    form = {"username": username, "password": "Stations@2024", "csrf_token": CSRF.search(page).group(1)}
    opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def first_case(base: str, cookie: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/cases", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["items"][0]["case_no"]


def bench(urls: list[str], cookie: str, args: argparse.Namespace) -> None:
    command = [
        "bash",
        str(BENCH),
        "--python",
        PYTHON,
        "--modes",
        "sync",
        "--rounds",
        str(args.rounds),
        "--duration",
        str(args.duration),
        "--cookie",
        cookie,
    ]
    for url in urls:
        command += ["--url", url]
    subprocess.run(command, check=True)


def measure(size: int, database_url: str, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "STATIONS_RATELIMIT_ENABLED": "false",
        "STATIONS_JOBS_IN_APP_SCHEDULE": "false",
    }
    flask(env, "db", "upgrade")
    if not args.reuse_database:
        flask(env, "seed-demo", "--cases", str(size))
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        staff, enterprise = session_cookie(base, "staff-ll"), session_cookie(base, "ent-gd")
        case_no = first_case(base, staff)
        print(f"\n===== {size} synthetic cases on {make_url(database_url).get_backend_name()} =====", flush=True)
        pages = [f"{base}/cases/", f"{base}/api/v1/cases", f"{base}/api/v1/cases/{case_no}", f"{base}/cases/{case_no}"]
        # The floor under them: no sign-in and one query; signed in, the smallest fragment and the smallest page.
        floor = [f"{base}/healthz", f"{base}/notifications/badge", f"{base}/notifications/"]
        bench(pages + (floor if args.floor else []), staff, args)
        bench([f"{base}/home"], enterprise, args)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,200000", help="synthetic cases per measurement, ascending")
    parser.add_argument("--database-url", default=None, help="PostgreSQL database to EMPTY and use (name with 'bench')")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument(
        "--reuse-database",
        default=None,
        help="an already seeded database to measure as it is (migrated, never emptied); --sizes labels it",
    )
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the floor: /healthz, the bell's fragment and the notifications page",
    )
    args = parser.parse_args()
    if args.reuse_database:
        measure(int(args.sizes.split(",")[-1]), args.reuse_database, args)
        return
    if args.database_url:
        url = make_url(args.database_url)
        if "bench" not in (url.database or ""):
            raise SystemExit("the PostgreSQL database's name must contain 'bench' (it is emptied)")
        ensure_postgres_database(url.set(database="postgres").render_as_string(hide_password=False), url.database)
        database_url = args.database_url
    else:
        database_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='stations-bench-')) / 'bench.db'}"
    reset_database(database_url)
    for size in sorted(int(s) for s in args.sizes.split(",")):
        measure(size, database_url, args)  # seed-demo --cases tops the synthetic cases up: sizes ascend


if __name__ == "__main__":
    main()
