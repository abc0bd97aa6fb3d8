"""A task that proves the machinery: it can take its time (to be killed mid-run) and leaves a mark when it ends."""

from __future__ import annotations

import time
from pathlib import Path


def selftest_job(*, seconds: float = 0.0, marker: str = "") -> str:
    if seconds:
        time.sleep(seconds)
    if marker:  # one line per completed run: a test counts them
        with Path(marker).open("a", encoding="utf-8") as file:
            file.write("done\n")
    return "selftest done"
