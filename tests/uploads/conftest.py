"""Fixtures of the upload tests: a temporary upload root, and a private clamd (tests/uploads/clamav.py)."""

from tests.uploads.clamav import clamd_socket  # noqa: F401 - a fixture
