"""Demo cases (issue 3 §10): a few hundred realistic cases over the last four months at every station.

Every case is built through the services (``receive_case`` / ``apply_event`` / ``supply_deficiency`` /
``verify_deficiency``) with explicit ``now=`` values, so statuses, due dates, colours, the 容缺 ledger and the event
trail are exactly what the application itself would have produced. The cases are relative to the real current date:
whenever it is run there are GREEN, YELLOW and RED cases *today* at every station.

Everything here is fictional and marked as such (domain.md §6.5): the cases carry the note ``DEMO_NOTE``, the extra
enterprises have 示例 in their names, the extra station staff cannot log in (their password is random and unknown).
Running it twice changes nothing: it does nothing when a demo case exists.

A deterministic random generator (``SEED``) picks stations, enterprises, items and timelines, so two fresh
databases seeded on the same day hold the same cases (apart from the query codes).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..auth.models import Role, User
from ..auth.services import hash_password
from ..calendar.services import current_calendar, pinned_calendar
from ..cases import services
from ..cases.models import Case, Channel, MaterialStatus
from ..cases.services import EventInput, MaterialInput, business_now, business_to_utc
from ..catalog.models import ServiceItem
from ..clerks.models import ClerkChoice
from ..domain.case_vocabulary import CaseEvent, CaseStatus
from ..domain.deadlines import WarnLevel, compute_deadline, warn_level
from ..domain.deficiency_flow import DeficiencyStatus
from ..domain.workdays import add_working_days
from ..enterprises.models import Document, Enterprise, EnterpriseKind, TrustLevel
from ..extensions import db
from ..sites.models import ScopeMode, Station, StationItem
from ..timeutil import utcnow
from ..uploads.models import StoredFile
from ..uploads.storage import upload_root
from .reference import make_uscc

DEMO_NOTE = "示例数据"
SEED = 20240601
WINDOW_DAYS = 120  # about four months of history
RANDOM_CASES = 200  # drawn at random, on top of about 80 fixed scenarios that guarantee every status and colour

# Extra station staff, so that every station can take in cases and first handlers vary. They cannot log in.
EXTRA_STAFF = [
    ("staff-ll2", "两链驿站 周婷", "LL"),
    ("staff-qh2", "氢合湾驿站 马骏", "QH"),
    ("staff-zx2", "政务中心综合窗口 孙悦", "ZX"),
    ("staff-yd1", "原点博览中心驿站 黄磊", "YD1"),
    ("staff-yd2", "原点综合馆驿站 吴倩", "YD2"),
    ("staff-yd3", "原点生活MALL驿站 郑凯", "YD3"),
]

# Extra fictional enterprises: name, uscc body (17 characters), kind, home station, industry, clerk username.
EXTRA_ENTERPRISES = [
    ("泾河示例精密光学有限公司", "91611100MA6XD0011", "ENTERPRISE", "LL", "光电子", "clerk-ll"),
    ("泾河示例半导体材料有限公司", "91611100MA6XD0012", "ENTERPRISE", "LL", "半导体", None),
    ("泾河示例智能装备有限公司", "91611100MA6XD0013", "ENTERPRISE", "LL", "智能制造", None),
    ("陕西示例储氢科技有限公司", "91611100MA6XD0021", "ENTERPRISE", "QH", "氢能-储运", "clerk-qh"),
    ("秦创原示例燃料电池有限公司", "91611100MA6XD0022", "ENTERPRISE", "QH", "氢能-中游燃料电池", None),
    ("示例氢能物流有限公司", "91611100MA6XD0023", "ENTERPRISE", "QH", "物流", None),
    ("荟智示例财税服务有限公司", "91611100MA6XD0031", "ENTERPRISE", "HZ", "商务服务", None),
    ("荟智示例人力资源有限公司", "91611100MA6XD0032", "ENTERPRISE", "HZ", "人力资源", None),
    ("示例数字传媒有限公司", "91611100MA6XD0033", "ENTERPRISE", "HZ", "文化传媒", None),
    ("原点示例建材商行", "92611100MA6XD0041", "INDIVIDUAL_BUSINESS", "YD1", "建材零售", None),
    ("示例全屋定制家居有限公司", "91611100MA6XD0042", "ENTERPRISE", "YD2", "家居制造", None),
    ("示例灯饰经营部", "92611100MA6XD0043", "INDIVIDUAL_BUSINESS", "YD3", "灯饰零售", None),
    ("示例陶瓷卫浴有限公司", "91611100MA6XD0044", "ENTERPRISE", "YD2", "建材批发", None),
    ("泾河示例建设工程有限公司", "91611100MA6XD0051", "ENTERPRISE", "ZX", "建筑业", "clerk-ll"),
    ("示例餐饮管理有限公司", "91611100MA6XD0052", "ENTERPRISE", "ZX", "餐饮", None),
    ("示例物业服务有限公司", "91611100MA6XD0053", "ENTERPRISE", "ZX", "物业", None),
]
# Breaks its 容缺 commitment in the demo (its case is TERMINATED, its credit flag set): never a demo login's company.
TERMINATED_ENTERPRISE = "示例餐饮管理有限公司"

STATION_WEIGHTS = {"ZX": 22, "LL": 20, "QH": 18, "HZ": 14, "YD1": 10, "YD2": 8, "YD3": 8}
MAIN_STATIONS = ("LL", "QH", "ZX", "HZ")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
# fmt: off
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英",
    "浩然", "子涵", "欣怡", "雨轩", "梓萱", "宇航", "思远", "嘉怡", "晨阳", "一鸣", "佳琪", "俊杰", "文博", "雅琴", "志强", "海燕", "建华", "晓东",
]
# fmt: on
REFUSAL_REASONS = ["申请事项不属于本机关职权范围", "申请人不具备申请资格", "申请事项依法不需要取得行政许可"]
REJECT_REASONS = ["经审查不符合法定条件,可依法申请行政复议或提起行政诉讼", "现场核查不符合要求,可整改后重新申请"]
WITHDRAW_NOTES = ["申请人要求撤回申请", "申请人需补充内部决议后再办"]
CORRECTION_NOTES = ["请补正加盖公章的申请表及经办人授权委托书", "营业执照副本需提供最新版本,请一次性补正"]
DELIVERY_MODES = ["COUNTER", "COUNTER", "COUNTER", "POST", "ELECTRONIC"]

OPEN_DAY = time(9, 0)
MORNING_END = time(11, 50)
AFTERNOON = time(13, 0)
CLOSING = time(16, 55)


def demo_cases_present() -> bool:
    return bool(db.session.scalar(select(func.count(Case.id)).where(Case.note == DEMO_NOTE)))


# --- people, enterprises and the demo material file ---------------------------------------------------------------


def seed_extra_staff(stations: dict[str, Station]) -> None:
    existing = set(db.session.scalars(select(User.username)))
    unusable = None
    for username, display, code in EXTRA_STAFF:
        if username in existing:
            continue
        unusable = unusable or hash_password(secrets.token_urlsafe(24))  # nobody knows it: no login
        db.session.add(
            User(
                username=username,
                display_name=display,
                role=Role.STAFF,
                password_hash=unusable,
                station_id=stations[code].id,
            )
        )
    db.session.flush()


def seed_extra_enterprises(stations: dict[str, Station]) -> None:

    clerks = {u.username: u for u in db.session.scalars(select(User).where(User.role == Role.CLERK))}
    for n, (name, body, kind, station, industry, clerk) in enumerate(EXTRA_ENTERPRISES):
        code = make_uscc(body)
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
        if enterprise is None:
            enterprise = Enterprise(
                name=name,
                uscc=code,
                kind=EnterpriseKind(kind),
                station_id=stations[station].id,
                industry_tag=industry,
                contact_name="示例联系人",
                contact_phone=f"1390000{n:04d}",
                legal_rep="示例法人",
                address=stations[station].address,
            )
            db.session.add(enterprise)
            db.session.flush()
            if clerk and clerk in clerks:
                db.session.add(
                    ClerkChoice(enterprise_id=enterprise.id, clerk_id=clerks[clerk].id, chosen_by="APPLICANT")
                )
    db.session.flush()


def _demo_pdf() -> bytes:
    """A one-page PDF (ASCII text only) standing in for every supplied demo material."""
    stream = b"BT /F1 18 Tf 72 720 Td (Stations demo material - fictional) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _demo_file(enterprise: Enterprise) -> StoredFile:
    """One stored PDF per enterprise, under a name derived from its credit code (so re-seeding adds no file)."""
    storage_name = uuid.uuid5(uuid.NAMESPACE_URL, f"stations-demo:{enterprise.uscc}").hex + ".pdf"
    stored = db.session.scalar(select(StoredFile).where(StoredFile.storage_name == storage_name))
    if stored is not None:
        return stored
    data = _demo_pdf()
    path = upload_root() / storage_name
    if not path.exists():
        path.write_bytes(data)
    stored = StoredFile(
        storage_name=storage_name,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name="示例材料.pdf",
        enterprise_id=enterprise.id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def _document(enterprise: Enterprise, material_name: str, at: datetime) -> Document:
    document = Document(
        enterprise_id=enterprise.id,
        material_name=material_name,
        file_id=_demo_file(enterprise).id,
        trust_level=TrustLevel.C,
        created_at=at,
    )
    db.session.add(document)
    db.session.flush()
    return document


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
        self.enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
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


# --- scenarios ----------------------------------------------------------------------------------------------------
# Each builds one plan; the executor runs it through the services. Steps later than ``latest`` are dropped, so a
# case received recently simply has not got as far yet.


def _decision_steps(p: Planner, plan: Plan, accepted: datetime, *, reject: bool = False, late: bool = False) -> None:
    station, item = plan.station, plan.item
    reviewer = p.staff_at(station, second=True)
    counter = p.counter_user(plan)
    if item.is_instant:
        decided = p.later(accepted, 5, 25)
    else:
        review = p.workdays_after(accepted, p.rng.choice([0, 0, 1]))
        plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
        days = (
            item.promised_days + p.rng.randint(1, 3)
            if late
            else max(1, round(item.promised_days * p.rng.uniform(0.3, 1)))
        )
        decided = max(p.workdays_after(accepted, days), review + timedelta(minutes=10))
    if reject:
        plan.steps.append(
            Step(decided, CaseEvent.DECIDE_REJECT.value, reviewer, EventInput(reason=p.rng.choice(REJECT_REASONS)))
        )
        delivered = p.workdays_after(decided, p.rng.randint(0, 2))
        plan.steps.append(Step(delivered, CaseEvent.DELIVER.value, counter, EventInput(delivery_mode="COUNTER")))
        return
    plan.steps.append(Step(decided, CaseEvent.DECIDE_APPROVE.value, reviewer, EventInput(note="经审查符合条件")))
    issued = p.later(decided, 10, 60) if item.is_instant else p.workdays_after(decided, p.rng.randint(0, 1))
    plan.steps.append(Step(issued, CaseEvent.ISSUE.value, p.staff_at(station)))
    mode = p.rng.choice(DELIVERY_MODES)
    delivered = p.later(issued, 5, 60) if mode == "COUNTER" else p.workdays_after(issued, p.rng.randint(1, 3))
    plan.steps.append(Step(delivered, CaseEvent.DELIVER.value, counter, EventInput(delivery_mode=mode)))


def done_case(
    p: Planner,
    station: Station,
    *,
    instant: bool,
    reject: bool = False,
    enterprise: Enterprise | None = None,
    online: float = 0.15,
    stop: CaseEvent | None = None,
) -> Plan:
    """Accepted, decided, issued, delivered (or as far as it has got by now).

    With ``stop`` the case was received in the last few days and has got exactly as far as that event.
    """
    item = p.pick_item(station, instant=instant, online=online >= 1)
    enterprise = enterprise or p.pick_enterprise(station)
    received = p.moment(p.recent_day(2) if stop else p.any_day())
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received, online=p.rng.random() < online)
    accepted = p.later(received, 3, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    _decision_steps(p, plan, accepted, reject=reject, late=not instant and not stop and p.rng.random() < 0.1)
    if stop is not None:
        last = next(n for n, step in enumerate(plan.steps) if step.action == stop.value)
        del plan.steps[last + 1 :]
        _squeeze(p, plan)
    return plan


def _squeeze(p: Planner, plan: Plan) -> None:
    """Move a recent case's steps into the past (before ``latest``), keeping their order."""
    overflow = [step for step in plan.steps if step.at > p.latest]
    if not overflow:
        return
    gap = (p.latest - plan.received_at) / (len(plan.steps) + 1)
    for n, step in enumerate(plan.steps, start=1):
        step.at = (plan.received_at + gap * n).replace(microsecond=0)


