"""Demo: the appeals that meetings' open commitments and key projects' blocked procedures raise (issue 14/16),
through the same seams as the live app, so the demo's appeal pages link back to them. Runs after the appeals."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..domain.project_flow import ProcedureStatus
from ..extensions import db
from ..meetings.commitments import commitment_to_appeal
from ..meetings.models import MeetingCommitment
from ..projects.models import ProjectProcedure
from ..projects.services import raise_appeal_for_blocked


def seed_appeal_links() -> None:
    staff = db.session.scalar(select(User).where(User.username == "staff-ll"))
    for commitment in db.session.scalars(
        select(MeetingCommitment).where(MeetingCommitment.done_at.is_(None), MeetingCommitment.appeal_no.is_(None))
    ):
        commitment_to_appeal(commitment, staff)
    for procedure in db.session.scalars(
        select(ProjectProcedure).where(ProjectProcedure.status == ProcedureStatus.BLOCKED).order_by(ProjectProcedure.id)
    ):
        raise_appeal_for_blocked(procedure, procedure.blocked_note or "", procedure.project.commissioner or staff)
    db.session.flush()
