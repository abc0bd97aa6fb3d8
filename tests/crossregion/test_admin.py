"""Administrator pages for partners, agreement items and signing keys: validated in place, htmx fragments, audit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stations.auth.models import AuditEvent
from stations.catalog.models import ServiceItem
from stations.crossregion import keys
from stations.crossregion.models import AgreementKind, PartnerItem, PartnerKey, PartnerRegion
from stations.extensions import db
from stations.timeutil import utcnow
from tests import factories
from tests.crossregion.test_tls import _pem_only
from tests.factories import make_partner
from tests.helpers.suite import csrf_token_from, htmx_headers

NEW = "/admin/crossregion/partners/new"


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def edit_url(partner: PartnerRegion, suffix: str = "") -> str:
    return f"/admin/crossregion/partners/{partner.id}{suffix}"


def token(client, partner: PartnerRegion | None = None) -> str:
    return csrf_token_from(client, edit_url(partner) if partner else NEW)


def partner_data(**overrides) -> dict:
    data = {
        "code": "TC",
        "name": "铜川市新区(测试)",
        "agreement_kind": "CROSS_REGION",
        "agreed_item_count": "40",
        "base_url": "https://127.0.0.1:9443",
        "is_active": "y",
        "ca_bundle_pem": "",
    }
    data.update(overrides)
    return data


def audit_events(event: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.event == event))


def item_at_ll() -> ServiceItem:
    return db.session.scalar(select(ServiceItem).where(ServiceItem.code == "GG-GJJ-0006"))


# --- partners ---------------------------------------------------------------------------------------------------


def test_the_list_links_every_partner_and_names_the_agreement_kind(admin):
    ours = make_partner("TP", name="测试同标区", kind="SAME_STANDARD")
    page = admin.get("/admin/crossregion/").get_data(as_text=True)
    assert "测试同标区" in page and "同事同标" in page and "跨区通办" in page
    assert f'href="{edit_url(ours)}"' in page
    assert NEW in page


def test_create_a_partner(admin):
    response = admin.post(NEW, data={**partner_data(), "csrf_token": token(admin)})
    assert response.status_code == 303
    partner = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == "TC"))
    assert response.headers["Location"].endswith(edit_url(partner))
    assert (partner.name, partner.agreement_kind, partner.agreed_item_count) == (
        "铜川市新区(测试)",
        AgreementKind.CROSS_REGION,
        40,
    )
    assert partner.base_url == "https://127.0.0.1:9443" and partner.is_active
    assert audit_events("xr.partner_create") == 1


def test_create_by_htmx_goes_to_the_new_partners_page(admin):
    response = admin.post(
        NEW, data={**partner_data(), "csrf_token": token(admin)}, headers=htmx_headers("partner-form")
    )
    assert response.status_code == 200
    partner = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == "TC"))
    assert response.headers["HX-Location"] == edit_url(partner)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "tp"}, "该编码已被使用"),  # upper-cased, then taken by the test's own partner
        ({"code": "1X"}, "编码为2–16位大写字母或数字"),
        ({"name": ""}, 'id="name-error"'),
        ({"agreed_item_count": "-1"}, 'id="agreed_item_count-error"'),
        ({"base_url": "http://10.1.2.3/"}, "不在允许访问的地址清单中"),
        ({"base_url": "http://127.0.0.1:22/?next=x"}, "不含用户名、密码、查询参数"),
        ({"base_url": "https://user:pw@127.0.0.1/"}, "不含用户名、密码、查询参数"),
        ({"base_url": "file:///etc/passwd"}, "不含用户名、密码、查询参数"),
        ({"ca_bundle_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}, "不是有效的 PEM 证书"),
    ],
)
def test_invalid_partner_is_refused_in_place_and_nothing_is_stored(admin, overrides, message):
    make_partner("TP")
    before = db.session.scalar(select(func.count(PartnerRegion.id)))
    data = {**partner_data(**overrides), "csrf_token": token(admin)}
    response = admin.post(NEW, data=data, headers=htmx_headers("partner-form"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="partner-form"')  # the form alone, swapped in place
    assert 'aria-invalid="true"' in html
    assert message in html
    assert db.session.scalar(select(func.count(PartnerRegion.id))) == before
    full = admin.post(NEW, data=data)  # without JS: the whole page, 422
    assert full.status_code == 422 and "<html" in full.get_data(as_text=True)


def test_edit_a_partner_in_place(admin):
    partner = make_partner("TP")
    pem = _pem_only()
    data = {
        **partner_data(code="ZZ", name="咸阳市三原县", agreed_item_count="72", base_url="https://localhost:8443/xr"),
        "ca_bundle_pem": pem,
        "csrf_token": token(admin, partner),
    }
    response = admin.post(edit_url(partner), data=data, headers=htmx_headers("partner-form"))
    assert response.status_code == 200
    assert "已保存" in response.get_data(as_text=True)
    db.session.refresh(partner)
    assert partner.code == "TP"  # the code is set once
    assert partner.base_url == "https://localhost:8443/xr" and partner.ca_bundle_pem == pem.strip()
    assert audit_events("xr.partner_update") == 1


def test_the_edit_page_shows_the_agreement_items_and_keys(admin):
    partner = make_partner("TP", agreed_item_count=154, item_codes=("GG-GJJ-0006",), key_id="k-1")
    page = admin.get(edit_url(partner)).get_data(as_text=True)
    assert "TP-GG-GJJ-0006" in page and "住房公积金异地转移接续" in page
    assert "k-1" in page and "用于签名" in page
    assert keys.signing_key(partner).secret not in page  # a stored secret is never shown again
    assert "协议约定 154 项" in page


def test_a_missing_partner_is_404(admin):
    assert admin.get("/admin/crossregion/partners/999999").status_code == 404


# --- agreement items --------------------------------------------------------------------------------------------


def test_add_an_item_with_the_default_partner_code_and_name(admin):
    partner = make_partner("TP")
    item = factories.item("GG-BDC-0001")
    data = {"item_code": "gg-bdc-0001", "csrf_token": token(admin, partner)}
    response = admin.post(edit_url(partner, "/items"), data=data, headers=htmx_headers("xr-items"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="xr-items"')
    row = db.session.scalar(
        select(PartnerItem).where(PartnerItem.partner_id == partner.id, PartnerItem.local_item_id == item.id)
    )
    assert (row.partner_item_code, row.partner_item_name, row.is_same_standard) == (
        f"TP-{item.code}",
        item.name,
        False,
    )
    assert f"TP-{item.code}" in html
    assert audit_events("xr.item_add") == 1


def test_same_standard_items_must_keep_our_name(admin):
    partner = make_partner("TP", kind="SAME_STANDARD")
    item = factories.item("GG-BDC-0001")
    data = {
        "item_code": item.code,
        "partner_item_name": "别的名称",
        "is_same_standard": "y",
        "csrf_token": token(admin, partner),
    }
    response = admin.post(edit_url(partner, "/items"), data=data, headers=htmx_headers("xr-items"))
    assert response.status_code == 422
    assert "同事同标事项的名称须与本地事项名称一致" in response.get_data(as_text=True)
    data["partner_item_name"] = item.name
    assert admin.post(edit_url(partner, "/items"), data=data, headers=htmx_headers("xr-items")).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item_code": "NO-SUCH-ITEM"}, "没有编码为 NO-SUCH-ITEM 的在用事项"),
        ({"item_code": "GG-GJJ-0006"}, "该事项已在本协议的事项清单中"),
        ({"item_code": "GG-BDC-0001", "partner_item_code": "TP-GG-GJJ-0006"}, "对方事项编码已被使用"),
        ({"item_code": "GG-BDC-0001", "partner_item_code": "有 空格"}, "只能包含字母、数字"),
    ],
)
def test_invalid_items_are_refused_in_place(admin, data, message):
    partner = make_partner("TP", item_codes=("GG-GJJ-0006",))
    before = db.session.scalar(select(func.count(PartnerItem.id)))
    response = admin.post(
        edit_url(partner, "/items"),
        data={**data, "csrf_token": token(admin, partner)},
        headers=htmx_headers("xr-items"),
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PartnerItem.id))) == before


def test_remove_an_item(admin):
    partner = make_partner("TP", item_codes=("GG-GJJ-0006", "GG-BDC-0001"))
    row = db.session.scalar(select(PartnerItem).where(PartnerItem.partner_id == partner.id).limit(1))
    code = row.partner_item_code
    url = edit_url(partner, f"/items/{row.id}/remove")
    response = admin.post(url, data={"csrf_token": token(admin, partner)}, headers=htmx_headers("xr-items"))
    assert response.status_code == 200
    assert code not in response.get_data(as_text=True)
    assert db.session.get(PartnerItem, row.id) is None
    other = make_partner("TQ", item_codes=("GG-GJJ-0006",))
    # An item of another partner cannot be removed through this partner's URL.
    foreign = db.session.scalar(select(PartnerItem).where(PartnerItem.partner_id == other.id).limit(1))
    url = edit_url(partner, f"/items/{foreign.id}/remove")
    assert admin.post(url, data={"csrf_token": token(admin, partner)}).status_code == 404


# --- keys -------------------------------------------------------------------------------------------------------


def test_add_a_generated_key_shows_the_secret_once(admin):
    partner = make_partner("TP", key_id="k-1")
    data = {"key_id": "2027-01", "secret": "", "starts_in_hours": "24", "valid_days": "365"}
    response = admin.post(
        edit_url(partner, "/keys"), data={**data, "csrf_token": token(admin, partner)}, headers=htmx_headers("xr-keys")
    )
    assert response.status_code == 200
    key = db.session.scalar(
        select(PartnerKey).where(PartnerKey.partner_id == partner.id, PartnerKey.key_id == "2027-01")
    )
    assert len(key.secret) == 64
    assert key.secret in response.get_data(as_text=True)
    assert key.not_after - key.not_before == timedelta(days=365)
    assert (key.not_before - utcnow()).total_seconds() == pytest.approx(24 * 3600, abs=60)
    # Not yet valid: the old key still signs until the partner has installed the new one.
    assert keys.signing_key(partner).key_id == "k-1"
    assert key.secret not in admin.get(edit_url(partner)).get_data(as_text=True)
    assert audit_events("xr.key_add") == 1


def test_the_first_key_of_a_legacy_partner_keeps_the_shared_key_as_k0(admin):
    partner = make_partner("TP", shared_key="legacy-shared-key-0123456789abcdef")
    data = {"key_id": "k1", "secret": "n" * 40, "starts_in_hours": "0", "valid_days": "30"}
    response = admin.post(edit_url(partner, "/keys"), data={**data, "csrf_token": token(admin, partner)})
    assert response.status_code == 303
    assert [(k.key_id, k.secret) for k in keys.valid_keys(partner)] == [
        ("k1", "n" * 40),
        ("k0", "legacy-shared-key-0123456789abcdef"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key_id": "k-1"}, "该密钥编号已被使用"),
        ({"key_id": "a b"}, "只能包含字母、数字"),
        ({"key_id": "k5", "secret": "too-short"}, 'id="secret-error"'),
        ({"key_id": "k5", "valid_days": "0"}, 'id="valid_days-error"'),
    ],
)
def test_invalid_keys_are_refused_in_place(admin, data, message):
    partner = make_partner("TP", key_id="k-1")
    before = db.session.scalar(select(func.count(PartnerKey.id)))
    form = {"secret": "", "starts_in_hours": "0", "valid_days": "365", **data, "csrf_token": token(admin, partner)}
    response = admin.post(edit_url(partner, "/keys"), data=form, headers=htmx_headers("xr-keys"))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PartnerKey.id))) == before


def test_retire_the_old_key_after_adding_the_new_one(admin):
    partner = make_partner("TP", key_id="k-1")
    old = db.session.scalar(select(PartnerKey).where(PartnerKey.partner_id == partner.id))
    retire = edit_url(partner, f"/keys/{old.id}/retire")
    # The only valid key: refused, nothing changes.
    response = admin.post(retire, data={"csrf_token": token(admin, partner)}, headers=htmx_headers("xr-keys"))
    assert response.status_code == 422
    assert "这是唯一有效的密钥" in response.get_data(as_text=True)
    db.session.refresh(old)
    assert old.valid_at(utcnow())
    data = {"key_id": "k-2", "secret": "", "starts_in_hours": "0", "valid_days": "365"}
    admin.post(edit_url(partner, "/keys"), data={**data, "csrf_token": token(admin, partner)})
    response = admin.post(retire, data={"csrf_token": token(admin, partner)}, headers=htmx_headers("xr-keys"))
    assert response.status_code == 200
    db.session.refresh(old)
    assert not old.valid_at(utcnow() + timedelta(seconds=1))
    assert [k.key_id for k in keys.valid_keys(partner)] == ["k-2"]
    assert audit_events("xr.key_retire") == 1


def test_other_roles_are_refused(login_as):
    partner = make_partner("TP")
    for username in ("central", "staff-ll"):
        assert login_as(username).get(edit_url(partner)).status_code == 403


# --- demo agreements (domain.md §6.2) -----------------------------------------------------------------------------


def test_demo_agreements_keep_the_reports_figures():
    rows = db.session.execute(
        select(PartnerRegion.code, PartnerRegion.agreed_item_count, func.count(PartnerItem.id))
        .outerjoin(PartnerItem, PartnerItem.partner_id == PartnerRegion.id)
        .group_by(PartnerRegion.id)
    ).all()
    agreed = {code: total for code, total, _n in rows}
    assert {k: agreed[k] for k in ("YZ", "QD", "SY", "GL", "XYGX")} == {
        "YZ": 54,
        "QD": 129,
        "SY": 72,
        "GL": 154,
        "XYGX": 143,
    }
    assert sum(agreed.values()) == 943
    for code, total, mapped in rows:
        assert 0 < mapped <= total, code
    assert {code: mapped for code, _t, mapped in rows}["YZ"] == 54  # small agreements are listed whole
    same = db.session.execute(
        select(PartnerItem.is_same_standard, func.count())
        .join(PartnerRegion, PartnerRegion.id == PartnerItem.partner_id)
        .where(PartnerRegion.code == "XYGX")
        .group_by(PartnerItem.is_same_standard)
    ).all()
    assert dict(same) == {True: 98}


def test_demo_partner_gl_can_take_a_case_from_ll():
    from stations.crossregion import demo_partners, egress
    from stations.sites.models import ScopeMode, Station, StationItem

    gl = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == "GL"))
    assert gl.is_active and egress.is_allowed(gl.base_url)
    key = keys.signing_key(gl)  # random per database, never derived from a label in the source
    assert key.key_id == demo_partners.DEMO_KEY_ID and len(key.secret) == 64
    assert key.secret != hashlib.sha256(b"stations-demo-federation-key:GL").hexdigest()
    item = item_at_ll()
    mapped = db.session.scalar(
        select(PartnerItem.partner_item_code).where(
            PartnerItem.partner_id == gl.id, PartnerItem.local_item_id == item.id
        )
    )
    assert mapped == "GL-GG-GJJ-0006"
    mode = db.session.scalar(
        select(StationItem.mode)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == "LL", StationItem.item_id == item.id)
    )
    assert mode is ScopeMode.ACCEPT
    # Every listed item is offered at LL and at the centre ZX.
    for code in ("LL", "ZX"):
        offered = (
            select(StationItem.item_id).join(Station, Station.id == StationItem.station_id).where(Station.code == code)
        )
        missing = db.session.scalar(select(func.count(PartnerItem.id)).where(PartnerItem.local_item_id.not_in(offered)))
        assert missing == 0, code


def test_demo_seeding_twice_changes_nothing():
    from stations.crossregion.demo_partners import seed_partner_agreements

    before = (
        db.session.scalar(select(func.count(PartnerItem.id))),
        db.session.scalar(select(func.count(PartnerKey.id))),
    )
    seed_partner_agreements()
    after = (
        db.session.scalar(select(func.count(PartnerItem.id))),
        db.session.scalar(select(func.count(PartnerKey.id))),
    )
    assert after == before


def test_the_pages_run_a_fixed_number_of_queries(admin, count_queries):
    """The edit page's queries do not grow with the item list (54 vs 98 rows), nor the list's with partners."""
    counts = []
    for code in ("YZ", "QD"):
        partner = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == code))
        url = edit_url(partner)
        admin.get(url)  # warm the session and the identity map alike for both
        with count_queries() as counter:
            assert admin.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[0] <= 5, counts
    with count_queries() as counter:
        assert admin.get("/admin/crossregion/").status_code == 200
    assert counter.count <= 5, counter.count
