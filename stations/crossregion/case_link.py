"""Cross-region cases (domain.md §3.1): the link between our cases and the federation messages.

Intake site (收件地): staff fire ``forward`` on a checked case; ``FederationPort.event_applied`` writes the transfer
and the forward message in that transaction. The partner's sign / status / correction / result messages become
SYSTEM events on the case (``on_partner_*``).

Handling site (办理地): a forward message creates a real case (RECEIVED, channel XR_INBOUND) at the station that
accepts the item; every later change our staff make to it is reported back from ``event_applied``.
"""

from __future__ import annotations

import base64
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import select

from ..cases import intake
from ..cases import services as case_services
from ..cases.models import Case, Channel, MaterialStatus
from ..cases.services import CaseError, MaterialInput
from ..cases.xr_port import PartnerChoice
from ..catalog.models import ServiceItem
from ..domain import identifiers
from ..domain.case_flow import CaseFlowError
from ..domain.case_vocabulary import PARTNER_PENDING_STATUSES, STATUS_LABELS, CaseEvent, CaseStatus
from ..enterprises.models import Enterprise, EnterpriseKind
from ..enterprises.queries import by_credit_code
from ..enterprises.services import add_document
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import case_text, notify_enterprise, notify_station_staff, notify_users, path_for
from ..sites.models import ScopeMode, Station, StationItem, StationKind
from ..uploads.storage import sniff, store_bytes
from .models import MessageKind, OutboxMessage, PartnerItem, PartnerRegion, Transfer, TransferDirection
from .outbox import enqueue, forward_case, report_status, sign_inbound
from .protocol import ProtocolError

_CACHE_ATTRIBUTE = "_xr_partners_by_item"


def _partners_by_item() -> dict[int, list[PartnerChoice]]:
    """Every local item with the active partners that handle it: one query, kept for the request."""
    cached = getattr(request, _CACHE_ATTRIBUTE, None) if has_request_context() else None
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(PartnerItem.local_item_id, PartnerRegion.code, PartnerRegion.name)
        .join(PartnerRegion, PartnerRegion.id == PartnerItem.partner_id)
        .where(
            PartnerItem.local_item_id.is_not(None),
            PartnerRegion.is_active.is_(True),
            PartnerRegion.base_url.is_not(None),
        )
        .order_by(PartnerRegion.sort_order, PartnerRegion.id)
    ).all()
    result: dict[int, list[PartnerChoice]] = {}
    for item_id, code, name in rows:
        choices = result.setdefault(item_id, [])
        if all(choice.code != code for choice in choices):
            choices.append(PartnerChoice(code, name))
    if has_request_context():
        setattr(request, _CACHE_ATTRIBUTE, result)
    return result


def partners_for_item(item_id: int) -> list[PartnerChoice]:
    return _partners_by_item().get(item_id, [])


def _transfer_of(case: Case, direction: TransferDirection) -> Transfer | None:
    return db.session.scalar(
        select(Transfer)
        .where(Transfer.case_id == case.id, Transfer.direction == direction)
        .order_by(Transfer.id.desc())
    )


class FederationPort:
    """The cases package's view of cross-region handling (stations/cases/xr_port.py)."""

    def partners_for_item(self, item_id: int) -> list[PartnerChoice]:
        return partners_for_item(item_id)

    def event_applied(
        self, case: Case, event: CaseEvent, before: CaseStatus | None, *, partner_code: str, note: str, now: datetime
    ) -> None:
        if event is CaseEvent.FORWARD:
            _forward(case, partner_code, now)
        elif case.channel is Channel.XR_INBOUND:
            _report(case, event, before, note, now)


# --- intake site ---------------------------------------------------------------------------------------------


def _forward(case: Case, partner_code: str, now: datetime) -> None:

    if case.enterprise.uscc is None:
        # A person (issue 12) has no credit code, which the federation protocol requires: by post only (manual.py).
        raise CaseError("partner_unavailable")
    choices = partners_for_item(case.item_id)
    chosen = next((c for c in choices if c.code == partner_code), None) if partner_code else None
    if chosen is None and not partner_code and choices:
        chosen = choices[0]
    if chosen is None:
        raise CaseError("partner_unavailable")
    partner = db.session.scalar(select(PartnerRegion).where(PartnerRegion.code == chosen.code))
    try:
        forward_case(case, partner, now=now)
    except ValueError as error:
        raise CaseError("partner_unavailable") from error


def _fire(case: Case | None, event: CaseEvent, partner: PartnerRegion, note: str, now: datetime) -> None:
    """Fire a partner's event when it applies; a late or repeated one only updates the transfer (no error)."""
    if case is None:
        return
    try:
        case_services.apply_partner_event(case, event, note=note, partner_name=partner.name, now=now)
    except CaseFlowError:
        return


def on_partner_sign(partner: PartnerRegion, transfer: Transfer, now: datetime) -> None:
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is not None and case.status is CaseStatus.FORWARDED:
        _fire(case, CaseEvent.PARTNER_SIGN, partner, transfer.remote_case_no or "", now)


