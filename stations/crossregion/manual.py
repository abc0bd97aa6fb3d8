"""Cross-region with any partner (issue 12, item 5): the manual channel for a partner without an endpoint.

Most partner districts run other systems. For them staff forward the case by post or courier (the courier number of
the originals is recorded, and the one-working-day hand-off limit of domain.md §4.8 rule 4 is checked), then record on
the case what the partner reports by phone or letter: signed for, progress, result. The same case events and the
same Transfer row as the system channel, so the timeline and the figures treat both channels alike.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from sqlalchemy import select

from ..access import actor_for
from ..auth.models import User
from ..calendar.services import current_calendar
from ..cases import services as case_services
from ..cases.models import Case, Channel
from ..domain import case_flow, handoffs
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..extensions import db
from ..timeutil import business_today, utcnow
from .models import PartnerItem, PartnerRegion, Transfer, TransferDirection

POST = "POST"
COURIER_RE = re.compile(r"^[A-Za-z0-9-]{6,30}$")
# What staff may record for the partner, and the case event each one fires.
STEPS = {
    "sign": CaseEvent.PARTNER_SIGN,
    "progress": CaseEvent.PARTNER_STATUS,
    "approved": CaseEvent.RESULT_RETURN,
    "rejected": CaseEvent.PARTNER_REJECT,
    "refused": CaseEvent.PARTNER_REFUSE,
}


class ManualError(ValueError):
    """A manual step refused; ``code`` names the reason (a key of manual_views.MESSAGES)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def manual_partners(item_id: int) -> list[PartnerRegion]:
    """Active partners without an endpoint whose agreement lists the item: reached by post."""
    return list(
        db.session.scalars(
            select(PartnerRegion)
            .join(PartnerItem, PartnerItem.partner_id == PartnerRegion.id)
            .where(
                PartnerItem.local_item_id == item_id,
                PartnerRegion.is_active.is_(True),
                PartnerRegion.base_url.is_(None),
            )
            .distinct()
            .order_by(PartnerRegion.sort_order, PartnerRegion.id)
        )
    )


def manual_transfer(case: Case) -> Transfer | None:
    return db.session.scalar(
        select(Transfer)
        .where(Transfer.case_id == case.id, Transfer.direction == TransferDirection.OUTBOUND, Transfer.channel == POST)
        .order_by(Transfer.id.desc())
    )


def forward_by_post(
    case: Case, user: User, partner_code: str, courier_no: str, *, note: str = "", now: datetime | None = None
) -> tuple[Transfer, handoffs.HandoffCheck]:
    """Forward a RECEIVED case to a partner by post: the case goes FORWARDED, a POST transfer records the courier.

    :raise ManualError: unknown partner, bad courier number. :raise case_flow.CaseFlowError: not allowed now.
    """
    now = now or utcnow()
    partner = next((p for p in manual_partners(case.item_id) if p.code == partner_code), None)
    if partner is None:
        raise ManualError("partner")
    courier_no = courier_no.strip()
    if not COURIER_RE.match(courier_no):
        raise ManualError("courier_no")
    facts = dataclasses.replace(case_services.facts_for(case, now), xr_partner_available=True)
    actor = actor_for(user, case)
    if actor is None:
        raise case_flow.NotPermitted(CaseEvent.FORWARD, "none")
    target = case_flow.next_status(facts, CaseEvent.FORWARD, actor)
    check = handoffs.check(
        handoffs.Handoff.FORWARD,
        business_today(case.received_at),
        business_today(now),
        business_today(now),
        current_calendar(),
    )
    before = case.status
    transfer = Transfer(
        case_id=case.id,
        partner_id=partner.id,
        direction=TransferDirection.OUTBOUND,
        local_case_no=case.case_no,
        state=CaseStatus.FORWARDED.value,
        forwarded_at=now,
        channel=POST,
        courier_no=courier_no,
    )
    db.session.add(transfer)
    with db.session.no_autoflush:
        case.channel = Channel.XR_OUTBOUND
        case.xr_partner_code = partner.code
        case.status = target
        text = f"{partner.name} · 邮寄 {courier_no}" + (
            " · 超过 1 个工作日" if check.state is handoffs.HandoffState.LATE else ""
        )
        case_services.record_event(case, user, CaseEvent.FORWARD.value, before, f"{text} {note}".strip(), at=now)
    db.session.flush()
    return transfer, check


def record_partner_step(case: Case, user: User, step: str, *, note: str = "", now: datetime | None = None) -> Case:
    """Record what a manual partner reported (by phone or letter) as the partner's event on the case timeline."""
    now = now or utcnow()
    transfer = manual_transfer(case)
    if transfer is None:
        raise ManualError("not_manual")
    event = STEPS.get(step)
    if event is None:
        raise ManualError("step")
    if step == "progress" and not note.strip():
        raise ManualError("note")
    partner = db.session.get(PartnerRegion, transfer.partner_id)
    recorded = f"{note.strip()} (由 {user.display_name} 据对方告知录入)".strip()
    case_services.apply_partner_event(case, event, note=recorded, partner_name=partner.name, now=now)
    if event is CaseEvent.PARTNER_SIGN:
        transfer.partner_signed_at = now
    transfer.state = case.status.value
    db.session.flush()
    return case
