"""API keys: the command line, the administrator's page, revocation, last use, the rate limit per key."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from stations.auth.models import AuditEvent
from stations.extensions import db
from stations.open311 import queries, services
from stations.open311.models import ApiKey
from tests.helpers.open311 import BASE, error_codes, online_item, post, request_form
from tests.helpers.suite import csrf_token_from


def test_cli_prints_the_key_alone_on_the_last_line(app):
    result = app.test_cli_runner().invoke(args=["api-key", "create", "泾心助企小程序"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"o311_[A-Za-z0-9_-]{40,}", last)
    key = queries.find_key(last)
    assert key is not None and key.name == "泾心助企小程序" and not key.is_revoked
    assert key.key_hash != last and last not in (key.key_prefix + "x")
    listed = app.test_cli_runner().invoke(args=["api-key", "list"])
    assert "泾心助企小程序" in listed.output and last not in listed.output
    revoked = app.test_cli_runner().invoke(args=["api-key", "revoke", str(key.id)])
    assert revoked.exit_code == 0 and queries.find_key(last).is_revoked
    assert app.test_cli_runner().invoke(args=["api-key", "revoke", "999999"]).exit_code != 0


def test_only_the_hash_is_stored(app):
    key, raw = services.issue_key("x")
    row = db.session.execute(select(ApiKey.__table__)).mappings().all()
    assert not any(raw in str(value) for r in row for value in r.values())
    assert key.key_prefix == raw[:9]


def test_admin_issues_a_key_shown_once_and_revokes_it(login_as, client):
    admin = login_as("admin")
    page = admin.get("/admin/api-keys")
    assert page.status_code == 200 and "API 密钥" in page.get_data(as_text=True)
    token = csrf_token_from(admin, "/admin/api-keys")
    issued = admin.post("/admin/api-keys", data={"csrf_token": token, "name": "合作应用<b>"})
    assert issued.status_code == 200
    body = issued.get_data(as_text=True)
    raw = re.search(r'<code class="mono api-key-secret">([^<]+)</code>', body).group(1)
    assert "合作应用&lt;b&gt;" in body
    key = queries.find_key(raw)
    assert key.created_by.username == "admin"
    assert raw not in admin.get("/admin/api-keys").get_data(as_text=True)  # shown once
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "api_key.issue")) is not None

    item = online_item()
    assert post(client, "json", request_form(raw, item)).status_code == 200
    revoked = admin.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert queries.find_key(raw).is_revoked
    refused = post(client, "json", request_form(raw, item))
    assert refused.status_code == 403 and error_codes(refused, "json") == ["api_key_invalid"]


def test_admin_page_validation_and_refusals(login_as):
    admin = login_as("admin")
    token = csrf_token_from(admin, "/admin/api-keys")
    assert admin.post("/admin/api-keys", data={"csrf_token": token, "name": "  "}).status_code == 422
    assert admin.post("/admin/api-keys", data={"name": "no token"}).status_code == 400
    assert admin.post("/admin/api-keys/999999/revoke", data={"csrf_token": token}).status_code == 404
    staff = login_as("staff-ll")
    assert staff.get("/admin/api-keys").status_code == 403


def test_last_use_is_noted(client, api_key):
    key = queries.find_key(api_key)
    assert key.last_used_at is None
    post(client, "json", request_form(api_key, online_item()))
    assert queries.find_key(api_key).last_used_at is not None


@pytest.fixture
def limit_overrides() -> dict:
    """Small Open311 limits for ``limited_app`` (tests/helpers/apps.py)."""
    return {"OPEN311_WRITE_RATE_LIMIT": "2/minute", "OPEN311_READ_RATE_LIMIT": "3/minute"}


def test_rate_limit_per_key(limited_app, api_key):
    form = request_form(api_key, online_item())
    other_key = services.issue_key("另一接入方")[1]
    client = limited_app.test_client()
    assert [post(client, "json", form).status_code for _ in range(2)] == [200, 200]
    limited = post(client, "xml", form)
    assert limited.status_code == 429
    assert error_codes(limited, "xml") == ["rate_limited"]
    assert "Retry-After" in limited.headers
    assert post(client, "json", form | {"api_key": other_key}).status_code == 200  # another key, its own budget
    reads = [client.get(f"{BASE}/services.json?api_key={api_key}").status_code for _ in range(3)]
    assert reads == [200, 200, 200]
    assert client.get(f"{BASE}/requests.json?api_key={api_key}").status_code == 429  # reads share one budget
    assert client.get(f"{BASE}/requests.json?api_key={other_key}").status_code == 200