def on_partner_status(partner: PartnerRegion, transfer: Transfer, status: str, note: str, now: datetime) -> None:
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is None:
        return
    if status == CaseStatus.REFUSED.value:
        _fire(case, CaseEvent.PARTNER_REFUSE, partner, note, now)
        return
    label = str(STATUS_LABELS[CaseStatus(status)])
    _fire(case, CaseEvent.PARTNER_STATUS, partner, f"{label} {note}".strip(), now)


def on_partner_correction(partner: PartnerRegion, transfer: Transfer, note: str, now: datetime) -> None:
    """The partner's one-time correction notice reaches the enterprise through us, and its clerk (§4.8 rule 4)."""
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is None:
        return
    _fire(case, CaseEvent.PARTNER_STATUS, partner, f"{STATUS_LABELS[CaseStatus.CORRECTION]}: {note}", now)
    link = path_for("cases.show", case_no=case.case_no)
    notify_enterprise(case.enterprise_id, NotificationKind.CORRECTION_NEEDED, case_text(case), link, at=now)
    if case.clerk_id:
        notify_users([case.clerk_id], NotificationKind.CORRECTION_NEEDED, case_text(case), link, at=now)


def on_partner_result(partner: PartnerRegion, transfer: Transfer, decision: str, note: str, now: datetime) -> None:
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    event = CaseEvent.RESULT_RETURN if decision == "APPROVED" else CaseEvent.PARTNER_REJECT
    _fire(case, event, partner, note, now)


# --- handling site -------------------------------------------------------------------------------------------


def local_item_for(partner: PartnerRegion, item_code: str) -> ServiceItem | None:
    """Our item for the partner's code: the agreement's item list, else the same code (同事同标 catalogues)."""
    item_id = db.session.scalar(
        select(PartnerItem.local_item_id).where(
            PartnerItem.partner_id == partner.id,
            PartnerItem.partner_item_code == item_code,
            PartnerItem.local_item_id.is_not(None),
        )
    )
    if item_id is not None:
        return db.session.get(ServiceItem, item_id)
    return db.session.scalar(select(ServiceItem).where(ServiceItem.code == item_code, ServiceItem.is_active.is_(True)))


def handling_station(item: ServiceItem) -> Station | None:
    """Where a forwarded case is handled: a station that accepts the item, the government service centre first."""
    return db.session.scalar(
        select(Station)
        .join(StationItem, StationItem.station_id == Station.id)
        .where(StationItem.item_id == item.id, StationItem.mode == ScopeMode.ACCEPT)
        .order_by((Station.kind == StationKind.CENTER).desc(), Station.id)
        .limit(1)
    )


def _enterprise(data: dict) -> Enterprise:
    code = identifiers.normalise(data["credit_code"])
    if not identifiers.is_valid_uscc(code):
        raise ProtocolError("invalid_credit_code", data["credit_code"])
    enterprise = by_credit_code(code)
    if enterprise is None:
        # Registered from the partner's verified intake; our staff check the licence when they sign for it.
        kind = EnterpriseKind.INDIVIDUAL_BUSINESS if code.startswith("92") else EnterpriseKind.ENTERPRISE
        enterprise = Enterprise(name=data["name"].strip()[:200], uscc=code, kind=kind, is_verified=False)
        db.session.add(enterprise)
        db.session.flush()
    return enterprise


def _materials(item: ServiceItem, enterprise: Enterprise, materials: list[dict]) -> list[MaterialInput]:
    """Store each material that came with its content (digest already checked) and tick it as handed in."""
    by_name = {material.name: material for material in item.materials}
    decoded = []
    for entry in materials:
        if entry.get("content") is None:
            continue
        data = base64.b64decode(entry["content"])
        content_type = sniff(data[:16])
        if content_type is None:
            raise ProtocolError("material_type", entry["name"])
        decoded.append((entry["name"], data, content_type))
    given = {}
    for name, data, content_type in decoded:  # files are written only once every material passed
        stored = store_bytes(data, content_type, name, enterprise_id=enterprise.id, user_id=None)
        document = intake.untrusted_document(enterprise.id, name, stored)
        material = by_name.get(name)
        if material is not None:
            given[material.id] = document
    # Only what came (a supplement files just those): the rest of a new case's checklist is MISSING anyway.
    return [entry for entry in intake.checklist(item, Channel.XR_INBOUND, given) if entry.item_material_id in given]


def receive_forwarded(partner: PartnerRegion, transfer: Transfer, payload: dict, now: datetime) -> Case:
    """Create our case for a forward message (the transfer is new); refuse what we cannot handle, storing nothing.

    :raise ProtocolError: unknown item, no station accepting it, an invalid credit code, a material of a refused type.
    """
    item = local_item_for(partner, payload["item_code"])
    if item is None:
        raise ProtocolError("unknown_item", payload["item_code"])
    station = handling_station(item)
    if station is None:
        raise ProtocolError("item_not_handled", payload["item_code"])
    enterprise = _enterprise(payload["enterprise"])
    case = case_services.receive_forwarded_case(
        station=station,
        item=item,
        enterprise=enterprise,
        applicant_name=payload["applicant_name"],
        materials=_materials(item, enterprise, payload.get("materials", [])),
        partner_name=partner.name,
        remote_case_no=payload["case_no"],
        now=now,
    )
    transfer.case_id = case.id
    transfer.local_case_no = case.case_no
    return case


