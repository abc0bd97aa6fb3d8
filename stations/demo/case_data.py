"""Fixed inputs of the demo cases (cases.py): names, reasons, weights and office hours. All fictional."""

from __future__ import annotations

from datetime import time

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
