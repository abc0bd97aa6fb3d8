"""Test helpers for enterprises (moved out of tests/enterprises/conftest.py, which keeps only fixtures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from stations.catalog.models import OnlineMode, ServiceItem
from stations.enterprises import services as enterprise_services
from stations.enterprises.models import Document
from stations.extensions import db
from stations.sites.models import ScopeMode, Station, StationItem
from stations.uploads.storage import store_bytes
from tests import factories as f
from tests.helpers.cases import PDF

HOME_TARGET = "enterprise-cases"


def offered_item(station_code: str, *, online: bool, also_at: str | None = None) -> ServiceItem:
    """An item taken in at ``station_code`` (and at ``also_at``), online or not, with materials."""
    stmt = (
        select(ServiceItem)
        .join(StationItem, StationItem.item_id == ServiceItem.id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station_code, StationItem.mode != ScopeMode.GUIDE, ServiceItem.is_active.is_(True))
        .where(
            ServiceItem.online_mode != OnlineMode.OFFLINE if online else ServiceItem.online_mode == OnlineMode.OFFLINE
        )
        .order_by(ServiceItem.id)
    )
    if also_at:
        other = (
            select(StationItem.item_id)
            .join(Station, Station.id == StationItem.station_id)
            .where(Station.code == also_at, StationItem.mode != ScopeMode.GUIDE)
        )
        stmt = stmt.where(ServiceItem.id.in_(other))
    return next(item for item in db.session.scalars(stmt) if item.materials)


def stored_document(
    name: str = "营业执照", *, owner: f.Client | None = None, valid_until: date | None = None
) -> Document:
    """A PDF in the store of ``owner``'s enterprise (a new client's when none is given), uploaded by its
    enterprise account (trust level C)."""
    owner = owner or f.make_client()
    enterprise, user = owner.enterprise, owner.account
    stored = store_bytes(PDF, "application/pdf", f"{name}.pdf", enterprise_id=enterprise.id, user_id=user.id)
    return enterprise_services.add_document(enterprise.id, name, stored.id, user=user, valid_until=valid_until)
