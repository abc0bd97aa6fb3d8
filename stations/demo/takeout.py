"""Demo data for 政务外卖 (issue 15): the 560+ line menu and a year of orders at every station.

The menu: every catalogue item (a team can take it in on site: 现场受理), the policy-consulting lines the report
names, and the custom line (个性化点单). The year of orders is bulk-inserted history (seconds, not minutes) in
every state, the recent ones still open so that each colour shows today; its totals resemble the report's
(1,150+ visits, 170+ problems solved, 120+ 帮办代办 cases): the problems are the demo's closed appeals that came
in through 政务外卖, the cases are delivered demo cases of the same enterprises, marked channel TAKEOUT.
All fictional (示例).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from pypinyin import lazy_pinyin
from sqlalchemy import insert, select

from ..appeals.models import Appeal, SourceChannel
from ..auth.models import Role, User
from ..calendar.services import current_calendar
from ..cases.models import Case, Channel
from ..catalog.models import Department, ServiceItem
from ..catalog.search import pinyin_initials
from ..domain import takeout_flow as flow
from ..domain.appeal_flow import AppealStatus
from ..domain.case_vocabulary import CaseStatus
from ..domain.takeout_flow import Alternative, OrderStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..takeout.models import MenuKind, MenuLine, Order, OrderAppeal, OrderCase, OrderLine, TeamMember
from ..timeutil import business_now, business_to_utc, utcnow

SEED = 20241015
HISTORY_ORDERS = 1330  # about 1,170 of them visited (the report: 1,150+ visits)
TARGET_CASES = 125
TARGET_PROBLEMS = 175
POLICY_LINES = [
    ("产业政策解读", "POLICY", ["FZJJ"]),
    ("科技金融政策", "POLICY", ["FZJJ"]),
    ("人才政策", "POLICY", ["SB"]),
    ("工建审批辅导", "POLICY", ["GJ", "KFJS"]),
    ("安全生产政策", "POLICY", ["KFJS"]),
    ("税收优惠政策", "POLICY", ["SW"]),
    ("社保与稳岗政策", "POLICY", ["SB"]),
    ("知识产权政策", "POLICY", ["SCJG"]),
    ("外贸与跨境政策", "POLICY", ["SW", "FZJJ"]),
    ("融资对接辅导", "POLICY", ["FZJJ"]),
]
ADDRESSES = [
    "泾河新城秦创原产业园{n}号楼",
    "泾河新城崇文镇产业大道{n}号",
    "泾河新城永乐镇工业园{n}号",
    "泾河新城泾干街道{n}号",
]
OUTCOMES = [
    "现场受理办件并解答政策问题",
    "政策讲解,企业已了解申报流程",
    "现场指导填报,材料已齐全",
    "发现问题已登记诉求",
]


def _pinyin(title: str) -> str:
    return f"{pinyin_initials(title)} {''.join(lazy_pinyin(title))}".lower()[:400]


def seed_takeout_menu() -> int:
    if db.session.scalar(select(MenuLine.id).limit(1)) is not None:
        return 0
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    rows = []
    for n, (item_id, name, department_id) in enumerate(
        db.session.execute(
            select(ServiceItem.id, ServiceItem.name, ServiceItem.department_id).order_by(ServiceItem.code)
        ),
        start=1,
    ):
        department = departments.get(department_id)
        skill, category = (department.code, department.name) if department else (None, None)
        rows.append(
            {
                "code": f"WM{n:04d}",
                "title": name,
                "kind": MenuKind.ITEM.value,
                "category": (category or "政务服务")[:40],
                "item_id": item_id,
                "skills": [skill] if skill else [],
                "pinyin": _pinyin(name),
                "is_active": True,
            }
        )
    for n, (title, _kind, skills) in enumerate(POLICY_LINES, start=1):
        rows.append(
            {
                "code": f"WMZC{n:02d}",
                "title": title,
                "kind": MenuKind.POLICY.value,
                "category": "政策咨询",
                "item_id": None,
                "skills": skills,
                "pinyin": _pinyin(title),
                "is_active": True,
            }
        )
    rows.append(
        {
            "code": "WMGX01",
            "title": "个性化点单(写明您需要的服务)",
            "kind": MenuKind.CUSTOM.value,
            "category": "个性化",
            "item_id": None,
            "skills": [],
            "pinyin": _pinyin("个性化点单"),
            "is_active": True,
        }
    )
    db.session.execute(insert(MenuLine.__table__), rows)
    return len(rows)


def _status_for(age_days: int, rng: random.Random) -> OrderStatus:
    if age_days > 20:
        return OrderStatus.CANCELLED if rng.random() < 0.05 else OrderStatus.COMPLETED
    return rng.choice(list(OrderStatus))


STAGE_KEYS = ("contacted_at", "dispatched_at", "checked_in_at", "finished_at", "delivered_at", "completed_at")
STAGE_SHARE = (0.1, 0.2, 0.4, 0.5, 0.8, 0.95)  # where each stage falls in the order's span
STAGES_BY_STATUS = {
    OrderStatus.ORDERED: 0,
    OrderStatus.CONTACTED: 1,
    OrderStatus.DISPATCHED: 2,
    OrderStatus.ON_SITE: 3,
    OrderStatus.SERVED: 4,
    OrderStatus.IN_BACKOFFICE: 4,
    OrderStatus.DELIVERED: 5,
    OrderStatus.COMPLETED: 6,
}


def _stage_times(row, status, ordered_local, due_local, local_now, rng, calendar) -> None:
    """Every stage's time (None when not reached), all before now: an order's span is 6 days, or what is left."""
    row.update({key: None for key in (*STAGE_KEYS, "visit_due_on", "rating_level")})
    span = min(timedelta(days=6), local_now - ordered_local)
    reached = STAGES_BY_STATUS.get(status, 1 if row["order_no"][-1] in "02468" else 0)
    for key, share in list(zip(STAGE_KEYS, STAGE_SHARE, strict=True))[:reached]:
        row[key] = business_to_utc(ordered_local + span * share)
    if reached:  # called back within the hour or two, as a station does
        row["contacted_at"] = business_to_utc(
            ordered_local + min(span * 0.1, timedelta(minutes=35 + rng.randrange(90)))
        )
    if reached and rng.random() < 0.06 and due_local + timedelta(hours=2) < local_now:  # a late call-back
        row["contacted_at"] = business_to_utc(due_local + timedelta(hours=2))
    if row["contacted_at"]:
        row["visit_due_on"] = flow.visit_due(business_now(row["contacted_at"]), calendar)
    if status in flow.VISITED_STATUSES:
        row["outcome"] = rng.choice(OUTCOMES)
    if status is OrderStatus.COMPLETED:
        row["rating_level"] = rng.choice([5, 5, 5, 4, 4, 3])
    if status is OrderStatus.CANCELLED:
        row.update(cancelled_at=business_to_utc(ordered_local + span * 0.15), cancel_reason="企业改为网上办理")
        row["alternative"] = Alternative.ONLINE.value
    else:
        row["cancelled_at"] = None


def seed_takeout_orders(now: datetime | None = None) -> int:
    """A year of orders (bulk history) plus the links to demo cases and appeals; nothing if orders exist."""
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return 0
    now = now or utcnow()
    rng = random.Random(SEED)
    calendar = current_calendar()
    enterprises = db.session.execute(select(Enterprise.id, Enterprise.station_id, Enterprise.name)).all()
    enterprises = [e for e in enterprises if e.station_id is not None]
    users = db.session.execute(
        select(User.id, User.role, User.station_id, User.enterprise_id).where(User.is_enabled)
    ).all()
    ordered_by = {e: u.id for u in users if u.role is Role.ENTERPRISE for e in [u.enterprise_id]}
    staff = {}
    for u in users:
        if u.role in (Role.STAFF, Role.CLERK) and u.station_id is not None:
            staff.setdefault(u.station_id, []).append(u.id)
    lines = list(db.session.scalars(select(MenuLine.id).order_by(MenuLine.id)))
    if not enterprises or not lines or not staff:
        return 0
    fallback_user = next(u.id for u in users if u.role is Role.STAFF)
    orders, order_lines, members = [], [], []
    local_now = business_now(now)
    for n in range(HISTORY_ORDERS):
        enterprise = rng.choice(enterprises)
        age = int(365 * (n / HISTORY_ORDERS) ** 1.3)  # more recent orders than old ones
        day = (local_now - timedelta(days=age)).date()
        ordered_local = datetime.combine(day, time(9, 0)) + timedelta(minutes=rng.randrange(0, 8 * 60))
        if ordered_local >= local_now:
            ordered_local = local_now - timedelta(minutes=30 + n % 90)
        status = _status_for(age, rng)
        due_local = flow.contact_due(ordered_local, calendar)
        team = staff.get(enterprise.station_id) or [fallback_user]
        row = {
            "order_no": f"WM{ordered_local:%Y%m%d}{5000 + n:04d}",  # live numbers start at 0001 each day
            "status": status.value,
            "version": 1,
            "enterprise_id": enterprise.id,
            "station_id": enterprise.station_id,
            "ordered_by_id": ordered_by.get(enterprise.id, team[0]),
            "contact_name": "(示例)联系人",
            "contact_phone": "13800000000",
            "address": rng.choice(ADDRESSES).format(n=1 + n % 40),
            "preferred_windows": [],
            "custom_request": "",
            "ordered_at": business_to_utc(ordered_local),
            "contact_due_at": business_to_utc(due_local),
            "cancel_reason": "",
            "alternative": "",
            "outcome": "",
            "rating_note": "",
        }
        _stage_times(row, status, ordered_local, due_local, local_now, rng, calendar)
        orders.append(row)
    db.session.execute(insert(Order.__table__), orders)
    ids = dict(db.session.execute(select(Order.order_no, Order.id)).all())
    for n, row in enumerate(orders):
        order_id = ids[row["order_no"]]
        for line_id in rng.sample(lines, 1 + n % 2):
            order_lines.append({"order_id": order_id, "menu_line_id": line_id})
        if row.get("dispatched_at"):
            team = staff.get(row["station_id"]) or [fallback_user]
            members.append({"order_id": order_id, "user_id": team[n % len(team)], "is_lead": True})
    db.session.execute(insert(OrderLine.__table__), order_lines)
    if members:
        db.session.execute(insert(TeamMember.__table__), members)
    _link_history(orders, ids)
    return len(orders)


def _link_history(orders: list[dict], ids: dict[str, int]) -> None:
    """The visits' cases (delivered demo cases of the same enterprise) and problems (closed takeout appeals)."""
    visited = [(ids[o["order_no"]], o["enterprise_id"]) for o in orders if o.get("finished_at")]
    by_enterprise: dict[int, list[int]] = {}
    for order_id, enterprise_id in visited:
        by_enterprise.setdefault(enterprise_id, []).append(order_id)
    delivered = db.session.execute(
        select(Case.id, Case.enterprise_id).where(Case.status == CaseStatus.DELIVERED).order_by(Case.id)
    ).all()
    links, linked_cases = [], []
    for case_id, enterprise_id in delivered:
        candidates = by_enterprise.get(enterprise_id)
        if candidates and len(links) < TARGET_CASES:
            links.append({"order_id": candidates[len(links) % len(candidates)], "case_id": case_id})
            linked_cases.append(case_id)
    if links:
        db.session.execute(insert(OrderCase.__table__), links)
        for case in db.session.scalars(select(Case).where(Case.id.in_(linked_cases))):
            case.channel = Channel.TAKEOUT  # through the ORM: the period roll-ups count cases by channel
    _seed_problems(visited)


