"""Writes for takeout orders: place an order, the events of the machine, what the visit produced. Flush, never commit.

The one core every entry point calls (the pages, API v1): each event checks the caller's ``version`` first
(``StaleVersion`` -> 409), asks the pure machine (stations/domain/takeout_flow.py) whether it may happen, then
applies its effects and a timeline row. Creates are made idempotent by their callers (``@idempotent``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from ..access import takeout_actor
from ..appeals import services as appeal_services
from ..appeals.models import Category, Nature, SourceChannel, Urgency
from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import Case
from ..counters import bump_counter
from ..domain import takeout_flow as flow
from ..domain.case_vocabulary import CLOSED_STATUSES
from ..domain.takeout_flow import Actor, OrderEvent, OrderFacts, OrderStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..timeutil import business_now, business_to_utc, utcnow
from .models import (
    MAX_ADDRESS,
    MAX_TEXT,
    MenuLine,
    Order,
    OrderAppeal,
    OrderCase,
    OrderEventRecord,
    OrderLine,
    OrderSequence,
    TeamMember,
)
from .rules import address_in_new_city, valid_phone

MAX_LINES = 10
MAX_WINDOWS = 5


class TakeoutError(Exception):
    """A refused write: ``code`` for machines, ``status`` for HTTP (409 stale, 422 otherwise)."""

    status = 422

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StaleVersion(TakeoutError):
    status = 409

    def __init__(self) -> None:
        super().__init__("stale_version")


def _next_number(day: date) -> str:
    """WM{yyyyMMdd}{seq:04d}, gap-free and safe under concurrent orders (stations/counters.py)."""
    last = bump_counter(OrderSequence, "last", {"day": day}, what="an order number")
    return f"WM{day:%Y%m%d}{last:04d}"


# --- ordering ---------------------------------------------------------------------------------------------------


@dataclass
class OrderInput:
    line_codes: list[str]
    address: str
    contact_name: str
    contact_phone: str
    preferred_windows: list[str] = field(default_factory=list)
    custom_request: str = ""


def _lines(codes: list[str]) -> list[MenuLine]:
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code and code.strip()))
    if len(wanted) > MAX_LINES:
        raise TakeoutError("too_many_lines")
    if not wanted:
        return []
    found = {m.code: m for m in db.session.scalars(select(MenuLine).where(MenuLine.code.in_(wanted)))}
    if any(code not in found or not found[code].is_active for code in wanted):
        raise TakeoutError("unknown_line")
    return [found[code] for code in wanted]


def place_order(user: User, enterprise: Enterprise, data: OrderInput, *, now: datetime | None = None) -> Order:
    """A new ORDERED order for ``enterprise``, owned by the enterprise's station, its contact deadline set."""
    now = now or utcnow()
    actor = takeout_actor(user, enterprise_id=enterprise.id, station_id=enterprise.station_id)
    if actor is None:
        raise TakeoutError("not_permitted")
    flow.next_status(OrderFacts(status=None), OrderEvent.ORDER, actor)
    lines = _lines(data.line_codes)
    custom = data.custom_request.strip()
    if not lines and not custom:
        raise TakeoutError("no_line")
    if len(custom) > MAX_TEXT:
        raise TakeoutError("custom_too_long")
    address = " ".join(data.address.split())
    if not address or len(address) > MAX_ADDRESS:
        raise TakeoutError("address_required")
    if not address_in_new_city(address):
        raise TakeoutError("address_outside")
    name, phone = data.contact_name.strip(), data.contact_phone.strip()
    if not name or len(name) > 50:
        raise TakeoutError("contact_required")
    if not valid_phone(phone):
        raise TakeoutError("phone_invalid")
    windows = [w.strip()[:40] for w in data.preferred_windows if w and w.strip()][:MAX_WINDOWS]
    ordered_local = business_now(now)
    order = Order(
        order_no=_next_number(ordered_local.date()),
        status=OrderStatus.ORDERED,
        enterprise_id=enterprise.id,
        station_id=enterprise.station_id,
        ordered_by_id=user.id,
        contact_name=name,
        contact_phone=phone,
        address=address,
        preferred_windows=windows,
        custom_request=custom,
        ordered_at=now,
        contact_due_at=business_to_utc(flow.contact_due(ordered_local, current_calendar())),
    )
    order.lines = [OrderLine(menu_line_id=line.id) for line in lines]
    db.session.add(order)
    db.session.flush()  # the order's id, for its timeline
    _record(order, user, OrderEvent.ORDER, None, now, "")
    db.session.flush()
    return order


