"""The production rehearsal, shortened (issue 20): nginx, two app hosts, PostgreSQL, Redis, a job worker and the
outbox worker under load, one host killed with SIGKILL and started again (scripts/rehearsal.py).

Needs Debian's nginx, PostgreSQL and Redis on loopback: .ci/run installs or starts them, so CI always runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        NGINX is None and os.environ.get("CI") != "true", reason="nginx is not installed (CI installs it)"
    ),
]


def test_a_host_killed_under_load_loses_nothing():
    run = subprocess.run(
        [
            sys.executable,
            "scripts/rehearsal.py",
            "--seconds",
            "15",
            "--kill-at",
            "6",
            "--down-for",
            "2",
            "--users",
            "4",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "rehearsal: OK" in run.stdout
    assert "errors 0" in run.stdout or "outside it 0" in run.stdout
    assert "same session on B after A died: 200" in run.stdout
