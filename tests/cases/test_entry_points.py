"""Every way into a case obeys the same rules: the case core decides, the entry points only adapt.

The rules themselves are table-tested once in tests/domain/test_case_flow.py; here each entry point is tested
for its wiring: it reaches the core's rule and answers the refusal in its own format.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stations.auth import tokens
from stations.cases import intake, services
from stations.cases.models import Case, Channel, MaterialStatus
from stations.catalog.models import ServiceItem
from stations.domain.case_flow import GuardFailed
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.enterprises.models import Document, TrustLevel
from stations.extensions import db
from stations.sites.models import Station, StationItem, StationKind
from tests import factories as f
from tests.helpers.cases import fire, post_event
from tests.helpers.suite import csrf_token_from, htmx_headers


def _in_review(**kwargs) -> Case:
    case = f.make_case(**kwargs)
    fire(case, CaseEvent.ACCEPT)
    return fire(case, CaseEvent.START_REVIEW)


def _core(case: Case, event: str, note: str) -> tuple[int, str]:
    try:
        services.apply_event(
            case, CaseEvent(event), f.user("staff-ll"), version=case.version, data=services.EventInput(note=note)
        )
    except GuardFailed as error:
        return 422, error.code
    return 200, ""


def _page(case: Case, event: str, note: str, client) -> tuple[int, str]:
    response = post_event(client, case, event, note=note)
    return response.status_code, response.get_data(as_text=True)


def _page_htmx(case: Case, event: str, note: str, client) -> tuple[int, str]:
    response = post_event(client, case, event, note=note, headers=htmx_headers("case-panel"))
    return response.status_code, response.get_data(as_text=True)


def _api_session(case: Case, event: str, note: str, client) -> tuple[int, str]:
    headers = {"X-CSRFToken": csrf_token_from(client, "/account/password")}
    body = {"event": event, "version": case.version, "note": note}
    response = client.post(f"/api/v1/cases/{case.case_no}/events", json=body, headers=headers)
    return response.status_code, response.get_json()["error"]["code"] if response.status_code >= 400 else ""


def _api_bearer(case: Case, event: str, note: str, client) -> tuple[int, str]:
    _row, token = tokens.issue_token(f.user("staff-ll"), "entry-points")
    body = {"event": event, "version": case.version, "note": note}
    response = client.post(
        f"/api/v1/cases/{case.case_no}/events", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.get_json()["error"]["code"] if response.status_code >= 400 else ""


ENTRY_POINTS = {
    "page": _page,
    "page-htmx": _page_htmx,
    "api-session": _api_session,
    "api-bearer": _api_bearer,
}
# event -> (the guard's code, the words the page shows)
NOTE_RULES = {
    "decide_reject": ("reject_reasons_required", "请填写不予批准的理由及救济途径"),
    "request_correction": ("correction_content_required", "请一次性列明需要补正的全部内容"),
}


@pytest.mark.parametrize("note", ["", "  \n "])
@pytest.mark.parametrize("event", sorted(NOTE_RULES))
@pytest.mark.parametrize("entry", ["core", *ENTRY_POINTS])
def test_no_rejection_without_reasons_and_no_empty_correction_notice_at_any_entry_point(login_as, entry, event, note):
    case = _in_review()
    code, words = NOTE_RULES[event]
    if entry == "core":
        status, answer = _core(case, event, note)
    else:
        status, answer = ENTRY_POINTS[entry](case, event, note, login_as("staff-ll"))
    assert status == 422, (entry, event)
    assert (words if entry.startswith("page") else code) in answer
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh.status is CaseStatus.IN_REVIEW and fresh.correction_requested_at is None and fresh.decided_at is None


@pytest.mark.parametrize("entry", ["core", *ENTRY_POINTS])
def test_with_the_note_every_entry_point_rejects(login_as, entry):
    case = _in_review()
    note = "不符合法定条件;可在60日内申请行政复议或6个月内提起行政诉讼"
    if entry == "core":
        status, _answer = _core(case, "decide_reject", note)
    else:
        status, _answer = ENTRY_POINTS[entry](case, "decide_reject", note, login_as("staff-ll"))
    assert status in (200, 303), entry
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh.status is CaseStatus.REJECTED and fresh.decision_note == note


@pytest.mark.parametrize("entry", ["page", "api"])
def test_the_online_applicant_cannot_decide_at_any_entry_point(login_as, entry, gd):
    """The online application's user (and so Open311, which files as the applicant and has no event route)."""
    case = _in_review(enterprise=gd.enterprise)
    client = login_as(gd.username)
    if entry == "page":
        response = post_event(client, case, "decide_reject", note="理由")
    else:
        headers = {"X-CSRFToken": csrf_token_from(client, "/account/password")}
        body = {"event": "decide_reject", "version": case.version, "note": "理由"}
        response = client.post(f"/api/v1/cases/{case.case_no}/events", json=body, headers=headers)
    assert response.status_code in (403, 422)
    assert db.session.get(Case, case.id).status is CaseStatus.IN_REVIEW


