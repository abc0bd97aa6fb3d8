"""Delivery throughput between two districts on loopback (messages per second, issue 5).

    .venv/bin/python scripts/xr_throughput.py [N]

Starts two instances (scripts/two_districts.py), queues N forward messages at A, then times one
`flask crossregion deliver --until-empty` at A (the figure excludes the command's start-up).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from two_districts import pair


def main(count: int = 500) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="xr_throughput_"))
    a, b = pair(workdir, 5111, 5112)
    try:
        started = time.monotonic()
        a.flask("demo-forward", "B", str(count))
        print(f"queued {count} at A in {time.monotonic() - started:.1f} s")
        output = a.flask("deliver", "--until-empty", "--interval", "0.1", "--batch", "100")
        print(output.strip())
        match = re.search(r"delivered (\d+) in ([\d.]+) s \(([\d.]+) messages/s\)", output)
        if match:
            print(f"throughput: {match.group(3)} messages/s ({match.group(1)} messages)")
        print("B:", b.stats())
    finally:
        a.close()
        b.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
