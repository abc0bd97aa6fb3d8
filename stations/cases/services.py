"""Case operations: intake and every event of the state machine. They flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..access import actor_for
from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..catalog.models import ServiceItem
from ..clerks import services as clerk_services
from ..clerks.models import ClerkChoice
from ..domain import case_flow
from ..domain.case_flow import Actor, CaseEvent, CaseFacts, CaseStatus, DeficiencyEvent, DeficiencyStatus
from ..domain.deadlines import compute_deadline, deficiency_deadline, deficiency_warn_on
from ..domain.workdays import working_days_between
from ..enterprises.models import CreditFlag, Document, Enterprise
from ..extensions import db
from ..notifications.services import notify_case_event
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import BUSINESS_TZ, to_business, utcnow
from ..uploads.models import StoredFile
from ..uploads.storage import store_bytes
from .models import Case, CaseEventRecord, CaseMaterial, Channel, Deficiency, MaterialStatus
from .numbering import format_case_no, new_query_code, next_sequence
from .xr_port import port as xr_port


class CaseError(Exception):
    """A request the rules refuse; ``status`` is the HTTP answer (404, 409, 422)."""

    def __init__(self, code: str, status: int = 422, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.status = status
        self.detail = detail


class StaleCase(CaseError):
    def __init__(self) -> None:
        super().__init__("stale", 409)


@dataclass
class MaterialInput:
    item_material_id: int
    status: MaterialStatus = MaterialStatus.MISSING
    document_id: int | None = None


@dataclass
class EventInput:
    """What a form or API call may add to an event."""

    note: str = ""
    reason: str = ""
    commitment_signed: bool = False
    delivery_mode: str = ""
    verified_material_ids: list[int] = field(default_factory=list)
    partner_code: str = ""  # forward: the partner district chosen (any one that handles the item when empty)


def closing_time() -> time:
    hours, minutes = current_app.config["CLOSING_TIME"].split(":")
    return time(int(hours), int(minutes))


def business_now(now: datetime | None = None) -> datetime:
    """Naive Asia/Shanghai wall-clock time for a naive-UTC ``now``."""
    return to_business(now or utcnow()).replace(tzinfo=None)


def business_to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=BUSINESS_TZ).astimezone(UTC).replace(tzinfo=None)


def current_clerk_id(enterprise_id: int) -> int | None:
    return db.session.scalar(
        select(ClerkChoice.clerk_id).where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.ended_at.is_(None))
    )


def scope_entry(station: Station, item: ServiceItem) -> StationItem | None:
    return db.session.scalar(
        select(StationItem).where(StationItem.station_id == station.id, StationItem.item_id == item.id)
    )


def _record(
    case: Case,
    user: User | None,
    event: str,
    before: CaseStatus | None,
    note: str = "",
    *,
    at: datetime | None = None,
    role: str | None = None,
) -> None:
    db.session.add(
        CaseEventRecord(
            case=case,
            at=at or utcnow(),
            actor_id=user.id if user else None,
            actor_role=role or (user.role.value if user else "SYSTEM"),
            event=event,
            from_status=before.value if before else None,
            to_status=case.status.value,
            note=note or None,
        )
    )


# actor_role of the receive event when a machine client (an Open311 API key) filed the application.
INTEGRATION_ROLE = "INTEGRATION"


def file_uploads(
    uploads, *, enterprise: Enterprise, user: User, status: MaterialStatus, stored: list[StoredFile]
) -> list[MaterialInput]:
    """Put each checked upload of an intake form into the enterprise's document store, once.

    ``uploads`` maps an item material id to ``(data, content_type, filename, material_name)``; every file
    written is appended to ``stored`` so that the caller can discard them if the transaction rolls back.
    Returns the checklist entries pointing at the new documents.
    """
    from ..enterprises import services as enterprise_services

    inputs = []
    for material_id, (data, content_type, filename, material_name) in uploads.items():
        stored.append(store_bytes(data, content_type, filename, enterprise_id=enterprise.id, user_id=user.id))
        document = enterprise_services.add_document(enterprise.id, material_name, stored[-1].id, user=user)
        inputs.append(MaterialInput(material_id, status, document.id))
    return inputs


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
    actor = _intake_actor(user, station, enterprise, clerk_id, channel, item, integration=integration)
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
    _add_checklist(case, item, materials or [])
    db.session.add(case)
    _record(case, user, CaseEvent.RECEIVE.value, None, note, at=now, role=None if user else INTEGRATION_ROLE)
    db.session.flush()
    return case


def _add_checklist(case: Case, item: ServiceItem, materials: list[MaterialInput]) -> None:
    """One checklist row per material of the item, in the item's order; what was not given is MISSING."""
    given = {m.item_material_id: m for m in materials}
    for order, material in enumerate(item.materials):
        entry = given.get(material.id)
        case.materials.append(
            CaseMaterial(
                item_material_id=material.id,
                status=entry.status if entry else MaterialStatus.MISSING,
                document_id=entry.document_id if entry else None,
                sort_order=order,
            )
        )


