"""Materials after intake: 容缺 items supplied and checked, missing materials handed in, and the dedicated clerk
changing (who then takes over the open cases). They flush, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..access import actor_for
from ..auth.models import User
from ..clerks import services as clerk_services
from ..domain import case_vocabulary, deficiency_flow
from ..domain.case_vocabulary import CaseStatus
from ..domain.deficiency_flow import DeficiencyEvent
from ..enterprises.models import Document
from ..extensions import db
from ..timeutil import utcnow
from .models import Case, CaseMaterial, Deficiency, MaterialStatus
from .records import CaseError, record_event


def supply_deficiency(deficiency: Deficiency, user: User, *, document: Document, now: datetime | None = None) -> None:
    """The applicant (or its clerk, or staff receiving paper) hands in a missing 容缺 material."""
    actor = actor_for(user, deficiency.case)
    if actor is None:
        raise CaseError("read_only", 403)
    if document.enterprise_id != deficiency.case.enterprise_id:
        raise CaseError("document_not_yours", 404)
    now = now or utcnow()
    deficiency.status = deficiency_flow.next_deficiency_status(deficiency.status, DeficiencyEvent.SUPPLY, actor)
    deficiency.supplied_at = now
    deficiency.document_id = document.id
    deficiency.case_material.document_id = document.id
    deficiency.case_material.status = MaterialStatus.PROVIDED
    record_event(deficiency.case, user, "supply", deficiency.case.status, document.material_name, at=now)
    db.session.flush()


def verify_deficiency(deficiency: Deficiency, user: User, *, accept: bool = True, now: datetime | None = None) -> None:
    """Staff check a supplied material: accepted (销号) or sent back (still defective)."""
    actor = actor_for(user, deficiency.case)
    if actor is None:
        raise CaseError("read_only", 403)
    now = now or utcnow()
    event = DeficiencyEvent.VERIFY if accept else DeficiencyEvent.REJECT_SUPPLY
    deficiency.status = deficiency_flow.next_deficiency_status(deficiency.status, event, actor)
    if accept:
        deficiency.verified_at = now
        deficiency.case_material.status = MaterialStatus.VERIFIED
    else:
        deficiency.case_material.status = MaterialStatus.RONGQUE
    record_event(deficiency.case, user, event.value, deficiency.case.status, at=now)
    db.session.flush()


# A material may be handed in (by the applicant online, its clerk or staff) while the case waits for it.
SUPPLY_MATERIAL_STATUSES = (CaseStatus.RECEIVED, CaseStatus.CORRECTION)


SUPPLIABLE_MATERIALS = (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)


def supply_material(material: CaseMaterial, user: User, *, document: Document, now: datetime | None = None) -> None:
    """Hand in a missing material or one to correct (补正) from the document store: PROVIDED, for staff to check.

    Staff tick it as verified when they accept the case (or after ``correction_done``); 容缺 items have their own
    ``supply_deficiency``.

    :raise CaseError: ``read_only`` (403) for a user who may not act on the case, ``document_not_yours`` (404),
        ``not_suppliable`` when the case or the material is not waiting for it.
    """
    case = material.case
    if actor_for(user, case) is None:
        raise CaseError("read_only", 403)
    if document.enterprise_id != case.enterprise_id or document.is_archived:
        raise CaseError("document_not_yours", 404)
    if case.status not in SUPPLY_MATERIAL_STATUSES or material.status not in SUPPLIABLE_MATERIALS:
        raise CaseError("not_suppliable")
    now = now or utcnow()
    material.document_id = document.id
    material.status = MaterialStatus.PROVIDED
    record_event(case, user, "supply", case.status, document.material_name, at=now)
    db.session.flush()


HAND_OVER_EVENT = "hand_over"  # a case event record that is not a state change: the dedicated clerk changed


def change_clerk(
    enterprise_id: int, clerk: User, *, by: User | None = None, note: str = "", now: datetime | None = None
) -> int:
    """The enterprise chooses (or changes) its dedicated clerk, who takes over its open cases. Returns how many.

    The choice itself (history kept, rules of the directory) is ``clerks.services.choose_clerk``; from then on
    the old clerk no longer sees the enterprise's cases (access.py reads the current choice) and each open case
    names the new clerk, with a ``hand_over`` record in its timeline.

    :raise clerks.services.ClerkError: when the clerk may not be chosen.
    """
    now = now or utcnow()
    _previous, _choice = clerk_services.choose_clerk(enterprise_id, clerk, note=note, now=now)
    open_cases = db.session.scalars(
        select(Case).where(
            Case.enterprise_id == enterprise_id,
            Case.status.in_([status.value for status in case_vocabulary.OPEN_STATUSES]),
        )
    ).all()
    moved = 0
    for case in open_cases:
        if case.clerk_id == clerk.id:
            continue
        case.clerk_id = clerk.id
        record_event(case, by, HAND_OVER_EVENT, case.status, clerk.display_name, at=now)
        moved += 1
    db.session.flush()
    return moved
