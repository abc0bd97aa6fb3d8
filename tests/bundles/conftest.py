"""Helpers for the bundle tests: apply for a demo bundle with every required material uploaded once."""

from __future__ import annotations

import pytest


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root
