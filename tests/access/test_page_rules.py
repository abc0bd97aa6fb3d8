"""The access rules the case pages' flags read (architecture.md §6): each agrees with the guard of the page or the
action it leads to, for every role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from stations.access import (
    intake_station,
    may_choose_intake_station,
    may_register_enterprise,
    may_use_manual_channel,
    offers_manual_channel,
)
from stations.access.cases import MANUAL_CHANNEL_STATUSES
from stations.auth.models import Role
from stations.cases import intake_views
from stations.domain.case_vocabulary import CaseStatus
from tests import factories as f


def _as(role: Role) -> SimpleNamespace:
    """A user of ``role`` for the rules that read nothing else."""
    return SimpleNamespace(role=role)


@pytest.mark.parametrize("role", list(Role))
def test_who_may_register_an_enterprise_is_who_the_registration_route_lets_in(role):
    allowed = role in intake_views.register_enterprise.allowed_roles
    assert may_register_enterprise(_as(role)) is allowed
    assert allowed is (role is Role.STAFF)


@pytest.mark.parametrize("role", list(Role))
def test_only_a_dedicated_clerk_chooses_the_intake_station(role):
    assert may_choose_intake_station(_as(role)) is (role is Role.CLERK)


def test_the_intake_station_is_the_clerks_choice_and_the_staffs_own():
    clerk, staff, qh = f.user("clerk-ll"), f.user("staff-ll"), f.station("QH")
    assert intake_station(clerk, "QH").id == qh.id
    assert intake_station(clerk, None).id == clerk.station_id  # its own by default
    assert intake_station(staff, "QH").id == staff.station_id != qh.id  # a code does not move the staff


def test_the_manual_channel_statuses_are_forwarding_and_waiting_for_the_partner():
    expected = {CaseStatus.RECEIVED, CaseStatus.FORWARDED, CaseStatus.PARTNER_SIGNED}
    assert expected == MANUAL_CHANNEL_STATUSES


def _case_at(status: CaseStatus, station_code: str = "LL") -> SimpleNamespace:
    """What the rules read of a case: its status and where it belongs (a client of clerk-ll's, at ``station_code``)."""
    enterprise = f.make_client(station_code=station_code).enterprise
    return SimpleNamespace(
        status=status, station_id=f.station(station_code).id, enterprise_id=enterprise.id, department_id=None
    )


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("username", ["staff-ll", "staff-qh", "clerk-ll", "admin", "central", "dept-rs"])
def test_the_link_to_the_manual_page_is_offered_only_to_who_may_use_it(username, status):
    user, case = f.user(username), _case_at(status)
    offered, allowed = offers_manual_channel(user, case), may_use_manual_channel(user, case)
    assert allowed is (username == "staff-ll")  # the staff of the case's station, at any status
    assert offered is (allowed and status in MANUAL_CHANNEL_STATUSES)
