"""Where partner messages may go (security.md N5: egress allowlist, against SSRF).

``FEDERATION_EGRESS_ALLOWLIST`` lists URL prefixes, ``scheme://host[:port][/path]``. A partner URL is allowed
when one entry has its scheme and host, the entry's port if it names one, and a path the URL's path starts with.
Unset (None), only loopback is allowed outside production and nothing in production, so a deployment names its
partners explicitly (``STATIONS_FEDERATION_EGRESS_ALLOWLIST='["https://zwfw.gaoling.example/"]'``).
The check runs when a partner URL is saved and again before every delivery (the list may have changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app

LOOPBACK = ("http://127.0.0.1", "https://127.0.0.1", "http://localhost", "https://localhost")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def allowlist() -> tuple[str, ...]:
    configured = current_app.config.get("FEDERATION_EGRESS_ALLOWLIST")
    if configured is None:
        return () if current_app.config.get("ENV_NAME") == "production" else LOOPBACK
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(entry.strip() for entry in configured if entry and entry.strip())


def _parts(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an http(s) URL without credentials, query or fragment; None otherwise."""
    try:
        split = urlsplit(url.strip())
        port = split.port
    except ValueError:
        return None
    scheme = split.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not split.hostname or split.username or split.password:
        return None
    if split.query or split.fragment:
        return None
    return scheme, split.hostname.lower(), port or _DEFAULT_PORTS[scheme], split.path or "/"


def well_formed(url: str) -> bool:
    return _parts(url) is not None


def is_allowed(url: str, entries: Iterable[str] | None = None) -> bool:
    target = _parts(url)
    if target is None:
        return False
    for entry in allowlist() if entries is None else entries:
        allowed = _parts(entry)
        if allowed is None:
            continue  # a malformed entry allows nothing
        scheme, host, port, path = allowed
        names_port = urlsplit(entry.strip()).port is not None
        if (scheme, host) != target[:2] or (names_port and port != target[2]):
            continue
        prefix = path if path.endswith("/") else path + "/"
        if target[3] == path or target[3].startswith(prefix) or path == "/":
            return True
    return False
