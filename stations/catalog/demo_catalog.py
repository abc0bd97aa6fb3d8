"""The demo catalogue: 555 items that reproduce the report's 一优五减 figures (domain.md §6.3, §6.6).

The real item names of domain.md §6.3 keep their department, type and limits; generated
items fill the rest so that the totals come out exactly: 353 即办件 and 202 承诺件,
Σ promised = 1,070 WD, Σ statutory = 11,448 WD, and 552 items needing at most one visit.
Pure data and arithmetic; stations/demo/reference.py writes it to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ITEM_COUNT = 555
INSTANT_COUNT = 353
PROMISED_TOTAL = 1070
STATUTORY_TOTAL = 11448
TWO_VISIT_COUNT = 3
COMPREHENSIVE_COUNT = 190
STATION_POOL_COUNT = 152

# code, name, category
DEPARTMENTS = [
    ("SB", "人社(社保)", "SOCIAL_SECURITY"),
    ("YB", "医保", "MEDICAL_INSURANCE"),
    ("SW", "税务", "TAX"),
    ("GJJ", "住房公积金", "HOUSING_FUND"),
    ("SCJG", "市场监管", "MARKET_REGULATION"),
    ("BDC", "不动产登记", "REAL_ESTATE"),
    ("GJ", "工建审批", "CONSTRUCTION"),
    ("SHSW", "社会事务", "SOCIAL_AFFAIRS"),
    ("TYFZ", "统一发证", "CERT_ISSUE"),
    ("FZJJ", "发展和经济运行部", "OTHER"),
    ("KFJS", "开发建设部", "OTHER"),
]

# Where a real item is offered: "station" (stations accept it), "collect" (stations collect
# and forward it to the centre), "centre" (only at the centre).
# dept, name, type, instant, statutory, promised, visits, where, rongque
REAL_ITEMS = [
    ("SB", "单位(项目)工伤、失业保险信息登记变更", "GG", True, 0, 0, 1, "station", False),
    ("SB", "单位参保登记(社会保险登记)", "QR", True, 5, 0, 1, "station", False),
    ("SB", "职工参保登记(增员)", "GG", True, 0, 0, 0, "station", False),
    ("SB", "职工停保(减员)", "GG", True, 0, 0, 0, "station", False),
    ("SB", "社会保障卡申领", "GG", False, 20, 5, 1, "station", True),
    ("SB", "社会保障卡挂失与解挂", "GG", True, 0, 0, 0, "station", False),
    ("SB", "个人权益记录查询打印(参保缴费证明)", "GG", True, 0, 0, 0, "station", False),
    ("SB", "城镇职工基本养老保险关系转移接续", "GG", False, 15, 10, 1, "station", True),
    ("SB", "就业创业证申领", "GG", True, 5, 0, 1, "station", False),
    ("YB", "参保单位医保登记", "GG", True, 0, 0, 0, "station", False),
    ("YB", "异地就医备案", "GG", True, 0, 0, 0, "station", False),
    ("SW", "发票领用", "QT", True, 0, 0, 0, "station", False),
    ("SW", "增值税专用发票(增值税税控系统)最高开票限额审批", "XK", False, 20, 3, 1, "collect", True),
    ("SW", "代开增值税发票", "QT", True, 0, 0, 1, "station", False),
    ("SW", "开具税收完税证明", "QR", True, 0, 0, 0, "station", False),
    ("SW", "增值税一般纳税人登记", "QT", True, 0, 0, 0, "station", False),
    ("SW", "清税申报", "QT", True, 0, 0, 1, "station", False),
    ("GJJ", "单位住房公积金缴存登记", "GG", True, 0, 0, 1, "station", False),
    ("GJJ", "职工住房公积金账户设立", "GG", True, 0, 0, 0, "station", False),
    ("GJJ", "住房公积金缴存基数调整", "GG", True, 0, 0, 0, "station", False),
    ("GJJ", "住房公积金提取(租房/离职/退休)", "GG", False, 5, 3, 1, "station", True),
    ("GJJ", "住房公积金单位和个人缴存证明", "GG", True, 0, 0, 0, "station", False),
    ("GJJ", "住房公积金异地转移接续", "GG", False, 10, 5, 0, "station", True),
    ("SCJG", "企业设立登记(有限责任公司)", "XK", False, 3, 1, 1, "collect", True),
    ("SCJG", "企业变更登记", "XK", False, 3, 1, 1, "collect", True),
    ("SCJG", "企业注销登记", "XK", False, 3, 1, 1, "collect", True),
    ("SCJG", "个体工商户设立登记", "XK", True, 3, 0, 1, "station", False),
    ("SCJG", "营业执照遗失补领、换发", "XK", True, 3, 0, 1, "station", False),
    ("SCJG", "食品经营许可", "XK", False, 10, 5, 1, "collect", True),
    ("BDC", "不动产登记资料查询", "GG", True, 0, 0, 1, "centre", False),
    ("BDC", "不动产抵押权首次登记", "QR", False, 30, 1, 1, "centre", False),
    ("BDC", "国有建设用地使用权及房屋所有权转移登记", "QR", False, 30, 3, 1, "centre", False),
    ("GJ", "建设工程规划许可证核发", "XK", False, 20, 5, 1, "centre", True),
    ("GJ", "建筑工程施工许可证核发", "XK", False, 7, 3, 1, "centre", True),
    ("SHSW", "残疾人证新办", "QR", False, 20, 10, 1, "centre", False),
    ("SHSW", "高龄老人补贴申领", "JF", False, 20, 10, 1, "centre", False),
]

# Generated items: per department, subjects and the actions done on them.
GENERATED_SUBJECTS = {
    "SB": (["单位社会保险", "职工工伤保险", "失业保险", "职工养老保险", "灵活就业人员社保", "企业年金"], "GG"),
    "YB": (["职工医疗保险", "生育保险", "门诊慢特病", "医保个人账户", "城乡居民医保"], "GG"),
    "SW": (["税务登记", "纳税申报", "发票", "税收优惠", "出口退(免)税", "跨区域涉税事项"], "QT"),
    "GJJ": (["单位公积金", "个人公积金", "公积金贷款", "公积金缴存", "灵活就业人员公积金"], "GG"),
    "SCJG": (["个体工商户", "农民专业合作社", "食品生产许可", "特种设备", "商标质押", "广告发布"], "XK"),
    "BDC": (["不动产首次登记", "不动产变更登记", "不动产注销登记", "预告登记", "查封登记"], "QR"),
    "GJ": (["建设项目选址", "建设用地规划", "施工图审查", "竣工验收", "人防工程", "城市道路占用"], "XK"),
    "SHSW": (["社会救助", "养老服务机构", "慈善组织", "婚姻登记档案", "退役军人优待"], "JF"),
    "TYFZ": (["证照打印", "证照邮寄", "电子证照", "证照补发"], "GG"),
    "FZJJ": (["企业投资项目备案", "节能审查", "统计登记", "工业项目入园"], "QT"),
    "KFJS": (["排水接入", "市政设施", "临时用地", "绿化迁移"], "XK"),
}
ACTIONS = ["登记", "变更", "注销", "信息查询", "证明开具", "补办", "备案", "年度报告", "申报", "审核"]


@dataclass
class MaterialSpec:
    code: str
    name: str
    is_required: bool
    is_main: bool
    rongque_allowed: bool
    form: str = "COPY"


@dataclass
class ItemSpec:
    code: str
    department: str
    name: str
    item_type: str
    is_instant: bool
    statutory_days: int
    promised_days: int
    max_visits: int
    where: str
    rongque_allowed: bool
    is_real: bool
    online_mode: str = "OFFLINE"
    is_comprehensive_window: bool = False
    in_station_pool: bool = False
    materials: list[MaterialSpec] = field(default_factory=list)


def _spread(total: int, count: int) -> list[int]:
    """``count`` integers, as equal as possible, summing to ``total``."""
    base, extra = divmod(total, count)
    return [base + 1 if i < extra else base for i in range(count)]


def _generated_names(count: int, taken: set[str]) -> list[tuple[str, str, str]]:
    """(department, name, type) for the generated items, spread over departments in turn."""
    names: list[tuple[str, str, str]] = []
    pools = {
        dept: [f"{subject}{action}" for action in ACTIONS for subject in subjects]
        for dept, (subjects, _type) in GENERATED_SUBJECTS.items()
    }
    order = list(GENERATED_SUBJECTS)
    index = 0
    while len(names) < count:
        dept = order[index % len(order)]
        pool = pools[dept]
        if pool:
            name = pool.pop(0)
            if name not in taken:
                taken.add(name)
                names.append((dept, name, GENERATED_SUBJECTS[dept][1]))
        index += 1
        if not any(pools.values()):
            raise ValueError("not enough generated names")
    return names


def _materials(item: ItemSpec) -> list[MaterialSpec]:
    materials = [
        MaterialSpec("M01", f"{item.name}申请表", True, True, False, "ORIGINAL"),
        MaterialSpec("M02", "营业执照副本", True, True, False),
        MaterialSpec("M03", "法定代表人身份证复印件", True, False, item.rongque_allowed),
    ]
    if not item.is_instant:
        materials.append(MaterialSpec("M04", "经办人授权委托书", True, False, item.rongque_allowed, "ORIGINAL"))
        materials.append(MaterialSpec("M05", "其他补充说明材料", False, False, item.rongque_allowed))
    return materials


def build_catalog() -> list[ItemSpec]:
    """The 555 demo items, deterministic, with the report's totals."""
    real_instant = [r for r in REAL_ITEMS if r[3]]
    real_committed = [r for r in REAL_ITEMS if not r[3]]
    generated = _generated_names(ITEM_COUNT - len(REAL_ITEMS), {r[1] for r in REAL_ITEMS})
    instant_fill = INSTANT_COUNT - len(real_instant)
    committed_fill = ITEM_COUNT - INSTANT_COUNT - len(real_committed)

    promised_fill = _spread(PROMISED_TOTAL - sum(r[5] for r in REAL_ITEMS), committed_fill)
    statutory_fill = _spread(STATUTORY_TOTAL - sum(r[4] for r in REAL_ITEMS), instant_fill + committed_fill)

    items: list[ItemSpec] = []
    for dept, name, item_type, instant, statutory, promised, visits, where, rongque in REAL_ITEMS:
        items.append(
            ItemSpec("", dept, name, item_type, instant, statutory, promised, visits, where, rongque, is_real=True)
        )
    for n, (dept, name, item_type) in enumerate(generated):
        instant = n < instant_fill
        promised = 0 if instant else promised_fill[n - instant_fill]
        statutory = max(statutory_fill[n], promised)
        where = "centre" if dept in ("BDC", "GJ", "SHSW", "KFJS") else "station"
        visits = 0 if n % 4 == 0 else 1
        rongque = not instant and n % 3 == 0
        items.append(
            ItemSpec("", dept, name, item_type, instant, statutory, promised, visits, where, rongque, is_real=False)
        )
    # Three generated committed items need a second visit (site inspection).
    committed_generated = [i for i in items if not i.is_real and not i.is_instant]
    for item in committed_generated[:TWO_VISIT_COUNT]:
        item.max_visits = 2

    if sum(i.statutory_days for i in items) != STATUTORY_TOTAL:
        raise AssertionError("statutory total drifted")  # a statutory limit was raised to its promise
    _assign_codes(items)
    _assign_scopes(items)
    for i, item in enumerate(items):
        item.online_mode = "FULL_ONLINE" if item.max_visits == 0 else ("ONLINE_PRE_REVIEW" if i % 2 else "OFFLINE")
        item.materials = _materials(item)
    return items