# --- events -----------------------------------------------------------------------------------------------------


@dataclass
class EventInput:
    reason: str = ""
    alternative: str = ""
    team_ids: list[int] = field(default_factory=list)
    agreed_visit_on: date | None = None
    outcome: str = ""
    level: int | None = None  # evaluate: 1..5
    note: str = ""


def open_case_count(order: Order) -> int:
    """Cases taken on site that still wait for their result to reach the enterprise."""
    done = [s.value for s in CLOSED_STATUSES]
    return db.session.scalar(
        select(func.count(OrderCase.id))
        .join(Case, Case.id == OrderCase.case_id)
        .where(OrderCase.order_id == order.id, Case.status.not_in(done))
    )


def facts_for(order: Order, data: EventInput | None = None) -> OrderFacts:
    data = data or EventInput()
    return OrderFacts(
        status=order.status,
        reason=data.reason,
        alternative=data.alternative,
        team_size=len(set(data.team_ids)),
        outcome=data.outcome,
        open_cases=open_case_count(order) if order.status in (OrderStatus.ON_SITE, OrderStatus.IN_BACKOFFICE) else 0,
    )


def apply_event(
    order: Order, event: OrderEvent, user: User | None, *, version: int | None, data: EventInput, now=None
) -> Order:
    """Fire ``event`` on ``order`` as ``user`` (None: the system). Raises TakeoutError or flow.OrderFlowError."""
    now = now or utcnow()
    if version is not None and version != order.version:
        raise StaleVersion()
    actor = Actor.SYSTEM if user is None else takeout_actor(user, order=order, event=event)
    if actor is None:
        raise TakeoutError("not_permitted")
    if event is OrderEvent.EVALUATE and data.level not in (1, 2, 3, 4, 5):
        raise TakeoutError("level_required")
    before = order.status
    after = flow.next_status(facts_for(order, data), event, actor)
    _effects(order, event, data, now)
    order.status = after
    order.version += 1
    _record(order, user, event, before, now, _note_for(event, data))
    db.session.flush()
    return order


def _effects(order: Order, event: OrderEvent, data: EventInput, now: datetime) -> None:
    if event is OrderEvent.CONTACT:
        order.contacted_at = now
        order.agreed_visit_on = data.agreed_visit_on
        order.visit_due_on = flow.visit_due(business_now(now), current_calendar(), data.agreed_visit_on)
    elif event in (OrderEvent.CANCEL, OrderEvent.DECLINE):
        order.cancelled_at = now
        order.cancel_reason = data.reason.strip()[:500]
        order.alternative = data.alternative if event is OrderEvent.DECLINE else ""
    elif event is OrderEvent.DISPATCH:
        _form_team(order, data.team_ids)
        order.dispatched_at = now
    elif event is OrderEvent.CHECK_IN:
        order.checked_in_at = now
    elif event is OrderEvent.FINISH:
        order.finished_at = now
        order.outcome = data.outcome.strip()[:MAX_TEXT]
    elif event is OrderEvent.DELIVER:
        order.delivered_at = now
    elif event in (OrderEvent.EVALUATE, OrderEvent.AUTO_CLOSE):
        order.completed_at = now
        if event is OrderEvent.EVALUATE:
            order.rating_level = data.level
            order.rating_note = data.note.strip()[:500]


def _form_team(order: Order, team_ids: list[int]) -> None:
    """The team: active staff and clerks of the order's station (the first one named leads)."""
    ids = list(dict.fromkeys(team_ids))
    members = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_(ids),
                User.role.in_([Role.STAFF, Role.CLERK]),
                User.station_id == order.station_id,
                User.is_enabled,
            )
        )
    }
    if len(members) != len(ids):
        raise TakeoutError("team_invalid")
    order.team = [TeamMember(user_id=uid, is_lead=(i == 0)) for i, uid in enumerate(ids)]


def _note_for(event: OrderEvent, data: EventInput) -> str:
    if event in (OrderEvent.CANCEL, OrderEvent.DECLINE):
        return data.reason.strip()[:1000]
    if event is OrderEvent.FINISH:
        return data.outcome.strip()[:1000]
    if event is OrderEvent.CONTACT and data.agreed_visit_on:
        return data.agreed_visit_on.isoformat()
    return data.note.strip()[:1000]


