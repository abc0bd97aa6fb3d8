"""Delivery throughput between two districts on loopback (messages per second, issue 5).

    .venv/bin/python scripts/xr_throughput.py [N]

Starts two instances (scripts/two_districts.py) and measures both directions:

1. A takes in N real cases and queues their forward messages (each carries the item's required materials as
   small PDFs); one `flask crossregion deliver --until-empty` at A is timed. At B each message creates a case
   (numbering, materials stored in the document store, transfer, inbox row).
2. B signs for each case and works it to issue (5 reports per case: sign, ACCEPTED, IN_REVIEW, APPROVED,
   result); one `deliver --until-empty` at B is timed. At A each message fires an event on the case.

The figures exclude the commands' start-up.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from two_districts import pair


def report(label: str, output: str) -> None:
    print(output.strip())
    match = re.search(r"delivered (\d+) in ([\d.]+) s \(([\d.]+) messages/s\)", output)
    if match:
        print(f"throughput {label}: {match.group(3)} messages/s ({match.group(1)} messages)")


def main(count: int = 500) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="xr_throughput_"))
    a, b = pair(workdir, 5111, 5112)
    try:
        started = time.monotonic()
        a.flask("demo-forward", "B", str(count))
        print(f"queued {count} at A in {time.monotonic() - started:.1f} s")
        output = a.flask("deliver", "--until-empty", "--interval", "0.1", "--batch", "100")
        report("forward A -> B", output)
        print("B:", b.stats())
        b.flask("demo-advance", "--steps", "accept,start_review,decide_approve,issue")
        output = b.flask("deliver", "--until-empty", "--interval", "0.1", "--batch", "100")
        report("sign/status/result B -> A", output)
        print("A:", a.stats())
    finally:
        a.close()
        b.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
