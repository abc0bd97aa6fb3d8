"""Cross-region with any partner (issue 12, item 5): forward by post with a courier number, then three partner
steps recorded by staff on the same timeline; the public list of cross-region items."""

from __future__ import annotations

from sqlalchemy import select

from stations.crossregion.manual import manual_partners
from stations.crossregion.models import Transfer
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests import factories as f
from tests.helpers.suite import csrf_token_from


def _case_with_a_manual_partner():
    from stations.catalog.models import ServiceItem
    from stations.crossregion.models import PartnerItem, PartnerRegion
    from stations.sites.models import ScopeMode, Station, StationItem

    item = db.session.scalar(
        select(ServiceItem)
        .join(PartnerItem, PartnerItem.local_item_id == ServiceItem.id)
        .join(PartnerRegion, PartnerRegion.id == PartnerItem.partner_id)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(PartnerRegion.base_url.is_(None), Station.code == "LL", StationItem.mode == ScopeMode.ACCEPT)
        .order_by(ServiceItem.id)
        .limit(1)
    )
    assert item is not None and manual_partners(item.id)
    return f.make_case(item_obj=item)


def _post(client, url, **data):
    token = csrf_token_from(client, "/account/password")
    return client.post(url, data={"csrf_token": token, **data})


def test_manual_forward_with_courier_number_and_three_partner_steps(login_as):
    case = _case_with_a_manual_partner()
    partner = manual_partners(case.item_id)[0]
    staff = login_as("staff-ll")
    page = staff.get(f"/cases/{case.case_no}/xr-manual")
    assert page.status_code == 200 and partner.name in page.get_data(as_text=True)
    url = f"/cases/{case.case_no}/xr-manual"
    assert _post(staff, url + "/forward", partner_code=partner.code, courier_no="x").status_code == 422
    assert _post(staff, url + "/forward", partner_code="NOPE", courier_no="SF1234567890").status_code == 422
    assert _post(staff, url + "/forward", partner_code=partner.code, courier_no="SF1234567890").status_code == 303
    db.session.expire_all()
    assert case.status is CaseStatus.FORWARDED
    transfer = db.session.scalar(select(Transfer).where(Transfer.case_id == case.id))
    assert transfer.channel == "POST" and transfer.courier_no == "SF1234567890"

    assert _post(staff, url + "/step", step="progress", note="").status_code == 422  # progress needs the words
    assert _post(staff, url + "/step", step="sign", note="电话告知已签收").status_code == 303
    assert _post(staff, url + "/step", step="progress", note="已受理,审查中").status_code == 303
    assert _post(staff, url + "/step", step="approved", note="结果已寄回").status_code == 303
    db.session.expire_all()
    assert case.status is CaseStatus.ISSUED and transfer.partner_signed_at is not None
    events = [r.event for r in case.events]
    assert events[-4:] == ["forward", "partner_sign", "partner_status", "result_return"]
    body = staff.get(f"/cases/{case.case_no}").get_data(as_text=True)
    assert "SF1234567890" in body and "已受理,审查中" in body
    assert _post(staff, url + "/step", step="sign").status_code == 422  # no longer with the partner


def test_only_the_cases_station_staff_use_the_manual_channel(login_as):
    case = _case_with_a_manual_partner()
    assert login_as("clerk-ll").get(f"/cases/{case.case_no}/xr-manual").status_code == 403
    assert login_as("staff-qh").get(f"/cases/{case.case_no}/xr-manual").status_code == 404


def test_the_public_list_of_cross_region_items(client):
    page = client.get("/cross-region/items")
    assert page.status_code == 200 and "跨区通办事项" in page.get_data(as_text=True)
