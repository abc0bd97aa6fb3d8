"""The readers every /api/v1 module shares (stations/api/base.py): one page rule and one body rule everywhere."""

from __future__ import annotations

import pytest

from tests.helpers.suite import csrf_token_from

LISTS = ["/api/v1/cases", "/api/v1/meetings", "/api/v1/takeout/orders", "/api/v1/appeals"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", ["0", "-1", "abc", "²", "１", "100001"])
def test_a_bad_page_is_a_400_on_every_list(login_as, url, page):
    response = login_as("staff-ll").get(f"{url}?page={page}")
    assert response.status_code == 400, (url, page, response.status_code)
    assert response.get_json()["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize("url", LISTS)
def test_a_good_page_answers(login_as, url):
    assert login_as("staff-ll").get(f"{url}?page=2").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/meetings", "/api/v1/takeout/orders", "/api/v1/appeals"])
def test_a_body_that_is_not_an_object_is_a_400_and_an_unknown_field_a_422(login_as, url):
    client = login_as("staff-ll")
    headers = {"X-CSRFToken": csrf_token_from(client, "/home")}
    assert client.post(url, json=["not", "an", "object"], headers=headers).status_code == 400
    unknown = client.post(url, json={"no_such_field": 1}, headers=headers)
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "unknown_field"
