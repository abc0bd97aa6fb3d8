"""JSON API v1 for the enterprise user: documents, messages, ratings; bearer tokens; scoping; documented shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from stations.auth import tokens
from stations.enterprises import services as enterprise_services
from stations.extensions import db
from stations.messaging import services as messaging_services
from stations.messaging.models import Message
from stations.ratings.models import Rating, Rectification
from stations.timeutil import business_today
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.cases import PDF
from tests.helpers.ratings import delivered_case
from tests.helpers.suite import csrf_token_from
from tests.web.test_openapi import SPEC, conforms


def bearer(username: str) -> dict[str, str]:
    _row, token = tokens.issue_token(f.user(username), "mini-program")
    return {"Authorization": f"Bearer {token}"}


def schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def document(owner: f.Client, name: str, valid_until=None):
    enterprise = owner.enterprise
    stored = store_bytes(PDF, "application/pdf", f"{name}.pdf", enterprise_id=enterprise.id, user_id=None)
    return enterprise_services.add_document(enterprise.id, name, stored.id, user=owner.account, valid_until=valid_until)


def test_documents_are_the_callers_own(client, uploads, gd, qn):
    today = business_today()
    document(gd, "营业执照", today + timedelta(days=10))
    document(gd, "旧章程", today - timedelta(days=1))
    document(qn, "氢能执照")
    response = client.get("/api/v1/documents", headers=bearer(gd.username))
    assert response.status_code == 200
    body = response.get_json()
    assert conforms(body, schema("DocumentList")) == []
    by_name = {d["material_name"]: d for d in body["items"]}
    assert set(by_name) == {"营业执照", "旧章程"}
    assert by_name["营业执照"]["expires_soon"] and not by_name["营业执照"]["is_expired"]
    assert by_name["旧章程"]["is_expired"] and by_name["营业执照"]["trust_level"] == "C"
    other = client.get("/api/v1/documents", headers=bearer(qn.username)).get_json()
    assert [d["material_name"] for d in other["items"]] == ["氢能执照"]


@pytest.mark.parametrize("username", ["staff-ll", "clerk-ll", "central", "admin"])
def test_other_roles_are_refused(client, username):
    headers = bearer(username)
    for method, url in (
        ("get", "/api/v1/documents"),
        ("get", "/api/v1/messages"),
        ("get", "/api/v1/ratings"),
        ("post", "/api/v1/messages"),
        ("post", "/api/v1/cases/JHLL202603020001/rating"),
    ):
        response = getattr(client, method)(url, headers=headers, json={"body": "x", "level": 5})
        assert response.status_code == 403, (method, url)
        assert response.get_json()["error"]["code"] == "enterprise_only"


def test_anonymous_gets_401(client):
    for method, url in (("get", "/api/v1/messages"), ("post", "/api/v1/cases/X/rating"), ("get", "/api/v1/ratings")):
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401
        assert conforms(response.get_json(), schema("Error")) == []


def test_messages_round_trip(client, uploads, gd, qn):
    own_case = f.make_case(enterprise=gd.enterprise)
    own_doc = document(gd, "营业执照")
    headers = bearer(gd.username)
    created = client.post(
        "/api/v1/messages",
        headers=headers,
        json={"body": "执照已上传", "case_no": own_case.case_no, "document_id": own_doc.id},
    )
    assert created.status_code == 201
    message = created.get_json()
    assert conforms(message, schema("Message")) == []
    assert message["from_enterprise"] and message["case_no"] == own_case.case_no
    assert message["document_name"] == "营业执照"
    messaging_services.send_message(user=f.user("clerk-ll"), enterprise_id=gd.enterprise.id, body="收到,谢谢")
    listing = client.get("/api/v1/messages", headers=headers)
    assert listing.status_code == 200
    body = listing.get_json()
    assert conforms(body, schema("MessageList")) == []
    assert [m["body"] for m in body["items"]] == ["收到,谢谢", "执照已上传"]
    assert body["unread"] == 1 and body["clerk"] == "办事专员 张丽" and body["next_before"] is None
    assert client.get("/api/v1/messages", headers=headers).get_json()["unread"] == 0  # read now
    assert client.get("/api/v1/messages", headers=bearer(qn.username)).get_json()["items"] == []


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"body": "   "}, 422, "empty"),
        ({"body": "x" * 2001}, 422, "too_long"),
        ({"body": 5}, 422, "invalid_field"),
        ({"body": "hi", "extra": 1}, 422, "unknown_field"),
        ({"body": "hi", "document_id": "7"}, 422, "invalid_field"),
        ({"body": "hi", "case_no": "JHQH209901010001"}, 404, "not_found"),
        ({"body": "hi", "document_id": 999999}, 404, "document_not_yours"),
    ],
)
def test_bad_messages(client, payload, status, code, gd):
    response = client.post("/api/v1/messages", headers=bearer(gd.username), json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert conforms(response.get_json(), schema("Error")) == []
    assert db.session.scalar(select(Message.id)) is None


def test_another_enterprises_case_or_document_is_a_404(client, uploads, gd, qn):
    foreign_case = f.make_case(enterprise=qn.enterprise)
    foreign_doc = document(qn, "氢能执照")
    headers = bearer(gd.username)
    for extra in ({"case_no": foreign_case.case_no}, {"document_id": foreign_doc.id}):
        response = client.post("/api/v1/messages", headers=headers, json={"body": "hi", **extra})
        assert response.status_code == 404
    assert db.session.scalar(select(Message.id)) is None


def test_session_writes_need_the_csrf_header(login_as, gd):
    client = login_as(gd.username)
    assert client.post("/api/v1/messages", json={"body": "hi"}).status_code == 400
    token = csrf_token_from(client, "/account/password")
    assert client.post("/api/v1/messages", json={"body": "hi"}, headers={"X-CSRFToken": token}).status_code == 201


def test_rating_through_the_api(client, gd, qn):
    case = delivered_case(enterprise=gd.enterprise)
    headers = bearer(gd.username)
    response = client.post(
        f"/api/v1/cases/{case.case_no}/rating",
        headers=headers,
        json={"level": 2, "reasons": ["SLOW", "MANY_VISITS"], "comment": "跑了两趟"},
    )
    assert response.status_code == 201
    rating = response.get_json()
    assert conforms(rating, schema("Rating")) == []
    assert conforms(rating["rectification"], schema("Rectification")) == []
    assert rating["reasons"] == ["SLOW", "MANY_VISITS"] and rating["rectification"]["status"] == "ASSIGNED"
    stored = db.session.scalar(select(Rating).where(Rating.case_id == case.id))
    assert stored.channel == "MINIPROGRAM"
    again = client.post(f"/api/v1/cases/{case.case_no}/rating", headers=headers, json={"level": 5})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    listing = client.get("/api/v1/ratings", headers=headers).get_json()
    assert conforms(listing, schema("RatingList")) == []
    assert [r["case_no"] for r in listing["items"]] == [case.case_no] and listing["next_page"] is None
    assert client.get("/api/v1/ratings", headers=bearer(qn.username)).get_json()["items"] == []
    assert db.session.scalar(select(Rectification.status).where(Rectification.case_id == case.id)) == "ASSIGNED"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"level": 0}, 422, "invalid_field"),
        ({"level": "5"}, 422, "invalid_field"),
        ({"level": 4, "reasons": ["RUDE"]}, 422, "invalid_reason"),
        ({"level": 4, "reasons": "SLOW"}, 422, "invalid_field"),
        ({"level": 4, "comment": "x" * 1001}, 422, "comment_too_long"),
        ({"level": 4, "stars": 5}, 422, "unknown_field"),
    ],
)
def test_bad_ratings(client, payload, status, code, gd):
    case = delivered_case(enterprise=gd.enterprise)
    response = client.post(f"/api/v1/cases/{case.case_no}/rating", headers=bearer(gd.username), json=payload)
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert db.session.scalar(select(Rating.id)) is None


def test_rating_scope_and_state(client, gd, qn):
    delivered = delivered_case(enterprise=gd.enterprise)
    other = client.post(f"/api/v1/cases/{delivered.case_no}/rating", headers=bearer(qn.username), json={"level": 1})
    assert other.status_code == 404  # another enterprise's case: as good as missing
    open_case = f.make_case(enterprise=gd.enterprise)
    early = client.post(f"/api/v1/cases/{open_case.case_no}/rating", headers=bearer(gd.username), json={"level": 5})
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "not_delivered"
    assert db.session.scalar(select(Rating.id)) is None


def test_the_new_operations_are_documented():
    paths = SPEC["paths"]
    assert {"get"} <= set(paths["/api/v1/documents"]) and {"get", "post"} <= set(paths["/api/v1/messages"])
    assert "post" in paths["/api/v1/cases/{case_no}/rating"] and "get" in paths["/api/v1/ratings"]
