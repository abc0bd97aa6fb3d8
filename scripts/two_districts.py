"""Two districts on one machine: two instances, two SQLite databases, two ports, each the other's partner.

    .venv/bin/python scripts/two_districts.py            # A on :5101, B on :5102 until Ctrl-C
    .venv/bin/python scripts/two_districts.py --demo 20  # ... and forward 20 demo cases A -> B

Each district is a demo database (stations, catalogue, accounts; no demo cases) where the other is a partner
for one item. ``--demo N`` takes in N real cases at A's station LL and forwards them to B; they arrive in the
queue of B's service centre (sign in as staff-zx at B to sign for them; A's staff-ll sees their states).

Then, in another shell, run the workers (`flask crossregion deliver --loop`) with the same environment as
printed. tests/crossregion/test_two_districts.py and scripts/xr_throughput.py use the ``District`` class.
Only loopback addresses are used.
"""

# ruff: noqa: S603 - subprocesses run this interpreter with fixed argument lists, never a shell
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
# The item both demo districts agree on (同事同标: the same code in both catalogues): 社会保障卡申领, 3 WD.
DEMO_ITEM = "GG-SB-0005"

# A persistent command runner: imports the app once, then runs `flask crossregion ...` argument lists read
# as JSON lines from stdin (a fresh `flask` process costs seconds of start-up each time).
_DRIVER = """
import json, sys
from stations import create_app
app = create_app()
runner = app.test_cli_runner()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    result = runner.invoke(args=["crossregion", *json.loads(line)])
    error = repr(result.exception) if result.exception and not isinstance(result.exception, SystemExit) else ""
    print(json.dumps({"exit": result.exit_code, "output": result.output, "error": error}), flush=True)
"""


class District:
    """One instance: ``start``/``stop`` its server, run ``flask crossregion`` commands (``flask``)."""

    def __init__(self, region: str, port: int, workdir: Path) -> None:
        self.region, self.port, self.workdir = region, port, workdir
        self.db_path = workdir / f"district_{region}.db"
        self.process: subprocess.Popen | None = None
        self.driver: subprocess.Popen | None = None
        self.driver_ready = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "REGION_CODE": self.region,
            "SECRET_KEY": f"two-districts-{self.region}",
            "STATIONS_ENV": "development",
            "STATIONS_RATELIMIT_ENABLED": "false",
            # the demonstration runs its delivery workers itself (and the tests drive them): no in-app schedule
            "STATIONS_JOBS_IN_APP_SCHEDULE": "false",
            "UPLOAD_ROOT": str(self.workdir / f"uploads_{self.region}"),
        }

    def start(self, timeout: float = 60) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        with open(self.workdir / f"server_{self.region}.log", "ab") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "flask",
                    "--app",
                    "wsgi",
                    "run",
                    "--host",
                    HOST,
                    "--port",
                    str(self.port),
                    "--no-reload",
                ],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                # Another server may answer on the port: it must not pass for this district (server_X.log says why).
                raise RuntimeError(
                    f"district {self.region}'s server exited; see {self.workdir}/server_{self.region}.log"
                )
            try:
                urllib.request.urlopen(f"{self.url}/federation/v1/messages", timeout=1)  # noqa: S310 - loopback
            except urllib.error.HTTPError:
                return  # 405: it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"district {self.region} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        if self.driver is not None:
            self.driver.stdin.close()
            self.driver.wait(10)
            self.driver = None

    def open_driver(self) -> None:
        self.driver_ready = False
        self.driver = subprocess.Popen(
            [PYTHON, "-c", _DRIVER], cwd=REPO, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def _driver_line(self) -> dict:
        line = self.driver.stdout.readline()
        if not line:
            raise RuntimeError(f"district {self.region}: command runner exited")
        return json.loads(line)

    def flask(self, *args: str) -> str:
        """Run `flask crossregion ARGS` (through the persistent runner when it is open)."""
        if self.driver is not None:
            if self.driver_ready is False:
                self._driver_line()
                self.driver_ready = True
            self.driver.stdin.write(json.dumps(list(args)) + "\n")
            self.driver.stdin.flush()
            answer = self._driver_line()
            if answer["exit"] != 0:
                raise RuntimeError(f"flask crossregion {' '.join(args)} failed: {answer}")
            return answer["output"]
        result = subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", "crossregion", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask crossregion {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def stats(self) -> dict:
        return json.loads(self.flask("stats").strip().splitlines()[-1])


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports nobody listens on now. Each probe stays bound until all are chosen: one at a time,
    the system may hand the same port out twice (it did: A and B on one port, B answering for A)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def pair(
    workdir: Path, port_a: int = 5101, port_b: int = 5102, *, b_url_for_a: str | None = None
) -> tuple[District, District]:
    """Two districts A and B, started, each the other's partner; A reaches B at ``b_url_for_a`` (e.g. a proxy).

    Each has a server and a command runner (``District.flask``); call ``close()`` on both at the end.
    """
    key = secrets.token_hex(32)
    a, b = District("A", port_a, workdir), District("B", port_b, workdir)
    try:
        for district in (a, b):
            district.launch()
            district.open_driver()
        b_url = b_url_for_a or b.url
        a.flask("init-demo-db")
        a.flask("set-partner", "B", "--name", "District B", "--url", b_url, "--key", key, "--item", DEMO_ITEM)
        b.flask("init-demo-db")
        b.flask("set-partner", "A", "--name", "District A", "--url", a.url, "--key", key, "--item", DEMO_ITEM)
        a.wait_ready()
        b.wait_ready()
    except BaseException:
        a.close()
        b.close()
        raise
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port-a", type=int, default=5101)
    parser.add_argument("--port-b", type=int, default=5102)
    parser.add_argument("--demo", type=int, default=0, help="forward N demo cases from A to B")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="two_districts_"))
    a, b = pair(workdir, args.port_a, args.port_b)
    print(f"A: {a.url} (database {a.db_path})\nB: {b.url} (database {b.db_path})")
    for d in (a, b):
        print(
            f"worker {d.region}: DATABASE_URL=sqlite:///{d.db_path} REGION_CODE={d.region} "
            f"SECRET_KEY=two-districts-{d.region} UPLOAD_ROOT={d.env['UPLOAD_ROOT']} "
            ".venv/bin/flask --app wsgi crossregion deliver --loop"
        )
    if args.demo:
        print(a.flask("demo-forward", "B", str(args.demo)))
        print(a.flask("deliver", "--until-empty", "--max-seconds", "60"))
        print("B:", b.stats())
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        a.close()
        b.close()


if __name__ == "__main__":
    main()
