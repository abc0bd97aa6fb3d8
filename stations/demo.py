"""Demo data of contract.md: stations, catalogue, calendar, partners, enterprises, accounts.

Running it twice changes nothing: every part checks what is already there.
"""

from __future__ import annotations

from datetime import date

from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from .appeals.demo import seed_demo_appeals
from .auth.models import DepartmentDuty, Role, User
from .auth.services import hash_password
from .bundles.demo import seed_bundle_demo
from .calendar import services as calendar_services
from .catalog.demo_catalog import DEPARTMENTS, build_catalog, station_scope
from .catalog.models import Department, DepartmentCategory, ItemMaterial, ItemType, OnlineMode, ServiceItem
from .clerks import services as clerk_services
from .clerks.models import ClerkChoice
from .crossregion.demo_partners import seed_partner_agreements
from .crossregion.models import AgreementKind, PartnerRegion
from .demo_cases import seed_demo_cases
from .enterprises.models import Enterprise, EnterpriseKind
from .extensions import db
from .meetings.demo import seed_meetings
from .projects.demo import seed_projects
from .sites.models import ScopeMode, Station, StationItem, StationKind

DEMO_PASSWORD = "Stations@2024"

HALL_HOURS = [
    {"days": "1-5", "open": "09:00", "close": "12:00"},
    {"days": "1-5", "open": "13:00", "close": "17:00"},
]

# code, name, kind, park, address, pilot
STATIONS = [
    ("ZX", "西咸新区政务服务(泾河)中心", "CENTER", "泾河新城", "西咸新区泾河新城泾河大道政务服务中心", False),
    ("LL", "两链融合示范园政务服务驿站", "PARK", "两链融合示范园", "泾河新城两链融合示范园综合服务楼一层", False),
    ("QH", "秦创原·氢合湾政务服务驿站", "PARK", "秦创原·氢合湾", "泾河新城秦创原·氢合湾产业园服务中心", False),
    ("HZ", "荟智广场楼宇政务服务驿站", "BUILDING", "荟智广场", "泾河新城荟智广场A座二层", False),
    (
        "YD1",
        "原点国际家居博览中心政务驿站",
        "COMMERCIAL",
        "原点国际家居博览中心",
        "泾河新城原点国际家居博览中心一层",
        True,
    ),
    ("YD2", "原点建材家居综合馆政务驿站", "COMMERCIAL", "原点建材家居综合馆", "泾河新城原点建材家居综合馆一层", True),
    (
        "YD3",
        "原点家居建材生活MALL政务驿站",
        "COMMERCIAL",
        "原点家居建材生活MALL",
        "泾河新城原点家居建材生活MALL一层",
        True,
    ),
]

# code, name, agreement, items, fictional
PARTNERS = [
    ("YZ", "铜川市耀州区", "CROSS_REGION", 54, False),
    ("QD", "咸阳市秦都区", "CROSS_REGION", 129, False),
    ("SY", "咸阳市三原县", "CROSS_REGION", 72, False),
    ("GL", "西安市高陵区", "CROSS_REGION", 154, False),
    ("XYGX", "咸阳市高新区", "SAME_STANDARD", 143, False),
    ("JY", "咸阳市泾阳县(示例)", "CROSS_REGION", 150, True),
    ("JWXC", "西安经开区(泾渭新城)(示例)", "CROSS_REGION", 131, True),
    ("LT", "西安市临潼区(示例)", "CROSS_REGION", 110, True),
]


def make_uscc(body17: str) -> str:
    """A credit code with its GB 32100 check digit (for fictional demo enterprises)."""
    return body17 + uscc_lib.calc_check_digit(body17)


# name, uscc body, kind, station, industry, pilot — fictional, marked 示例
ENTERPRISES = [
    ("泾河示例光电子科技有限公司", "91611100MA6XGD001", "ENTERPRISE", "LL", "光电子", False),
    ("陕西示例氢能装备有限公司", "91611100MA6XQN002", "ENTERPRISE", "QH", "氢能-中游燃料电池", True),
    ("荟智示例企业管理咨询有限公司", "91611100MA6XHW003", "ENTERPRISE", "HZ", "商务服务", False),
    ("原点示例家居经营部", "92611100MA6XYD004", "INDIVIDUAL_BUSINESS", "YD1", "家居零售", False),
]

