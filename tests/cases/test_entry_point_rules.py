"""Every other rule of the case machine, once per entry point for wiring (issue 17).

tests/domain/test_case_flow.py tests each rule at the core, with its whole table; test_entry_points.py covers the
note rules. Here one representative of each other kind of refusal goes through the core, the page (plain and
htmx), and API v1 (session and bearer token): each must refuse with the core's reason, in its own format, and
change nothing. Open311 and the online application file cases but fire no event, so they have no row here; the
applicant's attempt to fire one is refused in test_entry_points.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from stations.auth import tokens
from stations.cases import services
from stations.cases.labels import FLOW_ERROR_MESSAGES
from stations.cases.models import Case
from stations.domain.case_flow import CaseFlowError
from stations.domain.case_vocabulary import GUARD_MESSAGES, CaseEvent, CaseStatus
from stations.extensions import db
from tests import factories as f
from tests.helpers.cases import fire, post_event, visible_text
from tests.helpers.suite import csrf_token_from, htmx_headers


def _received_missing() -> Case:
    return f.make_case(materials="missing")


def _in_review() -> Case:
    case = f.make_case()
    fire(case, CaseEvent.ACCEPT)
    return fire(case, CaseEvent.START_REVIEW)


@dataclass(frozen=True)
class Rule:
    name: str
    setup: Callable[[], Case]
    event: str
    fields: dict
    code: str  # the core's code: a guard's reason code, or the flow error's code
    stale: bool = False  # post an old version instead

    @property
    def page_words(self) -> str:
        return GUARD_MESSAGES.get(self.code) or str(FLOW_ERROR_MESSAGES.get(self.code, ""))


RULES = [
    Rule("accept needs every required material checked", _received_missing, "accept", {}, "materials_not_verified"),
    Rule("a refusal needs its reason", f.make_case, "refuse", {"reason": "  "}, "reason_required"),
    Rule("only a 容缺 case is terminated", _in_review, "terminate", {}, "not_rongque"),
    Rule("special procedure needs its reason", _in_review, "start_special", {"reason": ""}, "reason_required"),
    Rule("an event must apply to the status", _in_review, "deliver", {}, "illegal_transition"),
    Rule("a stale version loses", _in_review, "start_review", {}, "stale", stale=True),
]


def _expected_status(rule: Rule) -> int:
    return 409 if rule.stale else 422


def _core(case: Case, rule: Rule) -> tuple[int, str]:
    version = case.version - 1 if rule.stale else case.version
    data = services.EventInput(note=rule.fields.get("note", ""), reason=rule.fields.get("reason", ""))
    try:
        services.apply_event(case, CaseEvent(rule.event), f.user("staff-ll"), version=version, data=data)
    except services.StaleCase:
        return 409, "stale"
    except CaseFlowError as error:
        return 422, error.code
    return 200, ""


def _page(case: Case, rule: Rule, client, *, htmx: bool) -> tuple[int, str]:
    version = case.version - 1 if rule.stale else case.version
    headers = htmx_headers("case-panel") if htmx else None
    response = post_event(client, case, rule.event, version=version, headers=headers, **rule.fields)
    return response.status_code, visible_text(response.get_data(as_text=True))


def _api(case: Case, rule: Rule, client, *, bearer: bool) -> tuple[int, str]:
    if bearer:
        _row, token = tokens.issue_token(f.user("staff-ll"), "entry-point-rules")
        headers = {"Authorization": f"Bearer {token}"}
    else:
        headers = {"X-CSRFToken": csrf_token_from(client, "/account/password")}
    version = case.version - 1 if rule.stale else case.version
    body = {"event": rule.event, "version": version, **rule.fields}
    response = client.post(f"/api/v1/cases/{case.case_no}/events", json=body, headers=headers)
    payload = response.get_json() or {}
    return response.status_code, payload.get("error", {}).get("code", "")


ENTRY_POINTS = {
    "page": lambda case, rule, client: _page(case, rule, client, htmx=False),
    "page-htmx": lambda case, rule, client: _page(case, rule, client, htmx=True),
    "api-session": lambda case, rule, client: _api(case, rule, client, bearer=False),
    "api-bearer": lambda case, rule, client: _api(case, rule, client, bearer=True),
}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
@pytest.mark.parametrize("entry", ["core", *ENTRY_POINTS])
def test_each_rule_refuses_alike_at_every_entry_point(login_as, entry, rule):
    case = rule.setup()
    before = (case.status, case.version)
    if entry == "core":
        status, answer = _core(case, rule)
        assert (status, answer) == (_expected_status(rule), rule.code)
    else:
        status, answer = ENTRY_POINTS[entry](case, rule, login_as("staff-ll"))
        assert status == _expected_status(rule), (entry, answer[:300])
        if entry.startswith("api"):
            assert answer == rule.code
        elif rule.page_words:
            assert rule.page_words.rstrip("。") in answer, entry
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert (fresh.status, fresh.version) == before, "a refusal changes nothing"


def test_the_rules_cover_each_kind_of_refusal():
    """Guards, an illegal transition and a stale version: the three ways the core says no besides who may act."""
    codes = {rule.code for rule in RULES}
    assert {"illegal_transition", "stale"} <= codes
    assert codes - {"illegal_transition", "stale"} <= set(GUARD_MESSAGES)
    assert CaseStatus.IN_REVIEW.value == "IN_REVIEW"
