"""A list page reads its rows' checklists as columns (issue 21); the facts must be those of the loaded case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stations.cases.checklist import Checklist, checklist_of, checklists
from stations.cases.models import MaterialStatus
from stations.cases.services import facts_for
from stations.extensions import db
from stations.timeutil import utcnow
from tests import factories as f
from tests.helpers.cases import accepted_case, overdue_case, rongque_case


@pytest.fixture
def varied_cases(gd):
    """Cases whose checklists differ in every way the facts read."""
    overdue_supply = rongque_case(enterprise=gd.enterprise)
    for deficiency in overdue_supply.deficiencies:
        deficiency.supply_deadline -= timedelta(days=60)  # its 容缺 items overdue
    needs_correction = f.make_case(enterprise=gd.enterprise)
    needs_correction.materials[0].status = MaterialStatus.NEEDS_CORRECTION
    db.session.flush()
    return [
        f.make_case(enterprise=gd.enterprise),
        f.make_case(enterprise=gd.enterprise, materials="missing"),
        f.make_case(enterprise=gd.enterprise, materials="missing_minor", rongque=True),
        accepted_case(enterprise=gd.enterprise),
        overdue_case(enterprise=gd.enterprise),
        rongque_case(enterprise=gd.enterprise),
        overdue_supply,
        needs_correction,
    ]


def test_the_checklists_read_as_columns_give_the_loaded_cases_facts(varied_cases):
    now = utcnow()
    by_id = checklists([case.id for case in varied_cases])
    facts = [facts_for(case, now, checklist=by_id[case.id]) for case in varied_cases]
    db.session.expire_all()  # the loaded side reads the database again, as the case page does
    for case, from_columns in zip(varied_cases, facts, strict=True):
        assert by_id[case.id] == checklist_of(case)
        assert from_columns == facts_for(case, now)
    # The cases differ in what the facts read, so the comparison above is not of one repeated answer.
    assert len({(f.required_materials_verified, f.missing_count, f.deficiency_overdue) for f in facts}) >= 4
    assert any(f.missing_materials_minor_and_allowed and f.missing_count for f in facts)
    assert any(not f.deficiencies_all_verified for f in facts)


def test_a_case_without_materials_has_an_empty_checklist_and_no_ids_no_query(count_queries):
    assert checklists([-1]) == {-1: Checklist()}
    with count_queries() as counted:
        assert checklists([]) == {}
    assert counted.count == 0
