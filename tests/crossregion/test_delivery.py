"""The transactional outbox and its worker: per-partner queues, backoff, lost replies, refusals, no redirects."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select

from stations.crossregion import delivery, services
from stations.crossregion.models import (
    AgreementKind,
    InboxMessage,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    PartnerRegion,
    Transfer,
    TransferDirection,
)
from stations.extensions import db
from stations.timeutil import utcnow
from tests.helpers.crossregion import KEY, forward_payload


def loopback(client, calls: list | None = None):
    """Deliver into this same app: we act as partner PX sending to ourselves (one database, two directions)."""

    def transport(url: str, body: bytes, headers: dict[str, str]) -> int:
        if calls is not None:
            calls.append(url)
        return client.post(url.removeprefix("http://loopback.test"), data=body, headers=headers).status_code

    return transport


def outbox(status: OutboxStatus | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def test_backoff_doubles_and_is_capped():
    assert [delivery.backoff_seconds(n) for n in (0, 1, 2, 5, 8, 9, 20)] == [1, 2, 4, 32, 256, 300, 300]


def test_forward_writes_transfer_and_outbox_row_together(partner):
    transfer = services.forward_transfer(partner, forward_payload("JH0001"))
    assert transfer.state == "FORWARDED"
    [row] = outbox()
    assert (row.kind, row.status, row.attempts) == (MessageKind.FORWARD, OutboxStatus.PENDING, 0)
    db.session.rollback()  # one transaction: neither survives without the other
    assert outbox() == []
    assert db.session.scalar(select(func.count(Transfer.id))) == 0


def test_round_trip_forward_sign_status_through_the_endpoint(client, partner):
    services.forward_transfer(partner, forward_payload("JH0001"))
    db.session.commit()
    assert delivery.deliver_once("PX", transport=loopback(client)) == (1, 0)
    inbound = db.session.scalar(select(Transfer).where(Transfer.direction == TransferDirection.INBOUND))
    assert inbound.remote_case_no == "JH0001" and inbound.state == "RECEIVED"

    services.sign_inbound(inbound)
    services.report_status(inbound, "ACCEPTED")
    db.session.commit()
    assert delivery.deliver_once("PX", transport=loopback(client)) == (2, 0)
    outbound = db.session.scalar(select(Transfer).where(Transfer.direction == TransferDirection.OUTBOUND))
    db.session.refresh(outbound)
    assert outbound.partner_signed_at is not None
    assert outbound.remote_case_no == inbound.local_case_no
    assert outbound.state == "ACCEPTED"
    assert outbox(OutboxStatus.PENDING) == []


def test_a_lost_reply_is_retried_and_applied_once(client, partner):
    services.forward_transfer(partner, forward_payload("JH0002"))
    db.session.commit()
    real = loopback(client)

    def lose_reply(url, body, headers):
        real(url, body, headers)  # the partner applies it ...
        raise TimeoutError("reply lost")  # ... and we never hear back

    assert delivery.deliver_once("PX", transport=lose_reply) == (0, 1)
    [row] = outbox()
    assert row.status is OutboxStatus.PENDING and row.attempts == 1 and "TimeoutError" in row.last_error
    # Not due before its backoff; due after it.
    assert delivery.deliver_once("PX", transport=real) == (0, 0)
    later = utcnow() + timedelta(seconds=3)
    assert delivery.deliver_once("PX", transport=real, now=later) == (1, 0)
    assert (
        db.session.scalar(select(func.count(Transfer.id)).where(Transfer.direction == TransferDirection.INBOUND)) == 1
    )
    assert db.session.scalar(select(func.count(InboxMessage.id))) == 1


def test_a_dead_partner_does_not_hold_up_the_others(partner):
    other = PartnerRegion(
        code="PY",
        name="另一合作区",
        agreement_kind=AgreementKind.CROSS_REGION,
        shared_key=KEY,
        base_url="http://py.test",
    )
    db.session.add(other)
    db.session.flush()
    first = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    second = services.enqueue(partner, MessageKind.STATUS, {"n": 2}, now=first.created_at + timedelta(seconds=1))
    for n in range(3):
        services.enqueue(other, MessageKind.STATUS, {"n": n})
    db.session.commit()
    calls: list[str] = []

    def transport(url, body, headers):
        calls.append(url)
        if url.startswith("http://loopback.test"):
            raise ConnectionRefusedError("partner down")
        return 200

    assert delivery.deliver_once("JH", transport=transport) == (3, 1)
    assert calls.count("http://py.test/federation/v1/messages") == 3
    assert calls.count("http://loopback.test/federation/v1/messages") == 1  # stopped at its head: order kept
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.attempts == 1 and first.status is OutboxStatus.PENDING
    assert second.attempts == 0
    assert (first.next_attempt_at - utcnow()).total_seconds() == pytest.approx(2, abs=1)
    assert len(outbox(OutboxStatus.DELIVERED)) == 3


def test_a_refused_message_fails_until_retried_by_hand(partner):
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    assert delivery.deliver_once("JH", transport=lambda *a: 400) == (0, 1)
    db.session.refresh(message)
    assert message.status is OutboxStatus.FAILED and message.last_error == "HTTP 400"
    assert delivery.deliver_once("JH", transport=lambda *a: 200) == (0, 0)  # failed: not retried by itself
    services.retry_now(message)
    db.session.commit()
    assert delivery.deliver_once("JH", transport=lambda *a: 200) == (1, 0)


def test_server_errors_are_retried_with_backoff(partner):
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    now = utcnow()
    for attempt in range(1, 4):
        delivery.deliver_once("JH", transport=lambda *a: 503, now=now)
        db.session.refresh(message)
        assert message.attempts == attempt and message.status is OutboxStatus.PENDING
        assert message.next_attempt_at >= now + timedelta(seconds=2**attempt) - timedelta(seconds=1)
        now = message.next_attempt_at


class _Redirect(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:22/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_redirects_are_not_followed():
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/federation/v1/messages"
        assert delivery.urllib_transport(url, b"{}", {"Content-Type": "application/json"}) == 302
    finally:
        thread.join(5)
        server.server_close()
    assert _Redirect.hits == 1


def test_only_http_urls_are_used():
    with pytest.raises(ValueError):
        delivery.urllib_transport("file:///etc/passwd", b"{}", {})


def test_admin_pages_and_retry_now(login_as, partner):
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    message.status = OutboxStatus.FAILED
    message.last_error = "HTTP 400"
    db.session.commit()
    admin = login_as("admin")
    assert "测试合作区" in admin.get("/admin/crossregion/").get_data(as_text=True)
    page = admin.get("/admin/crossregion/outbox?status=failed").get_data(as_text=True)
    assert message.id in page and "HTTP 400" in page
    assert admin.get("/admin/crossregion/inbox").status_code == 200
    from tests.helpers.suite import csrf_token_from

    token = csrf_token_from(admin, "/admin/crossregion/outbox")
    response = admin.post(f"/admin/crossregion/outbox/{message.id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(message)
    assert message.status is OutboxStatus.PENDING
    assert login_as("staff-ll").get("/admin/crossregion/outbox").status_code == 403


def test_forward_case_sends_the_case_with_material_digests(client, partner):
    from tests.factories import make_case

    case = make_case()
    transfer = services.forward_case(case, partner)
    assert transfer.case_id == case.id and transfer.local_case_no == case.case_no
    [row] = outbox()
    assert row.payload["case_no"] == case.case_no
    assert row.payload["enterprise"]["credit_code"] == case.enterprise.uscc
    assert row.payload["item_code"] == case.item.code
    db.session.commit()
    assert delivery.deliver_once("PX", transport=loopback(client)) == (1, 0)
    inbound = db.session.scalar(select(Transfer).where(Transfer.direction == TransferDirection.INBOUND))
    assert inbound.remote_case_no == case.case_no


def test_forward_case_refuses_a_partner_without_a_key(partner):
    from tests.factories import make_case

    partner.shared_key = None
    with pytest.raises(ValueError):
        services.forward_case(make_case(), partner)


def test_the_case_page_shows_the_partner_state(client, partner, login_as):
    from tests.factories import make_case

    case = make_case()
    assert "xr-panel" not in login_as("staff-ll").get(f"/cases/{case.case_no}").get_data(as_text=True)
    services.forward_case(case, partner)
    db.session.commit()
    delivery.deliver_once("PX", transport=loopback(client))
    inbound = db.session.scalar(select(Transfer).where(Transfer.direction == TransferDirection.INBOUND))
    services.sign_inbound(inbound)
    services.report_status(inbound, "ACCEPTED")
    db.session.commit()
    delivery.deliver_once("PX", transport=loopback(client))
    page = login_as("staff-ll").get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert 'id="xr-panel"' in page and "测试合作区" in page
    assert inbound.local_case_no in page  # the partner's case number came back with its status
    outbound = db.session.scalar(select(Transfer).where(Transfer.direction == TransferDirection.OUTBOUND))
    db.session.refresh(outbound)
    assert outbound.state == "ACCEPTED"


# --- egress allowlist (security.md N5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://zwfw.gl.example/", True),
        ("https://zwfw.gl.example/xr/federation/v1/messages", True),
        ("https://zwfw.gl.example:8443/", True),  # the entry names no port
        ("http://zwfw.gl.example/", False),  # another scheme
        ("https://zwfw.gl.example.evil.example/", False),
        ("https://evil.example/?u=https://zwfw.gl.example/", False),
        ("https://user@zwfw.gl.example/", False),  # credentials in the URL
        ("https://sy.example:9443/fed/v1", True),
        ("https://sy.example:9444/fed/", False),  # the entry names port 9443
        ("https://sy.example:9443/other/", False),  # outside the entry's path
        ("https://sy.example:9443/federal/", False),  # a prefix of the name is not the path
        ("ftp://zwfw.gl.example/", False),
        ("not a url", False),
    ],
)
def test_the_egress_allowlist(url, allowed):
    from stations.crossregion import egress

    entries = ["https://zwfw.gl.example", "https://sy.example:9443/fed"]
    assert egress.is_allowed(url, entries) is allowed


def test_the_default_allowlist_is_loopback_and_nothing_in_production(app):
    from stations.crossregion import egress

    saved = app.config["FEDERATION_EGRESS_ALLOWLIST"], app.config["ENV_NAME"]
    try:
        app.config["FEDERATION_EGRESS_ALLOWLIST"] = None
        assert egress.is_allowed("http://127.0.0.1:5102/")
        assert not egress.is_allowed("http://10.0.0.8/")
        app.config["ENV_NAME"] = "production"
        assert egress.allowlist() == ()
        assert not egress.is_allowed("http://127.0.0.1:5102/")
    finally:
        app.config["FEDERATION_EGRESS_ALLOWLIST"], app.config["ENV_NAME"] = saved


def test_a_partner_url_outside_the_allowlist_is_never_contacted(partner):
    partner.base_url = "http://169.254.169.254/latest"
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    calls: list[str] = []
    assert delivery.deliver_once("JH", transport=lambda url, *a: calls.append(url) or 200) == (0, 1)
    assert calls == []
    db.session.refresh(message)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error.startswith("egress refused")


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(partner):
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    _Redirect.hits = 0
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    partner.base_url = f"http://127.0.0.1:{server.server_port}"
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    try:
        assert delivery.deliver_once("JH") == (0, 1)  # the real urllib transport
    finally:
        thread.join(5)
        server.server_close()
    db.session.refresh(message)
    assert message.status is OutboxStatus.PENDING and message.last_error == "HTTP 302"
    assert _Redirect.hits == 1


# --- large materials: the receive endpoint's own request limit ------------------------------------------------


def _big_forward(size: int) -> bytes:
    import base64
    import hashlib
    import os

    from tests.helpers.crossregion import message

    content = os.urandom(size)
    payload = forward_payload("PX-BIG-1")
    payload["materials"] = [
        {
            "name": f"材料{n}",
            "sha256": hashlib.sha256(part).hexdigest(),
            "content": base64.b64encode(part).decode(),
        }
        for n, part in enumerate((content[: size // 2], content[size // 2 :]))
    ]
    return message(payload=payload)


def test_a_30_mb_signed_forward_passes_the_federation_endpoints_limit(client, partner, app):
    from tests.helpers.crossregion import signed_post

    body = _big_forward(22 * 1024 * 1024)  # two 11 MB materials, base64: about 30 MB
    assert 29 * 1024 * 1024 < len(body) < app.config["FEDERATION_MAX_BYTES"]
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    response = signed_post(client, body)
    # Read whole, signature and both digests checked: what the pipeline does next is not a question of size.
    assert response.status_code not in (400, 401, 413), response.get_json()

    data = json.loads(body)
    data["payload"]["materials"][1]["sha256"] = "0" * 64
    tampered = json.dumps(data).encode()
    refused = signed_post(client, tampered)
    assert (refused.status_code, refused.get_json()["error"]) == (400, "digest_mismatch")  # the end was read too


def test_the_federation_limit_still_applies(client, partner, app):
    from tests.helpers.crossregion import signed_post

    saved = app.config["FEDERATION_MAX_BYTES"]
    app.config["FEDERATION_MAX_BYTES"] = 1024 * 1024
    try:
        response = signed_post(client, _big_forward(2 * 1024 * 1024))
    finally:
        app.config["FEDERATION_MAX_BYTES"] = saved
    assert response.status_code == 413


def test_other_endpoints_keep_the_app_limit(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post("/login", data=body, headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413
