"""Encryption at rest for the few secrets the server must read back in clear (a TOTP secret; issue 20).

Anything that can be hashed instead is hashed (passwords, recovery codes, API tokens). What cannot, is
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, cryptography) under the data key:

- ``STATIONS_DATA_KEY``: one or more Fernet keys separated by commas, the first encrypting, all decrypting
  (MultiFernet). Required in production (create_app refuses to start without it). Generate one with
  ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
- Without it (development, tests) the key is derived from SECRET_KEY with HKDF, so `make run` needs nothing.

Rotation (README, "Production"): put the new key first and keep the old one after it, restart, run
``flask mfa rotate-key`` (re-encrypts every row under the first key), then drop the old key and restart.
A database dump alone therefore no longer gives anyone the second factors: they also need the key, which is
kept out of the database and the backups.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

CONFIG = "DATA_KEY"
_CACHE = "stations_data_fernet"


def _derived(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"stations", info=b"data key at rest")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def keys_of(app: Flask) -> list[bytes]:
    configured = app.config.get(CONFIG) or ""
    if isinstance(configured, list | tuple):
        configured = ",".join(configured)
    keys = [part.strip().encode() for part in str(configured).split(",") if part.strip()]
    return keys or [_derived(str(app.config["SECRET_KEY"]))]


def init_app(app: Flask) -> None:
    """Check the key at start-up: required in production, and every key must be a valid Fernet key."""
    if app.config["ENV_NAME"] == "production" and not app.config.get(CONFIG):
        raise RuntimeError("STATIONS_DATA_KEY must be set in production (see stations/datakey.py)")
    app.extensions[_CACHE] = MultiFernet([Fernet(key) for key in keys_of(app)])  # raises on a malformed key


def fernet() -> MultiFernet:
    return current_app.extensions[_CACHE]


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text; raises cryptography.fernet.InvalidToken with a wrong key (never returns garbage)."""
    return fernet().decrypt(token.encode()).decode()


class EncryptedString(TypeDecorator):
    """A string column stored encrypted under the data key and read back in clear (needs an app context)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
