"""A private clamd for the tests: its own socket in a temporary directory and the project's EICAR signature.

Required with CI=true (a missing clamd fails the run, .ci/run installs Debian's clamav-daemon); skipped with a
reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clamav_client.clamd import ClamdError, ClamdUnixSocket

from stations.config import REPO_ROOT

CONFIG = REPO_ROOT / "deploy" / "clamav" / "clamd-test.conf"
SIGNATURES = REPO_ROOT / "deploy" / "clamav" / "stations-test.ndb"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def clamd_binary() -> str | None:
    return shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd",) if Path(p).exists()), None)


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = clamd_binary()
    if binary is None:
        if in_ci():
            pytest.fail("clamd is missing: install Debian's clamav-daemon (.ci/run does)")
        pytest.skip("clamd not installed (apt-get install clamav-daemon); required only with CI=true")
    # A short path: a Unix socket path is limited to ~100 bytes.
    workdir = Path(tmp_path_factory.mktemp("clamd"))
    (workdir / "db").mkdir()
    shutil.copy(SIGNATURES, workdir / "db" / SIGNATURES.name)
    config = workdir / "clamd.conf"
    config.write_text(CONFIG.read_text().replace("@DIR@", str(workdir)))
    process = subprocess.Popen([binary, f"--config-file={config}"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    socket_path = str(workdir / "clamd.sock")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Path(socket_path).exists() and ClamdUnixSocket(socket_path, timeout=2).ping() == "PONG":
                    break
            except ClamdError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (workdir / "clamd.log").read_text() if (workdir / "clamd.log").exists() else ""
                pytest.fail(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.1)
        yield socket_path
    finally:
        process.terminate()
        process.wait(10)