PROBLEMS = [
    ("企业反映厂区周边道路照明不足,夜间通勤不便", "GOV_SERVICE"),
    ("申请稳岗补贴时对材料要求有疑问,需要部门解释", "POLICY_FULFILMENT"),
    ("厂房消防验收排期较晚,希望协调", "SUPERVISION_ENFORCEMENT"),
    ("招聘用工需求较大,希望对接人才市场", "OTHER"),
    ("水电报装进度慢,影响试生产", "GOV_SERVICE"),
]


def _seed_problems(visited: list[tuple[int, int]]) -> None:
    """Problems found on visits (170+ in the report), each an appeal from 政务外卖 that was answered and closed."""
    if not visited:
        return
    orders = dict(db.session.execute(select(Order.id, Order.finished_at)).all())
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)).all())
    step = max(1, len(visited) // TARGET_PROBLEMS)
    rows, links = [], []
    for n, (order_id, enterprise_id) in enumerate(visited[::step][:TARGET_PROBLEMS]):
        finished = orders[order_id]
        text, category = PROBLEMS[n % len(PROBLEMS)]
        day = business_now(finished).date()
        rows.append(
            {
                "appeal_no": f"SQ{day:%Y%m%d}{7000 + n:04d}",  # live numbers start at 0001 each day
                "source_channel": SourceChannel.TAKEOUT.value,
                "category": category,
                "nature": "HELP",
                "urgency": "NORMAL",
                "status": AppealStatus.CLOSED.value,
                "enterprise_id": enterprise_id,
                "enterprise_name": names.get(enterprise_id, "示例企业"),
                "description": f"(示例)上门服务发现:{text}",
                "registered_at": finished,
                "replied_at": finished + timedelta(days=3),
                "closed_at": finished + timedelta(days=5),
                "reply_on_time": True,
                "reply_text": "(示例)已协调相关部门解决,企业表示满意。",
            }
        )
    db.session.execute(insert(Appeal.__table__), rows)
    ids = dict(
        db.session.execute(
            select(Appeal.appeal_no, Appeal.id).where(Appeal.appeal_no.in_([r["appeal_no"] for r in rows]))
        ).all()
    )
    for row, (order_id, _enterprise) in zip(rows, visited[::step][:TARGET_PROBLEMS], strict=False):
        links.append({"order_id": order_id, "appeal_id": ids[row["appeal_no"]]})
    db.session.execute(insert(OrderAppeal.__table__), links)


def seed_takeout(*, full: bool = True) -> None:
    seed_takeout_menu()
    if full:
        seed_takeout_orders()
