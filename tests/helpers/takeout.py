"""Test helpers for 政务外卖 orders: build an order and move it along through the core (stations/takeout)."""

from __future__ import annotations

from sqlalchemy import select

from stations.domain.takeout_flow import OrderEvent
from stations.extensions import db
from stations.takeout import services
from stations.takeout.models import MenuKind, MenuLine, Order
from tests import factories as f

ADDRESS = "泾河新城两链融合示范园3号厂房"


def menu_codes(count: int = 2, station_code: str = "LL") -> list[str]:
    """Menu lines for catalogue items the station takes in itself (so a team can take them in on site)."""
    from stations.sites.models import ScopeMode, Station, StationItem

    offered = (
        select(StationItem.item_id)
        .join(Station, Station.id == StationItem.station_id)
        .where(Station.code == station_code, StationItem.mode == ScopeMode.ACCEPT)
    )
    return list(
        db.session.scalars(
            select(MenuLine.code)
            .where(MenuLine.kind == MenuKind.ITEM, MenuLine.item_id.in_(offered))
            .order_by(MenuLine.code)
            .limit(count)
        )
    )


def order_input(**overrides) -> services.OrderInput:
    values = {
        "line_codes": menu_codes(2),
        "address": ADDRESS,
        "contact_name": "王经理",
        "contact_phone": "13800000001",
        "preferred_windows": ["工作日上午"],
    }
    return services.OrderInput(**{**values, **overrides})


def placed(owner: f.Client | None = None, **overrides) -> Order:
    """An order placed by ``owner``'s account for its enterprise (a client of the test's own when none is given)."""
    owner = owner or f.make_client()
    return services.place_order(owner.account, owner.enterprise, order_input(**overrides))


def fire(order: Order, event: OrderEvent, by: str | None = "staff-ll", **data) -> Order:
    user = f.user(by) if by else None
    return services.apply_event(order, event, user, version=order.version, data=services.EventInput(**data))


def on_site(by: str = "staff-ll", *, owner: f.Client | None = None) -> Order:
    """An order of ``owner`` (a client of the test's own when none is given) contacted, dispatched to ``by`` and
    checked in."""
    order = placed(owner)
    fire(order, OrderEvent.CONTACT)
    fire(order, OrderEvent.DISPATCH, team_ids=[f.user(by).id])
    return fire(order, OrderEvent.CHECK_IN, by=by)
