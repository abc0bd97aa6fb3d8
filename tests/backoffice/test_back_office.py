"""现场受理、后台流转 (issue 12, item 1): a COLLECT item is accepted at the station and decided by its department."""

from __future__ import annotations

import re

from stations.catalog.models import Department
from stations.domain.case_vocabulary import CaseStatus
from stations.extensions import db
from tests import factories as f
from tests.helpers.cases import post_event, text

ACTION_RE = re.compile(r'action="/cases/[A-Z0-9]+/events/([a-z_]+)"')
COLLECTED_ITEM = "XK-SCJG-0001"  # 企业设立登记: LL collects it for 市场监管 (demo catalogue)


def _fresh(case):
    db.session.expire_all()
    return case


def _collected_case():
    return f.make_case(item_obj=f.item(COLLECTED_ITEM))


def test_a_collected_item_goes_to_the_departments_queue_and_is_decided_there(login_as):
    case = _collected_case()
    staff = login_as("staff-ll")
    assert post_event(staff, case, "accept").status_code == 303
    _fresh(case)
    scjg = db.session.query(Department).filter_by(code="SCJG").one()
    assert case.status is CaseStatus.ACCEPTED and case.department_id == scjg.id and case.handed_at is not None
    assert "to_department" in [r.event for r in case.events]

    page = text(staff.get(f"/cases/{case.case_no}"))
    assert "start_review" not in ACTION_RE.findall(page)  # the station no longer decides it
    assert post_event(staff, case, "start_review").status_code == 422

    examiner = login_as("dept-sc")
    assert case.case_no in text(examiner.get("/backoffice/"))
    assert case.case_no in [c["case_no"] for c in examiner.get("/api/v1/cases").get_json()["items"]]
    assert post_event(examiner, case, "start_review").status_code == 303
    _fresh(case)
    assert case.first_handler.username == "dept-sc"  # the first examiner is the 首办负责人
    assert post_event(examiner, case, "decide_approve", note="符合条件").status_code == 303
    assert post_event(examiner, case, "issue").status_code == 303  # 统一出证 at the centre
    _fresh(case)
    assert case.status is CaseStatus.ISSUED and case.issued_at is not None

    staff = login_as("staff-ll")
    assert post_event(staff, case, "deliver", delivery_mode="COUNTER").status_code == 303  # delivered at LL
    _fresh(case)
    assert case.status is CaseStatus.DELIVERED and case.first_handler.username == "dept-sc"


def test_another_department_never_sees_it(login_as):
    case = _collected_case()
    post_event(login_as("staff-ll"), case, "accept")
    other = login_as("dept-rs")
    assert case.case_no not in text(other.get("/backoffice/"))
    assert other.get(f"/cases/{case.case_no}").status_code == 404
    assert other.get(f"/api/v1/cases/{case.case_no}").status_code == 404


def test_not_yet_accepted_it_stays_at_the_station(login_as):
    case = _collected_case()
    assert login_as("dept-sc").get(f"/cases/{case.case_no}").status_code == 404


def test_items_the_station_accepts_stay_as_today(login_as):
    case = f.make_case()
    staff = login_as("staff-ll")
    post_event(staff, case, "accept")
    _fresh(case)
    assert case.department_id is None
    assert "start_review" in ACTION_RE.findall(text(staff.get(f"/cases/{case.case_no}")))


def test_only_an_approver_extends_a_handed_over_case(login_as):
    case = _collected_case()
    post_event(login_as("staff-ll"), case, "accept")
    examiner = login_as("dept-sc")
    post_event(examiner, case, "start_review")
    _fresh(case)
    assert post_event(examiner, case, "extend", reason="需现场核查").status_code == 403
    _fresh(case)
    assert case.extended_at is None
    lead = login_as("dept-sc-lead")
    assert post_event(lead, case, "extend", reason="需现场核查").status_code == 303
    _fresh(case)
    assert case.extended_days == 10 and case.extension_approved_by_id == f.user("dept-sc-lead").id


def test_the_queue_ignores_unknown_filters(login_as):
    client = login_as("dept-sc")
    assert client.get("/backoffice/?status=NOPE&page=x").status_code == 200
    assert client.get("/backoffice/?status=ALL&page=2").status_code == 200
