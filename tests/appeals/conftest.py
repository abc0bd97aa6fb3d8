"""Helpers for the appeal tests: CSRF tokens, a temporary upload root, firing events over HTTP."""

from __future__ import annotations

import pytest


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root
