"""The offline outbox's JavaScript rules (static/js/offline-core.js), run with Node's own test runner."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from stations.config import REPO_ROOT


def test_the_offline_rules_pass_under_node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required (the Makefile's vendor step installs the front end with npm)")
    result = subprocess.run(
        [node, "--test", "tests/js/offline-core.test.js"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 4" in result.stdout and "# fail 0" in result.stdout


def test_the_service_worker_and_manifest_are_served_at_the_root(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert "no-cache" in worker.headers["Cache-Control"] and "networkFirst" in worker.get_data(as_text=True)
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.get_json()["start_url"] == "/takeout/"
