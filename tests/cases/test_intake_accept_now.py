"""收件并受理 (issue 19): one tap takes a case in and accepts it — plainly when every required material is checked,
with 容缺 when only minor materials are missing and the commitment is signed — and hands over the receipt to print.
When the core refuses, the intake stands and the case page says why. The applicant comes pre-filled."""

from __future__ import annotations

import pytest

from stations.cases.models import MaterialStatus
from stations.domain.case_flow import acceptance_event
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from tests import factories as f
from tests.cases.test_intake import intake_data, latest_case, post_intake
from tests.helpers.cases import text


def minor_rongque_material(item):
    return next(m for m in item.materials if m.is_required and m.rongque_allowed and not m.is_main)


def rongque_item():
    item = f.item(station_code="LL", instant=False, rongque=True)
    assert item is not None and minor_rongque_material(item) is not None
    return item


def test_a_complete_intake_is_accepted_at_once_and_the_receipt_follows(login_as, gd):
    item = f.item(station_code="LL", instant=True)
    client = login_as("staff-ll")
    response = post_intake(client, intake_data(client, item=item, enterprise=gd.enterprise, accept_now="y"))
    case = latest_case()
    assert case.enterprise_id == gd.enterprise.id and case.status is CaseStatus.ACCEPTED
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case.case_no}/receipt"
    receipt = text(client.get(response.headers["Location"]))
    assert case.case_no in receipt and "data-print" in receipt
    assert [event.event for event in case.events] == ["receive", "accept"]


def test_a_missing_minor_material_with_the_commitment_is_accepted_with_rongque(login_as, gd):
    item = rongque_item()
    minor = minor_rongque_material(item)
    client = login_as("staff-ll")
    data = intake_data(client, item=item, enterprise=gd.enterprise, accept_now="y", commitment_signed="y")
    data[f"m{minor.id}"] = "MISSING"
    response = post_intake(client, data)
    case = latest_case()
    assert case.status is CaseStatus.ACCEPTED and case.is_rongque
    assert response.headers["Location"] == f"/cases/{case.case_no}/receipt"
    assert [m.status for m in case.materials if m.item_material_id == minor.id] == [MaterialStatus.RONGQUE]


def test_without_the_commitment_the_intake_stands_and_the_case_page_says_why(login_as, gd):
    item = rongque_item()
    minor = minor_rongque_material(item)
    client = login_as("staff-ll")
    data = intake_data(client, item=item, enterprise=gd.enterprise, accept_now="y")
    data[f"m{minor.id}"] = "MISSING"
    response = post_intake(client, data)
    case = latest_case()
    assert case.enterprise_id == gd.enterprise.id and case.status is CaseStatus.RECEIVED
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case.case_no}"
    page = text(client.get(response.headers["Location"]))
    assert f"已收件，办件编号 {case.case_no}；尚未受理：" in page
    assert "容缺承诺书" in page


def test_plain_intake_still_only_takes_in(login_as, gd):
    client = login_as("staff-ll")
    response = post_intake(client, intake_data(client, enterprise=gd.enterprise))
    case = latest_case()
    assert case.status is CaseStatus.RECEIVED and response.headers["Location"] == f"/cases/{case.case_no}"


def test_the_checklist_offers_one_tap_for_all_and_prefills_the_applicant(login_as):
    enterprise = f.make_enterprise("预填测试有限公司")
    enterprise.contact_name, enterprise.contact_phone = "韩梅梅", "13911112222"
    item = rongque_item()
    client = login_as("staff-ll")
    page = text(client.get(f"/cases/new?enterprise={enterprise.id}&item={item.code}"))
    assert 'value="韩梅梅"' in page and 'value="13911112222"' in page
    assert "data-verify-all" in page and "全部已核验" in page
    assert 'name="accept_now" value="y"' in page and "收件并受理" in page
    assert 'name="commitment_signed"' in page  # the item allows 容缺
    optional = [m for m in item.materials if not m.is_required]
    assert page.count("> 未提供</label>") == len(optional)


def test_no_commitment_box_where_the_item_allows_no_rongque(login_as, gd):
    item = f.item(station_code="LL", rongque=False)
    page = text(login_as("staff-ll").get(f"/cases/new?enterprise={gd.enterprise.id}&item={item.code}"))
    assert "收件并受理" in page and 'name="commitment_signed"' not in page


@pytest.mark.parametrize(
    ("verified", "expected"),
    [(True, CaseEvent.ACCEPT), (False, CaseEvent.ACCEPT_WITH_DEFICIENCY)],
)
def test_acceptance_at_intake_is_plain_only_when_every_required_material_is_checked(verified, expected):
    from stations.domain.case_flow import CaseFacts

    facts = CaseFacts(status=CaseStatus.RECEIVED, is_instant=False, required_materials_verified=verified)
    assert acceptance_event(facts) is expected


def test_an_optional_material_not_handed_in_is_not_shown_as_missing(login_as, gd):
    item = next(
        i
        for i in (f.item(station_code="LL", instant=False), f.item(station_code="LL", instant=True))
        if any(not m.is_required for m in i.materials)
    )
    client = login_as("staff-ll")
    data = intake_data(client, item=item, enterprise=gd.enterprise)
    optional = [m for m in item.materials if not m.is_required]
    for material in optional:
        data[f"m{material.id}"] = "MISSING"
    post_intake(client, data)
    case = latest_case()
    page = text(client.get(f"/cases/{case.case_no}"))
    assert page.count('class="mstatus mstatus-NOT_PROVIDED">未提供</span>') == len(optional)
    assert "mstatus-MISSING" not in page  # every required one was checked