# username, display name, role, station, enterprise index
ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMIN, None, None),
    ("central", "政务中心效能督办", Role.CENTRAL, None, None),
    ("staff-ll", "两链驿站 王敏", Role.STAFF, "LL", None),
    ("staff-qh", "氢合湾驿站 李强", Role.STAFF, "QH", None),
    ("staff-zx", "政务中心综合窗口 赵宁", Role.STAFF, "ZX", None),
    ("staff-hz", "荟智驿站 陈晨", Role.STAFF, "HZ", None),
    ("clerk-ll", "办事专员 张丽", Role.CLERK, "LL", None),
    ("clerk-qh", "办事专员 刘洋", Role.CLERK, "QH", None),
    ("ent-gd", "泾河示例光电子 经办人", Role.ENTERPRISE, None, 0),
    ("ent-qn", "陕西示例氢能 经办人", Role.ENTERPRISE, None, 1),
    ("comm-ll", "两链园区行政专员 孙浩", Role.COMMISSIONER, "LL", None),
]


def pinyin_initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def seed_sites() -> dict[str, Station]:
    existing = {s.code: s for s in db.session.scalars(select(Station))}
    for order, (code, name, kind, park, address, pilot) in enumerate(STATIONS):
        if code in existing:
            continue
        station = Station(
            code=code,
            name=name,
            kind=StationKind(kind),
            park_name=park,
            address=address,
            phone=f"029-3366{order:04d}",
            opening_hours=HALL_HOURS,
            is_pilot=pilot,
            sort_order=order,
        )
        db.session.add(station)
        existing[code] = station
    db.session.flush()
    centre = existing["ZX"]
    for station in existing.values():
        if station.code != "ZX" and station.parent_id is None:
            station.parent_id = centre.id
    db.session.flush()
    return existing


def seed_catalog(stations: dict[str, Station]) -> None:
    if db.session.scalar(select(func.count(ServiceItem.id))):
        return
    departments = {}
    for code, name, category in DEPARTMENTS:
        department = Department(code=code, name=name, category=DepartmentCategory(category))
        db.session.add(department)
        departments[code] = department
    db.session.flush()
    specs = build_catalog()
    items: dict[str, ServiceItem] = {}
    for spec in specs:
        item = ServiceItem(
            code=spec.code,
            name=spec.name,
            name_initials=pinyin_initials(spec.name),
            department_id=departments[spec.department].id,
            item_type=ItemType(spec.item_type),
            is_instant=spec.is_instant,
            statutory_days=spec.statutory_days,
            promised_days=spec.promised_days,
            max_visits=spec.max_visits,
            online_mode=OnlineMode(spec.online_mode),
            fee_text="不收费",
            result_name="办理结果通知书" if spec.is_instant else "审批结果文书",
            rongque_allowed=spec.rongque_allowed,
            is_comprehensive_window=spec.is_comprehensive_window,
            is_takeout=spec.in_station_pool,
            conditions="申请人为依法设立的企业、个体工商户或其他组织,材料齐全、符合法定形式。",
            legal_basis="依据国家及陕西省相关法律法规和政务服务事项实施清单。",
            materials=[
                ItemMaterial(
                    code=m.code,
                    name=m.name,
                    is_required=m.is_required,
                    is_main=m.is_main,
                    rongque_allowed=m.rongque_allowed,
                    form=m.form,
                    sort_order=n,
                )
                for n, m in enumerate(spec.materials)
            ],
        )
        db.session.add(item)
        items[spec.code] = item
    db.session.flush()
    for station in stations.values():
        for spec in station_scope(specs, station.kind.value):
            mode = ScopeMode.COLLECT if spec.where == "collect" and station.code != "ZX" else ScopeMode.ACCEPT
            db.session.add(StationItem(station_id=station.id, item_id=items[spec.code].id, mode=mode))
    db.session.flush()


def seed_partners() -> None:
    existing = set(db.session.scalars(select(PartnerRegion.code)))
    for order, (code, name, kind, count, fictional) in enumerate(PARTNERS):
        if code not in existing:
            db.session.add(
                PartnerRegion(
                    code=code,
                    name=name,
                    agreement_kind=AgreementKind(kind),
                    agreed_item_count=count,
                    is_fictional=fictional,
                    sort_order=order,
                )
            )
    db.session.flush()


def seed_enterprises(stations: dict[str, Station]) -> list[Enterprise]:
    result = []
    for name, body, kind, station, industry, pilot in ENTERPRISES:
        code = make_uscc(body)
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == code))
        if enterprise is None:
            enterprise = Enterprise(
                name=name,
                uscc=code,
                kind=EnterpriseKind(kind),
                station_id=stations[station].id,
                industry_tag=industry,
                is_pilot=pilot,
                contact_name="示例联系人",
                contact_phone=f"1380000{len(result):04d}",
                legal_rep="示例法人",
                address=stations[station].address,
            )
            db.session.add(enterprise)
        result.append(enterprise)
    db.session.flush()
    return result


