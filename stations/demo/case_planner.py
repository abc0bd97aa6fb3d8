"""Planning the demo cases: a Plan is a case's timeline of steps (events at explicit times) drawn by the Planner
from a seeded random generator over business hours and working days."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import Channel
from ..cases.services import EventInput
from ..catalog.models import ServiceItem
from ..clerks.models import ClerkChoice
from ..domain.deadlines import WarnLevel, compute_deadline, warn_level
from ..domain.workdays import add_working_days
from ..enterprises.models import Enterprise, EnterpriseKind
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import business_now
from .case_data import AFTERNOON, CLOSING, GIVEN, MORNING_END, OPEN_DAY, SURNAMES, TERMINATED_ENTERPRISE, WINDOW_DAYS

# --- planning -----------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """One thing that happens to a case: an event, or a 容缺 supply / verification."""

    at: datetime  # naive business (Asia/Shanghai) time
    action: str  # a CaseEvent value, or "supply" / "verify" / "provide" (the applicant brings corrected papers)
    user: User
    data: EventInput = field(default_factory=EventInput)


@dataclass
class Plan:
    station: Station
    enterprise: Enterprise
    item: ServiceItem
    channel: Channel
    received_at: datetime  # naive business time
    receiver: User
    materials: str  # "complete", "missing_minor" (容缺) or "missing_main" (correction / refusal)
    applicant: str
    phone: str
    steps: list[Step] = field(default_factory=list)


class Planner:
    """Builds plans relative to ``now``; every moment is naive business time and never later than ``latest``."""

    def __init__(self, now_utc: datetime, rng: random.Random):
        self.rng = rng
        self.calendar = current_calendar()
        self.now_local = business_now(now_utc)
        self.latest = self.now_local - timedelta(minutes=3)
        self.stations = {s.code: s for s in db.session.scalars(select(Station).order_by(Station.sort_order))}
        users = list(db.session.scalars(select(User)))
        self.users = {u.username: u for u in users}
        self.staff: dict[int, list[User]] = {}
        for user in sorted(users, key=lambda u: u.username):
            if user.role is Role.STAFF and user.station_id is not None:
                self.staff.setdefault(user.station_id, []).append(user)
        # Enterprises only: a natural person (person-demo, issue 12) applies for the personal items alone.
        self.enterprises = list(
            db.session.scalars(
                select(Enterprise).where(Enterprise.kind != EnterpriseKind.PERSON).order_by(Enterprise.id)
            )
        )
        self.clerk_of = {
            c.enterprise_id: c.clerk_id for c in db.session.scalars(select(ClerkChoice).where(ClerkChoice.is_current))
        }
        self.enterprise_user = {
            u.enterprise_id: u for u in users if u.role is Role.ENTERPRISE and u.enterprise_id is not None
        }
        self.items: dict[int, list[ServiceItem]] = {}
        rows = db.session.execute(
            select(StationItem.station_id, ServiceItem)
            .join(ServiceItem, ServiceItem.id == StationItem.item_id)
            .where(StationItem.mode == ScopeMode.ACCEPT, ServiceItem.is_active.is_(True))
            .order_by(ServiceItem.code)
        ).all()
        for station_id, item in rows:
            self.items.setdefault(station_id, []).append(item)
        self.workdays = self._workdays()

    # time helpers
    def _workdays(self) -> list[date]:
        """Working days of the window, most recent first (today first when it is one and the hall has opened)."""
        days = []
        day = self.latest.date()
        first = day - timedelta(days=WINDOW_DAYS)
        while day >= first:
            if self.calendar.is_workday(day) and datetime.combine(day, time(9, 30)) <= self.latest:
                days.append(day)
            day -= timedelta(days=1)
        return days

    def moment(self, day: date, after: datetime | None = None) -> datetime:
        """A time during hall hours on ``day``, after ``after`` when given, capped at ``latest``."""
        start = datetime.combine(day, OPEN_DAY) + timedelta(minutes=5)
        if after is not None and after.date() == day:
            start = max(start, after + timedelta(minutes=3))
        end = min(datetime.combine(day, CLOSING), self.latest)
        if end <= start:
            return start if after is None else max(start, after + timedelta(minutes=1))
        value = start + timedelta(seconds=self.rng.randint(0, int((end - start).total_seconds())))
        if MORNING_END < value.time() < AFTERNOON:  # nobody at the counter over lunch
            value = value.replace(hour=13, minute=self.rng.randint(0, 50))
            value = min(max(value, start), end)
        return value.replace(microsecond=0)

    def later(self, at: datetime, low: int, high: int) -> datetime:
        """``low``-``high`` minutes after ``at``; spills into the next working morning after closing time."""
        value = at + timedelta(minutes=self.rng.randint(low, high))
        if value.time() > CLOSING or not self.calendar.is_workday(value.date()):
            day = add_working_days(at.date(), 1, self.calendar)
            value = datetime.combine(day, time(9, self.rng.randint(5, 40)))
        return value

    def workdays_after(self, at: datetime, count: int) -> datetime:
        """A hall-hours moment ``count`` working days after ``at`` (the same day when 0)."""
        if count <= 0:
            return self.later(at, 20, 150)
        return self.moment(add_working_days(at.date(), count, self.calendar))

    def recent_day(self, max_back: int) -> date:
        return self.workdays[self.rng.randint(0, min(max_back, len(self.workdays) - 1))]

    def any_day(self) -> date:
        return self.rng.choice(self.workdays)

    # people
    def staff_at(self, station: Station, *, second: bool = False) -> User:
        people = self.staff[station.id]
        return people[-1] if second and len(people) > 1 else people[0]

    def clerk_for(self, enterprise: Enterprise) -> User | None:
        clerk_id = self.clerk_of.get(enterprise.id)
        return next((u for u in self.users.values() if u.id == clerk_id), None) if clerk_id else None

    def applicant(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def pick_enterprise(self, station: Station, *, avoid_terminated: bool = True) -> Enterprise:
        home = [e for e in self.enterprises if e.station_id == station.id]
        pool = home if home and self.rng.random() < 0.8 else self.enterprises
        if avoid_terminated:
            pool = [e for e in pool if e.name != TERMINATED_ENTERPRISE] or pool
        return self.rng.choice(pool)

    def pick_item(
        self, station: Station, *, instant: bool | None = None, rongque: bool = False, online: bool = False
    ) -> ServiceItem:
        items = self.items[station.id]
        if instant is not None:
            items = [i for i in items if i.is_instant is instant]
        if online:
            items = [i for i in items if i.is_online]
        if rongque:
            items = [i for i in items if _rongque_ready(i)]
        return self.rng.choice(items)

    def plan(
        self,
        station: Station,
        *,
        item: ServiceItem,
        enterprise: Enterprise,
        received_at: datetime,
        materials: str = "complete",
        online: bool = False,
    ) -> Plan:
        clerk = self.clerk_for(enterprise)
        ent_user = self.enterprise_user.get(enterprise.id)
        if online and ent_user is not None and item.is_online:
            receiver, channel = ent_user, Channel.ONLINE
        elif clerk is not None and self.rng.random() < 0.4:
            receiver, channel = clerk, Channel.STATION
        else:
            receiver = self.staff_at(station, second=self.rng.random() < 0.3)
            channel = Channel.STATION
        if channel is Channel.STATION and station.code == "ZX":
            channel = Channel.COMPREHENSIVE
        return Plan(
            station=station,
            enterprise=enterprise,
            item=item,
            channel=channel,
            received_at=received_at,
            receiver=receiver,
            materials=materials,
            applicant=self.applicant(),
            phone=f"139{self.rng.randint(0, 9999):04d}{self.rng.randint(0, 9999):04d}",
        )

    def counter_user(self, plan: Plan) -> User:
        """Who acts at the counter for accept / deliver: the receiving clerk, else station staff."""
        if plan.receiver.role is Role.CLERK:
            return plan.receiver
        return self.staff_at(plan.station)

    def accept_moment(self, item: ServiceItem, colour: WarnLevel) -> datetime | None:
        """A past acceptance moment that makes a still-open case of ``item`` show ``colour`` now."""
        matches = []
        for day in self.workdays[:45]:
            at = self.moment(day)
            deadline = compute_deadline(
                at, item.promised_days, self.calendar, closing=time(17, 0), warn_override=item.warn_days_override
            )
            level = warn_level(
                now_local=self.now_local,
                warn_on=deadline.warn_on,
                overdue_at_local=deadline.overdue_at_local,
                is_done=False,
                is_paused=False,
            )
            if level is colour:
                matches.append(at)
        if not matches:
            return None
        return self.rng.choice(matches[:6])  # RED: overdue by days, not months


def _rongque_ready(item: ServiceItem) -> bool:
    """A committed item on the 容缺 list with at least one minor, 容缺-allowed required material."""
    return (
        item.rongque_allowed
        and not item.is_instant
        and any(m.is_required and not m.is_main and m.rongque_allowed for m in item.materials)
    )
