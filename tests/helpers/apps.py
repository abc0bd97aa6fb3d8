"""Second apps on the suite's database, and where the suite writes files (never into the repository)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from stations import create_app
from stations.config import TestConfig
from stations.extensions import db, limiter
from tests.dbutil import _TMP

# The session's own temporary roots: `make test` leaves the working tree as it found it (no instance/uploads).
UPLOAD_ROOT = _TMP / "uploads"


def suite_config(url: str, **overrides) -> dict:
    """TestConfig as a mapping for ``url``, files under the session's temporary roots, the limiter off."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=url,
        RATELIMIT_ENABLED=False,
        UPLOAD_ROOT=str(UPLOAD_ROOT),
    )
    config.update(overrides)
    return config


@pytest.fixture
def limit_overrides() -> dict:
    """Extra settings of ``limited_app`` (a test module overrides this fixture for smaller limits)."""
    return {}


@pytest.fixture
def limited_app(app: Flask, limit_overrides: dict) -> Iterator[Flask]:
    """A second app on the same database with the limiter switched on (the suite's app has it off)."""
    config = suite_config(
        app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_ROOT=app.config["UPLOAD_ROOT"],
        RATELIMIT_ENABLED=True,
        **limit_overrides,
    )
    application = create_app(config)
    try:
        yield application
    finally:
        limiter.reset()
        limiter.enabled = False  # the limiter object is shared with the suite's app
        with application.app_context():
            db.engine.dispose()
