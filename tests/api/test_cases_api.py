"""JSON API v1, case side (contract.md): list, one case, intake, events; auth by session or bearer token; scoping."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from stations.api.cases import PAGE_SIZE
from stations.auth import tokens
from stations.auth.models import ApiToken
from stations.cases import services
from stations.cases.models import Case, CaseEventRecord, MaterialStatus
from stations.catalog.models import ServiceItem
from stations.demo import make_uscc
from stations.demo.scale import add_synthetic_cases
from stations.domain.case_vocabulary import CaseEvent
from stations.extensions import db
from stations.sites.models import Station, StationItem
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.suite import CLIENT, OTHER_CLIENT, csrf_token_from, username_of
from tests.web.test_openapi import SPEC, conforms, deref

CASE_KEYS = [
    "case_no",
    "query_code",
    "status",
    "item_code",
    "station",
    "enterprise_uscc",
    "clerk",
    "channel",
    "received_at",
    "accepted_at",
    "promised_days",
    "extended_days",
    "due_on",
    "due_provisional",
    "warn_level",
    "is_rongque",
    "version",
    "status_code",
]


def bearer(username: str, name: str = "test") -> dict[str, str]:
    _row, token = tokens.issue_token(f.user(username), name)
    return {"Authorization": f"Bearer {token}"}


def csrf(client) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token_from(client, "/account/password")}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text) - timedelta(hours=8)


def item_at(station_code: str, *, instant: bool = False, online: bool | None = None) -> ServiceItem:
    items = db.session.scalars(
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station_code, ServiceItem.is_instant.is_(instant), StationItem.mode == "ACCEPT")
        .order_by(ServiceItem.code)
    ).all()
    return next(i for i in items if online is None or i.is_online is online)


def intake_body(item: ServiceItem, *, uscc: str | None = None, station: str = "LL", status: str = "VERIFIED") -> dict:
    """The API's intake body for ``uscc``'s enterprise (a new client's, as ``f.make_client()`` makes one, when none
    is given)."""
    return {
        "item_code": item.code,
        "station": station,
        "enterprise_uscc": uscc or f.make_client().enterprise.uscc,
        "materials": [{"code": m.code, "status": status} for m in item.materials if m.is_required],
        "applicant_name": "示例经办人",
        "applicant_phone": "13800000000",
    }


def schema_errors(payload, path: str, method: str, status: int) -> list[str]:
    response = deref(SPEC["paths"][path][method]["responses"][str(status)])
    return conforms(payload, response["content"]["application/json"]["schema"])


# --- reads ---------------------------------------------------------------------------------------------------------


def test_list_shows_the_callers_cases_newest_first_in_the_contract_shape(login_as, gd):
    older = f.make_case(now=utc("2026-03-02 10:00"), enterprise=gd.enterprise)
    newer = f.make_case(now=utc("2026-03-03 10:00"), enterprise=gd.enterprise)
    f.make_case(by="staff-qh", station_code="QH", enterprise=f.make_client(station_code="QH").enterprise)
    response = login_as("staff-ll").get("/api/v1/cases")
    assert response.status_code == 200
    body = response.get_json()
    assert [c["case_no"] for c in body["items"]] == [newer.case_no, older.case_no]
    assert body["next_page"] is None
    first = body["items"][0]
    assert list(first) == CASE_KEYS
    assert first["status"] == "RECEIVED" and first["station"] == "LL" and first["enterprise_uscc"] == gd.enterprise.uscc
    assert first["clerk"] == "clerk-ll" and first["channel"] == "STATION" and first["query_code"] == newer.query_code
    assert first["received_at"] == "2026-03-03T10:00:00+08:00" and first["accepted_at"] is None
    assert first["extended_days"] == 0 and first["warn_level"] == "GREEN" and first["version"] == 1
    assert schema_errors(body, "/api/v1/cases", "get", 200) == []


def test_one_case_after_acceptance(login_as):
    case = f.make_case(now=utc("2025-09-30 10:00"))
    case.item.promised_days = 5
    services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-ll"), version=case.version, now=utc("2025-09-30 10:05"))
    body = login_as("staff-ll").get(f"/api/v1/cases/{case.case_no}").get_json()
    assert list(body) == CASE_KEYS
    assert body["status"] == "ACCEPTED" and body["version"] == 2
    assert body["accepted_at"] == "2025-09-30T10:05:00+08:00"
    assert body["promised_days"] == 5 and body["due_on"] == "2025-10-14" and body["due_provisional"] is False
    assert body["warn_level"] == "RED"  # long overdue by now
    assert schema_errors(body, "/api/v1/cases/{case_no}", "get", 200) == []


def test_staff_of_another_station_sees_nothing_of_ours(login_as):
    case = f.make_case()
    qh = login_as("staff-qh")
    assert qh.get("/api/v1/cases").get_json()["items"] == []
    response = qh.get(f"/api/v1/cases/{case.case_no}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_enterprises_see_only_their_own_and_the_clerk_sees_its_clients_everywhere(login_as, gd, qn):
    gd_at_qh = f.make_case(by="staff-qh", station_code="QH", enterprise=gd.enterprise)
    qn_case = f.make_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    ent_qn = login_as(qn.username)
    assert [c["case_no"] for c in ent_qn.get("/api/v1/cases").get_json()["items"]] == [qn_case.case_no]
    assert ent_qn.get(f"/api/v1/cases/{gd_at_qh.case_no}").status_code == 404
    clerk = login_as("clerk-ll")
    assert [c["case_no"] for c in clerk.get("/api/v1/cases").get_json()["items"]] == [gd_at_qh.case_no]
    assert clerk.get(f"/api/v1/cases/{gd_at_qh.case_no}").get_json()["station"] == "QH"
    assert clerk.get(f"/api/v1/cases/{qn_case.case_no}").status_code == 404
    assert (
        login_as(gd.username).get(f"/api/v1/cases/{gd_at_qh.case_no}").get_json()["query_code"] == gd_at_qh.query_code
    )


def test_central_office_sees_every_case_without_query_codes(login_as):
    ll = f.make_case()
    qh = f.make_case(by="staff-qh", station_code="QH", enterprise=f.make_client(station_code="QH").enterprise)
    items = login_as("central").get("/api/v1/cases").get_json()["items"]
    assert {c["case_no"] for c in items} == {ll.case_no, qh.case_no}
    assert all(c["query_code"] is None for c in items)
    assert login_as("admin").get(f"/api/v1/cases/{ll.case_no}").get_json()["query_code"] == ll.query_code


def test_filters_by_status_and_sql_colour(login_as):
    staff = f.user("staff-ll")
    waiting = f.make_case()
    late = f.make_case(now=utc("2026-01-05 09:00"))
    services.apply_event(late, CaseEvent.ACCEPT, staff, version=late.version, now=utc("2026-01-05 09:10"))
    fresh = f.make_case()
    fresh.item.promised_days = 10  # copied at acceptance: twenty working days would be green for weeks
    services.apply_event(fresh, CaseEvent.ACCEPT, staff, version=fresh.version)
    client = login_as("staff-ll")

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_json()
        return {c["case_no"] for c in response.get_json()["items"]}

    assert numbers("status=RECEIVED") == {waiting.case_no}
    assert numbers("status=accepted") == {late.case_no, fresh.case_no}
    assert numbers("warn_level=RED") == {late.case_no}
    assert numbers("warn_level=green&status=ACCEPTED") == {fresh.case_no}
    assert numbers("warn_level=GREEN") == {waiting.case_no, fresh.case_no}
    assert numbers("warn_level=DONE") == set()


@pytest.mark.parametrize("query", ["status=NOPE", "warn_level=PURPLE", "page=0", "page=x", "page=-1", "page=999999"])
def test_bad_list_parameters_are_400(login_as, query):
    response = login_as("staff-ll").get(f"/api/v1/cases?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_pages_of_fifty(login_as):
    add_synthetic_cases(PAGE_SIZE + 5, station_codes=["LL"])
    client = login_as("staff-ll")
    first = client.get("/api/v1/cases").get_json()
    second = client.get("/api/v1/cases?page=2").get_json()
    assert len(first["items"]) == PAGE_SIZE and first["next_page"] == 2
    assert len(second["items"]) == 5 and second["next_page"] is None
    received = [c["received_at"] for c in first["items"] + second["items"]]
    assert received == sorted(received, reverse=True)
    assert len({c["case_no"] for c in first["items"] + second["items"]}) == PAGE_SIZE + 5


def test_anonymous_calls_get_401_json(client):
    for method, url in [("get", "/api/v1/cases"), ("get", "/api/v1/cases/JHLL202603020001"), ("post", "/api/v1/cases")]:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    response = client.post("/api/v1/cases/JHLL202603020001/events", json={"event": "accept", "version": 1})
    assert response.status_code == 401


# --- intake --------------------------------------------------------------------------------------------------------


def test_staff_intake(login_as, gd):
    client = login_as("staff-ll")
    item = item_at("LL")
    body = intake_body(item, uscc=gd.enterprise.uscc)
    body["materials"][-1]["status"] = "MISSING"
    response = client.post("/api/v1/cases", json=body, headers=csrf(client))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert list(created) == CASE_KEYS
    assert created["status"] == "RECEIVED" and created["channel"] == "STATION" and created["item_code"] == item.code
    assert (
        created["station"] == "LL"
        and created["enterprise_uscc"] == gd.enterprise.uscc
        and created["clerk"] == "clerk-ll"
    )
    assert response.headers["Location"] == f"/api/v1/cases/{created['case_no']}"
    case = db.session.scalar(select(Case).where(Case.case_no == created["case_no"]))
    statuses = [m.status for m in case.materials if m.item_material.is_required]
    assert statuses[-1] is MaterialStatus.MISSING and set(statuses[:-1]) <= {MaterialStatus.VERIFIED}
    assert case.applicant_name == "示例经办人" and case.received_by_id == f.user("staff-ll").id
    assert schema_errors(created, "/api/v1/cases", "post", 201) == []


def test_intake_at_the_centre_is_the_comprehensive_window(login_as):
    client = login_as("staff-zx")
    body = intake_body(item_at("ZX"), uscc=f.make_enterprise().uscc, station="ZX")
    response = client.post("/api/v1/cases", json=body, headers=csrf(client))
    assert response.status_code == 201 and response.get_json()["channel"] == "COMPREHENSIVE"


def test_clerk_takes_in_for_its_client_at_another_station(login_as, gd, qn):
    client = login_as("clerk-ll")
    body = intake_body(item_at("QH"), uscc=gd.enterprise.uscc, station="QH")
    response = client.post("/api/v1/cases", json=body, headers=csrf(client))
    assert response.status_code == 201
    assert response.get_json()["station"] == "QH" and response.get_json()["clerk"] == "clerk-ll"
    other = client.post(
        "/api/v1/cases", json=intake_body(item_at("QH"), uscc=qn.enterprise.uscc, station="QH"), headers=csrf(client)
    )
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "not_your_client"


def test_enterprise_applies_online_with_a_bearer_token_and_no_csrf(client, gd, qn):
    headers = bearer(gd.username)
    online = intake_body(item_at("LL", online=True), uscc=gd.enterprise.uscc)
    response = client.post("/api/v1/cases", json=online, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["channel"] == "ONLINE"
    offline_body = intake_body(item_at("LL", online=False), uscc=gd.enterprise.uscc)
    offline = client.post("/api/v1/cases", json=offline_body, headers=headers)
    assert offline.status_code == 422 and offline.get_json()["error"]["code"] == "not_online"
    foreign_body = intake_body(item_at("LL", online=True), uscc=qn.enterprise.uscc)
    foreign = client.post("/api/v1/cases", json=foreign_body, headers=headers)
    assert foreign.status_code == 403 and foreign.get_json()["error"]["code"] == "not_your_enterprise"


def _not_at_ll() -> ServiceItem:
    at_ll = select(StationItem.item_id).join(Station).where(Station.code == "LL")
    return db.session.scalars(
        select(ServiceItem).where(ServiceItem.id.not_in(at_ll)).order_by(ServiceItem.code)
    ).first()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b: b.update(item_code="NO-SUCH-ITEM"), 422, "unknown_item"),
        (lambda b: b.update(item_code=_not_at_ll().code, materials=[]), 422, "item_not_in_scope"),
        (lambda b: b.update(enterprise_uscc="91611100MA6XGD00X"), 422, "invalid_uscc"),
        (lambda b: b.update(enterprise_uscc="12345"), 422, "invalid_uscc"),
        (lambda b: b.update(enterprise_uscc=make_uscc("91611100MA6XYY999")), 422, "unknown_enterprise"),
        (lambda b: b.update(station="NOPE"), 422, "unknown_station"),
        (lambda b: b.update(station="QH"), 403, "not_your_station"),
        (lambda b: b["materials"][0].update(status="PROVIDED"), 422, "invalid_material_status"),
        (lambda b: b["materials"][0].update(code="M99"), 422, "unknown_material"),
        (lambda b: b["materials"].append(dict(b["materials"][0])), 422, "duplicate_material"),
        (lambda b: b.update(materials={"code": "M01"}), 422, "invalid_field"),
        (lambda b: b.update(materials=["M01"]), 422, "invalid_field"),
        (lambda b: b.update(item_code=5), 422, "invalid_field"),
        (lambda b: b.pop("station"), 422, "invalid_field"),
        (lambda b: b.update(applicant_name="名" * 101), 422, "invalid_field"),
        (lambda b: b.update(comitment="typo"), 422, "unknown_field"),
    ],
)
def test_intake_errors(login_as, change, status, code):
    client = login_as("staff-ll")
    body = intake_body(item_at("LL"), uscc=f.make_enterprise().uscc)
    change(body)
    before = db.session.scalar(select(func.count(Case.id)))
    response = client.post("/api/v1/cases", json=body, headers=csrf(client))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(func.count(Case.id))) == before


@pytest.mark.parametrize("payload", ['["a list"]', '"text"', "42", "null", "{not json", ""])
def test_a_body_that_is_not_a_json_object_is_400(login_as, payload):
    client = login_as("staff-ll")
    headers = {**csrf(client), "Content-Type": "application/json"}
    response = client.post("/api/v1/cases", data=payload, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("username", ["central", "admin"])
def test_read_only_roles_cannot_take_in(login_as, username):
    client = login_as(username)
    body = intake_body(item_at("LL"), uscc=f.make_enterprise().uscc)
    response = client.post("/api/v1/cases", json=body, headers=csrf(client))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "read_only"


# --- events --------------------------------------------------------------------------------------------------------


def post_event(client, case_no: str, headers=None, **body):
    return client.post(f"/api/v1/cases/{case_no}/events", json=body, headers=headers or csrf(client))


def test_accept_then_run_to_delivery(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    version = case.version
    for event, extra in [
        ("accept", {}),
        ("start_review", {}),
        ("decide_approve", {"note": "符合条件"}),
        ("issue", {}),
        ("deliver", {"delivery_mode": "post"}),
    ]:
        response = post_event(client, case.case_no, event=event, version=version, **extra)
        assert response.status_code == 200, (event, response.get_json())
        body = response.get_json()
        assert body["version"] == version + 1
        version = body["version"]
    assert body["status"] == "DELIVERED" and body["warn_level"] == "DONE" and body["due_on"]
    assert schema_errors(body, "/api/v1/cases/{case_no}/events", "post", 200) == []
    db.session.expire_all()
    stored = db.session.scalar(select(Case).where(Case.case_no == case.case_no))
    assert stored.delivery_mode == "POST" and stored.first_handler.username == "staff-ll"
    assert [e.event for e in stored.events] == [
        "receive",
        "accept",
        "start_review",
        "decide_approve",
        "issue",
        "deliver",
    ]


def test_accept_with_deficiency_over_the_api(login_as):
    case = f.make_case(rongque=True, materials="missing_minor")
    client = login_as("staff-ll")
    refused = post_event(client, case.case_no, event="accept_with_deficiency", version=case.version)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "commitment_missing"
    response = post_event(
        client, case.case_no, event="accept_with_deficiency", version=case.version, commitment_signed=True
    )
    assert response.status_code == 200
    assert response.get_json()["is_rongque"] is True and response.get_json()["status"] == "ACCEPTED"


def test_stale_version_is_409_and_changes_nothing(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    events_before = db.session.scalar(select(func.count(CaseEventRecord.id)))
    response = post_event(client, case.case_no, event="accept", version=case.version + 1)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "stale" and body["error"]["message"]
    assert body["case"]["status"] == "RECEIVED" and body["case"]["version"] == case.version
    assert schema_errors(body, "/api/v1/cases/{case_no}/events", "post", 409) == []
    db.session.expire_all()
    assert db.session.get(Case, case.id).status.value == "RECEIVED" and db.session.get(Case, case.id).version == 1
    assert db.session.scalar(select(func.count(CaseEventRecord.id))) == events_before


def test_the_second_tablet_gets_409(login_as, gd):
    case = f.make_case(enterprise=gd.enterprise)
    first, second = login_as("staff-ll"), login_as("clerk-ll")
    assert post_event(first, case.case_no, event="accept", version=1).status_code == 200
    late = post_event(second, case.case_no, event="accept", version=1)
    assert late.status_code == 409 and late.get_json()["case"]["status"] == "ACCEPTED"


@pytest.mark.parametrize(
    ("username", "body", "status", "code"),
    [
        ("staff-ll", {"event": "fly", "version": 1}, 422, "unknown_event"),
        ("staff-ll", {"event": "issue", "version": 1}, 422, "illegal_transition"),
        ("staff-ll", {"event": "receive", "version": 1}, 422, "illegal_transition"),
        (CLIENT, {"event": "accept", "version": 1}, 422, "not_permitted"),
        ("staff-ll", {"event": "refuse", "version": 1}, 422, "reason_required"),
        ("staff-ll", {"event": "accept", "version": "1"}, 422, "invalid_field"),
        ("staff-ll", {"event": "accept", "version": True}, 422, "invalid_field"),
        ("staff-ll", {"event": "accept"}, 422, "invalid_field"),
        ("staff-ll", {"event": 3, "version": 1}, 422, "invalid_field"),
        ("staff-ll", {"event": "accept", "version": 1, "commitment_signed": "yes"}, 422, "invalid_field"),
        ("staff-ll", {"event": "deliver", "version": 1, "delivery_mode": "DRONE"}, 422, "invalid_field"),
        ("staff-ll", {"event": "accept", "version": 1, "colour": "red"}, 422, "unknown_field"),
        ("central", {"event": "accept", "version": 1}, 403, "read_only"),
        ("staff-qh", {"event": "accept", "version": 1}, 404, "not_found"),
        (OTHER_CLIENT, {"event": "withdraw", "version": 1}, 404, "not_found"),
    ],
)
def test_event_errors(login_as, username, body, status, code, gd, qn):
    case = f.make_case(materials="verified", enterprise=gd.enterprise)
    client = login_as(username_of(username, gd, qn))
    response = post_event(client, case.case_no, **body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(Case.version).where(Case.id == case.id)) == 1


def test_a_guard_names_what_is_missing(login_as):
    case = f.make_case(materials="missing")
    response = post_event(login_as("staff-ll"), case.case_no, event="accept", version=1)
    assert response.status_code == 422
    assert response.get_json()["error"] == {"code": "materials_not_verified", "message": "必要材料尚未全部核验"}


def test_event_body_must_be_an_object(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = client.post(f"/api/v1/cases/{case.case_no}/events", json=[1], headers=csrf(client))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


# --- authentication and CSRF ----------------------------------------------------------------------------------------


def test_session_writes_need_the_csrf_header_and_bearer_writes_do_not(app, login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    no_token = client.post(f"/api/v1/cases/{case.case_no}/events", json={"event": "accept", "version": 1})
    assert no_token.status_code == 400 and no_token.get_json()["error"]["code"] == "csrf"
    with_bearer = app.test_client().post(
        f"/api/v1/cases/{case.case_no}/events", json={"event": "accept", "version": 1}, headers=bearer("staff-ll")
    )
    assert with_bearer.status_code == 200 and with_bearer.get_json()["status"] == "ACCEPTED"


def test_bearer_token_valid_revoked_wrong(app, client, gd):
    case = f.make_case(enterprise=gd.enterprise)
    row, token = tokens.issue_token(gd.account, "mini-program")
    assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200 and [c["case_no"] for c in response.get_json()["items"]] == [case.case_no]
    assert "Set-Cookie" not in response.headers  # no session for a token call
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer "}).status_code == 401
    tokens.revoke_token(row)
    revoked = client.get("/api/v1/cases", headers=headers)
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "unauthorized"


def test_a_disabled_users_token_stops_working(client, gd):
    headers = bearer(gd.username)
    gd.account.is_enabled = False
    assert client.get("/api/v1/cases", headers=headers).status_code == 401


def test_the_token_decides_who_calls_even_with_a_session_cookie(login_as, qn):
    qn_case = f.make_case(by="staff-qh", station_code="QH", enterprise=qn.enterprise)
    client = login_as("staff-ll")  # a browser session of another user
    as_token = client.get("/api/v1/cases", headers=bearer(qn.username))
    assert [c["case_no"] for c in as_token.get_json()["items"]] == [qn_case.case_no]
    wrong = client.get("/api/v1/cases", headers={"Authorization": "Bearer stn_wrong"})
    assert wrong.status_code == 401  # a bad token is not rescued by the session


def test_tokens_count_only_under_api(client):
    response = client.get("/home", headers=bearer("staff-ll"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_cli_creates_a_token_that_works(app, client, gd):
    result = app.test_cli_runner().invoke(args=["api-token", "create", gd.username, "小程序"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith(tokens.TOKEN_PREFIX) and " " not in token
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "小程序"))
    assert row.user.username == gd.username and row.token_hash == tokens.hash_token(token)
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = app.test_cli_runner().invoke(args=["api-token", "list"])
    assert "小程序" in listed.output and token not in listed.output
    assert app.test_cli_runner().invoke(args=["api-token", "revoke", str(row.id)]).exit_code == 0
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    unknown = app.test_cli_runner().invoke(args=["api-token", "create", "nobody", "x"])
    assert unknown.exit_code != 0


def test_password_expiry_does_not_apply_to_tokens_but_does_to_sessions(login_as, client):
    staff = f.user("staff-ll")
    headers = bearer("staff-ll")
    session_client = login_as("staff-ll")
    staff.password_changed_at = utcnow() - timedelta(days=400)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    expired = session_client.get("/api/v1/cases")
    assert expired.status_code == 403 and expired.get_json()["error"]["code"] == "password_expired"
