"""Key rotation (security.md N7): two valid keys during the overlap, the old one refused after its expiry.

Through the endpoint, "accepted" means the signature check passed (anything but 401): what the inbound pipeline
then does with the message is tested in test_inbound.py. ``keys.verify_request`` is checked directly as well.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from sqlalchemy import func, select

from stations.crossregion import delivery, keys, signing
from stations.crossregion.models import InboxMessage, MessageKind, PartnerKey, SeenNonce, Transfer
from stations.crossregion.services import FEDERATION_PATH, enqueue
from stations.extensions import db
from stations.timeutil import utcnow
from tests.helpers.crossregion import KEY, message

OLD_SECRET = "old-secret-0123456789abcdef0123456789"
NEW_SECRET = "new-secret-0123456789abcdef0123456789"


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(InboxMessage.id))),
        db.session.scalar(select(func.count(Transfer.id))),
        db.session.scalar(select(func.count()).select_from(SeenNonce)),
    )


def post(client, body: bytes, secret: str, key_id: str | None):
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    headers = {
        "Content-Type": "application/json",
        signing.HEADER_REGION: "PX",
        signing.HEADER_TIMESTAMP: timestamp,
        signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(secret, "POST", FEDERATION_PATH, timestamp, nonce, body),
    }
    if key_id is not None:
        headers[signing.HEADER_KEY_ID] = key_id
    return client.post(FEDERATION_PATH, data=body, headers=headers)


def rotate(partner, *, old_expires_in: timedelta = timedelta(days=7)) -> tuple[PartnerKey, PartnerKey]:
    """The partner's old key (valid for another week) and the new one (valid from a minute ago)."""
    now = utcnow()
    old = PartnerKey(
        partner_id=partner.id,
        key_id="k1",
        secret=OLD_SECRET,
        not_before=now - timedelta(days=300),
        not_after=now + old_expires_in,
    )
    new = PartnerKey(
        partner_id=partner.id,
        key_id="k2",
        secret=NEW_SECRET,
        not_before=now - timedelta(minutes=1),
        not_after=now + timedelta(days=365),
    )
    db.session.add_all([old, new])
    db.session.commit()
    return old, new