def open_case(p: Planner, station: Station, colour: WarnLevel, enterprise: Enterprise | None = None) -> Plan | None:
    """A committed case still under way that shows ``colour`` today."""
    for _ in range(10):
        item = p.pick_item(station, instant=False)
        accepted = p.accept_moment(item, colour)
        if accepted is not None:
            break
    else:
        return None
    received = max(datetime.combine(accepted.date(), OPEN_DAY), accepted - timedelta(minutes=p.rng.randint(5, 30)))
    plan = p.plan(station, item=item, enterprise=enterprise or p.pick_enterprise(station), received_at=received)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    if p.rng.random() < 0.7:
        review = p.later(accepted, 30, 180)
        if review <= p.latest:
            plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, p.staff_at(station, second=True)))
    return plan


def received_case(p: Planner, station: Station, enterprise: Enterprise | None = None, *, online: bool = False) -> Plan:
    """Taken in (or filed online) today or on the last working day, not yet accepted."""
    received = p.moment(p.recent_day(1))
    materials = "complete" if online or p.rng.random() < 0.7 else "missing_main"
    return p.plan(
        station,
        item=p.pick_item(station, online=online),
        enterprise=enterprise or p.pick_enterprise(station),
        received_at=received,
        materials=materials,
        online=online,
    )


