"""Case operations: intake and every event of the state machine. They flush, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from ..access import actor_for
from ..auth.models import User
from ..calendar.services import current_calendar
from ..catalog.models import ServiceItem
from ..domain import case_flow
from ..domain.case_flow import CaseFacts
from ..domain.case_vocabulary import Actor, CaseEvent, CaseStatus
from ..domain.deficiency_flow import DeficiencyStatus
from ..enterprises.models import CreditFlag, Document, Enterprise
from ..extensions import db
from ..notifications.services import notify_case_event
from ..sites.models import ScopeMode, Station
from ..timeutil import to_business, utcnow
from .backoffice import record_hand_over
from .checklist import Checklist, checklist_of
from .effects import SIDE_EFFECTS
from .intake import add_checklist, file_uploads, intake_actor
from .legal_clock import EFFECTS as LEGAL_CLOCK_EFFECTS
from .models import Case, Channel, MaterialStatus
from .numbering import format_case_no, new_query_code, next_sequence
from .records import (
    INTEGRATION_ROLE,
    PARTNER_ROLE,
    CaseError,
    EventInput,
    MaterialInput,
    StaleCase,
    closing_time,
    current_clerk_id,
    record_event,
    record_note,
    scope_entry,
    with_partner,
)
from .supply_services import (
    HAND_OVER_EVENT,
    SUPPLIABLE_MATERIALS,
    SUPPLY_MATERIAL_STATUSES,
    change_clerk,
    supply_deficiency,
    supply_material,
    verify_deficiency,
)
from .xr_port import port as xr_port

# The names other modules import from here (the case services' public surface, some defined next door).
__all__ = [
    "HAND_OVER_EVENT",
    "INTEGRATION_ROLE",
    "PARTNER_ROLE",
    "SUPPLIABLE_MATERIALS",
    "SUPPLY_MATERIAL_STATUSES",
    "CaseError",
    "Channel",
    "EventInput",
    "MaterialInput",
    "StaleCase",
    "accept_at_intake",
    "apply_event",
    "apply_partner_event",
    "change_clerk",
    "closing_time",
    "current_clerk_id",
    "facts_for",
    "file_uploads",
    "receive_case",
    "receive_forwarded_case",
    "record_note",
    "scope_entry",
    "supply_deficiency",
    "supply_material",
    "verify_deficiency",
    "with_partner",
]


def receive_case(
    *,
    user: User | None,
    station: Station,
    item: ServiceItem,
    enterprise: Enterprise,
    channel: Channel,
    applicant_name: str,
    applicant_phone: str | None = None,
    is_agent: bool = False,
    materials: list[MaterialInput] | None = None,
    note: str = "",
    now: datetime | None = None,
    integration: str | None = None,
    xr_partner_code: str | None = None,
) -> Case:
    """Take in an application (收件): a new case in RECEIVED with its materials checklist.

    ``xr_partner_code``: the applicant asks partner district ``xr_partner_code`` to decide it (跨区通办); the
    caller checked that the partner handles the item. The case is forwarded after the form check.

    ``integration``: a machine client (an Open311 API key, stations/open311) files an online application on the
    enterprise's behalf. Pass ``user=None`` and the client's name: it acts as the applicant would (Actor.ENTERPRISE,
    so ONLINE channel and online items only), the case has no ``received_by`` and its receive event is recorded
    with the role ``INTEGRATION_ROLE`` and no actor.

    :raise CaseError: ``item_not_in_scope`` when the station does not offer the item,
        ``not_your_client`` / ``not_your_station`` / ``not_your_enterprise`` for a user acting
        outside their scope, ``not_online`` for an online application of an offline item,
        ``document_not_yours`` when a reused document belongs to another enterprise.
    """
    now = now or utcnow()
    entry = scope_entry(station, item)
    if entry is None or entry.mode is ScopeMode.GUIDE or not item.is_active:
        raise CaseError("item_not_in_scope")
    clerk_id = current_clerk_id(enterprise.id)
    actor = intake_actor(user, station, enterprise, clerk_id, channel, item, integration=integration)
    case_flow.next_status(CaseFacts(status=None), CaseEvent.RECEIVE, actor)

    day = to_business(now).date()
    case = Case(
        case_no=format_case_no(station.code, day, next_sequence(station.id, day)),
        query_code=new_query_code(),
        item_id=item.id,
        enterprise_id=enterprise.id,
        station_id=station.id,
        clerk_id=clerk_id,
        channel=channel,
        status=CaseStatus.RECEIVED,
        applicant_name=applicant_name.strip()[:100],
        applicant_phone=(applicant_phone or "").strip()[:32] or None,
        is_agent=is_agent,
        note=note.strip() or None,
        received_at=now,
        received_by_id=user.id if user else None,
        is_instant=item.is_instant,
        xr_partner_code=xr_partner_code or None,
    )
    for entry in materials or []:
        if entry.document_id is not None:
            document = db.session.get(Document, entry.document_id)
            if document is None or document.enterprise_id != enterprise.id or document.is_archived:
                raise CaseError("document_not_yours", 404)
    add_checklist(case, item, materials or [])
    db.session.add(case)
    record_event(case, user, CaseEvent.RECEIVE.value, None, note, at=now, role=None if user else INTEGRATION_ROLE)
    db.session.flush()
    return case


def facts_for(
    case: Case,
    now: datetime | None = None,
    event_input: EventInput | None = None,
    checklist: Checklist | None = None,
) -> CaseFacts:
    """What the state machine needs to know about a case. Its checklist comes from the loaded case unless given
    (a list page reads the checklists of its rows as columns: checklist.checklists)."""
    event_input = event_input or EventInput()
    checklist = checklist if checklist is not None else checklist_of(case)
    required = [m for m in checklist.materials if m.is_required]
    missing = [m for m in required if m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)]
    today = to_business(now or utcnow()).date()
    open_deficiencies = [d for d in checklist.deficiencies if d.status is not DeficiencyStatus.VERIFIED]
    return CaseFacts(
        status=case.status,
        is_instant=case.is_instant,
        is_rongque=case.is_rongque,
        item_rongque_allowed=case.item.rongque_allowed,
        item_rongque_days=case.item.rongque_default_days,
        credit_normal=case.enterprise.credit_flag is CreditFlag.NORMAL,
        required_materials_verified=all(m.status is MaterialStatus.VERIFIED for m in required),
        missing_materials_minor_and_allowed=all(not m.is_main and m.rongque_allowed for m in missing),
        missing_count=len(missing),
        commitment_signed=event_input.commitment_signed,
        correction_already_requested=case.correction_requested_at is not None,
        deficiencies_all_verified=not open_deficiencies,
        deficiency_overdue=any(
            d.status in (DeficiencyStatus.PENDING, DeficiencyStatus.SUPPLIED) and d.supply_deadline < today
            for d in checklist.deficiencies
        ),
        reason=event_input.reason,
        note=event_input.note or event_input.reason,
        delivery_mode=event_input.delivery_mode,
        resume_status=case.status_before_correction,
        # Only a RECEIVED case can be forwarded: don't ask the port (one query per request) for the others.
        xr_partner_available=case.status is CaseStatus.RECEIVED
        and case.channel is not Channel.XR_INBOUND
        and bool(xr_port().partners_for_item(case.item_id)),
        xr_inbound_unsigned=case.channel is Channel.XR_INBOUND and case.xr_signed_at is None,
        back_office=case.department_id is not None,
        already_extended=case.extended_at is not None,
    )


def apply_event(
    case: Case,
    event: CaseEvent,
    user: User,
    *,
    version: int | None,
    data: EventInput | None = None,
    now: datetime | None = None,
) -> Case:
    """Fire one event of the state machine on a case, with its side effects and an event record.

    :raise StaleCase: when ``version`` is not the case's current version (another tablet acted first).
    :raise CaseError: ``read_only`` when the user may not act on the case.
    :raise case_flow.CaseFlowError: when the event is not allowed now, for this user, or a guard fails.
    """
    data = data or EventInput()
    now = now or utcnow()
    if version is not None and version != case.version:
        raise StaleCase()
    actor = actor_for(user, case)
    if actor is None:
        raise CaseError("read_only", 403)
    for material in case.materials:
        if material.id in data.verified_material_ids and material.status is MaterialStatus.PROVIDED:
            material.status = MaterialStatus.VERIFIED
    before = case.status
    target = case_flow.next_status(facts_for(case, now, data), event, actor)
    current_calendar()  # load before the changes below, so no autoflush splits one event into two versions
    with db.session.no_autoflush:
        handler = SIDE_EFFECTS.get(event) or LEGAL_CLOCK_EFFECTS.get(event)  # 延期, 特别程序 (issue 12)
        if handler:
            handler(case, user, data, now)
        case.status = target
        record_event(case, user, event.value, before, data.note or data.reason, at=now)
        record_hand_over(case, now)  # 转交后台, after the acceptance that handed it over (issue 12)
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleCase() from error
    _tell_partner(case, event, before, data, now)
    # Tell the enterprise (the bell; SMS / WeChat later): accepted, correction, 容缺, decision, result, delivered
    # (= invited to rate). Only adds rows to the session, never commits; events it does not know are ignored.
    notify_case_event(case, event.value, at=now)
    _tell_listeners(case, event, now)
    return case


def accept_at_intake(
    case: Case, user: User, *, commitment_signed: bool = False, now: datetime | None = None
) -> CaseEvent:
    """收件并受理: accept the case just taken in, plainly or with 容缺 as the domain says (``acceptance_event``).

    :raise case_flow.CaseFlowError: when it may not be accepted now (the case stays taken in).
    """
    data = EventInput(commitment_signed=commitment_signed)
    event = case_flow.acceptance_event(facts_for(case, now, data))
    apply_event(case, event, user, version=case.version, data=data, now=now)
    return event


# Features above cases that follow case events (a bundle opens its next member when one concludes) register here at
# start-up, as cross-region does with its port: cases never import them. Called inside the event's transaction.
_event_listeners: list = []


def add_event_listener(listener) -> None:
    """``listener(case, event, now)`` after every event applied to a case (staff, clerk, partner district)."""
    if listener not in _event_listeners:
        _event_listeners.append(listener)


def _tell_listeners(case: Case, event: CaseEvent, now: datetime) -> None:
    for listener in _event_listeners:
        listener(case, event, now)


def _tell_partner(case: Case, event: CaseEvent, before: CaseStatus | None, data: EventInput, now: datetime) -> None:
    """Forward a case, or report a change of a case a partner forwarded to us, in this transaction."""
    if event is CaseEvent.FORWARD or case.channel is Channel.XR_INBOUND:
        xr_port().event_applied(
            case, event, before, partner_code=data.partner_code, note=data.note or data.reason, now=now
        )


def apply_partner_event(
    case: Case, event: CaseEvent, *, note: str = "", partner_name: str = "", now: datetime | None = None
) -> Case:
    """Fire an event a partner district's message stands for (SYSTEM actor) on a case we forwarded.

    :raise case_flow.CaseFlowError: the event does not apply now (the caller decides whether that is an error).
    """
    now = now or utcnow()
    before = case.status
    target = case_flow.next_status(facts_for(case, now), event, Actor.SYSTEM)
    with db.session.no_autoflush:
        if event in (CaseEvent.RESULT_RETURN, CaseEvent.PARTNER_REJECT):
            case.decision_note = note or None
            if event is CaseEvent.RESULT_RETURN:
                case.issued_at = now  # the result is here, ready to hand over
        elif event is CaseEvent.PARTNER_REFUSE:
            case.closed_reason = note or None
        case.status = target
        record_event(case, None, event.value, before, with_partner(partner_name, note), at=now, role=PARTNER_ROLE)
    db.session.flush()
    notify_case_event(case, event.value, at=now)
    _tell_listeners(case, event, now)
    return case


def receive_forwarded_case(
    *,
    station: Station,
    item: ServiceItem,
    enterprise: Enterprise,
    applicant_name: str,
    materials: list[MaterialInput],
    partner_name: str,
    remote_case_no: str,
    now: datetime | None = None,
) -> Case:
    """A case a partner district forwarded to us (we are the handling site): RECEIVED, channel XR_INBOUND,
    waiting for our staff to sign for it. Our own clock starts at our acceptance (domain.md §3.1)."""
    now = now or utcnow()
    case_flow.next_status(CaseFacts(status=None), CaseEvent.RECEIVE, Actor.SYSTEM)
    day = to_business(now).date()
    case = Case(
        case_no=format_case_no(station.code, day, next_sequence(station.id, day)),
        query_code=new_query_code(),
        item_id=item.id,
        enterprise_id=enterprise.id,
        station_id=station.id,
        clerk_id=current_clerk_id(enterprise.id),
        channel=Channel.XR_INBOUND,
        status=CaseStatus.RECEIVED,
        applicant_name=applicant_name.strip()[:100],
        note=f"{partner_name} {remote_case_no}"[:500],
        received_at=now,
        is_instant=item.is_instant,
    )
    add_checklist(case, item, materials)
    db.session.add(case)
    record_event(case, None, CaseEvent.RECEIVE.value, None, case.note or "", at=now, role=PARTNER_ROLE)
    db.session.flush()
    return case


# --- the enterprise's side: materials for a correction, changing the dedicated clerk ------------------------------