def headers_for(secret: str, key_id: str | None, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    headers = {
        signing.HEADER_TIMESTAMP: timestamp,
        signing.HEADER_NONCE: nonce,
        signing.HEADER_SIGNATURE: signing.sign(secret, "POST", FEDERATION_PATH, timestamp, nonce, body),
    }
    if key_id is not None:
        headers[signing.HEADER_KEY_ID] = key_id
    return headers


def check(partner, secret: str, key_id: str | None, *, now=None) -> str | None:
    body = message()
    return keys.verify_request(partner, "POST", FEDERATION_PATH, headers_for(secret, key_id, body), body, now=now)


def test_verify_request_during_and_after_the_overlap(partner):
    old, _new = rotate(partner)
    for secret, key_id in ((OLD_SECRET, "k1"), (NEW_SECRET, "k2"), (OLD_SECRET, None), (NEW_SECRET, None)):
        assert check(partner, secret, key_id) is None, key_id
    after = old.not_after + timedelta(seconds=1)
    assert check(partner, OLD_SECRET, "k1", now=after) == "expired_key"
    assert check(partner, OLD_SECRET, None, now=after) == "bad_signature"
    assert check(partner, NEW_SECRET, "k2", now=after) is None
    assert check(partner, NEW_SECRET, "k1") == "bad_signature"  # a key id with another key's secret
    assert check(partner, NEW_SECRET, "nope") == "unknown_key"


def test_both_keys_verify_during_the_overlap(client, partner):
    rotate(partner)
    for secret, key_id in ((OLD_SECRET, "k1"), (NEW_SECRET, "k2"), (OLD_SECRET, None), (NEW_SECRET, None)):
        response = post(client, message(), secret, key_id)
        assert response.status_code != 401, (key_id, response.get_json())


def test_the_old_key_is_refused_after_its_expiry_and_nothing_changes(client, partner):
    old, _new = rotate(partner)
    old.not_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = counts()
    for key_id in ("k1", None):
        response = post(client, message(), OLD_SECRET, key_id)
        assert response.status_code == 401
        assert response.get_json()["error"] == ("expired_key" if key_id else "bad_signature")
    assert counts() == before
    assert post(client, message(), NEW_SECRET, "k2").status_code != 401


def test_a_key_not_yet_valid_is_refused(client, partner):
    _old, new = rotate(partner)
    new.not_before = utcnow() + timedelta(hours=1)
    db.session.commit()
    response = post(client, message(), NEW_SECRET, "k2")
    assert (response.status_code, response.get_json()["error"]) == (401, "expired_key")
    assert counts() == (0, 0, 0)


def test_an_unknown_key_id_is_refused_and_changes_nothing(client, partner):
    rotate(partner)
    response = post(client, message(), NEW_SECRET, "k9")
    assert (response.status_code, response.get_json()["error"]) == (401, "unknown_key")
    assert counts() == (0, 0, 0)


def test_a_key_id_with_another_keys_secret_is_refused(client, partner):
    rotate(partner)
    response = post(client, message(), NEW_SECRET, "k1")
    assert (response.status_code, response.get_json()["error"]) == (401, "bad_signature")
    assert counts() == (0, 0, 0)


def test_the_legacy_shared_key_counts_only_while_the_partner_has_no_key_rows(client, partner):
    assert post(client, message(), KEY, None).status_code != 401  # no rows yet: shared_key verifies
    rotate(partner)
    response = post(client, message(), KEY, None)
    assert (response.status_code, response.get_json()["error"]) == (401, "bad_signature")


def test_a_partner_whose_keys_have_all_expired_is_refused(client, partner):
    old, new = rotate(partner)
    old.not_after = new.not_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = post(client, message(), NEW_SECRET, "k2")
    assert (response.status_code, response.get_json()["error"]) == (401, "unknown_partner")
    assert counts() == (0, 0, 0)


def test_outbound_signs_with_the_newest_valid_key_and_names_it(partner):
    rotate(partner)
    enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    seen: list[dict[str, str]] = []

    def transport(url, body, headers):
        seen.append(headers)
        return 200

    assert delivery.deliver_once("JH", transport=transport) == (1, 0)
    [headers] = seen
    assert headers[signing.HEADER_KEY_ID] == "k2"
    expected = signing.sign(
        NEW_SECRET, "POST", FEDERATION_PATH, headers[signing.HEADER_TIMESTAMP], headers[signing.HEADER_NONCE], b""
    )
    assert headers[signing.HEADER_SIGNATURE] != expected  # signed over the real body, not an empty one
    assert keys.signing_key(partner).key_id == "k2"


def test_outbound_falls_back_to_the_old_key_when_the_new_one_is_not_yet_valid(partner):
    _old, new = rotate(partner)
    new.not_before = utcnow() + timedelta(days=1)
    db.session.commit()
    assert keys.signing_key(partner).key_id == "k1"
    assert [k.key_id for k in keys.valid_keys(partner)] == ["k1"]


def test_outbound_with_the_legacy_key_sends_no_key_id(partner):
    enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    seen: list[dict[str, str]] = []
    delivery.deliver_once("JH", transport=lambda url, body, headers: seen.append(headers) or 200)
    assert signing.HEADER_KEY_ID not in seen[0]


def test_what_the_sender_signs_the_receiver_verifies(client, partner):
    """We act as PX sending to ourselves: the receiver checks the key id the sender named."""
    rotate(partner)
    enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    answers: list[dict] = []

    def transport(url, body, headers):
        response = client.post(FEDERATION_PATH, data=body, headers=headers)
        answers.append(response.get_json())
        return response.status_code

    delivery.deliver_once("PX", transport=transport)
    [answer] = answers
    assert answer["error"] == "invalid_field"  # past the signature (a bare {"n": 1} is not a status message)
