"""Demo bundles (domain.md §6.4) and 740 bundle cases over the year (report §20). Idempotent; flushes.

The four local examples are complete; the other bundles are named shells with plausible members picked from the
catalogue by keyword. The catalogue has no 公章刻制备案 or 就业登记 item (and the 555-item totals must stay), so
增值税一般纳税人登记 and 就业创业证申领 stand in for them. Historical bundle cases are bulk-inserted (concluded, their
children not linked to case rows, like an imported ledger); a handful of live ones go through the services.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from ..auth.models import User
from ..catalog.models import ServiceItem
from ..domain.bundles import BundleStatus
from ..enterprises.models import Enterprise
from ..extensions import db
from ..sites.models import Station
from ..timeutil import utc_start_of, utcnow
from . import services
from .models import Bundle, BundleCase, BundleChild, BundleLevel

# code, name, level, online, promised WD, scenario, [(item name, depends on seqs)]
LOCAL_FULL = [
    (
        "XC-QYKB",
        "新办企业开办一件事",
        True,
        3,
        "新设立的企业一次申请,一套材料,营业执照、公章、发票、社保和公积金登记一次办好。",
        [
            ("企业设立登记(有限责任公司)", ()),
            ("增值税一般纳税人登记", (1,)),  # stands in for 公章刻制备案
            ("发票领用", (1,)),
            ("单位参保登记(社会保险登记)", (1,)),
            ("单位住房公积金缴存登记", (1,)),
        ],
    ),
    (
        "XC-YGRZ",
        "员工入职一件事",
        False,  # 就业创业证申领 is not offered online
        1,
        "企业招用新员工:参保、公积金开户和就业登记一次办。",
        [("职工参保登记(增员)", ()), ("职工住房公积金账户设立", ()), ("就业创业证申领", ())],
    ),
    (
        "XC-QYQR",
        "园区企业迁入一件事",
        False,
        5,
        "企业迁入园区:住所变更后,税务、社保信息一并变更。",
        [("企业变更登记", ()), ("税务登记变更", (1,)), ("单位(项目)工伤、失业保险信息登记变更", (1,))],
    ),
    (
        "XC-QNXM",
        "氢能项目落地一件事",
        False,
        30,
        "氢能示范项目落地:项目备案后,规划许可与施工许可接续辅导办理。",
        [("企业投资项目备案登记", ()), ("建设工程规划许可证核发", (1,)), ("建筑工程施工许可证核发", (2,))],
    ),
]

NATIONAL_NAMES = [
    "企业信息变更一件事",
    "开办运输企业一件事",
    "开办餐饮店一件事",
    "水电气网联合报装一件事",
    "信用修复一件事",
    "企业破产信息核查一件事",
    "企业注销登记一件事",
    "新生儿出生一件事",
    "教育入学一件事",
    "社保卡居民服务一卡通一件事",
    "残疾人服务一件事",
    "退休一件事",
    "二手房转移登记及水电气网联动过户一件事",
]
SHELL_TOPICS = ["社保", "公积金", "税务", "企业", "不动产", "项目", "医保", "个体工商户", "食品", "建设"]
COUNTS = {BundleLevel.NATIONAL: 38, BundleLevel.BATCH1: 21, BundleLevel.LOCAL: 80}
ONLINE_TOTAL = 35
CASES_TOTAL = 740
LIVE_CASES = 8


def _items_by_name() -> dict[str, ServiceItem]:
    return {item.name: item for item in db.session.scalars(select(ServiceItem).where(ServiceItem.is_active.is_(True)))}


def _shell_members(items: list[ServiceItem], n: int) -> list[services.MemberInput]:
    """Two or three plausible members: items on one topic, the first a prerequisite of the others."""
    topic = SHELL_TOPICS[n % len(SHELL_TOPICS)]
    pool = [item for item in items if topic in item.name] or items
    picked = [pool[(n * 7 + k * 3) % len(pool)] for k in range(2 + n % 2)]
    unique = list(dict.fromkeys(picked))
    return [services.MemberInput(seq, item.id, [1] if seq > 1 else []) for seq, item in enumerate(unique, start=1)]


def seed_bundles() -> int:
    """The 139 bundles of §6.4 (38 / 21 / 80, 35 online). Returns how many were added."""
    if db.session.scalar(select(func.count(Bundle.id))):
        return 0
    by_name = _items_by_name()
    if not by_name:
        return 0
    items = sorted(by_name.values(), key=lambda item: item.code)
    online_left = ONLINE_TOTAL
    online_ids = {item.id for item in items if item.is_online}
    added = 0
    for code, name, online, days, scenario, members in LOCAL_FULL:
        inputs = [
            services.MemberInput(seq, by_name[item].id, list(deps))
            for seq, (item, deps) in enumerate(members, start=1)
            if item in by_name
        ]
        services.save_bundle(None, services.BundleInput(code, name, BundleLevel.LOCAL, online, scenario, days, inputs))
        online_left -= online
        added += 1
    for level, total in COUNTS.items():
        have = len(LOCAL_FULL) if level is BundleLevel.LOCAL else 0
        for n in range(total - have):
            if level is BundleLevel.NATIONAL and n < len(NATIONAL_NAMES):
                name = NATIONAL_NAMES[n]
            else:
                label = {
                    BundleLevel.NATIONAL: "国家省市新区",
                    BundleLevel.BATCH1: "统筹第一批",
                    BundleLevel.LOCAL: "新城",
                }
                name = f"{label[level]}{SHELL_TOPICS[n % len(SHELL_TOPICS)]}服务一件事({n + 1:02d})"
            members = _shell_members(items, n + len(level.value))
            all_online = all(online_ids.__contains__(m.item_id) for m in members)
            online = online_left > 0 and all_online
            online_left -= online
            code = f"{level.value[:2]}-{n + 1:03d}"
            services.save_bundle(None, services.BundleInput(code, name, level, online, "", 5 + n % 10, members))
            added += 1
    return added


def seed_bundle_cases(now: datetime | None = None) -> int:
    """740 bundle cases over the last year: a few live ones through the services, the rest bulk history."""
    if db.session.scalar(select(func.count(BundleCase.id))):
        return 0
    now = now or utcnow()
    station = db.session.scalar(select(Station).where(Station.code == "LL"))
    staff = db.session.scalar(select(User).where(User.username == "staff-ll"))
    enterprises = list(db.session.scalars(select(Enterprise).where(Enterprise.station_id == station.id)))
    if station is None or staff is None or not enterprises:
        return 0
    live = db.session.scalars(select(Bundle).where(Bundle.code.in_(["XC-QYKB", "XC-YGRZ"]))).all()
    made = 0
    for n in range(LIVE_CASES):
        bundle = live[n % len(live)]
        enterprise = enterprises[n % len(enterprises)]
        try:
            with db.session.begin_nested():
                services.apply(
                    bundle,
                    user=staff,
                    station=station,
                    enterprise=enterprise,
                    channel=services.Channel.STATION,
                    applicant_name=enterprise.contact_name or enterprise.name,
                    now=now - timedelta(days=n),
                )
                made += 1
        except services.BundleError:
            continue
    return made + _bulk_history(CASES_TOTAL - made, station, enterprises, now)


def _bulk_history(count: int, station: Station, enterprises: list[Enterprise], now: datetime) -> int:
    rng = random.Random(16)  # noqa: S311  (demo data, not secrets)
    bundles = list(db.session.scalars(select(Bundle)))
    weights = [8 if b.level is BundleLevel.LOCAL and b.code.startswith("XC") else 1 for b in bundles]
    members = {b.id: list(b.members) for b in bundles}
    rows = []
    for n in range(count):
        bundle = rng.choices(bundles, weights)[0]
        received = now - timedelta(days=rng.randint(10, 360), hours=rng.randint(0, 8))
        late = rng.random() < 0.06  # about 94% on time
        due = (received + timedelta(days=bundle.promised_days * 7 // 5 + 1)).date()
        concluded = received + timedelta(days=(bundle.promised_days + (3 if late else 0)) * 7 // 5)
        rows.append(
            {
                "bundle_no": f"YJS-{station.code}H{received:%Y%m%d}{n:04d}",
                "query_code": f"{rng.randrange(16**6):06X}",
                "bundle_id": bundle.id,
                "enterprise_id": rng.choice(enterprises).id,
                "station_id": station.id,
                "channel": "ONLINE" if bundle.is_online and rng.random() < 0.4 else "STATION",
                "applicant_name": "示例经办人",
                "received_at": received,
                "due_on": due,
                "warn_on": due,
                "overdue_at": utc_start_of(due + timedelta(days=1)),
                "status": BundleStatus.CONCLUDED.value,
                "concluded_at": concluded,
            }
        )
    db.session.execute(insert(BundleCase), rows)
    ids = dict(db.session.execute(select(BundleCase.bundle_no, BundleCase.id)).all())
    children = [
        {
            "bundle_case_id": ids[row["bundle_no"]],
            "seq": member.seq,
            "item_id": member.item_id,
            "depends_on": list(member.depends_on or []),
            "is_optional": member.is_optional,
        }
        for row in rows
        for member in members[row["bundle_id"]]
    ]
    if children:
        db.session.execute(insert(BundleChild), children)
    return count


def seed_bundle_demo(*, cases: bool = True) -> None:
    """The one line seed_demo calls."""
    seed_bundles()
    if cases:
        seed_bundle_cases()