def _record(order: Order, user: User | None, event: OrderEvent, before, at: datetime, note: str) -> None:
    db.session.add(
        OrderEventRecord(
            order_id=order.id,
            event=event.value,
            from_status=before.value if before else None,
            to_status=order.status.value,
            actor_id=user.id if user else None,
            note=note,
            at=at,
        )
    )


# --- what the visit produced --------------------------------------------------------------------------------------


def link_case(order: Order, case: Case) -> None:
    """A case taken in on site for this order (channel TAKEOUT); linking twice is a no-op."""
    if db.session.scalar(select(OrderCase.id).where(OrderCase.case_id == case.id)) is not None:
        return
    if case.enterprise_id != order.enterprise_id:
        raise TakeoutError("other_enterprise")
    if order.status is not OrderStatus.ON_SITE:
        raise TakeoutError("not_on_site")
    db.session.add(OrderCase(order_id=order.id, case_id=case.id))
    db.session.flush()


def raise_problem(order: Order, user: User, description: str, *, now: datetime | None = None):
    """A problem found on site becomes an appeal (诉求, source 政务外卖), tracked to closure by the appeals core."""
    if takeout_actor(user, order=order, event=OrderEvent.FINISH) is None:
        raise TakeoutError("not_permitted")
    if order.status is not OrderStatus.ON_SITE:
        raise TakeoutError("not_on_site")
    appeal = appeal_services.register(
        appeal_services.RegisterInput(
            source_channel=SourceChannel.TAKEOUT,
            category=Category.GOV_SERVICE,
            nature=Nature.HELP,
            urgency=Urgency.NORMAL,
            description=description,
            enterprise=order.enterprise,
            station_id=order.station_id,
            contact_name=order.contact_name,
            contact_phone=order.contact_phone,
        ),
        user,
        at=now,
    )
    db.session.add(OrderAppeal(order_id=order.id, appeal_id=appeal.id))
    db.session.flush()
    return appeal


def deliver_settled(now: datetime | None = None) -> int:
    """SYSTEM: every order whose on-site cases have all reached the enterprise is DELIVERED (the periodic job)."""
    count = 0
    waiting = db.session.scalars(
        select(Order).where(Order.status.in_([OrderStatus.SERVED, OrderStatus.IN_BACKOFFICE]))
    ).all()
    for order in waiting:
        if open_case_count(order) == 0:  # no case taken on site: nothing remains to deliver either
            apply_event(order, OrderEvent.DELIVER, None, version=None, data=EventInput(), now=now)
            count += 1
    return count


# --- on site: a case taken in at the enterprise's premises -----------------------------------------------------


def take_in_on_site(order: Order, user: User, item_code: str, photos, *, now: datetime | None = None) -> Case:
    """现场受理: a case for one of the order's items, channel TAKEOUT, with the materials photographed on site.

    ``photos`` maps an item material's id to its uploaded file (each checked for size and type, and scanned); a
    material without a photo stays missing, for staff to check when they accept. The case is linked to the order in
    the same transaction, so a retried submission (same idempotency key) never makes a second one.
    """
    from ..cases import intake
    from ..cases import services as case_services
    from ..cases.models import Channel
    from ..catalog.models import ServiceItem
    from ..enterprises import services as enterprise_services
    from ..uploads.storage import store

    if takeout_actor(user, order=order, event=OrderEvent.FINISH) is not Actor.TEAM:
        raise TakeoutError("not_permitted")
    if order.status is not OrderStatus.ON_SITE:
        raise TakeoutError("not_on_site")
    item_ids = {line.menu_line.item_id for line in order.lines if line.menu_line.item_id}
    item = db.session.scalar(select(ServiceItem).where(ServiceItem.code == (item_code or "").strip()))
    if item is None or item.id not in item_ids:
        raise TakeoutError("unknown_item")
    materials = []
    for material in item.materials:
        photo = photos.get(material.id)
        if photo is None or not photo.filename:
            continue
        stored = store(photo, enterprise_id=order.enterprise_id, user_id=user.id)  # raises UploadRejected
        document = enterprise_services.add_document(order.enterprise_id, material.name, stored.id, user=user)
        status = intake.upload_status(Channel.TAKEOUT)
        materials.append(case_services.MaterialInput(material.id, status, document.id))
    case = case_services.receive_case(
        user=user,
        station=order.station,
        item=item,
        enterprise=order.enterprise,
        channel=Channel.TAKEOUT,
        applicant_name=order.contact_name,
        applicant_phone=order.contact_phone,
        materials=materials,
        note=f"政务外卖 {order.order_no}",
        now=now,
    )
    link_case(order, case)
    return case
