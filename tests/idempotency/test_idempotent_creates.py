"""Creates are idempotent: the same submission key from the same caller returns the first result (contract.md)."""

from __future__ import annotations

from sqlalchemy import func, select

from stations.cases.models import Case
from stations.extensions import db
from stations.idempotency.models import IdempotencyRecord
from tests.api.test_cases_api import csrf, intake_body, item_at
from tests.cases.test_intake import intake_data, post_intake


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def test_api_create_twice_with_one_key_makes_one_case(login_as):
    client = login_as("staff-ll")
    body = intake_body(item_at("LL"))
    headers = {**csrf(client), "Idempotency-Key": "tablet-7-0001"}
    before = case_count()
    first = client.post("/api/v1/cases", json=body, headers=headers)
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert case_count() == before + 1


def test_without_a_key_each_post_creates(login_as):
    client = login_as("staff-ll")
    body = intake_body(item_at("LL"))
    before = case_count()
    assert client.post("/api/v1/cases", json=body, headers=csrf(client)).status_code == 201
    assert client.post("/api/v1/cases", json=body, headers=csrf(client)).status_code == 201
    assert case_count() == before + 2


def test_one_key_for_a_different_request_is_refused(login_as):
    client = login_as("staff-ll")
    headers = {**csrf(client), "Idempotency-Key": "reused-key"}
    assert client.post("/api/v1/cases", json=intake_body(item_at("LL")), headers=headers).status_code == 201
    other = intake_body(item_at("LL"))
    other["applicant_name"] = "另一位经办人"
    response = client.post("/api/v1/cases", json=other, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["message"]


def test_the_key_is_per_caller(login_as):
    body = intake_body(item_at("LL"))
    before = case_count()
    for username in ("staff-ll", "clerk-ll"):
        client = login_as(username)
        response = client.post("/api/v1/cases", json=body, headers={**csrf(client), "Idempotency-Key": "same"})
        assert response.status_code == 201
    assert case_count() == before + 2


def test_a_refused_request_keeps_nothing_and_a_corrected_retry_is_served(login_as):
    client = login_as("staff-ll")
    headers = {**csrf(client), "Idempotency-Key": "fix-and-retry"}
    bad = intake_body(item_at("LL"))
    bad["enterprise_uscc"] = "91611100MA6XGD0010"  # wrong check digit
    assert client.post("/api/v1/cases", json=bad, headers=headers).status_code == 422
    assert (
        db.session.scalar(select(func.count(IdempotencyRecord.id)).where(IdempotencyRecord.key == "fix-and-retry")) == 0
    )
    assert client.post("/api/v1/cases", json=intake_body(item_at("LL")), headers=headers).status_code == 201


def test_a_malformed_key_is_a_clear_400(login_as):
    client = login_as("staff-ll")
    response = client.post(
        "/api/v1/cases", json=intake_body(item_at("LL")), headers={**csrf(client), "Idempotency-Key": "x" * 300}
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.get_json()["error"]["message"]


def test_double_tap_on_the_intake_page_makes_one_case(login_as):
    client = login_as("staff-ll")
    data = intake_data(client, submission_key="form-key-1")
    query = f"/cases/new?enterprise={data['enterprise']}&item={data['item']}"
    assert 'name="submission_key"' in client.get(query).get_data(as_text=True)  # the form carries its key
    before = case_count()
    first = post_intake(client, dict(data))
    second = post_intake(client, dict(data))
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert case_count() == before + 1
