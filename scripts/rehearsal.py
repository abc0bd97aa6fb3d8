"""Production rehearsal on one machine (issue 20): nginx in front of two app hosts, one PostgreSQL, one Redis, a job
worker and the outbox worker; staff, enterprise and board users for a while; one app host killed with SIGKILL midway
and started again. Prints what a district needs to know, and exits 1 when a check fails.

    .venv/bin/python scripts/rehearsal.py                       # 60 s, host A killed at 30 s, back 5 s later
    .venv/bin/python scripts/rehearsal.py --seconds 12 --kill-at 5 --users 4   # the suite's short version

Needs Debian's nginx, PostgreSQL on 127.0.0.1:5432 (trust auth) and Redis on 127.0.0.1:6379; everything listens on
loopback only and the script removes what it made (its database, its folder, its processes).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from two_districts import free_ports

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


NGINX_PORT, PORT_A, PORT_B = free_ports(3)
HOST_PORTS = {"A": PORT_A, "B": PORT_B}
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
APPLICANT = "演练经办人"
PASSWORD = "Stations@2024"  # noqa: S105 - the demo accounts' (contract.md), on a throwaway database


# --- the installation --------------------------------------------------------------------------------------------


@dataclass
class Installation:
    workdir: Path
    database_url: str
    admin_url: str
    database: str
    redis_url: str
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], **extra_env: str) -> None:
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=REPO,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_host(self, name: str) -> None:
        metrics = self.workdir / f"prometheus-{name}"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir()
        self.start(
            f"host-{name}",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{HOST_PORTS[name]}",
                "--workers",
                "2",
                "wsgi:app",
            ],
            PROMETHEUS_MULTIPROC_DIR=str(metrics),
        )

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            try:
                os.killpg(self.processes[name].pid, signal.SIGTERM)
                self.processes[name].wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes.clear()


def flask(inst: Installation, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own command line
        [PYTHON, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO,
        env=inst.env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


NGINX_CONF = """
{user}
worker_processes 1;
error_log {workdir}/nginx-error.log warn;
pid {workdir}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    upstream stations_app {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=3s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=3s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 11m;
        location / {{
            proxy_pass http://stations_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def start_nginx(inst: Installation) -> None:
    conf = inst.workdir / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        NGINX_CONF.format(user=user, workdir=inst.workdir, a=HOST_PORTS["A"], b=HOST_PORTS["B"], port=NGINX_PORT)
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    inst.start("nginx", [nginx, "-p", str(inst.workdir), "-c", str(conf), "-g", "daemon off;"])


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


# --- a browser-like client ----------------------------------------------------------------------------------------


class Client:
    def __init__(self, base: str, forwarded_for: str | None = None) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.forwarded_for = forwarded_for
        self.csrf = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        body: dict | None = None,
        headers: dict | None = None,
        base: str | None = None,
    ) -> tuple[int, str, dict]:
        payload, all_headers = None, dict(headers or {})
        if data is not None:
            payload = urllib.parse.urlencode(data).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if self.forwarded_for:
            all_headers["X-Forwarded-For"] = self.forwarded_for
        url = (base or self.base) + path  # always http://127.0.0.1:<port>: built here, never from input
        request = urllib.request.Request(url, data=payload, method=method, headers=all_headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), dict(error.headers or {})

    def login(self, username: str, password: str = PASSWORD, base: str | None = None) -> int:
        _status, page, _ = self.request("GET", "/login", base=base)
        token = CSRF_INPUT.search(page).group(1)
        status, _body, _ = self.request(
            "POST", "/login", data={"username": username, "password": password, "csrf_token": token}, base=base
        )
        if status == 303:
            _s, home, _h = self.request("GET", "/catalog/", base=base)
            match = CSRF_HEADER.search(home)
            self.csrf = match.group(1) if match else ""
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- the load ----------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    kind: str
    status: int  # 0: no answer (connection refused or reset)
    seconds: float


@dataclass
class Load:
    started: float
    samples: list[Sample] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # case numbers answered 201 (or replayed)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call) -> tuple[int, str, dict]:
        begin = time.monotonic()
        try:
            status, body, headers = call()
        except (OSError, urllib.error.URLError):
            status, body, headers = 0, "", {}
        with self.lock:
            self.samples.append(Sample(begin - self.started, kind, status, time.monotonic() - begin))
        return status, body, headers


def staff_user(load: Load, base: str, username: str, intake: dict, stop: float) -> None:
    client = Client(base)
    client.login(username)
    loop = 0
    while time.monotonic() < stop:
        loop += 1
        load.timed("staff queue", lambda: client.request("GET", "/cases/"))
        if loop % 3 == 0:  # an intake from the tablet, retried with its key until answered
            key = str(uuid.uuid4())
            for _attempt in range(5):
                status, body, _ = load.timed(
                    "staff intake",
                    lambda k=key: client.request(
                        "POST", "/api/v1/cases", body=intake, headers={"X-CSRFToken": client.csrf, "Idempotency-Key": k}
                    ),
                )
                if status == 201:
                    with load.lock:
                        load.acknowledged.append(json.loads(body)["case_no"])
                    break
                if status and status < 500:
                    break
                time.sleep(0.5)


def enterprise_user(load: Load, base: str, username: str, stop: float) -> None:
    client = Client(base)
    client.login(username)
    while time.monotonic() < stop:
        load.timed("enterprise home", lambda: client.request("GET", "/home"))
        load.timed("enterprise API", lambda: client.request("GET", "/api/v1/cases"))


def board_user(load: Load, base: str, stop: float) -> None:
    client = Client(base)
    client.login("central")
    while time.monotonic() < stop:
        load.timed("board", lambda: client.request("GET", "/dashboard"))
        time.sleep(0.5)


def intake_body(base: str) -> dict:
    """An intake staff-ll can make for ent-gd: an item LL offers, every required material checked."""
    with urllib.request.urlopen(f"{base}/api/v1/catalog?station=LL", timeout=30) as response:  # noqa: S310
        items = json.loads(response.read())
    item = next(i for i in items if not i["is_instant"])
    sys.path.insert(0, str(REPO))
    from stations.demo import make_uscc

    return {
        "item_code": item["code"],
        "station": "LL",
        "enterprise_uscc": make_uscc("91611100MA6XGD001"),
        "materials": [{"code": m["code"], "status": "VERIFIED"} for m in item["materials"] if m["required"]],
        "applicant_name": APPLICANT,
        "applicant_phone": "13800000000",
    }


# --- the checks ---------------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[18]


def report(load: Load, kill_at: float, back_at: float, database_url: str) -> tuple[list[str], list[str]]:
    lines, failures = [], []
    window = (kill_at - 1.0, back_at + 5.0)  # requests in flight at the kill and while nginx notices
    errors = [s for s in load.samples if s.status == 0 or s.status >= 500]
    in_window = [s for s in errors if window[0] <= s.at <= window[1]]
    lines.append(
        f"requests {len(load.samples)}, errors {len(errors)} (in the kill window {len(in_window)}, "
        f"outside it {len(errors) - len(in_window)})"
    )
    if len(errors) > len(in_window):
        failures.append("errors outside the kill window")
    for name, low, high in (
        ("before", 0.0, kill_at),
        ("during", kill_at, back_at + 5.0),
        ("after", back_at + 5.0, 1e9),
    ):
        part = [s.seconds for s in load.samples if low <= s.at < high and 0 < s.status < 500]
        lines.append(f"p95 {name:<6} {p95(part) * 1000:7.1f} ms over {len(part)} requests")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        made = connection.execute(text("SELECT case_no FROM cases WHERE applicant_name = :a"), {"a": APPLICANT}).all()
    engine.dispose()
    made_numbers = [row[0] for row in made]
    acknowledged = set(load.acknowledged)
    lines.append(
        f"intakes acknowledged {len(load.acknowledged)}, distinct {len(acknowledged)}, "
        f"cases in the database {len(made_numbers)}"
    )
    if len(acknowledged) != len(load.acknowledged) or not acknowledged <= set(made_numbers):
        failures.append("an acknowledged intake is missing or was acknowledged twice")
    if len(made_numbers) != len(set(made_numbers)) or len(made_numbers) > len(acknowledged) + 1:
        # +1: an intake whose answer was lost in the kill and whose retries all failed may exist unacknowledged
        failures.append("duplicate intakes in the database")
    return lines, failures


def session_survives(kill: callable) -> tuple[bool, str]:
    client = Client(f"http://127.0.0.1:{HOST_PORTS['A']}")
    client.login("staff-qh")
    before, _, _ = client.request("GET", "/cases/")
    kill()
    after, _, _ = client.request("GET", "/cases/", base=f"http://127.0.0.1:{HOST_PORTS['B']}")
    return before == 200 and after == 200, f"signed in on A: {before}; same session on B after A died: {after}"


def lockout_across_hosts() -> tuple[bool, str]:
    client = Client("", forwarded_for="203.0.113.77")  # as nginx would say: one client
    statuses = []
    for attempt in range(5):
        host = "A" if attempt % 2 == 0 else "B"
        statuses.append(client.login("clerk-qh", "Wrong-password-1", base=f"http://127.0.0.1:{HOST_PORTS[host]}"))
    right = Client("", forwarded_for="203.0.113.77").login("clerk-qh", base=f"http://127.0.0.1:{HOST_PORTS['B']}")
    return right != 303, f"five failures over A and B: {statuses}; then the right password: {right} (not signed in)"


# --- main -----------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-at", type=float, default=30)
    parser.add_argument("--down-for", type=float, default=5)
    parser.add_argument("--users", type=int, default=12, help="concurrent users (staff, enterprise, board mixed)")
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="stations-rehearsal-"))
    name = f"stations_rehearsal_{secrets.token_hex(4)}"
    database_url = re.sub(r"/[^/]*$", f"/{name}", args.admin_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "TRUSTED_PROXIES": "1",
        "SECRET_KEY": secrets.token_hex(32),
        "STATIONS_ENV": "development",
        "UPLOAD_ROOT": str(workdir / "uploads"),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    inst = Installation(workdir, database_url, args.admin_url, name, args.redis_url, env)
    create_database(args.admin_url, name)
    passed = False
    try:
        print(f"preparing {name} (migrations, demo data) ...", flush=True)
        flask(inst, "db", "upgrade")
        flask(inst, "seed-demo")
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        for host in HOST_PORTS:
            inst.start_host(host)
        inst.start("jobs-worker", [PYTHON, "-m", "flask", "--app", "wsgi", "jobs", "worker"])
        inst.start("outbox-worker", [PYTHON, "-m", "flask", "--app", "wsgi", "crossregion", "deliver", "--loop"])
        start_nginx(inst)
        base = f"http://127.0.0.1:{NGINX_PORT}"
        for port in (*HOST_PORTS.values(), NGINX_PORT):
            wait_for(f"http://127.0.0.1:{port}/healthz")
        for name, process in inst.processes.items():
            if process.poll() is not None:  # e.g. a port taken meanwhile: the answers would be someone else's
                raise SystemExit(f"{name} exited ({process.returncode}); see its log in {workdir}")
        intake = intake_body(base)

        load = Load(started=time.monotonic())
        stop = load.started + args.seconds
        staff = ["staff-ll"] * max(1, args.users // 2)
        enterprises = ["ent-gd", "ent-qn"][: max(1, args.users // 3)]
        threads = [threading.Thread(target=staff_user, args=(load, base, u, intake, stop)) for u in staff]
        threads += [threading.Thread(target=enterprise_user, args=(load, base, u, stop)) for u in enterprises]
        threads += [threading.Thread(target=board_user, args=(load, base, stop))]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, load.started + args.kill_at - time.monotonic()))
        kill_at = time.monotonic() - load.started
        survived, session_line = session_survives(lambda: inst.kill("host-A"))
        print(f"host A killed (SIGKILL) at {kill_at:.1f} s", flush=True)
        time.sleep(args.down_for)
        inst.start_host("A")
        wait_for(f"http://127.0.0.1:{HOST_PORTS['A']}/healthz")
        back_at = time.monotonic() - load.started
        print(f"host A serving again at {back_at:.1f} s", flush=True)
        for thread in threads:
            thread.join()
        locked, lock_line = lockout_across_hosts()

        lines, failures = report(load, kill_at, back_at, database_url)
        lines += [session_line, lock_line]
        if not survived:
            failures.append("the session did not survive the host")
        if not locked:
            failures.append("failed logins over both hosts did not lock the account")
        print("\n".join(lines))
        print("rehearsal: OK" if not failures else f"rehearsal: FAILED ({'; '.join(failures)}); logs in {workdir}")
        passed = not failures
        return 0 if passed else 1
    finally:
        inst.stop_all()
        drop_database(args.admin_url, name)
        if passed:  # a failed run keeps its processes' logs for the post-mortem
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
