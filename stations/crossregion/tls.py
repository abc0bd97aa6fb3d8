"""TLS for outbound delivery (security.md N6): always verified, by the system CAs or a partner's pinned CA.

A partner's pinned CA is the PEM in ``partner_regions.ca_bundle_pem`` or, failing that, the file named for its
code in ``FEDERATION_CA_FILES``. When one is set, only it is trusted for that partner (not the system CAs).
There is no switch that turns verification off.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from flask import current_app

from .models import PartnerRegion


def pinned_ca(partner: PartnerRegion) -> str | None:
    if partner.ca_bundle_pem and partner.ca_bundle_pem.strip():
        return partner.ca_bundle_pem
    path = (current_app.config.get("FEDERATION_CA_FILES") or {}).get(partner.code)
    return Path(path).read_text() if path else None


def client_context(ca_pem: str | None) -> ssl.SSLContext:
    """A client context that checks the certificate chain and the host name.

    :raise ssl.SSLError: the PEM holds no usable certificate.
    """
    if ca_pem:
        return ssl.create_default_context(cadata=ca_pem)
    return ssl.create_default_context()


def valid_ca_pem(pem: str) -> bool:
    """True when ``pem`` holds at least one certificate the TLS library accepts (checked when it is saved)."""
    if "-----BEGIN CERTIFICATE-----" not in pem:
        return False
    try:
        client_context(pem)
    except (ssl.SSLError, ValueError):
        return False
    return True
