"""Reads for Open311: the services on offer, their stations, service requests, API keys.

A "service" is an active item that can be applied for online (not OnlineMode.OFFLINE) and that at least one active
station takes in (scope mode ACCEPT or COLLECT; GUIDE only advises). With a station as the jurisdiction, only that
station's scope counts. Service requests are read with their item and station in one query, newest first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..cases.models import Case
from ..catalog.models import OnlineMode, ServiceItem
from ..domain.case_vocabulary import CLOSED_STATUSES
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from .models import ApiKey, Open311Submission

INTAKE_MODES = (ScopeMode.ACCEPT, ScopeMode.COLLECT)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find_key(raw: str) -> ApiKey | None:
    """The key with this value, revoked or not (the caller decides), or None."""
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))


def all_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).options(joinedload(ApiKey.created_by)).order_by(ApiKey.id.desc())))


def jurisdiction_station(code: str) -> Station | None:
    """The active station whose code is ``code`` (any case), or None."""
    return db.session.scalar(select(Station).where(Station.code == code.strip().upper()[:8], Station.is_active))


def _offered(station: Station | None) -> ColumnElement[bool]:
    """The item is taken in at ``station`` (or at any active station)."""
    condition = exists().where(
        StationItem.item_id == ServiceItem.id,
        StationItem.mode.in_(INTAKE_MODES),
        StationItem.station_id == Station.id,
        Station.is_active.is_(True),
    )
    if station is not None:
        condition = condition.where(Station.id == station.id)
    return condition


def _services(station: Station | None) -> Select:
    return select(ServiceItem).where(
        ServiceItem.is_active.is_(True), ServiceItem.online_mode != OnlineMode.OFFLINE, _offered(station)
    )


def online_services(station: Station | None = None) -> list[ServiceItem]:
    """Every service (department loaded with it), by code: one query."""
    return list(db.session.scalars(_services(station).order_by(ServiceItem.code)))


def service_item(code: str, station: Station | None = None) -> ServiceItem | None:
    """One service by its code, with its materials, or None (unknown, offline, or not offered there)."""
    statement = _services(station).where(ServiceItem.code == code[:40]).options(selectinload(ServiceItem.materials))
    return db.session.scalar(statement)


def offering_stations(item: ServiceItem, station: Station | None = None) -> list[Station]:
    """The active stations that take in ``item`` (only ``station`` when given), in display order."""
    statement = (
        select(Station)
        .join(StationItem, StationItem.station_id == Station.id)
        .where(StationItem.item_id == item.id, StationItem.mode.in_(INTAKE_MODES), Station.is_active.is_(True))
        .order_by(Station.sort_order, Station.code)
    )
    if station is not None:
        statement = statement.where(Station.id == station.id)
    return list(db.session.scalars(statement))


@dataclass
class RequestFilters:
    """GET requests: ``case_nos`` overrides everything but the jurisdiction; dates are naive UTC."""

    station_id: int | None = None
    case_nos: list[str] | None = None
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()  # "open", "closed"; empty = both
    page: int = 1
    page_size: int = 1000


def request_rows(filters: RequestFilters) -> list[tuple[Case, Open311Submission | None]]:
    """Cases with their item, station and Open311 submission (if filed through Open311): one query."""
    statement = (
        select(Case, Open311Submission)
        .join(Case.item)
        .join(Case.station)
        .outerjoin(Open311Submission, Open311Submission.case_id == Case.id)
        .options(contains_eager(Case.item), contains_eager(Case.station))
    )
    if filters.station_id is not None:
        statement = statement.where(Case.station_id == filters.station_id)
    if filters.case_nos is not None:
        statement = statement.where(Case.case_no.in_(filters.case_nos))
    else:
        if filters.service_codes:
            statement = statement.where(ServiceItem.code.in_(filters.service_codes))
        if filters.start is not None:
            statement = statement.where(Case.received_at >= filters.start)
        if filters.end is not None:
            statement = statement.where(Case.received_at <= filters.end)
        closed = [status.value for status in CLOSED_STATUSES]
        if filters.statuses == {"open"}:
            statement = statement.where(Case.status.not_in(closed))
        elif filters.statuses == {"closed"}:
            statement = statement.where(Case.status.in_(closed))
    statement = (
        statement.order_by(Case.received_at.desc(), Case.id.desc())
        .offset((filters.page - 1) * filters.page_size)
        .limit(filters.page_size)
    )
    return [(case, submission) for case, submission in db.session.execute(statement).tuples()]


def request_row(case_no: str, station_id: int | None = None) -> tuple[Case, Open311Submission | None] | None:
    rows = request_rows(RequestFilters(station_id=station_id, case_nos=[case_no[:24]], page_size=1))
    return rows[0] if rows else None
