"""API v1 and cross-region cases (issue 18): verify materials at an event, the handling district, the partner."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select

from stations.cases.models import Case, MaterialStatus
from stations.crossregion.models import MessageKind, OutboxMessage
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests.api.test_cases_api import bearer, intake_body
from tests.crossregion.test_xr_cases import agreement as agreement  # a fixture
from tests.crossregion.test_xr_cases import outbound_item as outbound_item  # a fixture
from tests.helpers.crossregion import PDF_HEAD, forward_payload, message, signed_post, xr_item


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


def complete_forward(case_no: str) -> dict:
    """A forward that carries every required material of the item, as a partner's real forward does."""
    payload = forward_payload(case_no)
    content = PDF_HEAD + b"material"
    for material in xr_item().materials:
        if material.is_required and material.name != payload["materials"][0]["name"]:
            payload["materials"].append(
                {
                    "name": material.name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "content": base64.b64encode(content).decode(),
                }
            )
    return payload


def event(client, headers, case_no: str, name: str, **fields):
    version = client.get(f"/api/v1/cases/{case_no}", headers=headers).get_json()["version"]
    return client.post(
        f"/api/v1/cases/{case_no}/events", json={"event": name, "version": version, **fields}, headers=headers
    )


def test_api_accepts_an_inbound_case_after_verifying_its_materials(client, partner):
    response = signed_post(client, message(payload=complete_forward("PX0042")))
    case_no = response.get_json()["result"]["remote_case_no"]
    case = db.session.scalar(select(Case).where(Case.case_no == case_no))
    provided = [m.item_material.code for m in case.materials if m.status is MaterialStatus.PROVIDED]
    assert provided
    headers = bearer("staff-zx")
    assert event(client, headers, case_no, "sign_for").status_code == 200
    refused = event(client, headers, case_no, "accept")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "materials_not_verified"
    unknown = event(client, headers, case_no, "accept", verified_materials=["NO-SUCH"])
    assert unknown.status_code == 422 and unknown.get_json()["error"]["code"] == "unknown_material"
    accepted = event(client, headers, case_no, "accept", verified_materials=provided)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == CaseStatus.ACCEPTED.value


def test_verified_materials_true_checks_every_provided_material(client, partner):
    response = signed_post(client, message(payload=complete_forward("PX0043")))
    case_no = response.get_json()["result"]["remote_case_no"]
    headers = bearer("staff-zx")
    assert event(client, headers, case_no, "sign_for").status_code == 200
    assert event(client, headers, case_no, "accept", verified_materials=True).status_code == 200


def test_intake_for_a_handling_district_then_forward_to_the_named_partner(client, agreement, outbound_item):
    headers = bearer("staff-ll")
    body = intake_body(outbound_item)
    wrong = client.post("/api/v1/cases", json={**body, "handling_district": "ZZ"}, headers=headers)
    assert wrong.status_code == 422 and wrong.get_json()["error"]["code"] == "partner_unavailable"
    created = client.post("/api/v1/cases", json={**body, "handling_district": "px"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    case_no = created.get_json()["case_no"]
    assert db.session.scalar(select(Case.xr_partner_code).where(Case.case_no == case_no)) == "PX"
    assert event(client, headers, case_no, "forward", partner="QQ").status_code == 422
    forwarded = event(client, headers, case_no, "forward", partner="PX")
    assert forwarded.status_code == 200, forwarded.get_json()
    assert forwarded.get_json()["status"] == CaseStatus.FORWARDED.value
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MessageKind.FORWARD)).all()
    assert row.partner.code == "PX"
