"""The roles that belong to a station: an account of theirs needs one (administration), and they serve at its
counter, where the originals are in hand (a bundle's materials are then VERIFIED, not PROVIDED)."""

from __future__ import annotations

from stations.auth.models import Role


def test_staff_and_clerks_work_at_a_station_and_no_one_else():
    assert {role for role in Role if role.works_at_station} == {Role.STAFF, Role.CLERK}
