"""Errors everywhere under /open311/v2 are the spec's error list, in the format asked for; never a 500."""

from __future__ import annotations

import pytest

from tests.helpers.open311 import BASE, FORMATS, error_codes, online_item, request_form

RESOURCES = ["discovery", "services", "services/{code}", "requests", "requests/NOPE", "tokens/1"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["nope", "service", "services/x/y.json.xml", "requests/", "v3/services", ""])
def test_unknown_paths_are_404_error_lists(client, path, fmt):
    url = f"{BASE}/{path}.{fmt}" if path else f"{BASE}/"
    response = client.get(url)
    assert response.status_code == 404
    assert error_codes(response, fmt if path else "xml") == ["resource_not_found"]


def test_unknown_format_answers_in_xml(client):
    response = client.get(f"{BASE}/services.html")
    assert response.status_code == 404
    assert error_codes(response, "xml") == ["resource_not_found"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_ids_are_404(client, fmt):
    assert error_codes(client.get(f"{BASE}/requests/JHLL209901010001.{fmt}"), fmt) == ["request_not_found"]
    assert error_codes(client.get(f"{BASE}/services/NO-SUCH.{fmt}"), fmt) == ["service_not_found"]
    assert client.get(f"{BASE}/services/NO-SUCH.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_jurisdiction_is_404_everywhere(client, resource, fmt):
    url = f"{BASE}/{resource.format(code=online_item().code)}.{fmt}?jurisdiction_id=sfgov.org"
    response = client.get(url)
    assert response.status_code == 404
    assert error_codes(response, fmt) == ["jurisdiction_not_found"]


@pytest.mark.parametrize("jurisdiction", ["jinghe", "JINGHE", "LL", "ll", ""])
def test_known_jurisdictions(client, jurisdiction):
    assert client.get(f"{BASE}/services.json?jurisdiction_id={jurisdiction}").status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method_on_a_resource_is_400_with_allow(client, fmt):
    response = client.post(f"{BASE}/services.{fmt}")
    assert response.status_code == 400
    assert error_codes(response, fmt) == ["method_not_allowed"]
    assert response.headers["Allow"] == "GET"
    response = client.delete(f"{BASE}/requests.{fmt}")
    assert response.headers["Allow"] == "GET, POST"
    assert client.put(f"{BASE}/nope.{fmt}").status_code == 404


WEIRD = [
    "%00",
    "%FF%FE",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%E2%80%AE",
    "a" * 5000,
    "1e309",
    "-1",
    "../../etc/passwd",
    "%0d%0aSet-Cookie:x=1",
    "🙂",
]


@pytest.mark.parametrize("value", WEIRD)
def test_weird_values_never_cause_a_500(client, api_key, value):
    item = online_item()
    fmt = FORMATS[WEIRD.index(value) % 2]  # the format changes nothing in parsing: each value in one of them
    names = ["jurisdiction_id", "service_code", "start_date", "end_date", "status", "page", "page_size",
             "service_request_id", "api_key"]  # fmt: skip
    for name in names:
        for resource in RESOURCES:
            url = f"{BASE}/{resource.format(code=item.code)}.{fmt}?{name}={value}"
            assert client.get(url).status_code < 500, url
    for path in (f"requests/{value}", f"services/{value}", f"tokens/{value}"):
        assert client.get(f"{BASE}/{path}.{fmt}").status_code in (404, 400), path
    for field in ("service_code", "attribute[station]", "attribute[enterprise_uscc]", "attribute[contact_phone]",
                  "attribute[enterprise_name]", "description", "first_name", "lat", "email", "media_url",
                  f"attribute[material_{item.materials[0].code}]", "jurisdiction_id"):  # fmt: skip
        form = request_form(api_key, item, **{field: value}) if "[" not in field else request_form(api_key, item)
        if "[" in field:
            form[field] = value
        response = client.post(f"{BASE}/requests.{fmt}", data=form)
        assert response.status_code in (200, 400, 404), (field, value, response.status_code)
        if response.status_code != 200:
            assert error_codes(response, fmt)


def test_descriptions_are_chinese_by_default_and_english_on_request(client):
    chinese = client.get(f"{BASE}/requests/NOPE.json").json[0]
    english = client.get(f"{BASE}/requests/NOPE.json?lang=en").json[0]
    assert chinese == {"code": "request_not_found", "description": "未找到该办件。"}
    assert english["code"] == "request_not_found" and english["description"].isascii()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fault_of_ours_is_a_500_error_list_not_a_page(client, monkeypatch, fmt):
    from stations.open311 import queries

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(queries, "online_services", broken)
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 500
    assert error_codes(response, fmt) == ["server_error"]
    assert "database gone" not in response.get_data(as_text=True)
