"""The federation endpoint refuses what it must (security.md §2.10 N1-N4) and changes nothing when it does."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from stations.crossregion.models import InboxMessage, SeenNonce, Transfer, TransferDirection
from stations.extensions import db
from tests.helpers.crossregion import forward_payload, message, signed_post


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(InboxMessage.id))),
        db.session.scalar(select(func.count(Transfer.id))),
        db.session.scalar(select(func.count()).select_from(SeenNonce)),
    )


def test_a_valid_forward_creates_one_inbound_transfer(client, partner):
    response = signed_post(client, message())
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["duplicate"] is False
    assert data["result"]["state"] == "RECEIVED"
    assert data["result"]["remote_case_no"].startswith("JHZX")  # a real case at the service centre
    transfer = db.session.scalar(select(Transfer).where(Transfer.partner_id == partner.id))
    assert transfer.direction is TransferDirection.INBOUND
    assert transfer.remote_case_no == "PX0001"
    assert transfer.local_case_no == data["result"]["remote_case_no"]
    assert transfer.case_id is not None
    assert counts() == (1, 1, 1)


def flip_last_byte(body: bytes) -> bytes:
    return body[:-2] + bytes([body[-2] ^ 0x01]) + body[-1:]


@pytest.mark.parametrize(
    ("name", "kwargs", "status", "error"),
    [
        ("wrong key", {"key": "not-the-key"}, 401, "bad_signature"),
        ("byte flipped in the body", {"tamper": flip_last_byte}, 401, "bad_signature"),
        ("signed for another path", {"sign_path": "/federation/v1/other"}, 401, "bad_signature"),
        ("timestamp 10 minutes old", {"age": 600}, 401, "stale_timestamp"),
        ("timestamp 10 minutes ahead", {"age": -600}, 401, "stale_timestamp"),
        ("unknown partner", {"region": "NOPE"}, 401, "unknown_partner"),
    ],
)
def test_refusals_change_nothing(client, partner, name, kwargs, status, error):
    if "age" in kwargs:  # taken when the test runs, not at collection (a slow session outlasts the skew window)
        kwargs = {"timestamp": int(time.time()) - kwargs["age"]}
    before = counts()
    response = signed_post(client, message(), **kwargs)
    assert response.status_code == status, name
    assert response.get_json()["error"] == error
    assert counts() == before


def test_timestamp_that_is_not_a_number_is_refused(client, partner):
    response = signed_post(client, message(), timestamp="yesterday")  # type: ignore[arg-type]
    assert response.status_code == 401
    assert counts() == (0, 0, 0)


def test_replayed_nonce_is_refused_without_a_second_effect(client, partner):
    body = message()
    assert signed_post(client, body, nonce="n" * 32).status_code == 200
    before = counts()
    replay = signed_post(client, body, nonce="n" * 32)
    assert replay.status_code == 409
    assert replay.get_json()["error"] == "replayed_nonce"
    assert counts() == before


def test_same_message_id_with_a_new_nonce_gets_the_original_result(client, partner):
    """The 'reply lost, sender retried' case (N3): 200, same result, no second effect."""
    body = message(message_id="msg-00000001")
    first = signed_post(client, body).get_json()
    before = counts()
    again = signed_post(client, body)
    assert again.status_code == 200
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["result"] == first["result"]
    assert counts()[:2] == before[:2]  # one more nonce, nothing else


def test_inactive_partner_is_refused(client, partner):
    partner.is_active = False
    db.session.flush()
    assert signed_post(client, message()).status_code == 401
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'[{"id": "x"}]',
        b"{}",
        b'{"id": "short", "kind": "forward", "sender": "PX", "payload": {}}',
        message(kind="nonsense"),
        message(payload={"case_no": "PX1"}),
        message(payload={**forward_payload(), "materials": "none"}),
        message(payload={**forward_payload(), "enterprise": []}),
        message(payload={**forward_payload(), "materials": [{"name": "x", "sha256": "zz"}]}),
        message(kind="status", payload={"case_no": "A1", "remote_case_no": "B1", "status": "EXPLODED"}),
        message(kind="result", payload={"case_no": "A1", "remote_case_no": "B1", "decision": "MAYBE"}),
        message(sender="OTHER"),
    ],
)
def test_signed_but_malformed_body_is_a_400(client, partner, body):
    response = signed_post(client, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "error" in response.get_json()
    assert counts() == (0, 0, 0)


def test_material_whose_digest_does_not_match_is_refused(client, partner):
    payload = forward_payload()
    payload["materials"][0]["sha256"] = "0" * 64
    response = signed_post(client, message(payload=payload))
    assert response.status_code == 400
    assert response.get_json()["error"] == "digest_mismatch"
    assert counts() == (0, 0, 0)


def test_status_for_a_case_we_never_forwarded_is_422_and_stores_nothing(client, partner):
    body = message(kind="status", payload={"case_no": "JH404", "remote_case_no": "PX9", "status": "ACCEPTED"})
    response = signed_post(client, body)
    assert response.status_code == 422
    assert response.get_json()["error"] == "unknown_case"
    assert counts() == (0, 0, 0)


def test_get_is_not_allowed_and_no_csrf_token_is_needed(client, partner):
    assert client.get("/federation/v1/messages").status_code == 405
    assert signed_post(client, message()).status_code == 200  # no CSRF token, no session


def test_a_concurrent_duplicate_is_answered_with_the_stored_result(client, partner, monkeypatch):
    """Two deliveries of one message at once: the loser hits the unique inbox row and answers like a duplicate."""
    from stations.crossregion import services

    body = message(message_id="msg-race-0001")
    first = signed_post(client, body).get_json()
    before = counts()
    real = services.inbox_result
    calls = {"n": 0}

    def not_yet_seen(partner_row, message_id):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(partner_row, message_id)  # the race: both saw no inbox row

    monkeypatch.setattr(services, "inbox_result", not_yet_seen)
    again = signed_post(client, body)
    assert again.status_code == 200
    assert again.get_json() == {"id": "msg-race-0001", "duplicate": True, "result": first["result"]}
    assert counts()[:2] == before[:2]