def correction_case(p: Planner, station: Station, *, resolved: bool) -> Plan:
    """A one-time correction notice; still waiting for the applicant, or corrected and then handled to the end."""
    received = p.moment(p.any_day() if resolved else p.recent_day(6))
    item = p.pick_item(station)
    plan = p.plan(
        station, item=item, enterprise=p.pick_enterprise(station), received_at=received, materials="missing_main"
    )
    counter = p.counter_user(plan)
    notice = p.later(received, 5, 30)
    plan.steps.append(
        Step(notice, CaseEvent.REQUEST_CORRECTION.value, counter, EventInput(note=p.rng.choice(CORRECTION_NOTES)))
    )
    if resolved:
        back = p.workdays_after(notice, p.rng.randint(1, 3))
        plan.steps.append(Step(back, "provide", counter))
        plan.steps.append(Step(back, CaseEvent.CORRECTION_DONE.value, counter, EventInput(note="申请人已补正")))
        accepted = p.later(back, 5, 20)
        plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, counter))
        _decision_steps(p, plan, accepted)
    return plan


def paused_case(p: Planner, station: Station) -> Plan:
    """Under review when a correction notice stopped the clock (PAUSED)."""
    item = p.pick_item(station, instant=False)
    received = p.moment(p.recent_day(3))
    plan = p.plan(station, item=item, enterprise=p.pick_enterprise(station), received_at=received)
    accepted = p.later(received, 5, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    review = p.later(accepted, 30, 120)
    reviewer = p.staff_at(station, second=True)
    plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
    notice = p.later(review, 60, 240)
    plan.steps.append(
        Step(notice, CaseEvent.REQUEST_CORRECTION.value, reviewer, EventInput(note=p.rng.choice(CORRECTION_NOTES)))
    )
    return plan


def closed_early_case(p: Planner, station: Station, event: CaseEvent) -> Plan:
    """Refused (不予受理) or withdrawn before acceptance."""
    received = p.moment(p.any_day())
    plan = p.plan(
        station,
        item=p.pick_item(station),
        enterprise=p.pick_enterprise(station),
        received_at=received,
        materials="missing_main" if event is CaseEvent.REFUSE else "complete",
    )
    at = p.later(received, 10, 90)
    if event is CaseEvent.REFUSE:
        data = EventInput(reason=p.rng.choice(REFUSAL_REASONS))
    else:
        data = EventInput(reason=p.rng.choice(WITHDRAW_NOTES))
    plan.steps.append(Step(at, event.value, p.counter_user(plan), data))
    return plan


def recalled_case(p: Planner, station: Station, enterprise: Enterprise) -> Plan:
    """The applicant recalls (撤回) after acceptance, from its own account."""
    item = p.pick_item(station, instant=False)
    received = p.moment(p.recent_day(30))
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received)
    accepted = p.later(received, 5, 20)
    plan.steps.append(Step(accepted, CaseEvent.ACCEPT.value, p.counter_user(plan)))
    recall = p.workdays_after(accepted, 1)
    user = p.enterprise_user[enterprise.id]
    plan.steps.append(Step(recall, CaseEvent.RECALL.value, user, EventInput(reason="企业经营计划调整,主动撤回")))
    return plan


