"""One structure, two formats: the spec's XML (ElementTree, no namespace) and its JSON (the Spark mapping).

A resource is built once as plain Python data: a dict (discovery, a service definition) or a list of dicts
(services, service requests, errors). ``render()`` turns it into either format:

* XML: the root tag wraps the dict's fields, or one element per list item named after ``ITEM_TAGS[root]``;
  a nested list becomes a container of singular elements (``attributes`` -> ``attribute``), None an empty
  element, booleans ``true``/``false``. The XML declaration names UTF-8, as the spec asks.
* JSON: the same data, with arrays where the spec's JSON has arrays and ``null`` for None.

Strings pass through ``clean_text()``: characters XML 1.0 cannot carry (NUL and most C0 controls) are dropped
(lone surrogates too) so that a stored value can never make the XML ill-formed or the UTF-8 unencodable. Escaping is left to the serialisers.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
FORMATS = ("xml", "json")

# Container element -> the element of each item inside it.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (tab, line feed and carriage return stay)."""
    return _XML_ILLEGAL.sub("", value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean_text(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    else:
        element.text = _text(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, list):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        _fill(element, value)


def to_xml(root: str, data: dict | list) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        item_tag = ITEM_TAGS[root]
        for item in data:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_clean_json(child) for child in value]
    return value


def to_json(data: dict | list) -> bytes:
    return json.dumps(_clean_json(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, data: dict | list, status: int = 200) -> Response:
    """The resource in the format the URL asked for (``xml`` unless it is ``json``)."""
    if fmt == "json":
        return Response(to_json(data), status=status, content_type=JSON_CONTENT_TYPE)
    return Response(to_xml(root, data), status=status, content_type=XML_CONTENT_TYPE)


def error_list(fmt: str, status: int, errors: list[tuple[str, str]]) -> Response:
    """The spec's error list: ``[(code, description), ...]`` as ``<errors><error>`` or a JSON array."""
    data = [{"code": code, "description": description} for code, description in errors]
    return render(fmt, "errors", data, status)
