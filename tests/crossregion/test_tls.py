"""TLS verification on delivery (security.md N6) against a local HTTPS server with a self-signed certificate.

Without the partner's pinned CA the attempt fails (and is recorded as a failed attempt); with it, the message is
delivered. Verification is never turned off.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from stations.crossregion import delivery, services, tls
from stations.crossregion.models import MessageKind, OutboxStatus
from stations.extensions import db


def self_signed(tmp: Path) -> tuple[Path, Path, str]:
    """A certificate for 127.0.0.1 that signs itself: (cert file, key file, cert PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "partner.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # OpenSSL checks validity against the real system clock, which a pinned test clock
        # (STATIONS_TEST_NOW) does not move: a window wide enough for any pinned instant this year.
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_text(pem)
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file, pem


class _Accept(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(self.path)
        body = b'{"id": "x", "duplicate": false, "result": {}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def https_partner(tmp_path, partner):
    """An HTTPS server on loopback with a self-signed certificate; the partner points at it."""
    cert_file, key_file, pem = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = HTTPServer(("127.0.0.1", 0), _Accept)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _Accept.received = []
    # A refused handshake (the client did not trust us) is an OSError that serve_forever skips.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    partner.base_url = f"https://127.0.0.1:{server.server_port}"
    db.session.commit()
    try:
        yield partner, pem
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_without_the_pinned_ca_the_attempt_fails_and_is_recorded(https_partner):
    partner, _pem = https_partner
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    assert delivery.deliver_once("JH") == (0, 1)
    db.session.refresh(message)
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error
    assert _Accept.received == []


def test_with_the_pinned_ca_the_message_is_delivered(https_partner):
    partner, pem = https_partner
    partner.ca_bundle_pem = pem
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    assert delivery.deliver_once("JH") == (1, 0)
    db.session.refresh(message)
    assert message.status is OutboxStatus.DELIVERED
    assert _Accept.received == ["/federation/v1/messages"]


def test_a_pinned_ca_file_from_the_configuration_works_too(https_partner, app, tmp_path):
    partner, pem = https_partner
    (tmp_path / "px-ca.pem").write_text(pem)
    services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    app.config["FEDERATION_CA_FILES"] = {"PX": str(tmp_path / "px-ca.pem")}
    try:
        assert delivery.deliver_once("JH") == (1, 0)
    finally:
        app.config["FEDERATION_CA_FILES"] = {}


def test_another_ca_pinned_is_not_trusted(https_partner, tmp_path):
    partner, _pem = https_partner
    (tmp_path / "other").mkdir()
    _cert, _key, other_pem = self_signed(tmp_path / "other")
    partner.ca_bundle_pem = other_pem
    message = services.enqueue(partner, MessageKind.STATUS, {"n": 1})
    db.session.commit()
    assert delivery.deliver_once("JH") == (0, 1)
    db.session.refresh(message)
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error


def test_the_client_context_always_verifies():
    for context in (tls.client_context(None), tls.client_context(_pem_only())):
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname is True


def _pem_only() -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return self_signed(Path(tmp))[2]


def test_a_ca_pem_is_checked_before_it_is_saved():
    assert tls.valid_ca_pem(_pem_only())
    assert not tls.valid_ca_pem("not a certificate")
    assert not tls.valid_ca_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_no_code_turns_verification_off():
    """security.md N6: no CERT_NONE, no check_hostname=False, no unverified context anywhere in the app."""
    root = Path(__file__).resolve().parents[2] / "stations"
    banned = ("CERT_NONE", "check_hostname = False", "_create_unverified_context", "verify=False")
    offenders = [
        f"{path}: {word}" for path in root.rglob("*.py") for word in banned if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
