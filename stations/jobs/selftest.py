"""A task that proves the machinery: it can wait (to be killed mid-run) and leaves a mark when it ends."""

from __future__ import annotations

import time
from pathlib import Path


def selftest_job(*, seconds: float = 0.0, marker: str = "", gate: str = "") -> str:
    """Sleep ``seconds``; with ``gate``, first wait (two minutes at most) until that file exists; then append one
    line to ``marker`` (a test counts the completed runs)."""
    if seconds:
        time.sleep(seconds)
    deadline = time.monotonic() + 120
    while gate and not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if marker:
        with Path(marker).open("a", encoding="utf-8") as file:
            file.write("done\n")
    return "selftest done"
