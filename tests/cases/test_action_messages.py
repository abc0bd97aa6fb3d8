"""Each in-place case action says what it did (issue 19, item 1): a success message swapped out of band into the
page's live region #flash (role=status), which also replaces a conflict's banner left by the previous action.
"""

from __future__ import annotations

import re

from stations.cases.models import MaterialStatus
from stations.domain.case_vocabulary import CaseEvent
from tests import factories as f
from tests.helpers.cases import fire, post_event, text, token
from tests.helpers.enterprises import stored_document
from tests.helpers.suite import htmx_headers

FLASH_OOB = re.compile(
    r'<div id="flash" class="flash-region" role="status" aria-live="polite" hx-swap-oob="true">'
    r'<p class="flash flash-(\w+)">([^<]*)</p></div>'
)


def test_a_row_action_answers_the_row_and_a_success_message(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = post_event(client, case, "accept", headers=htmx_headers(f"case-row-{case.id}"))
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith(f'<tr id="case-row-{case.id}"')
    assert FLASH_OOB.findall(body) == [("success", f"{case.case_no}：已受理。")]


def test_a_case_page_action_answers_the_block_and_a_success_message(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = post_event(client, case, "accept", headers=htmx_headers("case-panel"))
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and 'id="case-status"' in body
    assert FLASH_OOB.findall(body) == [("success", f"{case.case_no}：已受理。")]


def test_a_stale_row_action_replaces_the_message_with_the_conflict(login_as):
    case = f.make_case()
    client = login_as("staff-ll")
    response = post_event(client, case, "accept", version=case.version - 1, headers=htmx_headers(f"case-row-{case.id}"))
    assert response.status_code == 409
    [(kind, message)] = FLASH_OOB.findall(text(response))
    assert kind == "error" and "该办件刚刚已被他人更新" in message


def test_a_supplied_material_says_it_waits_for_checking_in_place_and_after_a_redirect(login_as, uploads, gd):
    case = fire(f.make_case(enterprise=gd.enterprise, materials="missing"), CaseEvent.REQUEST_CORRECTION, note="请补交")
    first, second = [m for m in case.materials if m.status is MaterialStatus.NEEDS_CORRECTION][:2]
    client = login_as(gd.username)
    expected = f"{case.case_no}：补交材料已提交，等待核验。"
    in_place = client.post(
        f"/cases/{case.case_no}/materials/{first.id}/supply",
        data={"csrf_token": token(client), "document_id": str(stored_document(first.item_material.name, owner=gd).id)},
        headers=htmx_headers("case-panel"),
    )
    assert in_place.status_code == 200 and FLASH_OOB.findall(text(in_place)) == [("success", expected)]
    plain = client.post(
        f"/cases/{case.case_no}/materials/{second.id}/supply",
        data={"csrf_token": token(client), "document_id": str(stored_document(second.item_material.name, owner=gd).id)},
    )
    assert plain.status_code == 303
    assert expected in text(client.get(plain.headers["Location"]))
