"""Trusted hosts (issue 18): the Host header never makes it into a response; external URLs come from PUBLIC_URL."""

from __future__ import annotations

import pytest

from tests import factories as f

EVIL = "evil.example"


@pytest.mark.parametrize("url", ["/open311/v2/discovery.json", "/open311/v2/discovery.xml", "/login", "/track", "/"])
def test_an_untrusted_host_header_is_refused_and_never_echoed(client, url):
    response = client.get(url, headers={"Host": EVIL})
    assert response.status_code == 400
    assert EVIL not in response.get_data(as_text=True)
    assert all(EVIL not in value for _name, value in response.headers.items())


def test_discovery_and_receipt_use_the_configured_public_url(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://stations.example.cn")
    body = client.get("/open311/v2/discovery.json").get_json()
    assert body["endpoints"][0]["url"] == "https://stations.example.cn/open311/v2"
    case = f.make_case()
    page = login_as("staff-ll").get(f"/cases/{case.case_no}/receipt").get_data(as_text=True)
    assert "https://stations.example.cn/track?" in page and "http://localhost/track" not in page
