"""formats.py: one structure, two renderings."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from stations.open311 import formats

DATA = [{"code": "x", "flag": True, "none": None, "n": 1.5, "values": [{"key": "a", "name": "<A&B>"}]}]


def test_xml_from_a_list_uses_the_item_tag(app):
    with app.test_request_context():
        root = ET.fromstring(formats.to_xml("attributes", DATA))  # noqa: S314  (our own output)
    assert root.tag == "attributes" and [e.tag for e in root] == ["attribute"]
    attribute = root[0]
    assert [e.tag for e in attribute] == ["code", "flag", "none", "n", "values"]
    assert attribute.findtext("flag") == "true" and attribute.find("none").text is None
    assert attribute.findtext("n") == "1.5"
    assert [v.tag for v in attribute.find("values")] == ["value"]
    assert attribute.find("values/value").findtext("name") == "<A&B>"


def test_xml_declares_utf8_and_escapes():
    body = formats.to_xml("errors", [{"code": "c", "description": '<b>&"中文"</b>'}])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<errors><error>')
    assert b"&lt;b&gt;&amp;" in body and "中文".encode() in body


def test_json_keeps_types_and_arrays():
    decoded = json.loads(formats.to_json(DATA))
    assert decoded == DATA


def test_characters_xml_cannot_carry_are_dropped_in_both():
    dirty = "a\x00b\x01\x08c\x0bd\x1f\ud800e\uffff\tf\ng\rh"
    assert formats.clean_text(dirty) == "abcde\tf\ng\rh"
    ET.fromstring(formats.to_xml("errors", [{"code": dirty, "description": dirty}]))  # noqa: S314  (our own output)
    assert json.loads(formats.to_json([dirty])) == ["abcde\tf\ng\rh"]
