"""Bundle services: save (cycles refused), apply once, one set of materials, members opened in order, roll-up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from stations.bundles import queries, services
from stations.bundles.models import BundleLevel
from stations.catalog.models import ServiceItem
from stations.domain.bundles import BundleStatus
from stations.enterprises.models import Document
from stations.extensions import db
from tests import factories as f
from tests.helpers.bundles import apply_for, conclude


def _items(*names):
    return [db.session.scalar(select(ServiceItem.id).where(ServiceItem.name == name)) for name in names]


def test_a_bundle_with_a_cycle_is_refused_at_save():
    a, b, c = _items("发票领用", "增值税一般纳税人登记", "税务登记变更")
    members = [
        services.MemberInput(1, a, [3]),
        services.MemberInput(2, b, [1]),
        services.MemberInput(3, c, [2]),
    ]
    with pytest.raises(services.BundleError) as refused:
        services.save_bundle(None, services.BundleInput("T-CYCLE", "循环一件事", BundleLevel.LOCAL, members=members))
    assert refused.value.code == "cycle"
    assert queries.get_bundle("T-CYCLE") is None


def test_save_updates_members_in_place():
    a, b, c = _items("发票领用", "增值税一般纳税人登记", "税务登记变更")
    data = services.BundleInput(
        "T-OK",
        "测试一件事",
        BundleLevel.LOCAL,
        promised_days=2,
        members=[services.MemberInput(1, a), services.MemberInput(2, b, [1])],
    )
    bundle = services.save_bundle(None, data)
    data.members = [services.MemberInput(1, c), services.MemberInput(2, a, [1]), services.MemberInput(3, b, [1, 2])]
    services.save_bundle(bundle, data)
    assert [(m.seq, m.item_id, m.depends_on) for m in bundle.members] == [(1, c, []), (2, a, [1]), (3, b, [1, 2])]


def test_a_material_shared_by_three_members_is_uploaded_once(uploads):
    documents_before = db.session.scalar(select(func.count(Document.id)))
    bundle_case = apply_for("XC-YGRZ")  # 员工入职: three members, none waits
    cases = [child.case for child in bundle_case.children]
    assert all(case is not None for case in cases) and len(cases) == 3
    licence = [[m.document_id for m in case.materials if m.item_material.name == "营业执照副本"] for case in cases]
    assert all(len(ids) == 1 and ids[0] is not None for ids in licence)
    assert len({ids[0] for ids in licence}) == 1  # one document on all three checklists
    shared = [line for line in queries.merged_materials(bundle_case.bundle) if line.name == "营业执照副本"]
    assert shared[0].seqs == [1, 2, 3]
    added = db.session.scalar(select(func.count(Document.id))) - documents_before
    assert added == len(bundle_case.documents)  # each merged material filed once, not per member


def test_members_open_in_dependency_order_and_roll_up(uploads):
    bundle_case = apply_for("XC-QYKB")
    first, *others = bundle_case.children
    assert first.case is not None and all(child.case is None for child in others)
    assert queries.level_of(bundle_case) == "green"
    conclude(first.case)
    assert all(child.case is not None for child in others)
    licence = {
        m.document_id
        for child in bundle_case.children
        for m in child.case.materials
        if m.item_material.name == "营业执照副本"
    }
    assert len(licence) == 1
    assert bundle_case.status is BundleStatus.IN_PROGRESS
    for child in others:
        conclude(child.case)
    assert bundle_case.status is BundleStatus.CONCLUDED
    assert queries.level_of(bundle_case) == "done"


def test_a_member_the_station_does_not_offer_is_refused(uploads):
    with pytest.raises(services.BundleError) as refused:
        apply_for("XC-QNXM")  # 施工许可 is handled at the centre only
    assert refused.value.code == "member_not_offered"


def test_enterprise_may_not_apply_online_for_an_offline_bundle(uploads, gd):
    bundle = queries.get_bundle("XC-QYQR")
    enterprise_user = gd.account
    with pytest.raises(services.BundleError) as refused:
        services.apply(
            bundle,
            user=enterprise_user,
            station=f.station("LL"),
            enterprise=gd.enterprise,
            channel=services.Channel.ONLINE,
            applicant_name="x",
        )
    assert refused.value.code == "not_online"


def test_the_enterprise_applies_online_once(uploads, gd):
    enterprise_user = gd.account
    bundle = queries.get_bundle("XC-QYKB")
    bundle_case = services.apply(
        bundle,
        user=enterprise_user,
        station=f.station("LL"),
        enterprise=gd.enterprise,
        channel=services.Channel.ONLINE,
        applicant_name="企业经办人",
    )
    first = bundle_case.children[0].case
    assert first.channel is services.Channel.ONLINE and first.received_by_id == enterprise_user.id


def test_an_online_bundle_with_an_offline_member_is_refused_at_save():
    bundle = queries.get_bundle("XC-YGRZ")
    members = [services.MemberInput(m.seq, m.item_id, list(m.depends_on)) for m in bundle.members]
    data = services.BundleInput(bundle.code, bundle.name, bundle.level, True, "", 1, members)
    with pytest.raises(services.BundleError) as refused:
        services.save_bundle(bundle, data)
    assert refused.value.code == "member_not_online" and refused.value.detail == "就业创业证申领"
