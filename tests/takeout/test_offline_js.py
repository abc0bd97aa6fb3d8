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


def test_the_service_worker_stores_the_page_shell_at_install(client):
    """Every file of the page shell (base.html's icon, style and scripts, the offline scripts) is stored when the
    worker installs, so a page opened offline loads them all; each is a file that exists."""
    import re
    from pathlib import Path

    worker = client.get("/sw.js").get_data(as_text=True)
    shell = set(re.findall(r'"(/static/[^"]+)"', worker.split("const SHELL = [", 1)[1].split("];", 1)[0]))
    base = (Path(__file__).parents[2] / "templates" / "base.html").read_text(encoding="utf-8")
    in_base = {f"/static/{name}" for name in re.findall(r"url_for\('static', filename='([^']+)'\)", base)}
    assert in_base and in_base <= shell
    assert {"/static/js/offline-core.js", "/static/js/offline-forms.js"} <= shell
    for url in shell:
        assert client.get(url).status_code == 200, url
