"""JSON API v1, appeals: list, one, register (Idempotency-Key), events (409 stale, 422 not allowed); scoping."""

from __future__ import annotations

from sqlalchemy import select

from stations.catalog.models import Department
from stations.extensions import db
from stations.timeutil import business_today
from tests.api.test_cases_api import bearer

BODY = {"category": "POLICY_FULFILMENT", "description": "研发补贴未拨付", "urgency": "URGENT"}


def test_enterprise_registers_through_the_mini_program_once_per_key(client, gd, qn):
    headers = {**bearer(gd.username), "Idempotency-Key": "mp-0001"}
    first = client.post("/api/v1/appeals", json=BODY, headers=headers)
    assert first.status_code == 201, first.get_json()
    record = first.get_json()
    assert record["source_channel"] == "MINIPROGRAM" and record["status"] == "REGISTERED"
    assert set(record) >= {"appeal_no", "status", "source_channel", "category", "nature", "urgency"}
    assert set(record) >= {"enterprise_uscc", "department", "due_on", "warn_level", "version"}
    again = client.post("/api/v1/appeals", json=BODY, headers=headers)
    assert again.status_code == 201 and again.get_json()["appeal_no"] == record["appeal_no"]
    listed = client.get("/api/v1/appeals", headers=bearer(gd.username)).get_json()
    assert [a["appeal_no"] for a in listed["items"]].count(record["appeal_no"]) == 1
    assert client.get(f"/api/v1/appeals/{record['appeal_no']}", headers=bearer(qn.username)).status_code == 404


def test_events_stale_and_refused(client, gd):
    created = client.post("/api/v1/appeals", json=BODY, headers=bearer(gd.username)).get_json()
    no, admin = created["appeal_no"], bearer("admin")
    sb = db.session.scalar(select(Department.id).where(Department.code == "SB"))
    event = {"event": "assign", "version": 1, "department_id": sb, "due_on": business_today().isoformat()}
    ok = client.post(f"/api/v1/appeals/{no}/events", json=event, headers=admin)
    assert ok.status_code == 200 and ok.get_json()["status"] == "ASSIGNED" and ok.get_json()["department"] == "SB"
    stale = client.post(f"/api/v1/appeals/{no}/events", json={"event": "sign", "version": 1}, headers=bearer("dept-rs"))
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale"
    version = stale.get_json()["appeal"]["version"]
    early = {"event": "reply", "version": version, "reply_text": "x", "signed_off_by": "y"}
    refused = client.post(f"/api/v1/appeals/{no}/events", json=early, headers=bearer("dept-rs"))
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "illegal_transition"
    sign = client.post(
        f"/api/v1/appeals/{no}/events", json={"event": "sign", "version": version}, headers=bearer("dept-rs")
    )
    assert sign.status_code == 200 and sign.get_json()["status"] == "SIGNED"
    central = client.post(
        f"/api/v1/appeals/{no}/events", json={"event": "sign", "version": 3}, headers=bearer("central")
    )
    assert central.status_code == 403


def test_bad_input_is_a_clear_422(client):
    headers = bearer("staff-ll")
    for body, code in [
        ({**BODY, "source_channel": "FAX", "enterprise_name": "甲"}, "unknown_channel"),
        ({**BODY, "source_channel": "PHONE", "enterprise_name": "甲", "description": " "}, "description_required"),
        ({**BODY, "source_channel": "PHONE", "enterprise_name": "甲", "category": "X"}, "unknown_category"),
        ({**BODY, "source_channel": "PHONE", "enterprise_uscc": "123"}, "invalid_uscc"),
        ({**BODY, "source_channel": "PHONE", "colour": "red"}, "unknown_field"),
    ]:
        response = client.post("/api/v1/appeals", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == code and response.get_json()["error"]["message"]
    assert client.post("/api/v1/appeals", data="x", headers=headers).status_code == 400


def test_assign_names_the_department_by_code(client, gd):
    created = client.post("/api/v1/appeals", json=BODY, headers=bearer(gd.username)).get_json()
    no = created["appeal_no"]
    event = {"event": "assign", "version": 1, "department": "kfjs", "due_on": business_today().isoformat()}
    answer = client.post(f"/api/v1/appeals/{no}/events", json=event, headers=bearer("admin"))
    assert answer.status_code == 200 and answer.get_json()["department"] == "KFJS"
    bad = {"event": "sign", "version": 2, "department": "NOPE"}
    refused = client.post(f"/api/v1/appeals/{no}/events", json=bad, headers=bearer("dept-kf"))
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "unknown_department"


def test_answers_match_the_documented_schema(client, gd):
    from tests.web.test_openapi import conforms

    created = client.post("/api/v1/appeals", json=BODY, headers=bearer(gd.username)).get_json()
    assert conforms(created, {"$ref": "#/components/schemas/Appeal"}) == []
    listed = client.get("/api/v1/appeals", headers=bearer("central")).get_json()
    assert conforms(listed, {"$ref": "#/components/schemas/AppealList"}) == []
    one = client.get(f"/api/v1/appeals/{created['appeal_no']}", headers=bearer("staff-ll")).get_json()
    assert conforms(one, {"$ref": "#/components/schemas/Appeal"}) == []
