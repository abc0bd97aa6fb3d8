"""A bundle member handled by a partner district: its child case is taken in naming the partner, for the existing
cross-region forward (跨区通办); a partner that does not handle the item is refused at save."""

from __future__ import annotations

import pytest

from stations.bundles import services
from stations.bundles.models import BundleLevel
from stations.cases.models import Channel
from tests import factories as f
from tests.crossregion.test_xr_cases import agreement, outbound_item  # noqa: F401  (fixtures)


def test_a_partner_member_is_taken_in_for_the_partner(agreement, outbound_item, gd):  # noqa: F811
    members = [services.MemberInput(1, outbound_item.id, partner_code="PX")]
    bundle = services.save_bundle(None, services.BundleInput("T-XR", "跨区一件事", BundleLevel.LOCAL, members=members))
    bundle_case = services.apply(
        bundle,
        user=f.user("staff-ll"),
        station=f.station("LL"),
        enterprise=gd.enterprise,
        channel=Channel.STATION,
        applicant_name="跨区经办",
    )
    assert bundle_case.children[0].case.xr_partner_code == "PX"


def test_a_partner_that_does_not_handle_the_item_is_refused(outbound_item):  # noqa: F811
    members = [services.MemberInput(1, outbound_item.id, partner_code="ZZ")]
    with pytest.raises(services.BundleError) as refused:
        services.save_bundle(None, services.BundleInput("T-XR2", "跨区", BundleLevel.LOCAL, members=members))
    assert refused.value.code == "partner_unavailable"
