"""Demo data of contract.md: ``seed_demo`` loads it all; the demo's enterprises and accounts are here.

The package: ``reference`` (stations, catalogue, calendar, partner districts), this module (fictional
enterprises, the demo accounts, their clerks), ``cases`` (demo cases built through the services), ``scale``
(synthetic bulk cases), ``guard`` (the demo never reaches production) and ``cli`` (its commands, registered
outside production only). No feature imports this package (.importlinter); it imports the features.
Running it twice changes nothing: every part checks what is already there.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..appeals.demo import seed_demo_appeals
from ..auth.models import DepartmentDuty, Role, User
from ..auth.services import hash_password
from ..bundles.demo import seed_bundle_demo
from ..catalog.models import Department
from ..clerks import services as clerk_services
from ..clerks.models import ClerkChoice
from ..enterprises.demo_persons import seed_person_demo
from ..enterprises.models import Enterprise, EnterpriseKind
from ..extensions import db
from ..meetings.demo import seed_meetings
from ..projects.demo import seed_projects
from ..sites.models import Station
from .appeal_links import seed_appeal_links
from .cases import seed_demo_cases
from .guard import DEMO_PASSWORD, refuse_in_production
from .reference import make_uscc, seed_reference_data
from .takeout import seed_takeout

__all__ = ["DEMO_PASSWORD", "make_uscc", "seed_demo"]


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
    # issue 12: the examiner who decides the company registrations LL collects; an approver for 人社 (延期)
    ("dept-sc", "市场监管业务口 审查员 孙悦", "SCJG", DepartmentDuty.EXAMINER),
    ("dept-rs-lead", "人社业务口 审批负责人 刘洋", "SB", DepartmentDuty.APPROVER),
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
            select(ClerkChoice.id).where(ClerkChoice.enterprise_id == enterprise.id, ClerkChoice.is_current)
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

    ``cases`` adds the demo cases of cases.py (a few hundred, built through the services: seconds).
    Features with demo data of their own add one line each below ``seed_clerk_profiles()``.

    :raise guard.DemoRefused: with STATIONS_ENV=production.
    """
    refuse_in_production()
    stations = seed_reference_data()
    enterprises = seed_enterprises(stations)
    seed_accounts(stations, enterprises)
    seed_department_accounts()
    seed_person_demo(DEMO_PASSWORD, stations["LL"].id)  # person-demo, a natural person (issue 12)
    seed_clerk_choices(enterprises)
    seed_clerk_profiles()
    seed_meetings(today)  # 一键约见 and 政策宣讲 (issue 14)
    if cases:
        seed_demo_cases()
    seed_bundle_demo(cases=cases)  # 一件事 bundles (issue 16)
    seed_projects()  # key projects (issue 16)
    seed_demo_appeals(full=cases)
    seed_appeal_links()  # commitments and blocked procedures raise their appeals (issue 14/16)
    seed_takeout(full=cases)  # 政务外卖 menu and a year of orders (issue 15); after appeals: it links some
