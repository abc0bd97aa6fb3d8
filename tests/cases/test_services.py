"""Case services against the database: numbering, deadlines, 容缺, correction pauses, stale versions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from stations.cases import services
from stations.cases.services import EventInput, StaleCase
from stations.domain.case_flow import GuardFailed
from stations.domain.case_vocabulary import CaseEvent, CaseStatus
from stations.domain.deficiency_flow import DeficiencyStatus
from stations.enterprises.models import CreditFlag
from tests import factories as f


def utc(text: str) -> datetime:
    """A naive UTC datetime from Beijing wall-clock text (UTC+8)."""
    return datetime.fromisoformat(text) - timedelta(hours=8)


def test_case_numbers_are_per_station_and_day():
    first = f.make_case(now=utc("2026-03-02 10:00"))
    second = f.make_case(now=utc("2026-03-02 11:00"))
    other_day = f.make_case(now=utc("2026-03-03 09:30"))
    assert first.case_no == "JHLL202603020001"
    assert second.case_no == "JHLL202603020002"
    assert other_day.case_no == "JHLL202603030001"
    assert len(first.query_code) == 6 and first.query_code.isalnum()
    assert first.status is CaseStatus.RECEIVED
    assert [e.event for e in first.events] == ["receive"]


def test_accept_stores_due_date_across_national_day():
    case = f.make_case(now=utc("2025-09-30 10:00"))
    case.item.promised_days = 5  # the domain.md §4.1 worked example
    services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-ll"), version=case.version, now=utc("2025-09-30 10:05"))
    assert case.status is CaseStatus.ACCEPTED
    assert case.due_on == date(2025, 10, 14)
    assert case.promised_days == 5
    assert case.version == 2


def test_stale_version_is_refused():
    case = f.make_case()
    with pytest.raises(StaleCase):
        services.apply_event(case, CaseEvent.ACCEPT, f.user("staff-ll"), version=case.version + 5)


def test_accept_with_deficiency_creates_one_ledger_row_per_missing_material():
    case = f.make_case(rongque=True, materials="missing_minor", now=utc("2026-03-02 10:00"))
    staff = f.user("staff-ll")
    with pytest.raises(GuardFailed) as error:
        services.apply_event(case, CaseEvent.ACCEPT_WITH_DEFICIENCY, staff, version=case.version)
    assert error.value.code == "commitment_missing"
    services.apply_event(
        case,
        CaseEvent.ACCEPT_WITH_DEFICIENCY,
        staff,
        version=case.version,
        data=EventInput(commitment_signed=True),
        now=utc("2026-03-02 10:10"),
    )
    missing = [m for m in case.materials if m.item_material.is_required and not m.item_material.is_main]
    assert case.is_rongque and case.status is CaseStatus.ACCEPTED
    assert len(case.deficiencies) == len(missing) >= 1
    assert all(d.supply_deadline <= case.due_on for d in case.deficiencies)
    assert all(d.status is DeficiencyStatus.PENDING for d in case.deficiencies)


def test_correction_during_review_moves_the_due_date():
    case = f.make_case(now=utc("2026-03-02 09:00"))
    staff = f.user("staff-ll")
    services.apply_event(case, CaseEvent.ACCEPT, staff, version=case.version, now=utc("2026-03-02 09:10"))
    services.apply_event(case, CaseEvent.START_REVIEW, staff, version=case.version, now=utc("2026-03-02 09:20"))
    due = case.due_on
    services.apply_event(
        case,
        CaseEvent.REQUEST_CORRECTION,
        staff,
        version=case.version,
        data=services.EventInput(note="请补交营业执照副本"),
        now=utc("2026-03-03 10:00"),
    )
    assert case.status is CaseStatus.CORRECTION
    # Paused Tue 03-03 to Thu 03-05 (three working days); resumed Fri 03-06.
    services.apply_event(case, CaseEvent.CORRECTION_DONE, staff, version=case.version, now=utc("2026-03-06 10:00"))
    assert case.status is CaseStatus.IN_REVIEW
    assert case.extended_days == 3
    assert case.due_on > due
    assert case.first_handler_id == staff.id


def test_terminate_marks_false_commitment():
    case = f.make_case(rongque=True, materials="missing_minor", now=utc("2026-03-02 10:00"))
    staff = f.user("staff-ll")
    services.apply_event(
        case,
        CaseEvent.ACCEPT_WITH_DEFICIENCY,
        staff,
        version=case.version,
        data=EventInput(commitment_signed=True),
        now=utc("2026-03-02 10:10"),
    )
    late = utc("2026-06-01 10:00")
    services.apply_event(case, CaseEvent.TERMINATE, staff, version=case.version, now=late)
    assert case.status is CaseStatus.TERMINATED
    assert case.enterprise.credit_flag is CreditFlag.FALSE_COMMITMENT
    assert all(d.status is DeficiencyStatus.TERMINATED for d in case.deficiencies)
