"""Test helpers for open311 (moved out of tests/open311/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

import io
import json
from xml.etree import ElementTree as ET

from stations.demo import make_uscc
from stations.open311 import queries
from tests import factories as f

BASE = "/open311/v2"


NEW_USCC = make_uscc("91611100MA6XNW777")  # valid, not registered


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# The spec's element names, in the spec's order.
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


ATTRIBUTE_FIELDS = [
    "variable", "code", "datatype", "required", "datatype_description", "order", "description", "values",
]  # fmt: skip


REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip


FORMATS = ("xml", "json")


def online_item(station_code: str = "LL", *, instant: bool = False):
    """An Open311 service offered at the station, with materials."""
    station = f.station(station_code)
    return next(i for i in queries.online_services(station) if i.is_instant is instant and i.materials)


def request_form(api_key: str, item, *, station: str = "LL", uscc: str | None = None, **extra) -> dict:
    """A filing at ``station`` for ``uscc``'s enterprise (a new client's, as ``f.make_client()`` makes one, when none
    is given)."""
    form = {
        "api_key": api_key,
        "service_code": item.code,
        "attribute[station]": station,
        "attribute[enterprise_uscc]": uscc or f.make_client().enterprise.uscc,
        "attribute[contact_phone]": "13800000000",
    }
    form.update(extra)
    return form


def with_all_materials(item, form: dict, data: bytes = PDF, filename: str = "材料.pdf") -> dict:
    """The form with every material marked provided, and a media file (multipart)."""
    form = dict(form)
    for material in item.materials:
        form[f"attribute[material_{material.code}]"] = "provided"
    form["media"] = (io.BytesIO(data), filename)
    return form


def post(client, fmt: str, form: dict, **kwargs):
    return client.post(f"{BASE}/requests.{fmt}", data=form, **kwargs)


def parse(response, fmt: str):
    """The body: (root tag, children) for XML, the decoded value for JSON."""
    if fmt == "xml":
        assert response.content_type == "text/xml; charset=utf-8"
        assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return ET.fromstring(response.data)  # noqa: S314  (our own response, no DTD)
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.data.decode("utf-8"))


def errors_of(response, fmt: str) -> list[tuple[str, str]]:
    """The spec's error list as [(code, description)], checking its shape on the way."""
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "errors"
        assert [e.tag for e in body] == ["error"] * len(body) and len(body) >= 1
        for error in body:
            assert [child.tag for child in error] == ["code", "description"]
        return [(e.findtext("code"), e.findtext("description")) for e in body]
    assert isinstance(body, list) and body
    for error in body:
        assert list(error) == ["code", "description"]
    return [(e["code"], e["description"]) for e in body]


def error_codes(response, fmt: str) -> list[str]:
    return [code for code, _description in errors_of(response, fmt)]


def requests_of(response, fmt: str) -> list[dict]:
    """Service requests as dicts of text (XML) or values (JSON), checking the spec's shape."""
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_requests"
        rows = []
        for request in body:
            assert request.tag == "request"
            rows.append({child.tag: child.text for child in request})
        return rows
    assert isinstance(body, list)
    return body
