"""Cross-region on a tablet (issue 5, "Done when"): station LL's staff forward a checked case from the queue with
one tap; the row shows 已流转 in place. The partner district then signs for it and accepts it (its signed messages
reach our federation endpoint, as the partner's outbox worker would send them) and the case page shows the
partner's acceptance.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.request
import uuid

from playwright.sync_api import Page, expect
from sqlalchemy import select

from stations.cases.models import Case
from stations.crossregion import signing
from stations.crossregion.models import AgreementKind, PartnerItem, PartnerRegion, Transfer
from stations.crossregion.protocol import encode
from stations.crossregion.services import FEDERATION_PATH
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests import factories

PARTNER_CODE = "BT"
PARTNER_NAME = "浏览器测试区"
KEY = secrets.token_hex(16)


def _setup(live_app) -> str:
    """A partner that handles one LL item no reachable demo partner handles, and a checked RECEIVED case of it
    taken in for that partner."""
    with live_app.app_context():
        partner = PartnerRegion(
            code=PARTNER_CODE,
            name=PARTNER_NAME,
            agreement_kind=AgreementKind.CROSS_REGION,
            shared_key=KEY,
            base_url="http://127.0.0.1:9",  # never reached here: the test plays the partner
        )
        db.session.add(partner)
        db.session.flush()
        item = factories.item_without_reachable_partner("LL", exclude=("GG-SB-0005",))  # not the lifecycle test's
        db.session.add(
            PartnerItem(
                partner_id=partner.id, local_item_id=item.id, partner_item_code="BT-1", partner_item_name=item.name
            )
        )
        case = factories.make_case(item_obj=item)
        case.xr_partner_code = PARTNER_CODE  # taken in for the partner district (the intake form's 办理地)
        db.session.commit()
        return case.case_no


def _partner_says(base_url: str, kind: str, payload: dict) -> None:
    body = encode(str(uuid.uuid4()), kind, PARTNER_CODE, payload)
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    request = urllib.request.Request(
        base_url + FEDERATION_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            signing.HEADER_REGION: PARTNER_CODE,
            signing.HEADER_TIMESTAMP: timestamp,
            signing.HEADER_NONCE: nonce,
            signing.HEADER_SIGNATURE: signing.sign(KEY, "POST", FEDERATION_PATH, timestamp, nonce, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, response.status
        assert json.loads(response.read())["duplicate"] is False


def test_forward_from_the_queue_and_see_the_partners_acceptance(page: Page, login, live_app, base_url):
    case_no = _setup(live_app)
    login("staff-ll")
    page.goto("/home")
    page.evaluate("window.__marker = 1")
    row = page.locator("tr.queue-row").filter(has=page.get_by_role("link", name=case_no, exact=True))
    expect(row.locator("td[data-label=状态]")).to_have_text("已收件")

    with page.expect_response(lambda r: r.request.method == "POST" and "/events/forward" in r.url) as info:
        row.get_by_role("button", name=re.compile(f"^转{PARTNER_NAME}办理")).click()
    assert info.value.status == 200
    expect(row.locator("td[data-label=状态]")).to_have_text("已流转")
    expect(row.get_by_role("button")).to_have_count(0)  # nothing to do here until the partner answers
    assert page.evaluate("window.__marker") == 1, "the queue was reloaded instead of the row swapped"

    with live_app.app_context():
        case = db.session.scalar(select(Case).where(Case.case_no == case_no))
        assert case.status is CaseStatus.FORWARDED
        transfer = db.session.scalar(select(Transfer).where(Transfer.case_id == case.id))
        assert transfer.state == "FORWARDED"

    # The partner signs for the package and accepts the application.
    _partner_says(base_url, "sign", {"case_no": case_no, "remote_case_no": "JHBT202611270001"})
    _partner_says(base_url, "status", {"case_no": case_no, "remote_case_no": "JHBT202611270001", "status": "ACCEPTED"})

    row.get_by_role("link", name=case_no, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case_no}$"))
    expect(page.locator("#case-status")).to_contain_text("对方已签收")
    steps = page.locator("ol.timeline li")
    expect(steps.locator(".what")).to_have_text(["收件", "转外区办理", "对方签收", "对方办理进度"])
    expect(steps.last).to_contain_text("已受理")
    expect(steps.last.locator(".who")).to_have_text("合作地区")
    panel = page.locator("#xr-panel")
    expect(panel).to_contain_text(PARTNER_NAME)
    expect(panel).to_contain_text("JHBT202611270001")