def _intake_actor(
    user: User | None,
    station: Station,
    enterprise: Enterprise,
    clerk_id: int | None,
    channel: Channel,
    item: ServiceItem,
    *,
    integration: str | None = None,
) -> Actor:
    if user is None:
        if not integration:
            raise CaseError("read_only", 403)
        if channel is not Channel.ONLINE or not item.is_online:
            raise CaseError("not_online")
        return Actor.ENTERPRISE  # an online application, filed for the enterprise by an integration
    if user.role is Role.STAFF:
        if user.station_id != station.id:
            raise CaseError("not_your_station", 403)
        return Actor.STAFF
    if user.role is Role.CLERK:
        # A dedicated clerk takes in for its clients at any station (domain.md §4.9).
        if clerk_id != user.id:
            raise CaseError("not_your_client", 403)
        return Actor.CLERK
    if user.role is Role.ENTERPRISE:
        if user.enterprise_id != enterprise.id:
            raise CaseError("not_your_enterprise", 403)
        if channel is not Channel.ONLINE or not item.is_online:
            raise CaseError("not_online")
        return Actor.ENTERPRISE
    raise CaseError("read_only", 403)


def facts_for(case: Case, now: datetime | None = None, event_input: EventInput | None = None) -> CaseFacts:
    """What the state machine needs to know about a case."""
    event_input = event_input or EventInput()
    required = [m for m in case.materials if m.item_material.is_required]
    missing = [m for m in required if m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)]
    today = to_business(now or utcnow()).date()
    open_deficiencies = [d for d in case.deficiencies if d.status is not DeficiencyStatus.VERIFIED]
    return CaseFacts(
        status=case.status,
        is_instant=case.is_instant,
        is_rongque=case.is_rongque,
        item_rongque_allowed=case.item.rongque_allowed,
        item_rongque_days=case.item.rongque_default_days,
        credit_normal=case.enterprise.credit_flag is CreditFlag.NORMAL,
        required_materials_verified=all(m.status is MaterialStatus.VERIFIED for m in required),
        missing_materials_minor_and_allowed=all(
            not m.item_material.is_main and m.item_material.rongque_allowed for m in missing
        ),
        missing_count=len(missing),
        commitment_signed=event_input.commitment_signed,
        correction_already_requested=case.correction_requested_at is not None,
        deficiencies_all_verified=not open_deficiencies,
        deficiency_overdue=any(
            d.status in (DeficiencyStatus.PENDING, DeficiencyStatus.SUPPLIED) and d.supply_deadline < today
            for d in case.deficiencies
        ),
        reason=event_input.reason,
        resume_status=case.status_before_correction,
        # Only a RECEIVED case can be forwarded: don't ask the port (one query per request) for the others.
        xr_partner_available=case.status is CaseStatus.RECEIVED
        and case.channel is not Channel.XR_INBOUND
        and bool(xr_port().partners_for_item(case.item_id)),
        xr_inbound_unsigned=case.channel is Channel.XR_INBOUND and case.xr_signed_at is None,
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
        handler = _SIDE_EFFECTS.get(event)
        if handler:
            handler(case, user, data, now)
        case.status = target
        _record(case, user, event.value, before, data.note or data.reason, at=now)
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


def record_note(case: Case, user: User | None, event: str, note: str, *, at: datetime | None = None) -> None:
    """A timeline entry that changes no status (e.g. materials passed on to a partner district)."""
    _record(case, user, event, case.status, note, at=at, role=None if user else PARTNER_ROLE)


# actor_role of the events a partner district's messages stand for (they have no user here).
PARTNER_ROLE = "PARTNER"


def with_partner(partner_name: str, note: str) -> str:
    """A timeline note that names the partner district it came from."""
    return f"{partner_name}: {note}" if partner_name and note else (note or partner_name)


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
        _record(case, None, event.value, before, with_partner(partner_name, note), at=now, role=PARTNER_ROLE)
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
    _add_checklist(case, item, materials)
    db.session.add(case)
    _record(case, None, CaseEvent.RECEIVE.value, None, case.note or "", at=now, role=PARTNER_ROLE)
    db.session.flush()
    return case


def _accept(case: Case, user: User, data: EventInput, now: datetime) -> None:
    item = case.item
    case.accepted_at = now
    case.accepted_by_id = user.id
    case.promised_days = item.promised_days
    case.statutory_days = item.statutory_days
    case.is_instant = item.is_instant
    _set_deadline(case, pauses=())


def _set_deadline(case: Case, pauses: tuple[tuple[date, date], ...]) -> None:
    deadline = compute_deadline(
        business_now(case.accepted_at),
        case.promised_days or 0,
        current_calendar(),
        closing=closing_time(),
        pauses=pauses,
        warn_override=case.item.warn_days_override,
    )
    case.due_on = deadline.due_on
    case.warn_on = deadline.warn_on
    case.overdue_at = business_to_utc(deadline.overdue_at_local)
    case.due_provisional = deadline.provisional


def _accept_with_deficiency(case: Case, user: User, data: EventInput, now: datetime) -> None:
    _accept(case, user, data, now)
    case.is_rongque = True
    case.commitment_signed_at = now
    calendar = current_calendar()
    accepted_day = business_now(now).date()
    deadline = deficiency_deadline(
        accepted_day, case.promised_days or 0, case.item.rongque_default_days, case.due_on, calendar
    )
    missing = [
        m
        for m in case.materials
        if m.item_material.is_required and m.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION)
    ]
    for n, material in enumerate(missing, start=1):
        material.status = MaterialStatus.RONGQUE
        db.session.add(
            Deficiency(
                case=case,
                case_material=material,
                status=DeficiencyStatus.PENDING,
                supply_deadline=deadline,
                warn_on=deficiency_warn_on(deadline, calendar),
                responsible_id=user.id,
                notice_no=f"RQ{case.case_no}-{n}",
                created_at=now,
            )
        )


