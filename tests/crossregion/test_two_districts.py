"""Two real instances on loopback, a fault proxy in front of B: nothing lost, nothing doubled (issue 5).

A takes in 200 real cases at station LL and forwards them to B; B is stopped for part of the time and the proxy
drops some of B's replies (B has applied the message, A never hears back). Then B's staff sign for each case and
work it through accept, review, approval and issue, each change reported back. Every case must exist exactly
once at B (as a RECEIVED, then ISSUED, XR_INBOUND case), every change made at B must show at A (our forwarded
case ends ISSUED, ready to deliver, with one partner event per change), and both outboxes must be empty.
Bounded: every wait has a deadline (about 30-40 s in all on a laptop).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from two_districts import District, free_ports, pair

from tests.faultproxy import FaultProxy

CASES = 200
pytestmark = [pytest.mark.integration, pytest.mark.slow]  # two real instances: slow, and kept in CI


@pytest.fixture
def districts(tmp_path):
    proxy = FaultProxy(upstream_port=0)  # its own port first, so the districts' cannot be it
    port_a, port_b = free_ports(2)
    proxy.upstream_port = port_b
    a, b = pair(tmp_path, port_a, port_b, b_url_for_a=f"http://127.0.0.1:{proxy.port}")
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
    assert b_stats["cases"] == {"XR_INBOUND:RECEIVED": CASES}  # one real case per forwarded case
    assert b_stats["inbound_duplicates"] == 0
    assert b_stats["inbox"] == CASES
    assert proxy.lost > 0  # replies were really lost, and the retries were answered as duplicates
    assert a.stats()["cases"] == {"XR_OUTBOUND:FORWARDED": CASES}

    # sign_for, accept, start_review, decide_approve, issue: five reports per case
    b.flask("demo-advance", "--steps", "accept,start_review,decide_approve,issue")
    b.flask("deliver", "--until-empty", "--interval", "0.2", "--max-seconds", "60")

    a_stats = a.stats()
    assert a_stats["cases"] == {"XR_OUTBOUND:ISSUED": CASES}  # the result is back, ready to deliver at LL
    assert a_stats["transfers"] == {"OUTBOUND:APPROVED": CASES}  # the decision B returned
    assert a_stats["outbound_signed"] == CASES
    assert a_stats["inbox"] == 5 * CASES  # the signature and every change made at B arrived once
    assert a_stats["partner_events"] == 5 * CASES  # ...and each shows on the case's timeline
    assert a_stats["pending"] == 0
    b_stats = b.stats()
    assert b_stats["pending"] == 0
    assert b_stats["cases"] == {"XR_INBOUND:ISSUED": CASES}
