"""Two real instances on loopback, a fault proxy in front of B: nothing lost, nothing doubled (issue 5).

A forwards 200 cases to B; B is stopped for part of the time and the proxy drops some of B's replies (B has
applied the message, A never hears back). Then B signs for each case and reports two status changes.
Every case must exist exactly once at B, every status change must show at A, and both outboxes must be empty.
Bounded: every wait has a deadline (about 30-40 s in all on a laptop).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from two_districts import District, pair

from tests.faultproxy import FaultProxy

CASES = 200
pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def districts(tmp_path):
    port_b = free_port()
    proxy = FaultProxy(port_b)
    a, b = pair(tmp_path, free_port(), port_b, b_url_for_a=f"http://127.0.0.1:{proxy.port}")
    districts: list[District] = [a, b]
    try:
        yield a, b, proxy
    finally:
        for district in districts:
            district.close()
        proxy.close()


def test_200_cases_a_to_b_with_b_down_and_replies_lost(districts):
    a, b, proxy = districts
    proxy.lose_every = 17
    a.flask("demo-forward", "B", str(CASES))

    a.flask("deliver", "--batch", "40")  # one round: some delivered, one reply lost on the way
    b.stop()  # B goes down with messages still queued at A
    a.flask("deliver")  # refused: backoff
    assert a.stats()["pending"] > 0
    b.start()
    a.flask("deliver", "--until-empty", "--interval", "0.2", "--max-seconds", "40")

    b_stats = b.stats()
    assert b_stats["transfers"] == {"INBOUND:RECEIVED": CASES}
    assert b_stats["inbound_duplicates"] == 0
    assert b_stats["inbox"] == CASES
    assert proxy.lost > 0  # replies were really lost, and the retries were answered as duplicates

    b.flask("demo-advance", "--steps", "ACCEPTED,APPROVED")  # sign + two status changes for each case
    b.flask("deliver", "--until-empty", "--interval", "0.2", "--max-seconds", "40")

    a_stats = a.stats()
    assert a_stats["transfers"] == {"OUTBOUND:APPROVED": CASES}
    assert a_stats["outbound_signed"] == CASES
    assert a_stats["inbox"] == 3 * CASES  # the signature and every status change made at B arrived once
    assert a_stats["pending"] == 0
    assert b.stats()["pending"] == 0
    assert b.stats()["transfers"] == {"INBOUND:APPROVED": CASES}
