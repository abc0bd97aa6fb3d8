"""The synthetic cases' timelines (scale.py): a seeded generator that draws each case's station, item, enterprise
and its realistic path through the statuses over working days and hall hours, as the rows a bulk INSERT writes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import CaseSequence, Channel
from ..cases.numbering import QUERY_CODE_ALPHABET, format_case_no
from ..catalog.models import ServiceItem
from ..clerks.models import ClerkChoice
from ..domain.case_vocabulary import CaseStatus
from ..domain.deadlines import Deadline, compute_deadline
from ..domain.workdays import add_working_days
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import business_now, business_to_utc

SYNTHETIC_NOTE = "合成数据(压测)"
SYNTHETIC_USCC_PREFIX = "611100MA6Y"  # after the 2-digit kind code: 91 (company) or 92 (individual business)
BATCH_SIZE = 10_000
DAYS_BACK = 365
CASES_PER_ENTERPRISE = 100
CLOSING = time(17, 0)
STATION_WEIGHTS = {"ZX": 22, "LL": 20, "QH": 18, "HZ": 14, "YD1": 10, "YD2": 8, "YD3": 8}
PLACES = ["泾河", "秦创原", "荟智", "原点", "西咸", "崇文", "永乐"]
TRADES = ["智造", "光电", "氢能", "建材", "家居", "物流", "餐饮", "商贸", "科技", "咨询", "建设", "环保", "医疗器械"]


@dataclass(frozen=True)
class SyntheticItem:
    id: int
    is_instant: bool
    promised: int
    statutory: int
    warn_override: int | None
    is_online: bool


class SyntheticCaseGenerator:
    def __init__(self, now: datetime, seed: int, station_codes: list[str] | None):
        self.rng = random.Random(seed)
        self.calendar = current_calendar()
        self.now_local = business_now(now)
        self.latest = self.now_local - timedelta(minutes=1)
        stations = {s.code: s for s in db.session.scalars(select(Station).where(Station.is_active.is_(True)))}
        codes = [c for c in (station_codes or STATION_WEIGHTS) if c in stations]
        if not codes:
            raise ValueError("no station to put synthetic cases at")
        self.stations = [stations[c] for c in codes]
        self.station_weights = [STATION_WEIGHTS.get(c, 5) for c in codes]
        self.staff: dict[int, list[int]] = {}
        for user_id, station_id in db.session.execute(
            select(User.id, User.station_id).where(User.role == Role.STAFF, User.station_id.is_not(None))
        ):
            self.staff.setdefault(station_id, []).append(user_id)
        self.items: dict[int, list[SyntheticItem]] = {}
        rows = db.session.execute(
            select(StationItem.station_id, ServiceItem)
            .join(ServiceItem, ServiceItem.id == StationItem.item_id)
            .where(StationItem.mode != ScopeMode.GUIDE, ServiceItem.is_active.is_(True))
        ).all()
        for station_id, item in rows:
            self.items.setdefault(station_id, []).append(
                SyntheticItem(
                    item.id,
                    item.is_instant,
                    item.promised_days,
                    item.statutory_days,
                    item.warn_days_override,
                    item.is_online,
                )
            )
        self.clerk_of = dict(
            db.session.execute(
                select(ClerkChoice.enterprise_id, ClerkChoice.clerk_id).where(ClerkChoice.is_current)
            ).all()
        )
        self.workdays = self._workdays()
        self.deadlines: dict[tuple[date, bool, int, int | None], Deadline] = {}
        self.sequences: dict[tuple[int, date], int] = {}
        self.touched: set[tuple[int, date]] = set()

    def _workdays(self) -> list[date]:
        days = []
        day = self.latest.date() - timedelta(days=DAYS_BACK)
        while day <= self.latest.date():
            if self.calendar.is_workday(day) and datetime.combine(day, time(9, 5)) < self.latest:
                days.append(day)
            day += timedelta(days=1)
        return days

    # -- time ------------------------------------------------------------------------------------------------
    def hall_moment(self, day: date) -> datetime:
        """A moment in hall hours (9:00-12:00, 13:00-17:00) on ``day``, never after ``latest``."""
        seconds = self.rng.randint(0, 7 * 3600 - 1)
        moment = datetime.combine(day, time(9, 0)) + timedelta(seconds=seconds)
        if moment.time() >= time(12, 0):
            moment += timedelta(hours=1)
        if moment > self.latest and day == self.latest.date():  # today, before the hall closed: so far only
            opening = datetime.combine(day, time(9, 0))
            moment = opening + (self.latest - opening) * self.rng.random()
        return min(moment, self.latest).replace(microsecond=0)

    def after_minutes(self, at: datetime, low: int, high: int) -> datetime:
        return at + timedelta(minutes=self.rng.randint(low, high))

    def after_workdays(self, at: datetime, count: int) -> datetime:
        if count <= 0:
            return self.after_minutes(at, 20, 180)
        return self.hall_moment(add_working_days(at.date(), count, self.calendar)).replace(hour=self.rng.randint(9, 16))

    def deadline(self, accepted: datetime, item: SyntheticItem) -> Deadline:
        key = (accepted.date(), accepted.time() >= CLOSING, item.promised, item.warn_override)
        found = self.deadlines.get(key)
        if found is None:
            moment = datetime.combine(key[0], time(17, 30) if key[1] else time(10, 0))
            found = compute_deadline(
                moment, item.promised, self.calendar, closing=CLOSING, warn_override=item.warn_override
            )
            self.deadlines[key] = found
        return found

    def case_no(self, station: Station, day: date) -> str:
        key = (station.id, day)
        if key not in self.sequences:
            self.sequences[key] = (
                db.session.scalar(
                    select(CaseSequence.last_seq).where(CaseSequence.station_id == station.id, CaseSequence.day == day)
                )
                or 0
            )
        self.sequences[key] += 1
        self.touched.add(key)
        return format_case_no(station.code, day, self.sequences[key])

    def preload_sequences(self) -> None:
        first = self.workdays[0] if self.workdays else self.latest.date()
        for station_id, day, last in db.session.execute(
            select(CaseSequence.station_id, CaseSequence.day, CaseSequence.last_seq).where(CaseSequence.day >= first)
        ):
            self.sequences[(station_id, day)] = last
        for station in self.stations:
            for day in self.workdays:
                self.sequences.setdefault((station.id, day), 0)

    # -- one case ---------------------------------------------------------------------------------------------
    def row(self, station: Station, received: datetime, enterprise_id: int) -> dict[str, Any]:
        rng = self.rng
        item = rng.choice(self.items[station.id])
        staff = self.staff.get(station.id) or [None]
        clerk_id = self.clerk_of.get(enterprise_id)
        if station.code == "ZX":
            channel = rng.choices([Channel.COMPREHENSIVE, Channel.WINDOW, Channel.ONLINE], [70, 20, 10])[0]
        else:
            channel = Channel.ONLINE if rng.random() < 0.15 else Channel.STATION
        if channel is Channel.ONLINE and not item.is_online:
            channel = Channel.COMPREHENSIVE if station.code == "ZX" else Channel.STATION
        row: dict[str, Any] = {
            "case_no": self.case_no(station, received.date()),
            "query_code": "".join(rng.choices(QUERY_CODE_ALPHABET, k=6)),
            "item_id": item.id,
            "enterprise_id": enterprise_id,
            "station_id": station.id,
            "clerk_id": clerk_id,
            "channel": channel.value,
            "status": CaseStatus.RECEIVED.value,
            "status_before_correction": None,
            "applicant_name": "示例经办人",
            "applicant_phone": None,
            "is_agent": False,
            "note": SYNTHETIC_NOTE,
            "received_at": business_to_utc(received),
            "received_by_id": None if channel is Channel.ONLINE else rng.choice(staff),
            "accepted_at": None,
            "accepted_by_id": None,
            "is_instant": item.is_instant,
            "promised_days": None,
            "statutory_days": None,
            "extended_days": 0,
            "due_on": None,
            "warn_on": None,
            "overdue_at": None,
            "due_provisional": False,
            "paused_on": None,
            "is_rongque": False,
            "commitment_signed_at": None,
            "correction_requested_at": None,
            "correction_note": None,
            "first_handler_id": None,
            "decided_at": None,
            "decision_note": None,
            "issued_at": None,
            "delivered_at": None,
            "delivery_mode": None,
            "closed_reason": None,
            "updated_at": business_to_utc(received),
            "version": 1,
        }
        self._timeline(row, item, received, staff)
        return row

    def _step(self, row: dict[str, Any], status: CaseStatus, at: datetime) -> None:
        row["status"] = status.value
        row["updated_at"] = business_to_utc(at)
        row["version"] += 1

    def _timeline(self, row: dict[str, Any], item: SyntheticItem, received: datetime, staff: list[int | None]) -> None:
        rng, latest = self.rng, self.latest
        age_hours = (latest - received).total_seconds() / 3600
        fate = rng.random()
        if age_hours < 30 and fate < 0.3:
            return  # taken in today or yesterday, not accepted yet
        if fate < 0.03 or fate > 0.98:  # refused, or withdrawn by the applicant
            closed = min(self.after_minutes(received, 10, 120), latest)
            refused = fate < 0.03
            self._step(row, CaseStatus.REFUSED if refused else CaseStatus.WITHDRAWN, closed)
            row["closed_reason"] = "申请事项不属于本机关职权范围" if refused else "申请人要求撤回申请"
            return
        if age_hours < 24 * 10 and fate < 0.06:  # waiting for the applicant's one-time correction
            notice = min(self.after_minutes(received, 5, 60), latest)
            self._step(row, CaseStatus.CORRECTION, notice)
            row["status_before_correction"] = CaseStatus.RECEIVED.value
            row["correction_requested_at"] = business_to_utc(notice)
            row["correction_note"] = "请一次性补正申请材料"
            return
        accepted = self.after_minutes(received, 2, 30)
        if accepted > latest:
            return
        handler = rng.choice(staff)
        deadline = self.deadline(accepted, item)
        row.update(
            accepted_at=business_to_utc(accepted),
            accepted_by_id=handler,
            promised_days=item.promised,
            statutory_days=item.statutory,
            due_on=deadline.due_on,
            warn_on=deadline.warn_on,
            overdue_at=business_to_utc(deadline.overdue_at_local),
            due_provisional=deadline.provisional,
        )
        self._step(row, CaseStatus.ACCEPTED, accepted)
        if fate > 0.975:  # recalled by the applicant a day later
            recalled = self.after_workdays(accepted, 1)
            if recalled <= latest:
                self._step(row, CaseStatus.RECALLED, recalled)
                row["closed_reason"] = "企业主动撤回"
            return
        reviewer = rng.choice(staff)
        if item.is_instant:
            decided = self.after_minutes(accepted, 5, 30)
        else:
            review = self.after_workdays(accepted, rng.choice([0, 0, 1]))
            if review > latest:
                return
            self._step(row, CaseStatus.IN_REVIEW, review)
            row["first_handler_id"] = reviewer
            late = rng.random() < 0.08
            days = item.promised + rng.randint(1, 5) if late else max(1, round(item.promised * rng.uniform(0.3, 1)))
            decided = max(self.after_workdays(accepted, days), review + timedelta(minutes=10))
        if decided > latest:
            return
        rejected = rng.random() < 0.04
        row["first_handler_id"] = row["first_handler_id"] or reviewer
        row["decided_at"] = business_to_utc(decided)
        self._step(row, CaseStatus.REJECTED if rejected else CaseStatus.APPROVED, decided)
        if not rejected:
            issued = (
                self.after_minutes(decided, 10, 60)
                if item.is_instant
                else self.after_workdays(decided, rng.randint(0, 2))
            )
            if issued > latest:
                return
            row["issued_at"] = business_to_utc(issued)
            self._step(row, CaseStatus.ISSUED, issued)
            decided = issued
        mode = rng.choices(["COUNTER", "POST", "ELECTRONIC"], [70, 15, 15])[0]
        delivered = (
            self.after_minutes(decided, 5, 90) if mode == "COUNTER" else self.after_workdays(decided, rng.randint(1, 3))
        )
        if delivered > latest:
            return
        row["delivered_at"] = business_to_utc(delivered)
        row["delivery_mode"] = mode
        self._step(row, CaseStatus.DELIVERED, delivered)
