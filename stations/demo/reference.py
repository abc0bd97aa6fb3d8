"""Demo reference data: the stations, the catalogue, the working-day calendar and the partner districts.

This is what a demo database shares with a real one in shape (a real deployment loads its own); the demo's
accounts, enterprises and cases are in the package's other modules. Running each part twice changes nothing.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from ..calendar import services as calendar_services
from ..catalog.demo_catalog import DEPARTMENTS, build_catalog, station_scope
from ..catalog.models import Department, DepartmentCategory, ItemMaterial, ItemType, OnlineMode, ServiceItem
from ..crossregion.demo_partners import seed_partner_agreements
from ..crossregion.models import AgreementKind, PartnerRegion
from ..extensions import db
from ..sites.centre_scope import offer_every_item_at_the_centre
from ..sites.models import ScopeMode, Station, StationItem, StationKind

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


def seed_reference_data() -> dict[str, Station]:
    """Stations, catalogue, calendar years and partner districts with their item lists; returns the stations."""
    stations = seed_sites()
    seed_catalog(stations)
    offer_every_item_at_the_centre()  # the centre's department windows: every item applicable somewhere (issue 12)
    calendar_services.load_library_years()
    seed_partners()
    seed_partner_agreements()
    return stations
