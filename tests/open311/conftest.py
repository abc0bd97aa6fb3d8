"""Open311 test helpers: an API key, an online item, posting a request, reading either format back."""

from __future__ import annotations

import pytest

from stations.open311 import services


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Uploaded media go to a temporary directory, not the repository's instance/."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root


@pytest.fixture
def api_key(app) -> str:
    """A fresh key (the raw value a client sends)."""
    _key, raw = services.issue_key("测试接入方")
    return raw
