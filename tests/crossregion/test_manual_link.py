"""The case page links to the manual cross-region page by the page's own rule: access.offers_manual_channel is
access.may_use_manual_channel (the page's guard) while the page has work. Whoever sees the link may follow it;
whoever does not, cannot, except the case's staff once the work is done (the page still shows the record)."""

from __future__ import annotations

import pytest

from stations.access import offers_manual_channel
from stations.cases.services import EventInput, apply_event
from stations.crossregion.manual import forward_by_post, record_partner_step
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from tests import factories as f
from tests.helpers.cases import text

OUTSIDERS = {"staff-qh": 404, "clerk-ll": 403, "admin": 403, "central": 403, "the client": 403}
# How far the case goes with its manual partner, and the status it is then in.
WALKS = {
    "received": CaseStatus.RECEIVED,
    "forwarded": CaseStatus.FORWARDED,
    "signed": CaseStatus.PARTNER_SIGNED,
    "issued": CaseStatus.ISSUED,
    "accepted": CaseStatus.ACCEPTED,
}


def _manual_case(walk: str):
    """A case of a client of clerk-ll's at LL whose item a partner without an endpoint (reached by post) handles."""
    item = f.item(station_code="LL", instant=False)
    partner = f.make_partner("TM", name="邮寄测试区", item_codes=(item.code,))
    owner = f.make_client()
    case = f.make_case(item_obj=item, enterprise=owner.enterprise)
    staff = f.user("staff-ll")
    if walk == "accepted":
        apply_event(case, CaseEvent.ACCEPT, staff, version=case.version, data=EventInput())
        return case, owner
    steps = {"forwarded": [], "signed": ["sign"], "issued": ["sign", "approved"]}.get(walk)
    if steps is not None:
        forward_by_post(case, staff, partner.code, "SF1234567890")
        for step in steps:
            record_partner_step(case, staff, step, note="据对方电话告知")
    return case, owner


@pytest.mark.parametrize("walk", list(WALKS))
def test_the_link_and_the_manual_page_agree(login_as, walk):
    case, owner = _manual_case(walk)
    assert case.status is WALKS[walk]
    link = f'href="/cases/{case.case_no}/xr-manual"'
    staff = login_as("staff-ll")
    shown = link in text(staff.get(f"/cases/{case.case_no}"))
    assert shown is offers_manual_channel(f.user("staff-ll"), case)
    assert shown is (walk in ("received", "forwarded", "signed"))
    assert staff.get(f"/cases/{case.case_no}/xr-manual").status_code == 200  # the record stays readable
    for who, refused in OUTSIDERS.items():
        client = login_as(owner.username if who == "the client" else who)
        page = client.get(f"/cases/{case.case_no}")
        assert link not in text(page), who
        assert client.get(f"/cases/{case.case_no}/xr-manual").status_code == refused, who


@pytest.mark.parametrize(
    ("walk", "records"), [("received", False), ("forwarded", True), ("signed", True), ("issued", False)]
)
def test_the_partners_report_is_recorded_while_the_case_waits_for_the_partner(login_as, walk, records):
    case, _owner = _manual_case(walk)
    page = text(login_as("staff-ll").get(f"/cases/{case.case_no}/xr-manual"))
    assert (f'action="/cases/{case.case_no}/xr-manual/step"' in page) is records
    assert (f'action="/cases/{case.case_no}/xr-manual/forward"' in page) is (walk == "received")
