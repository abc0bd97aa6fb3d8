"""Every resource in both formats, against the spec's shapes (XML parsed, JSON arrays where the spec has arrays)."""

from __future__ import annotations

import pytest

from stations.catalog.search import ALIASES
from tests import factories as f
from tests.helpers.open311 import (
    ATTRIBUTE_FIELDS,
    BASE,
    FORMATS,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    online_item,
    parse,
    post,
    request_form,
    requests_of,
    with_all_materials,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "discovery"
        assert [c.tag for c in body] == ["changeset", "contact", "key_service", "endpoints"]
        endpoints = body.find("endpoints")
        assert [e.tag for e in endpoints] == ["endpoint"]
        endpoint = endpoints[0]
        assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
        assert [x.text for x in endpoint.find("formats")] == ["text/xml", "application/json"]
        assert endpoint.findtext("type") == "production"
        assert endpoint.findtext("url") == "http://localhost/open311/v2"
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert body.findtext("changeset").endswith("+08:00")
    else:
        assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
        assert isinstance(body["endpoints"], list) and len(body["endpoints"]) == 1
        endpoint = body["endpoints"][0]
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["type"] == "production"
        assert "API 密钥" in body["key_service"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services(client, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "services" and len(body) > 50
        assert {s.tag for s in body} == {"service"}
        for service in body:
            assert [c.tag for c in service] == SERVICE_FIELDS
        rows = [{c.tag: c.text for c in s} for s in body]
        assert {r["metadata"] for r in rows} == {"true"}
    else:
        assert isinstance(body, list) and len(body) > 50
        assert all(list(s) == SERVICE_FIELDS for s in body)
        rows = body
        assert {r["metadata"] for r in rows} == {True}
    assert {r["type"] for r in rows} == {"realtime"}
    item = online_item()
    mine = next(r for r in rows if r["service_code"] == item.code)
    assert mine["service_name"] == item.name
    assert mine["group"] == item.department.name
    assert mine["keywords"].split(", ")[0] == item.name_initials
    assert "承诺办结时限" in mine["description"]


def test_services_list_only_what_can_be_filed_online(client):
    codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").json}
    from stations.catalog.models import OnlineMode, ServiceItem
    from stations.extensions import db

    offline = db.session.query(ServiceItem.code).filter(ServiceItem.online_mode == OnlineMode.OFFLINE).all()
    assert codes and not codes & {code for (code,) in offline}
    station_codes = {s["service_code"] for s in client.get(f"{BASE}/services.json?jurisdiction_id=LL").json}
    assert station_codes and station_codes <= codes


def test_keywords_carry_the_everyday_names(client):
    rows = client.get(f"{BASE}/services.json").json
    with_alias = [r for r in rows if any(official in r["service_name"] for official in ALIASES.values())]
    for row in with_alias:
        everyday = [e for e, official in ALIASES.items() if official in row["service_name"]]
        assert set(everyday) <= set(row["keywords"].split(", "))


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, fmt):
    item = online_item()
    response = client.get(f"{BASE}/services/{item.code}.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_definition"
        assert [c.tag for c in body] == ["service_code", "attributes"]
        assert body.findtext("service_code") == item.code
        attributes = body.find("attributes")
        assert {a.tag for a in attributes} == {"attribute"}
        for attribute in attributes:
            assert [c.tag for c in attribute] == ATTRIBUTE_FIELDS
            assert {v.tag for v in attribute.find("values")} <= {"value"}
            for value in attribute.find("values"):
                assert [c.tag for c in value] == ["key", "name"]
        rows = [
            {
                **{c.tag: c.text for c in a if c.tag != "values"},
                "values": [(v.findtext("key"), v.findtext("name")) for v in a.find("values")],
            }
            for a in attributes
        ]
        required = {r["code"]: r["required"] == "true" for r in rows}
    else:
        assert list(body) == ["service_code", "attributes"]
        assert isinstance(body["attributes"], list)
        for attribute in body["attributes"]:
            assert list(attribute) == ATTRIBUTE_FIELDS
            assert isinstance(attribute["values"], list)
            assert all(list(v) == ["key", "name"] for v in attribute["values"])
        rows = [{**a, "values": [(v["key"], v["name"]) for v in a["values"]]} for a in body["attributes"]]
        required = {r["code"]: r["required"] for r in rows}
    codes = [r["code"] for r in rows]
    assert codes[:4] == ["station", "enterprise_uscc", "enterprise_name", "contact_phone"]
    assert codes[4:] == [f"material_{m.code}" for m in item.materials]
    assert required["station"] and required["enterprise_uscc"] and required["contact_phone"]
    assert not required["enterprise_name"]
    orders = [int(r["order"]) for r in rows]
    assert len(set(orders)) == len(orders) and min(orders) == 1
    station = rows[0]
    assert station["datatype"] == "singlevaluelist"
    assert ("LL", f.station("LL").name) in station["values"]
    material = rows[4]
    assert material["datatype"] == "singlevaluelist"
    assert [key for key, _name in material["values"]] == [
        "missing",
        "provided",
    ]  # the one that needs nothing else first
    assert item.materials[0].name in material["description"]


def test_service_definition_for_a_station_lists_only_that_station(client):
    item = online_item()
    body = client.get(f"{BASE}/services/{item.code}.json?jurisdiction_id=ll").json
    assert body["attributes"][0]["values"] == [{"key": "LL", "name": f.station("LL").name}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_answer(client, api_key, fmt):
    item = online_item()
    response = post(client, fmt, request_form(api_key, item))
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_requests"
        assert [r.tag for r in body] == ["request"]
        assert [c.tag for c in body[0]] == ["service_request_id", "service_notice"]
        answer = {c.tag: c.text for c in body[0]}
    else:
        assert isinstance(body, list) and len(body) == 1
        assert list(body[0]) == ["service_request_id", "service_notice"]
        answer = body[0]
    assert answer["service_request_id"].startswith("JHLL")
    assert f"承诺时限 {item.promised_days} 个工作日" in answer["service_notice"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_and_one_request(client, api_key, fmt):
    item = online_item()
    case_no = post(client, "json", with_all_materials(item, request_form(api_key, item))).json[0]["service_request_id"]
    listed = requests_of(client.get(f"{BASE}/requests.{fmt}"), fmt)
    assert listed and all(list(r) == REQUEST_FIELDS for r in listed)
    assert case_no in [r["service_request_id"] for r in listed]
    one = client.get(f"{BASE}/requests/{case_no}.{fmt}")
    assert one.status_code == 200
    rows = requests_of(one, fmt)
    assert len(rows) == 1 and list(rows[0]) == REQUEST_FIELDS
    row = rows[0]
    station = f.station("LL")
    assert row["service_request_id"] == case_no
    assert row["status"] == "open"
    assert row["status_notes"] == "已收件"
    assert row["service_code"] == item.code and row["service_name"] == item.name
    assert row["agency_responsible"] == station.name
    assert row["address"] == station.address and row["address_id"] == "LL"
    assert row["requested_datetime"].endswith("+08:00")
    assert row["expected_datetime"] is None  # not accepted yet: no due date


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens_are_never_issued(client, fmt):
    from tests.helpers.open311 import errors_of

    response = client.get(f"{BASE}/tokens/12345.{fmt}")
    assert response.status_code == 404
    assert [code for code, _ in errors_of(response, fmt)] == ["token_not_found"]


def test_responses_are_never_cached(client, api_key):
    for url in ("/discovery.xml", "/services.json", "/requests.json"):
        assert client.get(BASE + url).headers["Cache-Control"] == "no-store, private"
