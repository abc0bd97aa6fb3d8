"""Test helpers for bundles (moved out of tests/bundles/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

from datetime import datetime

from stations.bundles import queries, services
from stations.cases import services as case_services
from stations.cases.models import Channel
from stations.domain.case_vocabulary import CaseEvent
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def every_required_upload(bundle) -> dict[str, services.Upload]:
    return {
        line.name: services.Upload(PDF, "application/pdf", f"{n}.pdf")
        for n, line in enumerate(queries.merged_materials(bundle))
        if line.required
    }


def apply_for(code: str, *, by: str = "staff-ll", now: datetime | None = None, enterprise=None):
    bundle = queries.get_bundle(code)
    return services.apply(
        bundle,
        user=f.user(by),
        station=f.station("LL"),
        enterprise=enterprise or f.make_client().enterprise,
        channel=Channel.STATION,
        applicant_name="王经办",
        uploads=every_required_upload(bundle),
        now=now,
    )


def conclude(case, by: str = "staff-ll", now: datetime | None = None) -> None:
    """Accept, review and approve a case as its station's staff."""
    staff = f.user(by)
    for event in (CaseEvent.ACCEPT, CaseEvent.START_REVIEW, CaseEvent.DECIDE_APPROVE):
        if event is CaseEvent.START_REVIEW and case.is_instant:
            continue
        # An item the station only collects is decided by its department after acceptance (issue 12).
        actor = _examiner(case) if case.department_id is not None else staff
        case_services.apply_event(case, event, actor, version=case.version, now=now)


def _examiner(case):
    from sqlalchemy import select

    from stations.auth.models import Role, User
    from stations.extensions import db

    return db.session.scalar(
        select(User).where(User.role == Role.DEPARTMENT, User.department_id == case.department_id).order_by(User.id)
    )
