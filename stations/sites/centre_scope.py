"""Every catalogue item is offered somewhere (issue 12, item 3): at the centre's department windows at least.

The centre's comprehensive window (全科综合窗口) serves the 190 items flagged ``is_comprehensive_window``; the other
items are served at the windows of their departments in the same hall (中心窗口). Both are the centre's scope, so the
centre offers every active item: items no station offers would otherwise be readable but never applicable.
"""

from __future__ import annotations

from sqlalchemy import select

from ..catalog.models import ServiceItem
from ..extensions import db
from .models import ScopeMode, Station, StationItem, StationKind


def offer_every_item_at_the_centre() -> int:
    """Add the centre's scope entries (ACCEPT) that are missing; returns how many. Idempotent; flushes."""
    centre = db.session.scalar(select(Station).where(Station.kind == StationKind.CENTER).order_by(Station.id))
    if centre is None:
        return 0
    offered = select(StationItem.item_id).where(StationItem.station_id == centre.id)
    missing = db.session.scalars(
        select(ServiceItem.id).where(ServiceItem.is_active.is_(True), ServiceItem.id.not_in(offered))
    ).all()
    for item_id in missing:
        db.session.add(StationItem(station_id=centre.id, item_id=item_id, mode=ScopeMode.ACCEPT))
    db.session.flush()
    return len(missing)