def rongque_case(p: Planner, station: Station, stage: str, enterprise: Enterprise | None = None) -> Plan:
    """容缺受理 with its ledger at ``stage``: pending, supplied, verified (then approved and delivered),
    approved (APPROVED_RQ, waiting for issue), overdue (deadline passed, still pending) or terminated."""
    item = p.pick_item(station, rongque=True)
    back = {"pending": 1, "supplied": 3, "verified": 40, "approved": 6, "overdue": 9, "terminated": 25}[stage]
    day = p.recent_day(back) if stage in ("pending", "supplied") else p.workdays[min(back, len(p.workdays) - 1)]
    received = p.moment(day)
    if enterprise is None:
        enterprise = p.pick_enterprise(station)
    plan = p.plan(station, item=item, enterprise=enterprise, received_at=received, materials="missing_minor")
    counter = p.counter_user(plan)
    accepted = p.later(received, 5, 20)
    plan.steps.append(
        Step(
            accepted,
            CaseEvent.ACCEPT_WITH_DEFICIENCY.value,
            counter,
            EventInput(commitment_signed=True, note="申请人签署容缺受理承诺书"),
        )
    )
    reviewer = p.staff_at(station, second=True)
    review = p.later(accepted, 30, 150)
    plan.steps.append(Step(review, CaseEvent.START_REVIEW.value, reviewer))
    if stage in ("pending", "overdue"):
        return plan
    if stage == "terminated":
        terminate = p.workdays_after(accepted, min(item.promised_days, 5) + 2)
        plan.steps.append(
            Step(terminate, CaseEvent.TERMINATE.value, p.staff_at(station), EventInput(reason="容缺材料逾期未补齐"))
        )
        return plan
    supplied = p.workdays_after(accepted, 1)
    plan.steps.append(Step(supplied, "supply", counter))
    if stage == "supplied":
        return plan
    plan.steps.append(Step(p.later(supplied, 20, 90), "verify", reviewer))
    decided = p.workdays_after(supplied, 1)
    plan.steps.append(Step(decided, CaseEvent.DECIDE_APPROVE.value, reviewer, EventInput(note="容缺材料已补齐核验")))
    if stage == "approved":
        return plan
    issued = p.workdays_after(decided, 1)
    plan.steps.append(Step(issued, CaseEvent.ISSUE.value, p.staff_at(station)))
    plan.steps.append(
        Step(p.later(issued, 10, 60), CaseEvent.DELIVER.value, counter, EventInput(delivery_mode="COUNTER"))
    )
    return plan