# Timeline events that are not state changes (the cases package labels them: cases/guide.py).
SUPPLEMENT_SENT = "xr_supplement"
SUPPLEMENT_RECEIVED = "partner_supplement"


def awaits_supplement(case: Case, transfer: Transfer) -> bool:
    """The partner asked for a correction on this outbound transfer and still handles the case."""
    return (
        transfer.direction is TransferDirection.OUTBOUND
        and transfer.state == CaseStatus.CORRECTION.value
        and case.status in PARTNER_PENDING_STATUSES
    )


def send_supplement(
    case: Case, user, *, material_name: str, data: bytes, content_type: str, filename: str, note: str, now: datetime
) -> OutboxMessage:
    """Intake site: a material the applicant supplied after the partner's correction notice goes to the partner.

    The file joins the enterprise's document store (received at our counter), the message the partner's queue,
    and the case's timeline records it; all in the caller's transaction.
    :raise CaseError: ``not_in_correction`` when the partner has not asked for a correction.
    """
    transfer = _transfer_of(case, TransferDirection.OUTBOUND)
    if transfer is None or not awaits_supplement(case, transfer):
        raise CaseError("not_in_correction")
    stored = store_bytes(data, content_type, filename, enterprise_id=case.enterprise_id, user_id=user.id)
    add_document(case.enterprise_id, material_name, stored.id, user=user, now=now)
    material = {
        "name": material_name[:200],
        "sha256": stored.sha256,
        "content": base64.b64encode(data).decode(),
    }
    payload = {"case_no": case.case_no, "remote_case_no": transfer.remote_case_no or "", "materials": [material]}
    if note:
        payload["note"] = note[:2000]
    message = enqueue(transfer.partner, MessageKind.SUPPLEMENT, payload, now=now)
    transfer.supplement_at = now
    case_services.record_note(case, user, SUPPLEMENT_SENT, f"{material_name} {note}".strip(), at=now)
    return message


def on_supplement(partner: PartnerRegion, transfer: Transfer, payload: dict, now: datetime) -> dict:
    """Handling site: the intake site forwarded supplied materials; they fill the matching checklist rows."""
    case = db.session.get(Case, transfer.case_id) if transfer.case_id else None
    if case is None:
        raise ProtocolError("unknown_case", payload["case_no"])
    inputs = {entry.item_material_id: entry for entry in _materials(case.item, case.enterprise, payload["materials"])}
    for material in case.materials:
        entry = inputs.get(material.item_material_id)
        if entry is not None and material.status is not MaterialStatus.VERIFIED:
            material.document_id = entry.document_id
            material.status = MaterialStatus.PROVIDED
    transfer.supplement_at = now
    names = "、".join(m["name"] for m in payload["materials"])
    note = f"{names} {payload.get('note') or ''}".strip()
    case_services.record_note(case, None, SUPPLEMENT_RECEIVED, case_services.with_partner(partner.name, note), at=now)
    link = path_for("cases.show", case_no=case.case_no)
    notify_station_staff(case.station_id, NotificationKind.APPLICATION_RECEIVED, case_text(case), link, at=now)
    db.session.flush()
    return {"case_no": transfer.remote_case_no, "remote_case_no": case.case_no, "materials": len(inputs)}


def _report(case: Case, event: CaseEvent, before: CaseStatus | None, note: str, now: datetime) -> None:
    """Tell the intake site what our staff just did to a case it forwarded (in the same transaction)."""
    transfer = _transfer_of(case, TransferDirection.INBOUND)
    if transfer is None:
        return
    if event is CaseEvent.SIGN_FOR:
        sign_inbound(transfer, now=now)
    elif event is CaseEvent.REQUEST_CORRECTION:
        transfer.state = CaseStatus.CORRECTION.value
        transfer.correction_at = now
        payload = {"case_no": transfer.remote_case_no, "remote_case_no": case.case_no, "note": note or "-"}
        enqueue(transfer.partner, MessageKind.CORRECTION, payload, now=now)
    elif case.status in (CaseStatus.ISSUED, CaseStatus.REJECTED) and case.status != before:
        decision = "APPROVED" if case.status is CaseStatus.ISSUED else "REJECTED"
        transfer.state = case.status.value
        payload = {"case_no": transfer.remote_case_no, "remote_case_no": case.case_no, "decision": decision}
        if case.decision_note or note:
            payload["note"] = (case.decision_note or note)[:2000]
        enqueue(transfer.partner, MessageKind.RESULT, payload, now=now)
    elif case.status != before:
        report_status(transfer, case.status.value, note=(note or "")[:2000], now=now)