def test_an_unknown_delivery_mode_is_refused_by_the_core():
    case = _in_review(instant=False)
    fire(case, CaseEvent.DECIDE_APPROVE)
    fire(case, CaseEvent.ISSUE)
    with pytest.raises(GuardFailed, match="delivery_mode_unknown"):
        fire(case, CaseEvent.DELIVER, delivery_mode="DRONE")
    assert fire(case, CaseEvent.DELIVER).delivery_mode == "COUNTER"


# --- intake: the channel from the station's kind, one trust rule -------------------------------------------------


def _accept_item(station_code: str) -> ServiceItem:
    return db.session.scalars(
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station_code, StationItem.mode == "ACCEPT", ServiceItem.is_instant.is_(False))
        .order_by(ServiceItem.code)
    ).first()


@pytest.mark.parametrize(("kind", "channel"), [(StationKind.CENTER, "COMPREHENSIVE"), (StationKind.PARK, "STATION")])
def test_the_api_takes_the_channel_from_the_station_kind_not_its_code(login_as, kind, channel):
    f.station("LL").kind = kind  # LL is a park station in the demo; as a centre its counter is comprehensive
    item = _accept_item("LL")
    client = login_as("staff-ll")
    body = {
        "item_code": item.code,
        "station": "LL",
        "enterprise_uscc": f.make_enterprise(station_code="LL").uscc,
        "materials": [],
    }
    headers = {"X-CSRFToken": csrf_token_from(client, "/account/password")}
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["channel"] == channel


def test_intake_channel_and_trust_rule(gd):
    centre, park = f.station("ZX"), f.station("LL")
    assert intake.intake_channel(f.user("staff-zx"), centre) is Channel.COMPREHENSIVE
    assert intake.intake_channel(f.user("clerk-ll"), park) is Channel.STATION
    assert intake.intake_channel(gd.account, park) is Channel.ONLINE
    assert intake.intake_channel(None, centre) is Channel.ONLINE  # an integration files as the applicant
    # An applicant cannot vouch for its own materials: "checked" counts only at a counter.
    assert intake.claimed_status("VERIFIED", Channel.STATION) is MaterialStatus.VERIFIED
    assert intake.claimed_status("VERIFIED", Channel.ONLINE) is MaterialStatus.MISSING
    assert intake.upload_status(Channel.COMPREHENSIVE) is MaterialStatus.VERIFIED
    assert intake.upload_status(Channel.ONLINE) is MaterialStatus.PROVIDED
    for level, status in ((TrustLevel.A, "VERIFIED"), (TrustLevel.B, "VERIFIED"), (TrustLevel.C, "PROVIDED")):
        assert intake.document_status(Document(trust_level=level)) is MaterialStatus(status)


def test_an_enterprise_cannot_self_verify_through_the_api(client, gd):
    item = db.session.scalars(
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == "LL", StationItem.mode == "ACCEPT", ServiceItem.online_mode != "OFFLINE")
        .order_by(ServiceItem.code)
    ).first()
    _row, token = tokens.issue_token(gd.account, "mini-program")
    body = {
        "item_code": item.code,
        "station": "LL",
        "enterprise_uscc": gd.enterprise.uscc,
        "materials": [{"code": m.code, "status": "VERIFIED"} for m in item.materials],
    }
    response = client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    case = db.session.scalar(select(Case).where(Case.case_no == response.get_json()["case_no"]))
    assert {m.status for m in case.materials} == {MaterialStatus.MISSING}


def test_the_case_page_marks_required_notes_from_the_core(app, login_as):
    """Presenter, not template: the note fields the core requires carry ``required`` (case_vocabulary.NOTE_REQUIRED_EVENTS)."""
    from stations.cases.presenters import case_actions
    from stations.domain.case_vocabulary import NOTE_REQUIRED_EVENTS

    with app.test_request_context():
        actions = {a.event: a for a in case_actions(list(CaseEvent), provided=[], gaps=[])}
    assert {e for e, a in actions.items() if a.note_required} == NOTE_REQUIRED_EVENTS
    assert actions[CaseEvent.DELIVER].asks_delivery_mode and not actions[CaseEvent.ISSUE].needs_input
    case = _in_review()
    page = login_as("staff-ll").get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert 'id="decide_reject-note" name="note" rows="3" maxlength="2000" required' in page
    assert 'id="decide_approve-note" name="note" rows="3" maxlength="2000">' in page
