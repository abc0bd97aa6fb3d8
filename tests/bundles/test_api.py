"""API v1 for 一件事: list, create with Idempotency-Key, one bundle case, shapes as docs/openapi.json says."""

from __future__ import annotations

from sqlalchemy import func, select

from stations.bundles.models import BundleCase
from stations.extensions import db
from tests import factories as f
from tests.api.test_cases_api import csrf
from tests.helpers.bundles import conclude
from tests.web.test_openapi import SPEC, conforms, deref, response_schema


def _count() -> int:
    return db.session.scalar(select(func.count(BundleCase.id)))


def test_list_bundles_is_public_and_documented(client):
    response = client.get("/api/v1/bundles")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body) == 139
    assert conforms(body, response_schema("/api/v1/bundles", 200)) == []


def test_create_twice_with_one_key_makes_one_bundle_case(login_as):
    client = login_as("staff-ll")
    before = _count()
    body = {"bundle": "XC-QYKB", "enterprise_uscc": f.make_enterprise().uscc, "applicant_name": "王经办"}
    headers = {**csrf(client), "Idempotency-Key": "bundle-key-1"}
    first = client.post("/api/v1/bundle-cases", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/bundle-cases", json=body, headers=headers)
    assert again.status_code == 201 and again.get_json()["bundle_no"] == first.get_json()["bundle_no"]
    assert _count() == before + 1
    created = first.get_json()
    assert (
        conforms(
            created,
            deref(SPEC["paths"]["/api/v1/bundle-cases"]["post"]["responses"]["201"])["content"]["application/json"][
                "schema"
            ],
        )
        == []
    )
    assert [c["step"] for c in created["children"]] == ["OPEN", "WAITING", "WAITING", "WAITING", "WAITING"]
    assert created["warn_level"] == "GREEN" and created["status"] == "IN_PROGRESS"


def test_get_bundle_case_follows_the_children(login_as):
    client = login_as("staff-ll")
    body = {"bundle": "XC-QYKB", "enterprise_uscc": f.make_enterprise().uscc}
    bundle_no = client.post("/api/v1/bundle-cases", json=body, headers=csrf(client)).get_json()["bundle_no"]
    bundle_case = db.session.scalar(select(BundleCase).where(BundleCase.bundle_no == bundle_no))
    case = bundle_case.children[0].case
    for material in case.materials:  # the API took no files: the counter checks the papers
        material.status = material.status.VERIFIED
    conclude(case)
    answer = client.get(f"/api/v1/bundle-cases/{bundle_no}").get_json()
    assert conforms(answer, response_schema("/api/v1/bundle-cases/{bundle_no}", 200)) == []
    assert [c["step"] for c in answer["children"]] == ["CONCLUDED", "OPEN", "OPEN", "OPEN", "OPEN"]
    assert login_as("staff-qh").get(f"/api/v1/bundle-cases/{bundle_no}").status_code == 404


def test_bad_input_is_a_clear_4xx(login_as, gd):
    client = login_as("staff-ll")
    assert (
        client.post("/api/v1/bundle-cases", data="x", content_type="application/json", headers=csrf(client)).status_code
        == 400
    )
    uscc = f.make_enterprise().uscc
    cases = [
        ({"bundle": "NOPE", "enterprise_uscc": uscc}, "unknown_bundle"),
        ({"bundle": "XC-QYKB", "enterprise_uscc": "123"}, "invalid_uscc"),
        ({"bundle": "XC-QYKB", "enterprise_uscc": uscc, "documents": "x"}, "invalid_field"),
        (
            {
                "bundle": "XC-QYKB",
                "enterprise_uscc": uscc,
                "documents": [{"material": "营业执照副本", "document_id": 999999}],
            },
            "document_not_yours",
        ),
        ({"bundle": "XC-QNXM", "enterprise_uscc": uscc}, "member_not_offered"),
        ({"bundle": "XC-QYKB", "enterprise_uscc": uscc, "extra": 1}, "unknown_field"),
    ]
    for body, code in cases:
        response = client.post("/api/v1/bundle-cases", json=body, headers=csrf(client))
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.get_json()["error"]["code"] == code
    enterprise = login_as(gd.username)
    response = enterprise.post("/api/v1/bundle-cases", json={"bundle": "XC-QYQR"}, headers=csrf(enterprise))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "not_online"