def build_plans(p: Planner, random_cases: int = RANDOM_CASES) -> list[Plan]:
    rng = p.rng
    stations = p.stations
    by_name = {e.name: e for e in p.enterprises}
    gd = next(e for e in p.enterprises if "光电子" in e.name)
    qn = next(e for e in p.enterprises if "氢能装备" in e.name)
    plans: list[Plan | None] = []

    # Today's colours at every station, two of each at the main ones; the demo enterprises have theirs too.
    for code, station in stations.items():
        for colour in (WarnLevel.GREEN, WarnLevel.YELLOW, WarnLevel.RED):
            for _ in range(2 if code in MAIN_STATIONS else 1):
                plans.append(open_case(p, station, colour))
    for colour in (WarnLevel.GREEN, WarnLevel.YELLOW, WarnLevel.RED):
        plans.append(open_case(p, stations["LL"], colour, gd))
        plans.append(open_case(p, stations["QH"], colour, qn))
    plans.append(open_case(p, stations["ZX"], WarnLevel.YELLOW, gd))  # a client of clerk-ll at another station

    # The 容缺 ledger: pending, supplied, verified, approved, one overdue, one terminated.
    plans += [
        rongque_case(p, stations["LL"], "pending", gd),
        rongque_case(p, stations["QH"], "pending", qn),
        rongque_case(p, stations["HZ"], "pending"),
        rongque_case(p, stations["LL"], "supplied"),
        rongque_case(p, stations["QH"], "supplied", qn),
        rongque_case(p, stations["LL"], "verified", gd),
        rongque_case(p, stations["ZX"], "verified"),
        rongque_case(p, stations["YD1"], "verified"),
        rongque_case(p, stations["QH"], "approved"),
        rongque_case(p, stations["LL"], "overdue", by_name.get("泾河示例智能装备有限公司")),
        rongque_case(p, stations["ZX"], "terminated", by_name.get(TERMINATED_ENTERPRISE)),
    ]
    plans += [recalled_case(p, stations["LL"], gd), recalled_case(p, stations["QH"], qn)]
    plans += [paused_case(p, stations[code]) for code in ("LL", "QH", "ZX")]

    # Every other status at least once, whatever the random part below draws.
    for code in stations:
        plans.append(received_case(p, stations[code]))
    plans += [
        correction_case(p, stations["LL"], resolved=False),
        correction_case(p, stations["HZ"], resolved=True),
        closed_early_case(p, stations["LL"], CaseEvent.REFUSE),
        closed_early_case(p, stations["QH"], CaseEvent.WITHDRAW),
        done_case(p, stations["LL"], instant=True, stop=CaseEvent.DECIDE_APPROVE),
        done_case(p, stations["ZX"], instant=False, stop=CaseEvent.DECIDE_APPROVE),
        done_case(p, stations["LL"], instant=True, enterprise=gd, stop=CaseEvent.ISSUE),
        done_case(p, stations["QH"], instant=True, stop=CaseEvent.ISSUE),
        done_case(p, stations["HZ"], instant=False, stop=CaseEvent.ISSUE),
        done_case(p, stations["YD1"], instant=False, reject=True, stop=CaseEvent.DECIDE_REJECT),
        done_case(p, stations["QH"], instant=False, reject=True),
        done_case(p, stations["LL"], instant=True, enterprise=gd, online=1.0),  # filed online from ent-gd's account
        received_case(p, stations["QH"], qn, online=True),  # an online application waiting at QH
    ]

    scenarios: list[tuple[float, Callable[[Station], Plan]]] = [
        (62, lambda s: done_case(p, s, instant=True)),
        (18, lambda s: done_case(p, s, instant=False)),
        (3, lambda s: done_case(p, s, instant=False, reject=True)),
        (4, lambda s: received_case(p, s)),
        (3, lambda s: correction_case(p, s, resolved=False)),
        (2, lambda s: correction_case(p, s, resolved=True)),
        (3, lambda s: closed_early_case(p, s, CaseEvent.REFUSE)),
        (2, lambda s: closed_early_case(p, s, CaseEvent.WITHDRAW)),
    ]
    weights = [w for w, _ in scenarios]
    codes = list(STATION_WEIGHTS)
    station_weights = [STATION_WEIGHTS[c] for c in codes]
    for _ in range(random_cases):
        station = stations[rng.choices(codes, station_weights)[0]]
        plans.append(rng.choices(scenarios, weights)[0][1](station))
    # The demo enterprises' own history, a good part of it filed online from their accounts.
    for _ in range(random_cases // 15):
        plans.append(done_case(p, stations["LL"], instant=True, enterprise=gd, online=0.4))
        plans.append(done_case(p, stations["QH"], instant=True, enterprise=qn, online=0.4))
    return sorted((plan for plan in plans if plan is not None), key=lambda plan: plan.received_at)


# --- execution ----------------------------------------------------------------------------------------------------


def _material_inputs(plan: Plan) -> list[MaterialInput]:
    inputs = []
    main_missing = False
    for material in plan.item.materials:
        status = MaterialStatus.VERIFIED
        if not material.is_required:
            status = MaterialStatus.VERIFIED if material.sort_order % 2 else MaterialStatus.MISSING
        elif plan.materials == "missing_minor" and not material.is_main and material.rongque_allowed:
            status = MaterialStatus.MISSING
        elif plan.materials == "missing_main" and not main_missing:
            status, main_missing = MaterialStatus.MISSING, True
        inputs.append(MaterialInput(material.id, status))
    return inputs


def run_plan(planner: Planner, plan: Plan) -> Case | None:
    latest = planner.latest
    if plan.received_at > latest:
        return None
    receiver = plan.receiver
    if receiver.role is Role.ENTERPRISE and receiver.enterprise_id != plan.enterprise.id:
        receiver, plan.channel = planner.staff_at(plan.station), Channel.STATION
    if receiver.role is Role.CLERK and planner.clerk_of.get(plan.enterprise.id) != receiver.id:
        receiver = planner.staff_at(plan.station)
        plan.channel = Channel.COMPREHENSIVE if plan.station.code == "ZX" else Channel.STATION
    if plan.channel is Channel.ONLINE and not plan.item.is_online:
        plan.channel = Channel.COMPREHENSIVE if plan.station.code == "ZX" else Channel.STATION
        receiver = planner.staff_at(plan.station)
    case = services.receive_case(
        user=receiver,
        station=plan.station,
        item=plan.item,
        enterprise=plan.enterprise,
        channel=plan.channel,
        applicant_name=plan.applicant,
        applicant_phone=plan.phone,
        is_agent=planner.rng.random() < 0.2,
        materials=_material_inputs(plan),
        note=DEMO_NOTE,
        now=business_to_utc(plan.received_at),
    )
    previous = plan.received_at
    for step in sorted(plan.steps, key=lambda s: s.at):
        at = max(step.at, previous)
        if at > latest:
            break
        previous = at
        user = step.user
        if user.role is Role.CLERK and planner.clerk_of.get(plan.enterprise.id) != user.id:
            user = planner.staff_at(plan.station)
        now = business_to_utc(at)
        if step.action == "provide":  # the applicant hands in the corrected papers at the counter
            for material in case.materials:
                if material.status in (MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION):
                    material.status = MaterialStatus.PROVIDED
            continue
        if step.action in ("supply", "verify"):
            for deficiency in list(case.deficiencies):
                if step.action == "supply" and deficiency.status is DeficiencyStatus.PENDING:
                    document = _document(plan.enterprise, deficiency.case_material.item_material.name, now)
                    services.supply_deficiency(deficiency, user, document=document, now=now)
                elif step.action == "verify" and deficiency.status is DeficiencyStatus.SUPPLIED:
                    services.verify_deficiency(deficiency, user, accept=True, now=now)
            continue
        data = step.data
        if step.action == CaseEvent.ACCEPT.value:
            ids = [m.id for m in case.materials if m.status is MaterialStatus.PROVIDED]
            data = EventInput(note=data.note, verified_material_ids=ids)
        services.apply_event(case, CaseEvent(step.action), user, version=case.version, data=data, now=now)
    return case


def seed_demo_cases(now: datetime | None = None, *, random_cases: int | None = None) -> int:
    """Add the demo cases unless they are there; returns how many were added. Flushes; the caller commits.

    ``random_cases`` = 0 gives only the fixed scenarios (every status, every colour today, the 容缺 ledger):
    about 80 cases, for tests.
    """
    stations = {s.code: s for s in db.session.scalars(select(Station))}
    if not stations or not db.session.scalar(select(func.count(ServiceItem.id))):
        return 0
    seed_extra_staff(stations)
    seed_extra_enterprises(stations)
    if demo_cases_present():
        return 0
    added = 0
    with pinned_calendar():
        planner = Planner(now or utcnow(), random.Random(SEED))
        for plan in build_plans(planner, RANDOM_CASES if random_cases is None else random_cases):
            if run_plan(planner, plan) is not None:
                added += 1
        seed_demo_ratings(planner)
    db.session.flush()
    return added


# 好差评 of the demo: mostly satisfied, one 差评 in twelve (which opens a rectification for the station).
DEMO_RATING_LEVELS = (5, 5, 4, 5, 5, 4, 5, 3, 5, 4, 2, 5)
UNRATED_LEFT = 4  # each demo enterprise keeps its latest deliveries unrated, to rate them in the demo


def seed_demo_ratings(planner: Planner) -> int:
    """The demo enterprises (those with a sign-in) rate their earlier delivered cases, through the ratings service,
    a few hours after delivery; returns how many ratings were given."""
    from ..ratings import services as rating_services  # above cases in the layers; only the demo needs both

    users = {
        user.enterprise_id: user
        for user in db.session.scalars(select(User).where(User.role == Role.ENTERPRISE).order_by(User.id))
    }
    latest = business_to_utc(planner.latest)
    given = 0
    for enterprise_id, user in users.items():
        delivered = db.session.scalars(
            select(Case)
            .where(Case.enterprise_id == enterprise_id, Case.status == CaseStatus.DELIVERED)
            .order_by(Case.delivered_at, Case.id)
        ).all()
        for n, case in enumerate(delivered[:-UNRATED_LEFT] if len(delivered) > UNRATED_LEFT else []):
            level = DEMO_RATING_LEVELS[n % len(DEMO_RATING_LEVELS)]
            at = min(case.delivered_at + timedelta(hours=planner.rng.randint(1, 30)), latest)
            rating_services.rate_case(
                case,
                user,
                level=level,
                reasons=["SLOW"] if level <= 2 else [],
                comment="等了好几天才办好" if level <= 2 else "",
                now=at,
            )
            given += 1
    return given