def _request_correction(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.correction_requested_at = now
    case.correction_note = data.note or data.reason or None
    case.status_before_correction = case.status
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW):
        case.paused_on = business_now(now).date()  # the clock stops until the applicant has corrected
    for material in case.materials:
        if material.item_material.is_required and material.status is MaterialStatus.MISSING:
            material.status = MaterialStatus.NEEDS_CORRECTION


def _correction_done(case: Case, user: User, data: EventInput, now: datetime) -> None:
    if case.paused_on is not None and case.due_on is not None:
        resumed = business_now(now).date()
        old_due = case.due_on
        if resumed > case.paused_on:
            _set_deadline(case, pauses=((case.paused_on, resumed - timedelta(days=1)),))
            case.extended_days += max(0, working_days_between(old_due, case.due_on, current_calendar()))
        case.paused_on = None
    case.status_before_correction = None
    for material in case.materials:
        if material.status is MaterialStatus.NEEDS_CORRECTION:
            material.status = MaterialStatus.MISSING


def _start_review(case: Case, user: User, data: EventInput, now: datetime) -> None:
    if case.first_handler_id is None:
        case.first_handler_id = user.id


def _decide(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.decided_at = now
    case.decision_note = data.note or data.reason or None
    if case.first_handler_id is None:
        case.first_handler_id = user.id  # an instant item decided at the counter


def _issue(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.issued_at = now


def _deliver(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.delivered_at = now
    case.delivery_mode = data.delivery_mode or "COUNTER"


def _forward(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.channel = Channel.XR_OUTBOUND  # received here, handled by the partner (the transfer records which)


def _sign_for(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.xr_signed_at = now


def _close(case: Case, user: User, data: EventInput, now: datetime) -> None:
    case.closed_reason = data.reason or data.note or None


def _terminate(case: Case, user: User, data: EventInput, now: datetime) -> None:
    _close(case, user, data, now)
    for deficiency in case.deficiencies:
        if deficiency.status is not DeficiencyStatus.VERIFIED:
            deficiency.status = DeficiencyStatus.TERMINATED
    # A broken 容缺 commitment blocks 容缺 for this enterprise until credit repair (domain.md §4.3 rule 4).
    case.enterprise.credit_flag = CreditFlag.FALSE_COMMITMENT


_SIDE_EFFECTS = {
    CaseEvent.ACCEPT: _accept,
    CaseEvent.ACCEPT_WITH_DEFICIENCY: _accept_with_deficiency,
    CaseEvent.REQUEST_CORRECTION: _request_correction,
    CaseEvent.CORRECTION_DONE: _correction_done,
    CaseEvent.START_REVIEW: _start_review,
    CaseEvent.DECIDE_APPROVE: _decide,
    CaseEvent.DECIDE_REJECT: _decide,
    CaseEvent.ISSUE: _issue,
    CaseEvent.DELIVER: _deliver,
    CaseEvent.REFUSE: _close,
    CaseEvent.WITHDRAW: _close,
    CaseEvent.RECALL: _close,
    CaseEvent.TERMINATE: _terminate,
    CaseEvent.FORWARD: _forward,
    CaseEvent.SIGN_FOR: _sign_for,
}


def supply_deficiency(deficiency: Deficiency, user: User, *, document: Document, now: datetime | None = None) -> None:
    """The applicant (or its clerk, or staff receiving paper) hands in a missing 容缺 material."""
    actor = actor_for(user, deficiency.case)
    if actor is None:
        raise CaseError("read_only", 403)
    if document.enterprise_id != deficiency.case.enterprise_id:
        raise CaseError("document_not_yours", 404)
    now = now or utcnow()
    deficiency.status = case_flow.next_deficiency_status(deficiency.status, DeficiencyEvent.SUPPLY, actor)
    deficiency.supplied_at = now
    deficiency.document_id = document.id
    deficiency.case_material.document_id = document.id
    deficiency.case_material.status = MaterialStatus.PROVIDED
    _record(deficiency.case, user, "supply", deficiency.case.status, document.material_name, at=now)
    db.session.flush()


def verify_deficiency(deficiency: Deficiency, user: User, *, accept: bool = True, now: datetime | None = None) -> None:
    """Staff check a supplied material: accepted (销号) or sent back (still defective)."""
    actor = actor_for(user, deficiency.case)
    if actor is None:
        raise CaseError("read_only", 403)
    now = now or utcnow()
    event = DeficiencyEvent.VERIFY if accept else DeficiencyEvent.REJECT_SUPPLY
    deficiency.status = case_flow.next_deficiency_status(deficiency.status, event, actor)
    if accept:
        deficiency.verified_at = now
        deficiency.case_material.status = MaterialStatus.VERIFIED
    else:
        deficiency.case_material.status = MaterialStatus.RONGQUE
    _record(deficiency.case, user, event.value, deficiency.case.status, at=now)
    db.session.flush()


# --- the enterprise's side: materials for a correction, changing the dedicated clerk ------------------------------

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
    _record(case, user, "supply", case.status, document.material_name, at=now)
    db.session.flush()


HAND_OVER_EVENT = "hand_over"  # a case event record that is not a state change: the dedicated clerk changed


def change_clerk(enterprise_id: int, clerk: User, *, by: User | None = None, now: datetime | None = None) -> int:
    """The enterprise chooses (or changes) its dedicated clerk, who takes over its open cases. Returns how many.

    The choice itself (history kept, rules of the directory) is ``clerks.services.choose_clerk``; from then on
    the old clerk no longer sees the enterprise's cases (access.py reads the current choice) and each open case
    names the new clerk, with a ``hand_over`` record in its timeline.

    :raise clerks.services.ClerkError: when the clerk may not be chosen.
    """
    now = now or utcnow()
    _previous, _choice = clerk_services.choose_clerk(enterprise_id, clerk, now=now)
    open_cases = db.session.scalars(
        select(Case).where(
            Case.enterprise_id == enterprise_id,
            Case.status.in_([status.value for status in case_flow.OPEN_STATUSES]),
        )
    ).all()
    moved = 0
    for case in open_cases:
        if case.clerk_id == clerk.id:
            continue
        case.clerk_id = clerk.id
        _record(case, by, HAND_OVER_EVENT, case.status, clerk.display_name, at=now)
        moved += 1
    db.session.flush()
    return moved
