"""What an upload may contain: ClamAV's verdict, and no active content in PDFs (security.md F7, issue 18).

ClamAV runs as its own daemon (Debian's clamav-daemon; production loads the signature databases with freshclam).
We speak INSTREAM to it with clamav-client (artefactual-labs, maintained; no dependencies) over its local socket
(``CLAMD_SOCKET=/run/clamav/clamd.ctl``) or TCP (``CLAMD_SOCKET=tcp://127.0.0.1:3310``). Without CLAMD_SOCKET
scanning is off and the start-up log says so; with it, a daemon that does not answer refuses uploads (503) rather
than letting files through unscanned.
"""

from __future__ import annotations

import io
import logging
import re
import zlib

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from flask import Flask, current_app

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0


class ScanUnavailable(Exception):
    """CLAMD_SOCKET is set but the daemon did not give a verdict."""


def _client(target: str) -> ClamdNetworkSocket:
    if target.startswith("tcp://"):
        host, _, port = target.removeprefix("tcp://").rpartition(":")
        return ClamdNetworkSocket(host or "127.0.0.1", int(port), timeout=TIMEOUT_SECONDS)
    return ClamdUnixSocket(target, timeout=TIMEOUT_SECONDS)


def virus_found(data: bytes) -> str | None:
    """The signature name ClamAV found in ``data``, None when clean or when scanning is off.

    :raise ScanUnavailable: the configured daemon did not answer or answered an error.
    """
    target = current_app.config.get("CLAMD_SOCKET")
    if not target:
        return None
    try:
        result = _client(target).instream(io.BytesIO(data))
    except (ClamdError, OSError) as error:
        raise ScanUnavailable(str(error)) from error
    status, name = result.get("stream", (None, None))
    if status == "FOUND":
        return name or "unknown"
    if status != "OK":
        raise ScanUnavailable(f"clamd answered {result!r}")
    return None


def init_app(app: Flask) -> None:
    """Log at start-up whether uploads are scanned (`make run` without a daemon: scanning is off)."""
    target = app.config.get("CLAMD_SOCKET")
    if not target:
        app.logger.warning("Upload virus scanning is OFF: CLAMD_SOCKET is not set (see docs/deploy.md).")
        return
    try:
        version = _client(target).version()
    except (ClamdError, OSError) as error:
        app.logger.error("Upload virus scanning: clamd at %s does not answer (%s); uploads are refused", target, error)
        return
    app.logger.info("Upload virus scanning is on: %s at %s", version, target)


# --- PDFs: no JavaScript, no embedded files, no launch actions, no HTML polyglots --------------------------------

# Names of active content. A PDF may spell a name with #xx escapes (/J#61vaScript), hence the decoding.
ACTIVE_NAMES = frozenset({"JS", "JavaScript", "EmbeddedFile", "EmbeddedFiles", "Launch", "RichMedia", "XFA"})
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_MARKUP = re.compile(rb"<\s*(script|html|iframe|svg)\b", re.IGNORECASE)
MAX_INFLATED = 20 * 1024 * 1024  # per upload, all streams together: an inflation bomb stops here


def _names(chunk: bytes) -> set[str]:
    return {_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), n).decode("latin-1") for n in _NAME.findall(chunk)}


def _inflated_streams(data: bytes):
    budget = MAX_INFLATED
    for match in _STREAM.finditer(data):
        if budget <= 0:
            return
        try:
            inflated = zlib.decompressobj().decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (images, other filters): nothing to read there
        budget -= len(inflated)
        yield inflated


def pdf_active_content(data: bytes) -> bool:
    """True when the PDF holds JavaScript, embedded files, launch actions or HTML markup (a polyglot).

    Object streams (PDF 1.5+) can hide dictionaries in Flate-compressed streams, so those are read too.
    """
    if _MARKUP.search(data) or _names(data) & ACTIVE_NAMES:
        return True
    return any(_names(inflated) & ACTIVE_NAMES for inflated in _inflated_streams(data))