def _assign_codes(items: list[ItemSpec]) -> None:
    counters: dict[str, int] = {}
    for item in items:
        counters[item.department] = counters.get(item.department, 0) + 1
        item.code = f"{item.item_type}-{item.department}-{counters[item.department]:04d}"


def _assign_scopes(items: list[ItemSpec]) -> None:
    """152 items for the stations, 190 for the centre's comprehensive window."""
    station_candidates = [i for i in items if i.where in ("station", "collect")]
    pool = [i for i in station_candidates if i.is_real] + [i for i in station_candidates if not i.is_real]
    for item in pool[:STATION_POOL_COUNT]:
        item.in_station_pool = True
    # The comprehensive window: every centre-only real item, the station pool, then others.
    ordered = (
        [i for i in items if i.is_real and i.where == "centre"]
        + [i for i in items if i.in_station_pool]
        + [i for i in items if not i.in_station_pool and not (i.is_real and i.where == "centre")]
    )
    for item in ordered[:COMPREHENSIVE_COUNT]:
        item.is_comprehensive_window = True


# Stations in commercial districts serve mostly individual businesses: market registration,
# tax, social security, medical insurance and housing fund (domain.md §6.1).
COMMERCIAL_DEPARTMENTS = {"SCJG", "SW", "SB", "YB", "GJJ"}


def station_scope(items: list[ItemSpec], station_kind: str) -> list[ItemSpec]:
    if station_kind == "CENTER":
        return [i for i in items if i.is_comprehensive_window]
    pool = [i for i in items if i.in_station_pool]
    if station_kind == "COMMERCIAL":
        return [i for i in pool if i.department in COMMERCIAL_DEPARTMENTS]
    return pool
