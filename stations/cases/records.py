"""The case core's vocabulary: its errors, the inputs of intake and events, business time, timeline records.

Shared by the case services (services.py, supply_services.py, intake.py); they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from flask import current_app
from sqlalchemy import select

from ..auth.models import User
from ..catalog.models import ServiceItem
from ..clerks.models import ClerkChoice
from ..domain.case_vocabulary import CaseStatus
from ..extensions import db
from ..sites.models import Station, StationItem
from ..timeutil import utcnow
from .models import Case, CaseEventRecord, MaterialStatus


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
    special_kind: str = ""  # start_special: one of domain.legal_clock.SPECIAL_KINDS (issue 12)


def closing_time() -> time:
    hours, minutes = current_app.config["CLOSING_TIME"].split(":")
    return time(int(hours), int(minutes))


def current_clerk_id(enterprise_id: int) -> int | None:
    return db.session.scalar(
        select(ClerkChoice.clerk_id).where(ClerkChoice.enterprise_id == enterprise_id, ClerkChoice.is_current)
    )


def scope_entry(station: Station, item: ServiceItem) -> StationItem | None:
    return db.session.scalar(
        select(StationItem).where(StationItem.station_id == station.id, StationItem.item_id == item.id)
    )


def record_event(
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


# actor_role of the events a partner district's messages stand for (they have no user here).
PARTNER_ROLE = "PARTNER"


def with_partner(partner_name: str, note: str) -> str:
    """A timeline note that names the partner district it came from."""
    return f"{partner_name}: {note}" if partner_name and note else (note or partner_name)


def record_note(case: Case, user: User | None, event: str, note: str, *, at: datetime | None = None) -> None:
    """A timeline entry that changes no status (e.g. materials passed on to a partner district)."""
    record_event(case, user, event, case.status, note, at=at, role=None if user else PARTNER_ROLE)
