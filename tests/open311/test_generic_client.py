"""What generic Open311 clients do (issue 18): the singular service path, the first value of every list, no media."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers.open311 import BASE, online_item, parse


def _typed(client: f.Client) -> dict[str, str]:
    """What a user would type for the free-text attributes, filing for ``client``'s enterprise."""
    return {"enterprise_uscc": client.enterprise.uscc, "contact_phone": "13800000000"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_singular_is_answered_like_services(client, fmt):
    item = online_item()
    plural = client.get(f"{BASE}/services/{item.code}.{fmt}")
    singular = client.get(f"{BASE}/service/{item.code}.{fmt}")
    assert singular.status_code == plural.status_code == 200
    assert singular.get_data() == plural.get_data()


def test_a_generic_client_filing_first_values_and_no_media_gets_a_request_id(client, api_key, gd):
    item = online_item()
    definition = client.get(f"{BASE}/service/{item.code}.json").get_json()
    form = {"api_key": api_key, "service_code": item.code}
    for attribute in definition["attributes"]:
        if attribute["values"]:
            form[f"attribute[{attribute['code']}]"] = attribute["values"][0]["key"]  # the first value of each list
        elif attribute["required"]:
            form[f"attribute[{attribute['code']}]"] = _typed(gd)[attribute["code"]]
    response = client.post(f"{BASE}/requests.json", data=form)  # no media
    assert response.status_code == 200, response.get_data(as_text=True)
    [created] = parse(response, "json")
    assert created["service_request_id"]
