"""Read side of the stations: the list with item counts, one station, each one's catalogue scope.

Only active stations and active items count. Every function is one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, func, select

from ..catalog.models import ServiceItem
from ..extensions import db
from .models import ScopeMode, Station, StationItem


def list_stations() -> list[Station]:
    """Active stations in display order (the centre first)."""
    statement = select(Station).where(Station.is_active.is_(True)).order_by(Station.sort_order, Station.code)
    return list(db.session.scalars(statement).all())


def stations_with_item_counts() -> list[tuple[Station, int]]:
    """Active stations in display order, each with the number of active items it offers."""
    statement = (
        select(Station, func.count(ServiceItem.id))
        .outerjoin(StationItem, StationItem.station_id == Station.id)
        .outerjoin(ServiceItem, and_(ServiceItem.id == StationItem.item_id, ServiceItem.is_active.is_(True)))
        .where(Station.is_active.is_(True))
        .group_by(Station.id)
        .order_by(Station.sort_order, Station.code)
    )
    return [(station, count) for station, count in db.session.execute(statement)]


def get_station(code: str | None) -> Station | None:
    """An active station by its code (case-insensitive: ``ll`` is LL), or None."""
    if not code:
        return None
    statement = select(Station).where(Station.code == code.strip().upper(), Station.is_active.is_(True))
    return db.session.scalars(statement).first()


def item_scope(station: Station) -> Select[tuple[int]]:
    """The ids of the items ``station`` offers, as a subquery for ``catalog.queries``."""
    return select(StationItem.item_id).where(StationItem.station_id == station.id)


def scope_modes(station: Station, item_ids: Iterable[int]) -> dict[int, ScopeMode]:
    """How ``station`` handles each of the given items (accept on site or collect for the centre)."""
    ids = list(item_ids)
    if not ids:
        return {}
    statement = select(StationItem.item_id, StationItem.mode).where(
        StationItem.station_id == station.id, StationItem.item_id.in_(ids)
    )
    return dict(db.session.execute(statement).tuples().all())


def mode_counts(station: Station) -> dict[ScopeMode, int]:
    """Number of active items per scope mode at ``station``."""
    statement = (
        select(StationItem.mode, func.count(StationItem.id))
        .join(ServiceItem, ServiceItem.id == StationItem.item_id)
        .where(StationItem.station_id == station.id, ServiceItem.is_active.is_(True))
        .group_by(StationItem.mode)
    )
    return dict(db.session.execute(statement).tuples().all())


def stations_offering(item_id: int) -> list[tuple[Station, ScopeMode]]:
    """The active stations that offer an item, in display order, with their mode."""
    statement = (
        select(Station, StationItem.mode)
        .join(StationItem, StationItem.station_id == Station.id)
        .where(StationItem.item_id == item_id, Station.is_active.is_(True))
        .order_by(Station.sort_order, Station.code)
    )
    return [(station, mode) for station, mode in db.session.execute(statement)]
