"""What the order page shows and offers, computed in Python (templates read these flags, never domain sets)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..access import takeout_actor
from ..auth.models import User
from ..domain import takeout_flow as flow
from ..domain.deadlines import WarnLevel
from ..domain.takeout_flow import Actor, OrderEvent, OrderStatus
from ..timeutil import utcnow
from . import queries, services
from .models import MenuKind, Order

ON_THE_WAY = frozenset({OrderStatus.DISPATCHED, OrderStatus.ON_SITE})  # the team's part: check in, work, finish


@dataclass
class OrderPanel:
    order: Order
    level: WarnLevel
    events: list[OrderEvent]
    timeline: list
    case_nos: list[str]
    appeal_nos: list[str]
    team_candidates: list = field(default_factory=list)
    on_site_items: list = field(default_factory=list)  # the order's catalogue items a team member takes in
    may_work_on_site: bool = False
    offline_events: frozenset = frozenset()  # the team's on-site events, kept on the tablet when the network drops
    error: str | None = None
    values: dict = field(default_factory=dict)  # what the user typed, kept on a refusal


def events_for(user: User, order: Order) -> list[OrderEvent]:
    """Every event this user may fire now (a team member also gets the staff's, when the order is their station's)."""
    facts = services.facts_for(order)
    found: list[OrderEvent] = []
    for actor in {takeout_actor(user, order=order, event=e) for e in OrderEvent} - {None}:
        found += [e for e in flow.available_events(facts, actor) if e not in found]
    return sorted(found, key=list(OrderEvent).index)


def order_panel(user: User, order: Order, *, error: str | None = None, values: dict | None = None) -> OrderPanel:
    events = events_for(user, order)
    on_team = takeout_actor(user, order=order, event=OrderEvent.FINISH) is Actor.TEAM
    on_site = order.status is OrderStatus.ON_SITE and on_team
    return OrderPanel(
        order=order,
        level=queries.warn_level_of(order, utcnow()),
        events=events,
        timeline=queries.timeline(order),
        case_nos=queries.case_nos(order),
        appeal_nos=queries.appeal_nos(order),
        team_candidates=queries.team_candidates(order) if OrderEvent.DISPATCH in events else [],
        on_site_items=[
            line.menu_line.item
            for line in order.lines
            if line.menu_line.kind is MenuKind.ITEM and line.menu_line.item is not None
        ]
        if on_site
        else [],
        may_work_on_site=on_site,
        offline_events=flow.TEAM_EVENTS if on_team and order.status in ON_THE_WAY else frozenset(),
        error=error,
        values=values or {},
    )