def seed_accounts(stations: dict[str, Station], enterprises: list[Enterprise]) -> None:
    existing = set(db.session.scalars(select(User.username)))
    password_hash = None
    for username, display, role, station, enterprise in ACCOUNTS:
        if username in existing:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        db.session.add(
            User(
                username=username,
                display_name=display,
                role=role,
                password_hash=password_hash,
                station_id=stations[station].id if station else None,
                enterprise_id=enterprises[enterprise].id if enterprise is not None else None,
            )
        )
    db.session.flush()


# username, display name, department code, duty: the back office behind the centre (业务口)
DEPARTMENT_ACCOUNTS = [
    ("dept-rs", "人社业务口 审查员 周静", "SB", DepartmentDuty.EXAMINER),
    ("dept-kf", "开发建设部 联络员 何伟", "KFJS", DepartmentDuty.CONTACT),
    ("dept-sc-lead", "市场监管业务口 负责人 韩冰", "SCJG", DepartmentDuty.APPROVER),  # approves appeal extensions
]


def seed_department_accounts() -> None:
    existing = set(db.session.scalars(select(User.username)))
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for username, display, department_code, duty in DEPARTMENT_ACCOUNTS:
        if username in existing:
            continue
        db.session.add(
            User(
                username=username,
                display_name=display,
                role=Role.DEPARTMENT,
                department_id=departments[department_code].id,
                department_duty=duty,
                password_hash=hash_password(DEMO_PASSWORD),
            )
        )
    db.session.flush()


# enterprise index -> clerk username (ent-gd is a client of clerk-ll, contract.md)
CLERK_CHOICES = [(0, "clerk-ll"), (1, "clerk-qh")]


def seed_clerk_choices(enterprises: list[Enterprise]) -> None:
    for index, username in CLERK_CHOICES:
        enterprise = enterprises[index]
        has_clerk = db.session.scalar(
            select(ClerkChoice.id).where(ClerkChoice.enterprise_id == enterprise.id, ClerkChoice.ended_at.is_(None))
        )
        if has_clerk:
            continue
        clerk = db.session.scalar(select(User).where(User.username == username))
        db.session.add(ClerkChoice(enterprise_id=enterprise.id, clerk_id=clerk.id, chosen_by="APPLICANT"))
    db.session.flush()


# clerk username -> directory profile (business lines are Department codes)
CLERK_PROFILES = {
    "clerk-ll": {
        "business_lines": ["SCJG", "SW", "SB", "GJJ"],
        "languages": ["普通话", "英语"],
        "working_hours": "周一至周五 09:00–17:00;企业急需时可预约延时",
        "intro": "熟悉企业开办、变更登记和税务、社保、公积金业务,可全程帮办代办。",
        "max_clients": 50,
    },
    "clerk-qh": {
        "business_lines": ["GJ", "BDC", "SCJG", "FZJJ"],
        "languages": ["普通话"],
        "working_hours": "周一至周五 09:00–17:00",
        "intro": "熟悉工程建设项目审批和不动产登记,服务氢合湾园区重点项目。",
        "max_clients": 40,
    },
}


def seed_clerk_profiles() -> None:
    for username, values in CLERK_PROFILES.items():
        clerk = db.session.scalar(select(User).where(User.username == username))
        if clerk is not None:
            clerk_services.ensure_profile(clerk, **values)


def seed_demo(today: date | None = None, *, cases: bool = True) -> None:
    """Load every part of the demo data that is missing. Flushes; the caller commits.

    ``cases`` adds the demo cases of demo_cases.py (a few hundred, built through the services: seconds).
    """
    stations = seed_sites()
    seed_catalog(stations)
    calendar_services.load_library_years()
    seed_partners()
    seed_partner_agreements()
    enterprises = seed_enterprises(stations)
    seed_accounts(stations, enterprises)
    seed_department_accounts()
    seed_clerk_choices(enterprises)
    seed_clerk_profiles()
    seed_meetings(today)  # 一键约见 and 政策宣讲 (issue 14)
    if cases:
        seed_demo_cases()
    seed_bundle_demo(cases=cases)  # 一件事 bundles (issue 16)
    seed_projects()  # key projects (issue 16)
    seed_demo_appeals(full=cases)
